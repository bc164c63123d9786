"""Worker processes for a build: started clean, ended with it, stopped at once by Ctrl-C or SIGTERM.

Pass 1 (etl/stage.py, etl/townships.py) and the derived graphs (etl/derive.py) run in these pools; what
is here is how a pool behaves when the build ends badly (issue 13, cold reviews): workers that outlived a
killed build, tracebacks and leaked-semaphore warnings after a Ctrl-C, a `nohup` build killed by its group's
SIGINT.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import forkserver, get_context
from pathlib import Path

# What etl/kinds.py imports only where it groups duties (1–2 s of import), which only the derive process does: the
# fork server imports them once, for every derive process it forks (a process that builds again, `luzhi serve` or
# the tests, would pay them each build), while the CLI's own process never does.
KINDS_LIBRARIES = ["sklearn.feature_extraction.text", "sklearn.preprocessing", "scipy.cluster.hierarchy"]


def run_calls(function: Callable, calls: list[tuple], jobs: int, in_process: Callable | None = None) -> Iterator:
    """`function(*call)` for each call, in `jobs` worker processes (in this one for one job or one call, with
    `in_process` if given), yielding the results in the calls' order as they come."""
    if jobs <= 1 or len(calls) <= 1:
        for call in calls:
            yield (in_process or function)(*call)
        return
    with build_pool(jobs) as pool:
        try:
            with ctrl_c_deferred():  # a submit starts a worker: cut short, it left the pool's shutdown waiting
                futures = [pool.submit(function, *call) for call in calls]
            for future in futures:
                yield future.result()
        except KeyboardInterrupt:
            stop_pool(pool)  # else leaving `with` waits for the documents in hand
            raise


class Terminated(KeyboardInterrupt):
    """SIGTERM (`kill`, systemd, `docker stop`) to a build: ended as Ctrl-C ends it, by the same `except
    KeyboardInterrupt` clean-ups (the pool stopped, nothing switched), and said apart (server/cli.py, exit 143).
    Python's default for SIGTERM ended the process at once: its workers' queues were left to multiprocessing's
    resource tracker, which warned of "leaked semaphore objects" (cold review)."""


def raise_terminated(_signum: int, _frame) -> None:
    raise Terminated


@contextmanager
def ctrl_c_deferred() -> Iterator[None]:
    """Ctrl-C (or SIGTERM) during the block is raised as KeyboardInterrupt (Terminated) when it ends, not inside
    it (main thread only). A SIGINT this process ignores stays ignored: a build started in the background of a
    script (`nohup … &`: the shell sets SIGINT ignored) ran on through a Ctrl-C its process group got, except
    that its workers died of it (cold review), and a handler set here, if only for a moment, let one through.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []
    watched = [signal.SIGTERM] if signal.getsignal(signal.SIGINT) is signal.SIG_IGN else [signal.SIGINT, signal.SIGTERM]
    previous = {signum: signal.signal(signum, lambda signum, _frame: pressed.append(signum)) for signum in watched}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if signal.SIGTERM in pressed and previous[signal.SIGTERM] is raise_terminated:
        raise Terminated
    if signal.SIGINT in pressed:
        raise KeyboardInterrupt
    if signal.SIGTERM in pressed:  # a SIGTERM this process had not chosen to handle: its old handler now
        handler = previous[signal.SIGTERM]
        if callable(handler):
            handler(signal.SIGTERM, None)
        elif handler is signal.SIG_DFL:
            os.kill(os.getpid(), signal.SIGTERM)


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """End a pool now, its workers killed and its queues closed (so multiprocessing's resource tracker finds no
    "leaked semaphore" at exit): what an interrupted build does before it says so (server/cli.py). What the
    workers staged is kept; the next build of the same input reuses it."""
    processes = getattr(pool, "_processes", None) or {}  # ProcessPoolExecutor has no public way to stop them
    for process in list(processes.values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def build_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes for a build that end when the build does, however it ends.

    forkserver: children fork from a clean server process, not from this one (the CLI's progress bar runs
    a thread, and forking a threaded process can inherit a held lock). A build killed by a signal (or the
    OOM killer) left its workers and their server running for over an hour, using a core between them
    (found while measuring 10,000 townships): each worker now watches the build's process and exits with it.
    Ctrl-C ends them silently (etl/quiet_worker.py, preloaded by the fork server when this starts it).
    """
    return ProcessPoolExecutor(workers, mp_context=_fork_context(), initializer=_exit_with, initargs=(os.getpid(),))


def start_fork_server() -> None:
    """Start the fork server now, in the background: its imports (1-1.5 s) then overlap the build's first steps.

    Started by a build's first pool instead, it made that pool's first `submit` wait for them: a one-document
    `luzhi build` (staged in its own process) sat 1.1 s in `start_search_index`, a quarter of its 4.1 s. Returns
    at once (the server imports after it is started); a server already running is kept."""
    _fork_context()
    forkserver.ensure_running()


def _fork_context():
    context = get_context("forkserver")
    # By name: importing it installs the handler, which the build's own process must not have. `__main__`:
    # multiprocessing's default preload, kept. luzhi.etl.derive (with stage, facts, kinds, rdflib, pyoxigraph):
    # imported once by the server, not by every worker it forks; a pass-1 worker, the derive and the search-index
    # processes each spent ~2 CPU-s importing them, and a process building several times (the test suite) started
    # them anew each build (bundled documents, in pytest under load: 16 s a build, 6.5 s with this).
    context.set_forkserver_preload(["__main__", "luzhi.etl.quiet_worker", "luzhi.etl.derive", *KINDS_LIBRARIES])
    return context


def _exit_with(build_pid: int) -> None:
    # In the worker only; where the fork server was started before build_pool set its preload, from here on.
    from luzhi.etl import quiet_worker

    quiet_worker.install()

    def watch() -> None:
        while alive(build_pid):
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def clean_stale_staging(older_than: float = 3600.0) -> list[Path]:
    """Remove `luzhi-build-<pid>-*` staging folders in the temp dir whose build is gone (issue 10: killed
    builds left them behind). A folder without a pid in its name (luzhi before issue 10) goes once it
    has not changed for `older_than` seconds."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob("luzhi-build-*"):
        pid = folder.name.removeprefix("luzhi-build-").split("-", 1)[0]
        if pid.isdigit():
            stale = not alive(int(pid))
        else:
            stale = time.time() - folder.stat().st_mtime > older_than
        if stale and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
