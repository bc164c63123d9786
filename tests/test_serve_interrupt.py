"""Ctrl-C while `luzhi serve` builds the bundled samples into a new store (the README's first command): the
build's one line in both languages and exit 130, and the same command then resumes the build and serves
(cold review: click's "Aborted!", then "holds files but no luzhi build" for the directory it had made)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import requests
from test_build_interrupt import INTERRUPTED, _staged, as_in_a_terminal


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(store, port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "luzhi.server.cli", "serve", "--store", str(store), "--port",
                             str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=as_in_a_terminal)


def _stop(process: subprocess.Popen) -> tuple[bytes, bytes]:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    return process.communicate(timeout=60)


def test_ctrl_c_during_the_first_build_of_serve_resumes_with_the_same_command(tmp_path):
    store, port = tmp_path / "store", _port()
    first = _serve(store, port)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not _staged(store) and first.poll() is None:
            time.sleep(0.05)
        assert _staged(store), "the build did not start"
        os.killpg(first.pid, signal.SIGINT)  # the terminal's Ctrl-C
        _out, err = first.communicate(timeout=120)
    finally:
        _stop(first)
    message = err.decode("utf-8", "replace")
    assert first.returncode == 130, message
    assert "Traceback" not in message and "Aborted" not in message, message
    assert message.strip().splitlines()[-1].endswith(INTERRUPTED), message

    again = _serve(store, port)
    try:
        deadline, health = time.monotonic() + 300, None
        while time.monotonic() < deadline and again.poll() is None:
            try:
                health = requests.get(f"http://127.0.0.1:{port}/health", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.5)
        assert health is not None and health.status_code == 200, _stop(again)[1].decode("utf-8", "replace")
        os.killpg(again.pid, signal.SIGTERM)
        _out, err = again.communicate(timeout=60)
    finally:
        _stop(again)
    assert "Traceback" not in err.decode("utf-8", "replace")
