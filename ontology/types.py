"""The small value types the vocabulary, the shapes and the ETL all use: which list, which source lines.

They sit at the bottom of the layers (docs/architecture.md) so `ontology/iris.py` can mint IRIs from
them and `shapes/validate.py` can point at source lines without importing the ETL (issue 9).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ListKind(StrEnum):
    """The three lists of a 履行职责事项清单; the value is the IRI path segment (DESIGN.md §2)."""

    BASIC = "basic"  # 基本履职事项清单
    COOPERATIVE = "cooperative"  # 配合履职事项清单
    RECLAIMED = "reclaimed"  # 上级部门收回事项清单 / 上收履职事项清单


@dataclass(frozen=True)
class LineSpan:
    """An inclusive range of 1-based source lines."""

    first: int
    last: int

    def rfc5147(self) -> str:
        """The RFC 5147 fragment: `line=a,b` counts line *boundaries* from 0, so lines 3..5 are `line=2,5`."""
        return f"line={self.first - 1},{self.last}"
