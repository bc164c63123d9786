"""What the duty kinds need to know of one duty (etl/kinds.py), in a module of its own.

Pass 1 writes these records into each document's facts (etl/facts.py), and `luzhi validate` / POST
/validate run pass 1 on a submitted document: with the record in etl/kinds.py, validating one document
imported scikit-learn and SciPy for nothing (3–21 s of a validation, found by session 14's cold review).
"""

from __future__ import annotations

from dataclasses import dataclass

from luzhi.ontology.types import ListKind


@dataclass(frozen=True, slots=True)
class DutyRecord:
    """What the kinds need to know of one duty; `key` identifies it (its IRI path without the base).

    Slotted: the build holds one per duty of the store (~13 million nationally, issue 13)."""

    township: str  # 9-digit code
    list_kind: ListKind
    sequence: int
    title: str
    category: str | None = None
    department_types: frozenset[str] = frozenset()

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.township, self.list_kind.value, self.sequence)
