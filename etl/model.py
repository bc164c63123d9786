"""The typed records that flow between ETL stages: source → rows → items → RDF.

Every stage takes and returns these frozen dataclasses, so each can be tested alone
and none needs to know how another one works inside.

`ListKind` and `LineSpan` live in ontology/types.py (the vocabulary mints IRIs from them); they are
imported here because every record below uses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from luzhi.etl.layout import Layout
from luzhi.ontology.types import LineSpan, ListKind


@dataclass(frozen=True)
class SourceLine:
    """One line of a source document, 1-based like an editor shows it."""

    path: str
    lineno: int
    text: str


@dataclass(frozen=True)
class DutyItem:
    """One item of one list, with every cell's text as the document wrote it (rows already merged).

    Cooperative items: `department_text` is 对应上级部门, `upper_responsibility` 上级部门职责,
    `township_responsibility` 乡镇/镇/街道配合职责.
    Reclaimed items: `department_text` is the whole 承接部门及工作方式 cell (split later by etl.departments), or
    the 承接部门 cell when 工作方式 is a column of its own (`way_of_working`, else None); `role_departments` the
    牵头部门 and 配合部门 columns beside it, each cell under its role label (`牵头部门：县应急局`).
    Any item: the columns some townships add (etl/columns.py `destination`): `subcategory` (二级分类),
    `description` (事项内容, 主要职责 beside the title), `legal_basis` (法律依据 …), `office` (the township's own
    责任科室, or the 责任部门 column of a basic list), and `notes` (备注; a column a list has no field for, or a
    profile keeps as a note, as `header：text`).
    """

    list_kind: ListKind
    sequence: int
    title: str
    category: str | None
    lines: LineSpan
    department_text: str = ""
    role_departments: str = ""
    upper_responsibility: str = ""
    township_responsibility: str = ""
    way_of_working: str | None = None
    subcategory: str = ""
    description: str = ""
    legal_basis: str = ""
    office: str = ""
    notes: tuple[str, ...] = ()
    # The printed 序号 when the list numbers each category from 1 (etl/numbering.py); `sequence` is then the
    # item's position in the list. None in a list numbered 1..n, where `sequence` is the printed 序号.
    sequence_in_category: int | None = None


@dataclass(frozen=True)
class Issue:
    """An inconsistency found in a document. `code` is stable (for JSON consumers); `message` is Chinese and
    `message_en` English, one field per language as a SHACL result's (shapes/validate.py `ValidationResult`):
    `luzhi validate --lang en` and the build report's readers need the English (they were Chinese only, cold
    review). `message_en` is keyword-only and required, so no caller can leave it out by position.

    `severity`, as SHACL names them (shapes/validate.py `Severity`): an issue is an `INFO` for the reviewer, a
    `WARNING` where a duty may be missing from what is loaded (a row that looks numbered but whose 序号 cannot be
    read: it was only one notice among many, and the duty silently absent)."""

    code: str
    message: str
    lines: LineSpan | None = None
    list_kind: ListKind | None = None
    message_en: str = field(kw_only=True)
    severity: str = field(default="Info", kw_only=True)


INFO, WARNING = "Info", "Warning"  # an `Issue`'s severity, the values of shapes/validate.py `Severity`
# The codes whose Warning is a row not read as a duty, stated as lz:unreadRow (etl/to_rdf.py): a 序号 that is no
# number, and no 序号 with a 事项名称 and no item above to continue (dropped, "conforms": cold review 28).
UNREAD_ROWS = ("unparsed-line", "continuation-without-item")


@dataclass(frozen=True)
class CategoryCount:
    """Declared (from a heading such as `一、党的建设（24项）`) versus parsed item count of one category."""

    list_kind: ListKind
    category: str
    declared: int | None
    parsed: int
    lines: LineSpan | None = None  # its heading's line, when it has one: its section's provenance (etl/to_rdf.py)


@dataclass(frozen=True)
class ListCount:
    """Declared (from a list title such as `…基本履职事项清单（109项）`) versus parsed item count of one list."""

    list_kind: ListKind
    declared: int | None
    parsed: int
    # The list title, when the list has one; for a list the body lacks (`parsed` 0: a document cut short), the
    # line of its table-of-contents entry, if any.
    lines: LineSpan | None = None
    found: bool = True  # False: the body lacks this list (counted as one of no items, etl/items.py)


@dataclass(frozen=True)
class ParsedDocument:
    """Everything the parser learnt from one document, before any IRI is minted."""

    path: str
    sha256: str
    title: str  # the township as the document names it, e.g. 辽宁省鞍山市海城市耿庄镇
    title_lines: LineSpan
    items: tuple[DutyItem, ...]
    category_counts: tuple[CategoryCount, ...] = ()
    issues: tuple[Issue, ...] = ()
    merged_rows: int = 0  # rows folded into a previous item (multi-row items, page-break continuations)
    skipped_duplicate_pages: tuple[LineSpan, ...] = field(default=())
    list_counts: tuple[ListCount, ...] = ()  # one per list found, in document order
    media_type: str = "text/plain"  # the format it was read from (etl.readers)
    # Word, Excel, PDF, HTML: where each line is in the original file (page=3&table=1&row=5 …),
    # one per line; empty for text, whose line numbers are the locations (RFC 5147).
    locations: tuple[str, ...] = ()
    layout: Layout | None = None  # the layout profile it was read with (also splits its cells)
    # Table rows the assembler read as category headings, which the rows alone could not (a list numbered in
    # outline: `1<TAB>党的建设` above `1.1<TAB>…`, etl/numbering.py): structure, accounted for as headings are.
    heading_lines: tuple[LineSpan, ...] = ()

    def fragment(self, span: LineSpan) -> str:
        """The provenance fragment of lines first..last: `line=a,b` (RFC 5147) for text, else the
        first and last line's locations, `LOC` or `LOC,LOC` (docs/parsing.md)."""
        if not self.locations:
            return span.rfc5147()
        first, last = self.locations[span.first - 1], self.locations[span.last - 1]
        return first if first == last else f"{first},{last}"

    def lists_found(self) -> frozenset[ListKind]:
        """The lists the body holds. A township may publish its three lists as three files (one title each): a
        file lacking a list is then one part of its document, not a document cut short (docs/build.md)."""
        return frozenset(count.list_kind for count in self.list_counts if count.found)

    def items_of(self, kind: ListKind) -> tuple[DutyItem, ...]:
        return tuple(item for item in self.items if item.list_kind is kind)
