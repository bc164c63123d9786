"""A time limit on a reader whose library has none (the PDF reader), kept by the reader itself.

A file starting `%PDF-` and then garbage, or a page whose content stream runs to millions of operators (a few
kilobytes compressed), kept pdfminer (the PDF reader before PDFium) busy for minutes, holding a build's worker or
`luzhi validate` with no end in sight. PDFium reads those at once, but a page of a million characters still takes
the reader seconds, nearly all of them in its own Python loops over the characters and lines. Those loops call
`Deadline.check()` every few thousand steps, and the reader between pages: past the limit it raises `TimeUp`.

Not a signal: an interval timer (`SIGALRM`) did this for pdfminer, which is pure Python. Under PDFium a handler's
exception can fire while ctypes converts a call's argument (pypdfium2's objects are converted by Python code), and
ctypes turns it into an `ArgumentError`, a plain error: the file was refused as "not a readable PDF file" instead
of as too slow (CI, under load). Checks in the reader's own code stop it in the same place on every thread.
"""

from __future__ import annotations

import time


class TimeUp(BaseException):
    """The time limit passed. A BaseException: a library that catches `Exception` in places must not swallow it."""


class Deadline:
    """When the limit passes; `check()` raises `TimeUp` once it has."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.start = time.monotonic()
        self.end = self.start + seconds

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise TimeUp

    def extend(self, seconds: float) -> None:
        """Allow `seconds` from the start in all, once the work's size is known (a PDF's pages), if that is more."""
        if seconds > self.seconds:
            self.seconds, self.end = seconds, self.start + seconds
