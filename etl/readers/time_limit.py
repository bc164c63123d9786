"""A time limit on a reader whose library has none (the PDF reader).

A file starting `%PDF-` and then garbage, or a page whose content stream runs to millions of operators (a few
kilobytes compressed), kept pdfminer (the PDF reader before PDFium) busy for minutes, holding a build's worker or
`luzhi validate` with no end in sight. PDFium reads those at once, but a page of a million characters still
takes the reader seconds, most of them in Python. A signal interrupts Python between any two bytecodes (and
PDFium, which is C, when its call returns: each is short): on the main thread (the CLI, each build worker,
/validate's child process all read there) an interval timer (`SIGALRM`) raises `TimeUp` inside the reader.
Elsewhere (a thread), or while another timer is set (not ours to replace), `check` is all there is: the reader
calls it between pages.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class TimeUp(BaseException):
    """The time limit passed. A BaseException: a library that catches `Exception` in places must not swallow it."""


class Deadline:
    """When the limit passes; `check()` raises `TimeUp` once it has."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.start = time.monotonic()
        self.end = self.start + seconds
        self.timer = False  # whether an interval timer enforces it

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise TimeUp

    def extend(self, seconds: float) -> None:
        """Allow `seconds` from the start in all, once the work's size is known (a PDF's pages), if that is more."""
        if seconds <= self.seconds:
            return
        self.seconds, self.end = seconds, self.start + seconds
        if self.timer:
            signal.setitimer(signal.ITIMER_REAL, max(self.end - time.monotonic(), 0.001))


def _time_up(_signum: int, _frame) -> None:
    raise TimeUp


@contextmanager
def time_limit(seconds: float) -> Iterator[Deadline]:
    """Raise `TimeUp` in the block once `seconds` have passed (by a timer where one can be set; else at the
    block's own `Deadline.check()` calls)."""
    deadline = Deadline(seconds)
    usable = (threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
              and signal.getitimer(signal.ITIMER_REAL)[0] == 0)
    if not usable:
        yield deadline
        return
    previous = signal.signal(signal.SIGALRM, _time_up)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    deadline.timer = True
    try:
        yield deadline
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:  # the timer may fire between the block's end and the line above: the handler is restored anyway
            signal.signal(signal.SIGALRM, previous)
