"""Run queries in a small pool of worker processes, each with the store open read-only.

A query that passes `timeout` seconds is stopped by killing its process; a fresh worker
replaces it in the background, so the pool never shrinks and the web worker that waited
is free at once. Other requests keep being answered meanwhile: waiting on the pipe releases
the GIL, and the other pool processes keep running queries (see docs/sparql.md for the
measurements behind this choice).

A request waits at most `queue_wait` seconds for a free worker, then gets 503 with
Retry-After (issue 10: two slow queries per web worker made `ASK {}` wait 20-29 s).
Workers are confined (store/sandbox.py): memory capped, and no network except in the
federation pool, which only ever runs queries whose every SERVICE is allowed.
"""

from __future__ import annotations

import atexit
import logging
import math
import os
import queue
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Protocol

from luzhi.store.query_worker import Answer, Job
from luzhi.store.verdicts import Verdicts

_log = logging.getLogger(__name__)

_START_TIMEOUT = 60.0


class Executor(Protocol):
    """What the SPARQL view needs of a backend: run one job within the time limit (or raise QueryTimeout).

    `QueryExecutor` below for the embedded store; `remote_executor.RemoteExecutor` for a remote one.
    """

    def run(self, job: Job) -> Answer: ...

    def close(self) -> None: ...


class QueryTimeout(Exception):
    """The query ran past the configured timeout and its process was killed."""


class StoreUnavailable(Exception):
    """The store cannot answer now (a remote that is down or hung): 503 with Retry-After."""


class PoolBusy(Exception):
    """Every worker stayed busy for the whole `queue_wait`."""


class WorkerFailed(Exception):
    """A worker died during a query (its memory cap, a crash in the engine) or could not start."""

    def __init__(self, message: str, *, during_query: bool = False) -> None:
        super().__init__(message)
        self.during_query = during_query


@dataclass(eq=False)  # identity semantics: workers live in a set
class _Worker:
    process: subprocess.Popen
    conn: Connection
    # Registered once: Connection.poll builds and fills a new selector on every call (~5% of a point
    # lookup in the web process, issue 13). POLLHUP (a dead worker) wakes it too; recv then says EOF.
    ready: select.poll = field(default_factory=select.poll)

    def __post_init__(self) -> None:
        self.ready.register(self.conn.fileno(), select.POLLIN)

    def answered_within(self, seconds: float) -> bool:
        return bool(self.ready.poll(max(0, math.ceil(seconds * 1000))))

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(5)
        self.conn.close()


class QueryExecutor:
    """A fixed-size pool of query processes over one on-disk store."""

    def __init__(
        self,
        store_path: str | Path | None,
        *,
        processes: int,
        timeout: float,
        queue_wait: float = 2.0,
        memory_mb: int = 0,
        sandbox: str = "auto",
        network: bool = False,
        federation: Executor | None = None,
    ) -> None:
        self.store_path = "" if store_path is None else str(store_path)  # "": check-only workers
        self.size = max(1, processes)
        self.timeout = timeout
        self.queue_wait = min(queue_wait, timeout)
        self.memory_mb = memory_mb
        self.sandbox = sandbox
        self.network = network
        self.federation = federation  # where "federate" answers go: a pool with network, or None
        self.confinement = ""  # what the last worker reported (network wall, memory cap), logged for the operator
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._started = 0  # workers alive or being started
        self._workers: set[_Worker] = set()
        self._closed = False
        self.killed = 0  # how many runaway queries were stopped, for /health and tests
        # What this pool's workers said of recent texts and templates (issue 13: the parse was most of a
        # point lookup's cost); shared by all of them, so each is parsed once per pool, not once per worker.
        self.verdicts = Verdicts()
        atexit.register(self.close)

    def run(self, job: Job) -> Answer:
        """Run `job` within the timeout, or raise QueryTimeout / PoolBusy / WorkerFailed."""
        known = self.verdicts.get(job.query) if job.check is None else job.check
        job = replace(job, check=known)
        worker = self._acquire(time.monotonic() + self.queue_wait)
        # The query's time starts when a worker takes it: starting a worker (an interpreter, rdflib's
        # grammar) took over a second under load, which ate a 1 s query_timeout whole.
        deadline = time.monotonic() + self.timeout
        try:
            worker.conn.send(job)
            if not worker.answered_within(deadline - time.monotonic()):
                self._discard(worker)
                self.killed += 1
                raise QueryTimeout(self.timeout)
            answer = worker.conn.recv()
        except (EOFError, OSError) as error:
            raise WorkerFailed(self._death(worker), during_query=True) from error
        self._idle.put(worker)
        if known is None:  # the worker checked it: keep its verdict for the text, or for its template
            self.verdicts.remember(job.query, answer.check, template=answer.template)
        if answer.status == "federate":
            if self.federation is None:
                return Answer("refused", code=403, message="SERVICE not allowed here (no allow_service)")
            return self.federation.run(job)
        return answer

    def _death(self, worker: _Worker) -> str:
        """Why a worker died mid-query, in words a client can act on; a replacement starts meanwhile."""
        try:
            code = worker.process.wait(5)
        except subprocess.TimeoutExpired:
            code = None
        self._discard(worker)
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            if -code in (signal.SIGSEGV, signal.SIGBUS, signal.SIGILL):
                # A crash, not the memory cap (that ends in SIGKILL, SIGABRT or MemoryError): don't blame memory.
                return f"the query worker crashed ({name}) on this query; nothing was answered"
            if not self.memory_mb:  # no cap of ours: the kernel's OOM killer, an operator, a crash
                return f"the query worker was killed ({name}) during this query; nothing was answered"
            return (f"the query worker died ({name}): the query needed more memory than {self.memory_mb} MB "
                    "(query_memory_mb), or crashed the engine; nothing was answered")
        return f"the query worker died (exit status {code}); nothing was answered"

    def worker_pids(self) -> list[int]:
        with self._lock:
            return sorted(w.process.pid for w in self._workers)

    def close(self) -> None:
        """Stop every worker (and the federation pool's); safe to call twice (also registered with atexit)."""
        if self.federation is not None:
            self.federation.close()
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
        mode = "network" if self.network else "sandboxed"
        process = subprocess.Popen(
            [sys.executable, "-m", "luzhi.store.query_worker", str(theirs.fileno()), self.store_path, mode,
             str(self.memory_mb), self.sandbox],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            env={**os.environ, "MALLOC_ARENA_MAX": "2"},  # glibc reserves 64 MB per thread arena otherwise
        )
        theirs.close()
        parent = Connection(ours.detach())
        worker = _Worker(process, parent)
        if not parent.poll(_START_TIMEOUT):
            worker.kill()
            raise WorkerFailed("query worker did not start")
        try:
            hello: Answer = parent.recv()
        except (EOFError, OSError) as error:
            worker.kill()
            raise WorkerFailed(f"query worker did not start: {error or type(error).__name__}") from None
        if hello.status != "ok":
            worker.kill()
            raise WorkerFailed(hello.message)
        if hello.message != self.confinement:  # once per pool, not per worker: the log says what holds
            _log.info("query workers confined: %s", hello.message)
        self.confinement = hello.message
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
