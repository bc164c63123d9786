"""Ctrl-C during `luzhi build` (cold review): one line in both languages saying to run the same command again,
exit 130, and nothing else: no worker's KeyboardInterrupt traceback, no multiprocessing "leaked semaphore"
warning, no click "Aborted!" with exit 1. The same command then completes, as docs/build.md promises.

A real build of the bundled samples in a subprocess of its own process group, sent SIGINT as a terminal sends
Ctrl-C (to the whole foreground group, the workers included) during the parse, once a worker is idle, reading
its queue for a next document (where the tracebacks came from) while the other parses the last.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from test_build_workers_exit import _alive, _children, _descendants

from luzhi.etl.build import bundled_documents

INTERRUPTED = "build interrupted; run the same command again to resume"


def as_in_a_terminal() -> None:
    """A command typed at a terminal takes Ctrl-C; one started in the background of a script (as CI runs this
    suite: `nohup … &`) inherits SIGINT ignored, and the build then ran on, as it should (the CI failure)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _idle_worker(build_pid: int, store: Path) -> bool:
    """Whether a pool worker (a child of the build's fork server) is idle, blocked reading its queue, once a
    document is staged (before that, a worker reading a pipe is one still starting)."""
    if not _staged(store):
        return False
    workers = {pid for child in _children(build_pid) for pid in _children(child)}
    for pid in workers:
        try:
            if "pipe_read" in (Path("/proc") / str(pid) / "wchan").read_text():
                return True
        except OSError:
            continue
    return False


def _staged(store: Path) -> int:
    """Documents pass 1 has finished (etl/stage.py writes `KEY.staged` last)."""
    return sum(1 for _ in store.glob("snapshots/*/staging/*.staged"))


def test_ctrl_c_during_parse_says_one_line_and_the_same_command_resumes(tmp_path):
    store = tmp_path / "store"
    # The bundled samples (~1 s each): a worker is idle only once the queue is empty, while the other parses
    # the last document, so a larger last document is a wider window (20 small synthetic ones made it narrower).
    documents = bundled_documents()
    command = [sys.executable, "-m", "luzhi.server.cli", "build", "--store", str(store), "--jobs", "2",
               "--base", "https://luzhi.test", *map(str, documents)]
    build = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                             preexec_fn=as_in_a_terminal)
    group: set[int] = set()
    try:
        deadline = time.monotonic() + 300  # the first document took over 120 s in a CI run beside an OOM
        while time.monotonic() < deadline and not _idle_worker(build.pid, store) and build.poll() is None:
            time.sleep(0.05)
        group = _descendants(build.pid)
        assert 0 < _staged(store) < len(documents), "not during the parse"
        os.killpg(build.pid, signal.SIGINT)  # the terminal's Ctrl-C
        _out, err = build.communicate(timeout=120)
    finally:
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGKILL)
            build.wait()
        build.stdout.close()  # left open, their ResourceWarning failed the worker's next test
        build.stderr.close()
    message = err.decode("utf-8", "replace")
    assert build.returncode == 130, message
    assert "Traceback" not in message and "leaked semaphore" not in message and "Aborted" not in message, message
    assert message.strip().splitlines()[-1] == f"构建已中断；再次运行同一命令即可从中断处继续 / {INTERRUPTED}", message
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(pid) for pid in group):
        time.sleep(0.2)
    assert not [pid for pid in group if _alive(pid)], "a worker outlived the interrupted build"

    again = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "5 documents loaded, 0 quarantined" in again.stdout + again.stderr, again.stdout + again.stderr


TERMINATED = "build terminated (SIGTERM); run the same command again to resume"


def _first_staged(build: subprocess.Popen, store: Path) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not _staged(store) and build.poll() is None:
        time.sleep(0.05)
    assert build.poll() is None and _staged(store), "the build ended before its parse was seen"


def test_sigterm_during_parse_says_one_line_exits_143_and_the_same_command_resumes(tmp_path):
    """`kill PID` (SIGTERM) ended the build at once: multiprocessing's resource tracker then warned of "leaked
    semaphore objects" (cold review). Now it ends as Ctrl-C does, in its own words and with 143 (128 + 15)."""
    store = tmp_path / "store"
    documents = bundled_documents()
    command = [sys.executable, "-m", "luzhi.server.cli", "build", "--store", str(store), "--jobs", "2",
               "--base", "https://luzhi.test", *map(str, documents)]
    build = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                             preexec_fn=as_in_a_terminal)
    group: set[int] = set()
    try:
        _first_staged(build, store)
        group = _descendants(build.pid)
        os.kill(build.pid, signal.SIGTERM)  # the build's process only, as `kill PID` sends it
        _out, err = build.communicate(timeout=120)
    finally:
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGKILL)
            build.wait()
        build.stdout.close()
        build.stderr.close()
    message = err.decode("utf-8", "replace")
    assert build.returncode == 143, message
    assert "Traceback" not in message and "leaked semaphore" not in message and "Aborted" not in message, message
    last = message.strip().splitlines()[-1]
    assert last == f"构建已被终止（SIGTERM）；再次运行同一命令即可从中断处继续 / {TERMINATED}", message
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(pid) for pid in group):
        time.sleep(0.2)
    assert not [pid for pid in group if _alive(pid)], "a worker outlived the terminated build"

    again = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "5 documents loaded, 0 quarantined" in again.stdout + again.stderr, again.stdout + again.stderr


def test_a_build_that_ignores_sigint_keeps_its_workers_through_one(tmp_path):
    """A build started in the background of a script (`nohup luzhi build … &`: SIGINT ignored) runs on through a
    Ctrl-C its process group gets; its workers died of it, and the build failed with BrokenProcessPool."""
    store = tmp_path / "store"
    command = [sys.executable, "-m", "luzhi.server.cli", "build", "--store", str(store), "--jobs", "2",
               "--base", "https://luzhi.test", *map(str, bundled_documents())]
    build = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        _first_staged(build, store)
        os.killpg(build.pid, signal.SIGINT)  # the whole group, the workers included
        out, err = build.communicate(timeout=600)
    finally:
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGKILL)
            build.wait()
        build.stdout.close()
        build.stderr.close()
    text = (out + err).decode("utf-8", "replace")
    assert build.returncode == 0, text
    assert "BrokenProcessPool" not in text and "5 documents loaded, 0 quarantined" in text, text
