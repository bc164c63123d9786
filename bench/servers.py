"""Start, await and stop a server process for a benchmark (bench/scale_bench.py, bench/sparql_bench.py).

The benchmarks talk to real servers over HTTP on 127.0.0.1; each run starts them as child processes
(their logs in the run's work folder), waits until they answer, and stops them even when the run fails.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """`cmd` with `env` added to ours, its stdout and stderr in `log`."""
    with log.open("wb") as sink:
        return subprocess.Popen(cmd, env={**os.environ, **env}, stdout=sink, stderr=sink)


def wait_ready(url: str, process: subprocess.Popen, log: Path, *, limit: float = 300, params: dict | None = None,
               headers: dict | None = None) -> None:
    """Poll GET `url` until it answers 200; raise with the log's tail if the process exits or `limit` passes.

    On failure the process is stopped, so a caller's `finally` need not know whether it started.
    """
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if requests.get(url, params=params, headers=headers, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    stop(process)
    raise RuntimeError(f"server not ready after {limit} s:\n{log.read_text(errors='replace')[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM (gunicorn's graceful shutdown), then SIGKILL after 30 s."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
