"""Ctrl-C ends a build's worker processes at once and without a word; the build's own process says what happened.

Importing this module installs the handler: only a fork server and its workers import it, never the build's
own process (it would then exit without a word, leaving multiprocessing's semaphores behind).

Imported by multiprocessing's fork server before it forks any worker (etl/stage.py `build_pool` preloads it):
the server keeps SIGINT ignored for itself but gives every child it forks the handling it had when it started,
so this handler, from the child's first instruction on. A terminal's Ctrl-C signals the whole foreground process
group, and each worker printed a KeyboardInterrupt traceback from wherever it was (an import, a queue read),
then multiprocessing warned of leaked semaphores (cold review). Ignoring SIGINT instead would keep an
interrupted build waiting for its workers' documents, and for the derive process (minutes at 10,000
townships), or forever for a worker interrupted half-started.
"""

from __future__ import annotations

import os
import signal


def quiet_exit(signum: int, _frame) -> None:
    os._exit(128 + signum)  # no traceback, no clean-up: the build's process stops the pool (etl/stage.py)


def install() -> None:
    """Ctrl-C ends this worker silently, unless SIGINT is ignored here: then the build's process ignored it when
    it started the fork server (a build started by `nohup … &` from a script), which the server and its workers
    inherit, and they keep ignoring it as the build does. Handled, it killed the workers of such a build when
    the process group got a SIGINT, and the build, which ran on, failed with BrokenProcessPool (cold review)."""
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, quiet_exit)
    # SIGTERM (systemd signals every process of the unit): the default, death without a word, which the build's
    # process, told too, reports for them (etl/stage.py Terminated).


install()
