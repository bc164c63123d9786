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

A worker's stderr goes to a file of its own, not to the server's log (store/children.py, shared with the validation
workers): one that died at its memory cap flooded the log with a Rust backtrace (cold review). Its death is logged
in one line instead: the worker, the signal, the query (by `query_id`), the cap and the last line it wrote.
A worker that has grown past `recycle_mb` of resident memory is replaced after its query: the engine's allocator
kept what a query grew it to (517 MB after 18,000 `default-graph-uri` parameters, cold review), for every query
after it.
"""

from __future__ import annotations

import atexit
import logging
import math
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
from typing import IO, Protocol

from luzhi.store.children import death_line, last_words, short_id, stderr_file, worker_environment
from luzhi.store.query_worker import Answer, Job
from luzhi.store.verdicts import Verdicts

_log = logging.getLogger(__name__)

_START_TIMEOUT = 60.0
# Resident memory (MiB) past which a worker is replaced once its query is answered (Config.query_recycle_mb): a
# fresh worker holds ~60 MB (docs/security.md), so this is a query's leftovers, not the store's caches.
RECYCLE_MB = 512


def query_id(text: str) -> str:
    """A short name for a query in the log: the first 12 hex digits of its text's SHA-256 (the text itself can be
    a megabyte, and the log is no place for what a visitor wrote)."""
    return short_id(text.encode("utf-8", "replace"))


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
    stderr: IO[bytes]  # where the process writes its stderr (an unnamed file): read when it dies
    # Registered once: Connection.poll builds and fills a new selector on every call (~5% of a point
    # lookup in the web process, issue 13). POLLHUP (a dead worker) wakes it too; recv then says EOF.
    ready: select.poll = field(default_factory=select.poll)
    # kill() comes from two threads at once when the pool closes during a query (close() and the request's
    # own _death): two os.close of one descriptor raised EBADF, or could close a descriptor reused meanwhile.
    _kill_lock: threading.Lock = field(default_factory=threading.Lock)
    _killed: bool = False

    def __post_init__(self) -> None:
        self.ready.register(self.conn.fileno(), select.POLLIN)

    def answered_within(self, seconds: float) -> bool:
        return bool(self.ready.poll(max(0, math.ceil(seconds * 1000))))

    def kill(self) -> None:
        """Stop the process and close its pipes; once, whoever calls it first."""
        with self._kill_lock:
            if self._killed:
                return
            self._killed = True
        self.process.kill()
        self.process.wait(5)
        self.conn.close()
        self.stderr.close()

    def resident_mb(self) -> int:
        """Its anonymous resident memory (MiB) now, `RssAnon` in /proc (a read of ~20 µs); 0 where that cannot
        be read. Anonymous only: the store's files mapped into memory count as resident too, grow with the
        store, and are the kernel's to drop, so a worker of a national store would be replaced after every
        query for pages that are not its own."""
        try:
            with open(f"/proc/{self.process.pid}/status", "rb") as status:
                line = next(line for line in status if line.startswith(b"RssAnon:"))
            return int(line.split()[1]) // 1024
        except (OSError, StopIteration, IndexError, ValueError):
            return 0

    def last_words(self) -> str:
        """The last line the process wrote to its stderr that says something (store/children.py)."""
        return last_words(self.stderr)


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
        recycle_mb: int = RECYCLE_MB,
    ) -> None:
        self.store_path = "" if store_path is None else str(store_path)  # "": check-only workers
        self.size = max(1, processes)
        self.timeout = timeout
        self.queue_wait = min(queue_wait, timeout)
        self.memory_mb = memory_mb
        self.sandbox = sandbox
        self.network = network
        self.recycle_mb = recycle_mb  # 0: never replaced for its size
        self.recycled = 0  # workers replaced for their size, for tests
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
            raise WorkerFailed(self._death(worker, job), during_query=True) from error
        self._release(worker, job)
        if known is None:  # the worker checked it: keep its verdict for the text, or for its template
            self.verdicts.remember(job.query, answer.check, template=answer.template)
        if answer.status == "federate":
            if self.federation is None:
                return Answer("refused", code=403, message="此处不允许 SERVICE（未设置 allow_service） / SERVICE not "
                                                           "allowed here (no allow_service)")
            return self.federation.run(job)
        return answer

    def _release(self, worker: _Worker, job: Job) -> None:
        """Back to the idle workers, or, grown past `recycle_mb`, replaced by a fresh one (in the background)."""
        resident = worker.resident_mb() if self.recycle_mb else 0
        if resident <= self.recycle_mb or not self.recycle_mb:
            self._idle.put(worker)
            return
        _log.info("query worker %d replaced after query %s: %d MB resident, over query_recycle_mb=%d",
                  worker.process.pid, query_id(job.query), resident, self.recycle_mb)
        self.recycled += 1
        self._discard(worker)

    def _death(self, worker: _Worker, job: Job) -> str:
        """Why a worker died mid-query, in words a client can act on, and one line in the log; a replacement
        starts meanwhile."""
        try:
            code = worker.process.wait(5)
        except subprocess.TimeoutExpired:
            code = None
        cap = f"{self.memory_mb} MB (query_memory_mb)" if self.memory_mb else "none"
        _log.warning("%s", death_line("query worker", worker.process.pid, code, f"during query {query_id(job.query)}",
                                      cap, worker.last_words()))
        self._discard(worker)
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            if -code in (signal.SIGSEGV, signal.SIGBUS, signal.SIGILL):
                # A crash, not the memory cap (that ends in SIGKILL, SIGABRT or MemoryError): don't blame memory.
                return (f"查询进程在这个查询上崩溃（{name}），没有返回任何结果 / the query worker crashed ({name}) "
                        "on this query; nothing was answered")
            if not self.memory_mb:  # no cap of ours: the kernel's OOM killer, an operator, a crash
                return (f"查询进程在执行这个查询时被终止（{name}），没有返回任何结果 / the query worker was killed "
                        f"({name}) during this query; nothing was answered")
            return (f"查询进程意外退出（{name}）：查询需要的内存超过 {self.memory_mb} MB（query_memory_mb），"
                    f"或使查询引擎崩溃；没有返回任何结果 / the query worker died ({name}): the query needed more "
                    f"memory than {self.memory_mb} MB (query_memory_mb), or crashed the engine; nothing was answered")
        return f"查询进程意外退出（退出状态 {code}），没有返回任何结果 / the query worker died (exit status {code}); " \
               "nothing was answered"

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
            raise WorkerFailed("查询执行器已关闭 / the query executor is closed")
        # A fresh interpreter (`python -m …worker`), not fork (the web process holds threads and
        # an open RocksDB handle) nor multiprocessing's spawn (it re-imports the parent's
        # __main__, which breaks under scripts without a main guard).
        ours, theirs = socket.socketpair()
        mode = "network" if self.network else "sandboxed"
        stderr = stderr_file("query-worker")
        process = subprocess.Popen(
            [sys.executable, "-m", "luzhi.store.query_worker", str(theirs.fileno()), self.store_path, mode,
             str(self.memory_mb), self.sandbox],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            stderr=stderr,
            env=worker_environment(),
        )
        theirs.close()
        parent = Connection(ours.detach())
        worker = _Worker(process, parent, stderr)
        if not parent.poll(_START_TIMEOUT):
            raise WorkerFailed(f"查询进程没有启动 / query worker did not start{self._failed_start(worker)}")
        try:
            hello: Answer = parent.recv()
        except (EOFError, OSError):
            raise WorkerFailed(f"查询进程没有启动 / query worker did not start{self._failed_start(worker)}") from None
        if hello.status != "ok":
            worker.kill()
            raise WorkerFailed(hello.message)
        if hello.message != self.confinement:  # once per pool, not per worker: the log says what holds
            _log.info("query workers confined: %s", hello.message)
        self.confinement = hello.message
        with self._lock:
            self._workers.add(worker)
        return worker

    def _failed_start(self, worker: _Worker) -> str:
        """Kill a worker that did not start, saying in the log what it wrote (its stderr is not the log's); what the
        error adds: its words, and its memory cap, which an idle worker's ~430 MiB of address space can pass
        (`luzhi query --memory-mb 100` said only "did not start: ", cold review 29)."""
        words = worker.last_words()
        worker.kill()
        _log.warning("query worker %d did not start%s", worker.process.pid, f": {words}" if words else "")
        cap = (f"; 内存上限 {self.memory_mb} MiB（query_memory_mb）可能太小，空闲的查询进程约占 430 MiB 地址空间"
               f" / its memory cap of {self.memory_mb} MiB (query_memory_mb) may be too small: an idle query worker "
               "maps about 430 MiB") if self.memory_mb else ""
        return (f": {words}" if words else "") + cap

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
