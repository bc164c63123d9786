"""What the server's worker processes share (query workers, store/executor.py; validation workers,
server/validation/worker.py): their stderr, and the one log line of a death.

A worker's stderr goes to an unnamed temporary file, never to a pipe the web process reads whole nor to the server's
log: a query worker that died at its memory cap flooded the log with a Rust backtrace (cold review), and a
submission that made a library print megabytes grew the web process by as much (`subprocess.run(capture_output=
True)` read it all). Only the file's tail is read, and only when the worker died: its last words.
"""

from __future__ import annotations

import hashlib
import os
import signal
import tempfile
from typing import IO

_TAIL_READ = 4096  # bytes of a dead worker's stderr read for its last words
_WORDS_SHOWN = 200  # characters of those words its log line quotes

# glibc reserves 64 MB per thread arena otherwise. No Rust backtrace: at the memory cap pyoxigraph aborts, and an
# operator's RUST_BACKTRACE=1 then wrote pages of it (the log line says what matters).
_ENVIRONMENT = {"MALLOC_ARENA_MAX": "2", "RUST_BACKTRACE": "0", "RUST_LIB_BACKTRACE": "0"}


def worker_environment() -> dict[str, str]:
    """The environment a worker process starts with: the server's, and the settings above."""
    return {**os.environ, **_ENVIRONMENT}


def stderr_file(kind: str) -> IO[bytes]:
    """An unnamed file for a worker's stderr (gone when closed, or when the web process dies)."""
    return tempfile.TemporaryFile(prefix=f"luzhi-{kind}-")


def last_words(stderr: IO[bytes]) -> str:
    """The last line a worker wrote to `stderr` that says something: the engine's "memory allocation of … failed",
    a panic's message, a Python exception (not Rust's "note: run with `RUST_BACKTRACE=1`"); "". Only the file's
    last few kilobytes are read, however much it wrote."""
    try:
        size = stderr.seek(0, os.SEEK_END)
        stderr.seek(max(0, size - _TAIL_READ))
        tail = stderr.read(_TAIL_READ).decode("utf-8", "replace")
    except (OSError, ValueError):
        return ""
    said = [line.strip() for line in tail.splitlines() if line.strip() and not line.startswith("note: ")]
    return said[-1][:_WORDS_SHOWN] if said else ""


def how_it_ended(returncode: int | None) -> str:
    """`SIGKILL` for a worker a signal ended, else `exit status N` (`None`: still running)."""
    if returncode is not None and returncode < 0:
        return signal.Signals(-returncode).name
    return f"exit status {returncode}"


def short_id(data: bytes) -> str:
    """A short name for what a worker was given, in the log: the first 12 hex digits of its SHA-256 (a query or a
    submission can be megabytes, and the log is no place for what a visitor wrote)."""
    return hashlib.sha256(data).hexdigest()[:12]


def death_line(worker: str, pid: int, returncode: int | None, doing: str, cap: str, words: str) -> str:
    """The one log line of a worker's death: which, how (the signal), doing what, its memory cap, its last words."""
    said = f"; it said: {words}" if words else ""
    return f"{worker} {pid} died ({how_it_ended(returncode)}) {doing}; memory cap {cap}{said}"
