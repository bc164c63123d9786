"""How a build reports progress: phases with a known number of documents, and triples as they pass.

`RichProgress` draws a bar (documents/s, triples/s, ETA) on a terminal; `PhaseLog` writes one line per
finished phase when stderr is not a terminal (CI logs, cron), where a bar is only noise but how long
each phase took is what a slow build's reader needs (issue 13); `Quiet` says nothing (the library's default).
"""

from __future__ import annotations

import time
from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
from rich.progress import Progress as RichBar


class Progress(Protocol):
    def phase(self, name: str, total: int) -> None: ...

    def advance(self, triples: int) -> None: ...


class Quiet:
    def phase(self, name: str, total: int) -> None:
        pass

    def advance(self, triples: int) -> None:
        pass


class PhaseLog:
    """One line per phase when it ends: documents, triples, wall seconds. Use as a context manager."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._name: str | None = None
        self._started = 0.0
        self._documents = 0
        self._triples = 0

    def __enter__(self) -> PhaseLog:
        return self

    def __exit__(self, *exc) -> None:
        self._close()

    def phase(self, name: str, total: int) -> None:
        self._close()
        self._name, self._started, self._documents, self._triples = name, time.monotonic(), 0, 0

    def advance(self, triples: int) -> None:
        self._documents += 1
        self._triples += triples

    def _close(self) -> None:
        if self._name is None:
            return
        seconds = time.monotonic() - self._started
        counts = f"{self._documents} documents, {self._triples:,} triples, " if self._triples else ""
        self._console.print(f"{self._name}: {counts}{seconds:.1f} s", markup=False, highlight=False)
        self._name = None


class RichProgress:
    """One bar per phase: `parse` (pass 1), `load` (pass 2), `ontology`. Use as a context manager."""

    def __init__(self, console: Console) -> None:
        self._bar = RichBar(
            TextColumn("{task.description:>8}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), console=console, transient=False,
        )
        self._task = None
        self._started = 0.0
        self._documents = 0
        self._triples = 0

    def __enter__(self) -> RichProgress:
        self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        self._bar.stop()

    def phase(self, name: str, total: int) -> None:
        self._task = self._bar.add_task(name, total=total, rate="")
        self._started, self._documents, self._triples = time.monotonic(), 0, 0

    def advance(self, triples: int) -> None:
        self._documents += 1
        self._triples += triples
        seconds = max(time.monotonic() - self._started, 1e-6)
        rate = f"{self._documents / seconds:.1f} doc/s {self._triples / seconds:,.0f} triples/s"
        self._bar.update(self._task, advance=1, rate=rate)
