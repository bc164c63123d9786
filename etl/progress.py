"""How a build reports progress: phases with a known number of documents, and triples as they pass.

`RichProgress` draws a bar (documents/s, triples/s, ETA) on a terminal; `Quiet` is used when
stderr is not a terminal (CI logs, cron), where a bar is only noise (issue 13).
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
