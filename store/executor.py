"""Run queries in a small pool of worker processes, each with the store open read-only.

A query that passes `timeout` seconds is stopped by killing its process; a fresh worker
replaces it in the background, so the pool never shrinks and the web worker that waited
is free at once. Other requests keep being answered meanwhile: waiting on the pipe releases
the GIL, and the other pool processes keep running queries (see docs/sparql.md for the
measurements behind this choice).
"""

from __future__ import annotations

import atexit
import queue
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Protocol

from luzhi.store.query_worker import Answer, Job

_START_TIMEOUT = 60.0


class Executor(Protocol):
    """What the SPARQL view needs of a backend: run one job within the time limit (or raise QueryTimeout).

    `QueryExecutor` below for the embedded store; `remote_executor.RemoteExecutor` for a remote one.
    """

    def run(self, job: Job) -> Answer: ...

    def close(self) -> None: ...


class QueryTimeout(Exception):
    """The query ran past the configured timeout and its process was killed."""


class PoolBusy(Exception):
    """Every worker stayed busy for the whole timeout."""


class WorkerFailed(Exception):
    """A worker died during a query (e.g. killed by the kernel for memory) or could not start."""


@dataclass(eq=False)  # identity semantics: workers live in a set
class _Worker:
    process: subprocess.Popen
    conn: Connection

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(5)
        self.conn.close()


class QueryExecutor:
    """A fixed-size pool of query processes over one on-disk store."""

    def __init__(self, store_path: str | Path, *, processes: int, timeout: float) -> None:
        self.store_path = str(store_path)
        self.size = max(1, processes)
        self.timeout = timeout
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._started = 0  # workers alive or being started
        self._workers: set[_Worker] = set()
        self._closed = False
        self.killed = 0  # how many runaway queries were stopped, for /health and tests
        atexit.register(self.close)

    def run(self, job: Job) -> Answer:
        """Run `job` within the timeout, or raise QueryTimeout / PoolBusy / WorkerFailed."""
        deadline = time.monotonic() + self.timeout
        worker = self._acquire(deadline)
        try:
            worker.conn.send(job)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self._discard(worker)
                self.killed += 1
                raise QueryTimeout(self.timeout)
            answer = worker.conn.recv()
        except (EOFError, OSError) as error:
            self._discard(worker)
            raise WorkerFailed(f"query worker died: {error or type(error).__name__}") from error
        self._idle.put(worker)
        return answer

    def worker_pids(self) -> list[int]:
        with self._lock:
            return sorted(w.process.pid for w in self._workers)

    def close(self) -> None:
        """Stop every worker; safe to call twice (also registered with atexit)."""
        with self._lock:
            self._closed = True
            workers, self._workers = list(self._workers), set()
        for worker in workers:
            worker.kill()

    def _acquire(self, deadline: float) -> _Worker:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            grow = self._started < self.size
            if grow:
                self._started += 1
        if grow:
            try:
                return self._start()
            except BaseException:
                with self._lock:
                    self._started -= 1
                raise
        try:
            return self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise PoolBusy(self.size) from None

    def _start(self) -> _Worker:
        if self._closed:
            raise WorkerFailed("the query executor is closed")
        # A fresh interpreter (`python -m …worker`), not fork (the web process holds threads and
        # an open RocksDB handle) nor multiprocessing's spawn (it re-imports the parent's
        # __main__, which breaks under scripts without a main guard).
        ours, theirs = socket.socketpair()
        process = subprocess.Popen(
            [sys.executable, "-m", "luzhi.store.query_worker", str(theirs.fileno()), self.store_path],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        parent = Connection(ours.detach())
        worker = _Worker(process, parent)
        if not parent.poll(_START_TIMEOUT):
            worker.kill()
            raise WorkerFailed("query worker did not start")
        hello: Answer = parent.recv()
        if hello.status != "ok":
            worker.kill()
            raise WorkerFailed(hello.message)
        with self._lock:
            self._workers.add(worker)
        return worker

    def _discard(self, worker: _Worker) -> None:
        """Kill a worker and start its replacement in the background."""
        worker.kill()
        with self._lock:
            self._workers.discard(worker)
            self._started -= 1
            if self._closed:
                return
            self._started += 1
        threading.Thread(target=self._replace, daemon=True, name="luzhi-sparql-respawn").start()

    def _replace(self) -> None:
        try:
            self._idle.put(self._start())
        except WorkerFailed:
            with self._lock:
                self._started -= 1  # the next request will try again
