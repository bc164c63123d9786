"""A synthetic document as tables, before any file format: what every writer (txt, and later
docx/xlsx/pdf/html) renders, and what the manifest promises the parser will find."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from luzhi.ontology.types import ListKind


class RowRole(Enum):
    ITEM = "item"  # a numbered row that starts an item
    MORE = "more"  # the same 序号 again: another row of a multi-row item (002 cooperative 8)
    CONTINUATION = "continuation"  # empty 序号: the previous item goes on after a page break (000:342)
    HEADING = "heading"  # 一、党的建设（24项）
    SEPARATOR = "separator"  # ----<TAB>----- (000:179); only text formats write it


@dataclass(frozen=True)
class TableRow:
    role: RowRole
    cells: tuple[str, ...]
    standalone: bool = False  # a heading on its own line, outside the table (000:176)


@dataclass(frozen=True)
class Page:
    rows: tuple[TableRow, ...]
    repeat_title: bool = False  # the list title again above this page's header (001 repeats it on every page)


@dataclass(frozen=True)
class CategoryPlan:
    category: str
    declared: int | None
    parsed: int


@dataclass(frozen=True)
class ListPlan:
    kind: ListKind
    title: str | None
    header: tuple[str, ...]
    pages: tuple[Page, ...]
    declared: int | None  # what the report must show: the title's count, else the headings' sum
    categories: tuple[CategoryPlan, ...]

    @property
    def parsed(self) -> int:
        return sum(c.parsed for c in self.categories)


@dataclass(frozen=True)
class Messiness:
    """What was made messy on purpose, so a test can check the parser saw exactly that."""

    multi_row_items: int = 0
    extra_rows: int = 0  # rows folded into an item: multi-row repeats and continuations
    continuation_rows: int = 0
    duplicate_pages: int = 0
    numbering_gaps: int = 0
    count_mismatches: int = 0
    html_cells: int = 0


@dataclass(frozen=True)
class SynthDocument:
    name: str  # file name without extension: 00042_110105001
    township_code: str
    place: str  # the official chain, 北京市朝阳区建外街道
    layout: str  # the seed document whose layout this one copies
    front: tuple[str, ...]  # lines before the first list: title, table of contents …
    lists: tuple[ListPlan, ...]
    messiness: Messiness

    def manifest(self) -> dict:
        """The counts `luzhi build --report` must show for this document, in the report's own shape."""
        return {
            "name": self.name,
            "township_code": self.township_code,
            "place": self.place,
            "layout": self.layout,
            "lists": [
                {
                    "kind": lst.kind.value,
                    "declared": lst.declared,
                    "parsed": lst.parsed,
                    "categories": [
                        {"category": c.category, "declared": c.declared, "parsed": c.parsed} for c in lst.categories
                    ],
                }
                for lst in self.lists
            ],
            "messiness": vars(self.messiness).copy(),
        }
