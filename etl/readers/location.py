"""Where a line read from a Word, Excel, PDF or HTML file is in that file (its provenance)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """(key, value) pairs, outermost first: page=3, table=1, row=5 (docs/parsing.md lists them)."""

    parts: tuple[tuple[str, str], ...]

    def fragment(self) -> str:
        return "&".join(f"{key}={value}" for key, value in self.parts)

    def then(self, **parts: int | str) -> Location:
        """A place inside this one: `table=1&row=2` then `table=1&row=5` (a table inside that row's cell)."""
        return Location(self.parts + at(**parts).parts)


def at(**parts: int | str) -> Location:
    return Location(tuple((key, str(value)) for key, value in parts.items()))


Row = tuple[tuple[str, ...], Location]  # what a format reader yields: a line's cells and where it is
