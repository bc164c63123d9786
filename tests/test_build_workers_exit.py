"""A build's worker processes end with it, however it ends (issue 13's 10,000-township measurement found a
killed build's two workers and their forkserver still running an hour later, using a core between them)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from build_helpers import BASE, township_copies


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        for child in _children(todo.pop()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_killing_a_build_ends_its_workers(tmp_path):
    paths, codes = township_copies(tmp_path / "docs", 12)
    args = [f"--township-code={p.name}={codes[p.name]}" for p in paths]
    build = subprocess.Popen([sys.executable, "-m", "luzhi.server.cli", "build", "--store", str(tmp_path / "store"),
                              "--base", BASE, "--jobs", "2", *args, *map(str, paths)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        while time.monotonic() < deadline and len(workers) < 3:  # the forkserver and its two workers
            workers = _descendants(build.pid)
            time.sleep(0.2)
        assert len(workers) >= 3, f"the build started no pool ({workers})"
    finally:
        os.kill(build.pid, signal.SIGKILL)
        build.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.2)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"{len(left)} of the build's processes outlived it"
