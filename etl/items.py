"""Rows → `DutyItem`s and `Issue`s: tables, merged rows, categories, counts, duplicated pages.

The rules (docs/parsing.md has them with the sample lines that forced each one):
- a row with a 序号 starts an item; a row with the *same* 序号 and the same (or no) 事项名称 is
  another row of that item (002: cooperative items 8, 28, 29 repeat their number per department);
- a row with an empty 序号 continues the previous item across a page break (000 line 342,
  001 lines 323 and 500): its cells are appended to the same columns; in a Word or Excel table, whose
  rows a page break never splits, such a row naming another duty refuses the document (never merged);
- a page (rows between blank lines or repeated headers) whose rows repeat an earlier page of the
  same list verbatim is skipped and reported;
- every count a document declares is compared with what was parsed: the rows win.
Nothing is guessed: a row that fits no header is a `ParseError`, a line that is none of the known
structures becomes an `unparsed-line` issue.

Over 400 lines on purpose: `_Assembler` is one state machine over a document's rows, and its states
(current list, item, page, counts) are shared by every rule above; split, each piece would need them all.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from luzhi.etl.categories import category_key
from luzhi.etl.columns import (
    DEPARTMENTS,
    NOTES,
    combined_parts,
    combines_departments,
    department_cell,
    destination,
    note_text,
)
from luzhi.etl.headings import (
    category_cell,
    continued_message,
    marked_as_heading,
    outline_heading,
    outline_mismatch_message,
    outline_plain_message,
    says_category,
    subpoints_message,
    unread_heading_message,
    wrapped_line_message,
)
from luzhi.etl.model import INFO, WARNING, CategoryCount, DutyItem, Issue, LineSpan, ListCount, ListKind, SourceLine
from luzhi.etl.numbering import (
    category_issues,
    numbers_each_category,
    outline_issues,
    oversized_message,
    renumber,
    restart_issues,
)
from luzhi.etl.numbers import Number, mistyped_number, number_in_words, oversized_sequence, parse_number
from luzhi.etl.place_names import same_place
from luzhi.etl.rows import (
    Column,
    Heading,
    ParseError,
    Row,
    RowKind,
    classify_line,
    front_matter,
    place_of,
)
from luzhi.etl.text import cell_text
from luzhi.etl.truncation import cut_short, missing_list_message

# The columns without which a list loses a part of every item (the title is checked by the row parser).
EXPECTED_COLUMNS = {
    ListKind.BASIC: (),
    ListKind.COOPERATIVE: (Column.DEPARTMENT, Column.UPPER_RESPONSIBILITY, Column.TOWNSHIP_RESPONSIBILITY),
    ListKind.RECLAIMED: (Column.RECEIVER,),
}
LIST_NAMES = {
    ListKind.BASIC: "基本履职事项清单",
    ListKind.COOPERATIVE: "配合履职事项清单",
    ListKind.RECLAIMED: "上级部门收回事项清单",
}
_CONTENT = (RowKind.CELLS, RowKind.HEADING, RowKind.TEXT)
_PAGE_START = (RowKind.HEADER, RowKind.LIST_TITLE, RowKind.DOC_TITLE, RowKind.TOC)
_FURNITURE = (RowKind.BLANK, RowKind.PAGE_NUMBER, RowKind.CONTINUED, RowKind.SEPARATOR)
# The first half of a title broken over two lines: a place name ending in an administrative unit.
_PLACE_PREFIX = re.compile(r"^[\u4e00-\u9fff]{2,30}(?:省|市|县|区|旗|盟|州|自治区)$")
# A township's name with what is above it, as a title line writes it: every township name of the division table ends
# in 镇, 乡, 街道, 苏木 or 区公所 (38,723 of them, 2025-12-31).
_TOWNSHIP_PLACE = re.compile(r"[\u4e00-\u9fff]{1,30}(?:镇|乡|街道|苏木|公所)")
_HEADER_WORD = re.compile(r"序\s*号|编\s*号|事项名称")
# A row's 序号 and 事项名称 run together in one cell: a number, a space, then text (not 2023年…, not 1.2).
_NUMBER_IN_TITLE = re.compile(r"\s*(\d{1,4})[ \u3000]+(?=[^\s\d])")
# A line led by a short label and a colon (`注：…`, `说明：…`): a note of its own, never the wrapped rest of a cell.
_LABELLED = re.compile(r"^\s*[\u4e00-\u9fff]{1,4}\s*[:：]")
_TEXT_FIELDS = ("department_text", "role_departments", "upper_responsibility", "township_responsibility",
                "description", "legal_basis", "office")
# Word's automatic numbering counts only the paragraphs it numbers: a number typed between them is not counted, and
# the next automatic number repeats it (tests/test_docx_numbering.py, `1` typed then "List Number": 1, 1, 2, 3).
WORD_NUMBERING_HINT = (
    "。若序号列用了 Word 的自动编号：手工输入的序号不会推进自动编号，其后自动编号的行会重复已用过的序号；"
    "请让整列都用自动编号，或都手工输入",
    ". If the 序号 column uses Word's automatic numbering: a typed number does not advance it, so the automatically "
    "numbered rows after one repeat numbers already used; number the whole column automatically, or type every "
    "number",
)
# What ends a cell's text: a line after such a cell starts anew (a heading); after an unfinished one it may be its rest.
_SENTENCE_END = ("。", "；", ";", "！", "!", "？", "?", "：", ":")
# A cell's place in an item: its column, or for a column a header may repeat (备注 …) the column, its position
# and its header text, so two notes stay two and each keeps the header it was written under.
Slot = Column | tuple[Column, int, str]


@dataclass(frozen=True)
class Assembled:
    """What `assemble` learnt; `luzhi.etl.parse` wraps it into a `ParsedDocument`."""

    title: str
    title_lines: LineSpan
    items: tuple[DutyItem, ...]
    category_counts: tuple[CategoryCount, ...]
    list_counts: tuple[ListCount, ...]
    issues: tuple[Issue, ...]
    merged_rows: int
    skipped_duplicate_pages: tuple[LineSpan, ...]
    heading_lines: tuple[LineSpan, ...] = ()


@dataclass
class _Draft:
    """An item being built from one or more rows: raw cell parts per column, cleaned at the end."""

    sequence: int
    first: int
    last: int
    parts: dict[Slot, list[str]] = field(default_factory=dict)
    heading_category: str | None = None
    tail: Slot | None = None  # the last cell its last row filled: where a line wrapped after that row goes on
    parents: tuple[int, ...] = ()  # an outline number's rows above it (`1.2`: (1,); `1.2.3`: (1, 2))
    row: Row | None = None  # its first row
    subpoints: bool = False  # rows numbered below its own (`1.1`, `1.2` under `1`) are its sub-points
    # Rows without 序号 whose 事项名称 cell it took in (`_continue`): a gap after it names them (`_check_numbering`).
    joined_titles: list[int] = field(default_factory=list)

    @property
    def path(self) -> tuple[int, ...]:
        """Its printed number, each level's part (`1.2` → (1, 2))."""
        return (*self.parents, self.sequence)

    @property
    def title(self) -> str:
        """The 事项名称 read so far, as the item will have it: a row repeating it is another row of this item."""
        return cell_text("\n".join(self.parts.get(Column.TITLE, [])), join_lines=True)


@dataclass
class _List:
    kind: ListKind
    title_row: Row | None
    declared: int | None = None
    columns: tuple[Column, ...] = ()
    headers: tuple[str, ...] = ()  # the header text of each column, as the notes and notices name it
    draft: _Draft | None = None
    last_sequence: int = 0
    sequences: dict[int, str] = field(default_factory=dict)  # 序号 → the title cell of its first row
    parsed: int = 0
    category: str | None = None  # from the last heading
    headings: dict[str, tuple[int | None, Row]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    # Items that took in rows without 序号 whose 事项名称 they read as theirs: (category, 序号, those lines). A count
    # short of the declared one names them, as a lost number on a list's or category's last row makes no gap.
    joined: list[tuple[str | None, int, list[int]]] = field(default_factory=list)
    order: list[str] = field(default_factory=list)  # category names in order of appearance
    last_column_category: str | None = None
    last_subcategory: str | None = None  # of the item that wrote last_column_category
    pages: dict[str, LineSpan] = field(default_factory=dict)  # page digest → first occurrence
    first_item: int = 0  # where its items start in `_Assembler.items`
    numbering_issues: list[Issue] = field(default_factory=list)  # read 1..n; dropped if it numbers per category
    unread: Row | None = None  # a heading-shaped line not read as one: an item after it is refused
    tentative_headings: list[Row] = field(default_factory=list)  # `平安法治` lines read as headings (before items)
    outline: Row | None = None  # the first item numbered `N.M`: the list is numbered in outline (etl/numbering.py)
    outline_parent: tuple[int, ...] | None = None  # the number of the row (`N`, `N.M`) the items below are under
    outline_category: bool = False  # `category` comes from such a row, not from a heading above the numbers
    outline_subcategory: str = ""  # the name of a row `N` read as a sub-category (a heading above gave the category)
    subpoints: Row | None = None  # the first row read as a sub-point of the item above (`1.1` under the duty `1`)
    # A heading row numbered in words in the 序号 cell, a long name beside it (`（一）<TAB>制定实施本镇…`), and the
    # items read before it: with none read after it either, it named no category but was a duty (`_empty_heading`).
    worded_heading: tuple[Row, int] | None = None
    subtotal_from: int = 0  # items parsed before the last 小计 row: the next 小计 counts those after


def assemble(rows: Iterable[Row], path: str, *, whole_rows: bool = False, word: bool = False) -> Assembled:
    """Build items, counts and issues from classified rows, one page at a time. `whole_rows`: the rows are a
    Word or Excel table's, which a page break never splits (an unnumbered row then continues nothing). `word`:
    they are a Word document's, whose repeated 序号 may be a typed number its automatic numbering did not count."""
    assembler = _Assembler(path, whole_rows, word)
    for page in _pages(rows):
        assembler.feed_page(page)
    return assembler.finish()


def _last_filled(values: dict[Slot, str]) -> Slot | None:
    """The last cell of a row holding text (not its 序号): a text line wrapped after the row goes on there."""
    return next((slot for slot, text in reversed(values.items()) if text and slot is not Column.SEQUENCE), None)


def _dotted(path: tuple[int, ...]) -> str:
    """An outline number as printed: (1, 2) → `1.2`."""
    return ".".join(map(str, path))


def _pages(rows: Iterable[Row]) -> Iterator[list[Row]]:
    """Group rows into pages: runs of non-blank rows, a new one at each header or title."""
    page: list[Row] = []
    for row in rows:
        if row.kind is RowKind.BLANK or (row.kind in _PAGE_START and page):
            if page:
                yield page
            page = [] if row.kind is RowKind.BLANK else [row]
        else:
            page.append(row)
    if page:
        yield page


class _Assembler:
    def __init__(self, path: str, whole_rows: bool = False, word: bool = False) -> None:
        self.path = path
        self.whole_rows = whole_rows
        self.word = word
        self.items: list[DutyItem] = []
        self.issues: list[Issue] = []
        self.lists: list[_List] = []
        self.current: _List | None = None
        self.title: str | None = None
        self.title_lines = LineSpan(1, 0)  # empty span: the document names no township
        self.merged_rows = 0
        self.skipped: list[LineSpan] = []
        self.heading_lines: list[LineSpan] = []  # table rows read as category headings (outline numbering)
        self.last_line = 0  # the last line of content (no page furniture): whether the file ends with an item
        self.pending_heading: Row | None = None
        self.pending_tentative: Row | None = None  # `平安法治` in a table: a heading if an item comes next
        self.pending_text: list[Row] = []  # unrecognised text before the first list and title: part of a title?
        self.first_unknown: Row | None = None
        self.table_start: Row | None = None  # the first unrecognised line naming a header word (序号 …)
        self.contents: dict[ListKind, int] = {}  # the lists the table of contents names, at their lines

    # -- pages and rows -------------------------------------------------------------------------

    def feed_page(self, page: list[Row]) -> None:
        self.last_line = max([self.last_line, *(row.line.lineno for row in page if row.kind not in _FURNITURE)])
        start = next((i for i, row in enumerate(page) if row.kind in _CONTENT), len(page))
        for row in page[:start]:
            self.feed(row)
        content = [row for row in page[start:] if row.kind in _CONTENT]
        if self.current is not None and content and self._has_item_row(content):
            digest = hashlib.sha256("\n".join(r.line.text for r in content).encode()).hexdigest()
            span = LineSpan(page[0].line.lineno, page[-1].line.lineno)
            original = self.current.pages.get(digest)
            if original is not None:
                self.skipped.append(span)
                self._issue(
                    "duplicate-page",
                    f"第 {span.first}–{span.last} 行与第 {original.first}–{original.last} 行的页面逐字相同，已跳过",
                    f"lines {span.first}–{span.last} repeat the page at lines {original.first}–{original.last} "
                    "verbatim; skipped",
                    span,
                )
                return
            self.current.pages[digest] = LineSpan(content[0].line.lineno, content[-1].line.lineno)
        for row in page[start:]:
            self.feed(row)

    def _has_item_row(self, content: list[Row]) -> bool:
        index = self._column_index(Column.SEQUENCE)
        return any(
            row.kind is RowKind.CELLS and len(row.cells) > index and parse_number(row.cells[index]) is not None
            for row in content
        )

    def feed(self, row: Row) -> None:
        if self.pending_text and row.kind is not RowKind.BLANK and not self._before_title(row):
            held, self.pending_text = self.pending_text, []
            joined = self._join_title(held, row) if row.kind in (RowKind.DOC_TITLE, RowKind.LIST_TITLE) else 0
            for line in held[: len(held) - joined]:
                self._unparsed(line)
            if joined and row.kind is RowKind.DOC_TITLE:
                return
            if joined:
                row = replace(row, place=self.title)  # the list title's place is the one its lines made
        if self.pending_tentative is not None and not self._keeps_tentative(row):
            self._resolve_tentative(row)
        handler = {
            RowKind.DOC_TITLE: self._doc_title,
            RowKind.LIST_TITLE: self._list_title,
            RowKind.HEADER: self._header,
            RowKind.HEADING: self._heading_row,
            RowKind.CELLS: self._cells,
            RowKind.TEXT: self._text,
        }.get(row.kind)
        if handler is not None:
            handler(row)
        elif row.kind is RowKind.TOC and row.list_kind is not None:
            self.contents.setdefault(row.list_kind, row.line.lineno)
        # BLANK, TOC, FRONT_MATTER, PAGE_NUMBER, SEPARATOR and SUBHEADER rows carry no content.

    def _doc_title(self, row: Row) -> None:
        place = row.place or ""
        if self.title is None:
            self.title, self.title_lines = place, LineSpan(row.line.lineno, row.line.lineno)
            if not place:
                self._issue("empty-title", "文档标题没有写出乡镇名称", "the document title names no township",
                            self.title_lines)
        elif place and self.title and not same_place(place, self.title):
            self._title_mismatch(row, place)

    def _before_title(self, row: Row) -> bool:
        """Whether a row is text held before the document's first title and list (`_join_title` reads it)."""
        return row.kind is RowKind.TEXT and not self.lists and self.title is None

    def _join_title(self, held: list[Row], row: Row) -> int:
        """How many of the lines of text before the first title (`held`) are its first part, now joined to it: a
        title over two lines or more, `内蒙古自治区呼伦贝尔市扎兰屯市` / `卧牛河镇履行职责事项清单`, or
        `赣州市南康区党寨镇人民政府` / `履行职责事项清单` (cold review 21: refused, the title naming no township).
        The lines joined are the last ones before the title: those ending in a division above a township (省, 市,
        县, 区 …), and, when the title line names no place, the township's own line below them (a township's name
        ending it, maybe a government body after that)."""
        if self.title is not None or self.lists:
            return 0
        texts = [re.sub(r"\s+", "", line.line.text) for line in held]
        joined = 0
        if not row.place and texts and _TOWNSHIP_PLACE.fullmatch(place_of(texts[-1])):
            joined = 1
        while joined < len(texts) and _PLACE_PREFIX.match(texts[-1 - joined]):
            joined += 1
        if not joined:
            return 0
        parts = texts[len(texts) - joined:]
        self.title = "".join(parts[:-1]) + (place_of(parts[-1]) if not row.place else parts[-1] + row.place)
        self.title_lines = LineSpan(held[-joined].line.lineno, row.line.lineno)
        return joined

    def _title_mismatch(self, row: Row, place: str) -> None:
        self._issue(
            "title-mismatch",
            f"此处写的乡镇名称「{place}」与文档标题「{self.title}」不一致",
            f"the township named here, 「{place}」, differs from the document title's, 「{self.title}」",
            LineSpan(row.line.lineno, row.line.lineno),
            row.list_kind,
        )

    def _list_title(self, row: Row) -> None:
        place = row.place or ""
        if self.title is None and place:
            self.title, self.title_lines = place, LineSpan(row.line.lineno, row.line.lineno)
        elif place and self.title and not same_place(place, self.title):
            self._title_mismatch(row, place)
        assert row.list_kind is not None
        if self.current is not None and self.current.kind is row.list_kind:
            if self.current.declared is None:  # a repeated page title (001) may be the first to count
                self.current.declared = row.declared
            elif row.declared is not None and row.declared != self.current.declared:
                self._issue(
                    "count-mismatch",
                    f"重复的清单标题声明 {row.declared} 项，与此前声明的 {self.current.declared} 项不一致",
                    f"the repeated list title declares {row.declared} items, the earlier one "
                    f"{self.current.declared}",
                    LineSpan(row.line.lineno, row.line.lineno),
                )
            return
        self._open_list(row.list_kind, row, row)

    def _open_list(self, kind: ListKind, title_row: Row | None, at: Row) -> _List:
        if any(existing.kind is kind for existing in self.lists):
            raise ParseError(self.path, at.line.lineno,
                             f"{LIST_NAMES[kind]}在前面已经出现过，又在其他清单之后再次出现 / the {kind.value} list "
                             "appears again after another list")
        self._close_list()
        self.current = _List(kind=kind, title_row=title_row, declared=title_row.declared if title_row else None,
                             first_item=len(self.items))
        self.lists.append(self.current)
        if self.pending_heading is not None:
            held, self.pending_heading = self.pending_heading, None
            self._heading_row(held)
        return self.current

    def _header(self, row: Row) -> None:
        kind = row.list_kind
        current = self.current
        if current is None:
            if kind is None:
                raise ParseError(self.path, row.line.lineno,
                                 "表头看不出属于哪个清单，前面也没有清单标题 / the header does not show which list it "
                                 "belongs to, and no list title comes before it")
            current = self._open_list(kind, None, row)
        elif kind is ListKind.BASIC and (current.parsed == 0 and current.draft is None
                                         or row.columns == current.columns):
            # 序号/事项类别/事项名称 say "basic" only by lacking the other lists' columns: the title just read says
            # which list it heads, or it is this list's header again (cold review 32: a reclaimed list without its
            # receiving column was refused as "the basic list's header after the reclaimed list's title").
            pass
        elif kind is not None and kind is not current.kind:
            if current.parsed == 0 and current.draft is None:
                raise ParseError(
                    self.path,
                    row.line.lineno,
                    f"表头的列属于{LIST_NAMES[kind]}，而前面的清单标题是{LIST_NAMES[current.kind]} / the header's "
                    f"columns are those of the {kind.value} list, but the list title before it is the "
                    f"{current.kind.value} list's",
                )
            current = self._open_list(kind, None, row)
            self._issue(
                "list-title-missing",
                f"{LIST_NAMES[kind]}没有标题，从这一表头开始",
                f"the {kind.value} list has no title; it starts at this header",
                LineSpan(row.line.lineno, row.line.lineno),
            )
        if row.columns != current.columns:
            present = set(row.columns) | ({Column.RECEIVER} if Column.RECEIVING_DEPARTMENT in row.columns else set()) \
                | ({Column.DEPARTMENT} if DEPARTMENTS & set(row.columns) else set())  # 牵头部门 + 配合部门
            headers = tuple(cell_text(cell, join_lines=True) for cell in row.cells[: len(row.columns)])
            if combines_departments(row.columns, headers, current.kind):  # 责任部门及职责分工: each side's part
                present |= {Column.DEPARTMENT, Column.TOWNSHIP_RESPONSIBILITY}
            missing = [c.value for c in EXPECTED_COLUMNS[current.kind] if c not in present]
            if missing:
                # A table that lost a column still parses (its cells shift into no field), so the items
                # conform while a whole kind of content is gone: say so at the header (cold review).
                self._issue(
                    "header-column-missing",
                    f"{LIST_NAMES[current.kind]}的表头缺少「{'」「'.join(missing)}」列，这些内容不会进入数据；"
                    "请核对原表格，或用 --layout 版式文件说明各列",
                    f"the {current.kind.value} list's header lacks the column(s) 「{'」「'.join(missing)}」, whose "
                    "content will not reach the data; check the original table, or describe its columns in a "
                    "--layout profile",
                    LineSpan(row.line.lineno, row.line.lineno),
                    current.kind,
                )
        headers = tuple(cell_text(cell, join_lines=True) for cell in row.cells[: len(row.columns)])
        if row.columns != current.columns or headers != current.headers:
            self._column_notices(row, current, headers)
        current.columns, current.headers = row.columns, headers

    def _column_notices(self, row: Row, current: _List, headers: tuple[str, ...]) -> None:
        """A column the profile ignores, or one this list has no field for (kept as a note), is said at its header:
        nothing a document holds leaves the data unsaid (cold review 18: a basic list's 责任部门 column was read
        and dropped)."""
        span, name = LineSpan(row.line.lineno, row.line.lineno), LIST_NAMES[current.kind]
        for index, (column, header) in enumerate(zip(row.columns, headers, strict=True), start=1):
            where = destination(column, current.kind, set(row.columns), header)
            if column is Column.IGNORED:
                self._issue("column-ignored", f"表头第 {index} 列「{header}」按版式文件不读入，其内容不进入数据",
                            f"header column {index} 「{header}」 is left out as the layout profile says; its content "
                            "does not reach the data", span, current.kind)
            elif where == NOTES and column is not Column.NOTE:
                self._issue("column-kept-as-note", f"{name}没有与表头第 {index} 列「{header}」对应的属性，其内容连同"
                            "列名作为备注（skos:note）保留；请核对列名，或用 --layout 版式文件说明这一列",
                            f"the {current.kind.value} list has no property for header column {index} 「{header}」: "
                            "its content is kept as a note (skos:note) with the header; check the header, or describe "
                            "the column in a --layout profile", span, current.kind)

    def _heading_row(self, row: Row) -> None:
        assert row.heading is not None
        if self.current is None:
            if self.pending_heading is not None:
                self._unparsed(self.pending_heading)
            self.pending_heading = row
            return
        if self._next_in_words(row) is not None:
            self.pending_tentative = row  # `五、<TAB>做好…` after item 4: the row after it tells (`_resolve_tentative`)
            return
        self._set_heading(row.heading, row)
        index = self._column_index(Column.SEQUENCE) if Column.SEQUENCE in self.current.columns else -1
        if 0 <= index < len(row.cells) and number_in_words(row.cells[index]) is not None \
                and len(row.heading.name) >= LONG_CATEGORY:
            self.current.worded_heading = (row, self.current.parsed)

    def _set_heading(self, heading: Heading, row: Row) -> None:
        current = self.current
        assert current is not None
        self._flush()
        self._empty_heading(current)
        heading = self._continued(current, heading, row)
        current.category = heading.name
        current.unread = None
        current.outline_parent, current.outline_category, current.outline_subcategory = None, False, ""
        if heading.name not in current.headings:
            current.headings[heading.name] = (heading.declared, row)
            self._seen_category(current, heading.name)
            return
        earlier, earlier_row = current.headings[heading.name]
        if earlier is None:
            current.headings[heading.name] = (heading.declared, earlier_row)
        elif heading.declared is not None and heading.declared != earlier:
            self._issue(
                "count-mismatch",
                f"分类「{heading.name}」再次出现，声明 {heading.declared} 项，"
                f"与第 {earlier_row.line.lineno} 行声明的 {earlier} 项不一致",
                f"the category 「{heading.name}」 appears again, declaring {heading.declared} items where line "
                f"{earlier_row.line.lineno} declared {earlier}",
                LineSpan(row.line.lineno, row.line.lineno),
            )

    def _continued(self, current: _List, heading: Heading, row: Row) -> Heading:
        """A heading marked as going on from the page before (`一、党的建设（续）`, cold review 21: it opened a new
        category 党的建设（续）) continues the list's category of that name, spelt as it was (`etl.categories` key:
        `应急管理与消防（续）` goes on with 应急管理及消防). With none before it, it heads a category of its name
        without the mark, and that is said (`heading-continued-unmatched`): the page that began it may be missing."""
        if not heading.continued:
            return heading
        key = category_key(heading.name)
        earlier = next((name for name in reversed(current.order) if category_key(name) == key), None)
        if earlier is not None:
            return replace(heading, name=earlier)
        zh, en = continued_message(row.line.text, heading.name)
        self._issue("heading-continued-unmatched", zh, en, LineSpan(row.line.lineno, row.line.lineno))
        return heading

    def _text(self, row: Row) -> None:
        if not self.lists and self.title is None:
            self.pending_text.append(row)
            return
        if self._total_row(row):
            return
        mistyped = mistyped_number(row.line.text) if self.current is not None else None
        if mistyped is not None:  # `1O、加强…`: a duty's row whose number cannot be read; never a wrap or a heading
            text = row.line.text.strip().replace("\t", " ")
            self._no_number(row, mistyped, text[text.find(mistyped) + len(mistyped):].lstrip(" 、.．)）"))
            return
        if row.heading is not None and self.current is not None and self.current.columns:
            self.pending_tentative = row  # a bare name (`平安法治`): `_resolve_tentative` decides at the next row
            return
        if row.doubt is None and self._after_item(row) and not marked_as_heading(row.line.text):
            self.pending_tentative = row  # a line of text right after an item's row: its wrapped rest, if an item
            return  # follows (`_resolve_tentative`)
        self._unparsed(row)
        self._doubted(row)

    def _after_item(self, row: Row) -> bool:
        """Whether a line stands right after the row of the item being read, in a text copy."""
        draft = self.current.draft if self.current is not None and self.current.columns else None
        return (not self.whole_rows and draft is not None and draft.tail is not None
                and row.line.lineno == draft.last + 1)

    # -- headings the rows could not settle -------------------------------------------------------

    def _keeps_tentative(self, row: Row) -> bool:
        """Rows that may stand between a tentative heading and its item: a page's furniture, the header repeated."""
        if row.kind in (RowKind.PAGE_NUMBER, RowKind.CONTINUED, RowKind.SEPARATOR, RowKind.BLANK, RowKind.SUBHEADER):
            return True
        return row.kind is RowKind.HEADER and (self.current is None or row.list_kind in (None, self.current.kind))

    def _resolve_tentative(self, row: Row | None) -> None:
        """A line of a bare name (`平安法治`, D2_zhouzhuang.txt) or of a numeral alone in the 序号 cell and a name
        (`二<TAB>应急管理`) is a category heading when the next row starts an item of its list; anywhere else (a
        signature, a footer, the list's end; the next item of a list numbered 一, 二 …) it is an unparsed line as
        before. A line of text shaped like no heading, right after an item, is that item's wrapped rest when an item
        follows (`_wrapped`), else unparsed as before."""
        held, self.pending_tentative = self.pending_tentative, None
        current = self.current
        assert held is not None
        in_words = self._next_in_words(held)
        if row is not None and current is not None and row.kind is RowKind.CELLS and current.columns:
            index = self._column_index(Column.SEQUENCE)
            number = parse_number(row.cells[index]) if index < len(row.cells) else None
            draft = current.draft
            if in_words is not None and number is not None and number.path == (in_words + 1,):
                self._item_in_words(held, in_words)
                return
            if number is not None and (draft is None or number.path != draft.path):
                if self._wrapped(held, number.sequence):
                    self._join_wrapped(held)
                    return
                if held.heading is not None:
                    current.tentative_headings.append(held)
                    self._set_heading(held.heading, held)
                    return
        if held.kind is RowKind.CELLS and current is not None:  # `一<TAB>加强党的政治建设`: as it was reported
            index = self._column_index(Column.SEQUENCE)
            rest = next((cell.strip() for i, cell in enumerate(held.cells) if i != index and cell.strip()), "")
            self._no_number(held, held.cells[index].strip() if index < len(held.cells) else "", rest)
        else:
            self._unparsed(held)

    def _next_in_words(self, row: Row) -> int | None:
        """The number of a row whose 序号 cell is in Chinese numerals (`五、`, `（五）`, `五`) and one more than the
        item before it, a 事项名称 beside it: a duty numbered in words, if the next item is one more again (cold review
        32: `4`, `五、<TAB>做好…`, `6` read a category 做好…, duties 6 and 7 under it, and the list one short, valid).
        A category numbered 一, 二 … meets the items' numbers so only by chance; its items then start again at 1 or
        go on from the item before it."""
        current = self.current
        draft = current.draft if current is not None else None
        if draft is None or draft.parents or not current.columns:
            return None
        index = self._column_index(Column.SEQUENCE)
        title = self._column_index(Column.TITLE) if Column.TITLE in current.columns else -1
        cells = row.cells
        if index >= len(cells) or not 0 <= title < len(cells) or not cells[title].strip():
            return None
        number = number_in_words(cells[index])
        return number if number == draft.sequence + 1 else None

    def _empty_heading(self, current: _List) -> None:
        """A heading numbered in words in the 序号 cell, with a name as long as a duty's, that no item followed: a
        duty whose 序号 is in Chinese numerals, read as an empty category (cold review 32: the list was short of it,
        valid, unsaid). Said, as the rows whose 序号 is no number are; a short name (`一、<TAB>党的建设`) above a
        sub-heading is a category of categories, and is not."""
        held, current.worded_heading = current.worded_heading, None
        if held is None or current.parsed > held[1]:
            return
        row = held[0]
        self._no_number(row, row.cells[self._column_index(Column.SEQUENCE)].strip(), row.heading.name)

    def _total_row(self, row: Row) -> bool:
        """A 小计 / 合计 / 总计 row (`合计<TAB>7项`, `小计：3项`) of a list being read: no duty, but the count of the
        items above it (a 小计 those since the last 小计, the others the list's), compared with those read and said.
        Cold review 32: its 序号 「合计」 was "not a number", a duty not read, and the document refused with the advice
        to correct the 序号."""
        current = self.current
        first = next((cell.strip() for cell in row.cells if cell.strip()), "")
        if current is None or not current.columns or not first.startswith(_TOTAL_WORDS):  # cheap: every row is asked
            return False
        total = _TOTAL.match(unicodedata.normalize("NFKC", "".join(row.cells)).replace(" ", ""))
        if total is None:
            return False
        self._flush()
        subtotal = total.group("word") == "小计"
        parsed = current.parsed - (current.subtotal_from if subtotal else 0)
        if subtotal:
            current.subtotal_from = current.parsed
        written = " ".join(cell.strip() for cell in row.cells if cell.strip())
        declared = int(total.group("count")) if total.group("count") else None
        agrees = declared is None or declared == parsed
        counted = counted_en = ""
        if declared is not None:
            counted = f"；其写的 {declared} 项" + (
                "，与读入的一致" if agrees else f"，而读入的是 {parsed} 项：请对照原件核对，是否有事项未读入或多读")
            counted_en = f"; it counts {declared} items" + (" as read" if agrees else (
                f", but {parsed} were read: check against the original whether a duty was missed or read twice"))
        word, word_en = total.group("word"), "subtotal" if subtotal else "total"
        self._issue("total-row", f"「{written}」是{word}行，不是事项，未作为事项读入{counted}",
                    f"「{written}」 is a {word_en} row, no duty, and was not read as one{counted_en}",
                    LineSpan(row.line.lineno, row.line.lineno), severity=INFO if agrees else WARNING)
        return True

    def _item_in_words(self, row: Row, number: int) -> None:
        """A duty whose 序号 is in Chinese numerals, read as the number it stands for, and said."""
        index = self._column_index(Column.SEQUENCE)
        written = row.cells[index].strip()
        cells = (*row.cells[:index], str(number), *row.cells[index + 1:])
        self._cells(replace(row, kind=RowKind.CELLS, cells=cells, heading=None, doubt=None))
        self._issue("sequence-in-words", f"序号「{written}」是中文数字，按前后事项的序号读作 {number}",
                    f"the 序号 「{written}」 is written in Chinese numerals; read as {number}, between the items "
                    f"numbered {number - 1} and {number + 1}", LineSpan(row.line.lineno, row.line.lineno))

    def _wrapped(self, held: Row, sequence: int) -> bool:
        """Whether a line before an item (`用法活动`) is the rest of the item above's last cell, wrapped onto a line of
        its own in a text copy, rather than a category heading (cold review 19: item 6's title lost its tail, and
        the items after it went under a category 用法活动). It is, when it stands on the line right after that
        item's row, alone in its first cell, unnumbered, no note (`注：…`) or page header (`附件4`), after a cell
        that does not end a sentence, and nothing says heading: no count, the numbering not starting again at 1
        after it, the category above not already holding the items its heading declared (`一、党的建设（2项）`, 1, 2,
        then `安全生产`: cold review 21), no bare-name heading read before in the document; and for a bare name
        (`_BARE_NAME`, what a heading may be) no category word (类, 职责, 事项) and no category of that name. Its
        length and punctuation say nothing: a wrapped title runs on past 12 characters and commas (cold review 21:
        such a line was dropped). A Word or Excel row keeps a wrapped cell whole, so there such a line is never a
        wrap."""
        current, heading = self.current, held.heading
        draft = current.draft if current is not None else None
        if not self._after_item(held) or draft is None or current is None:
            return False
        if sum(1 for cell in held.cells if cell.strip()) != 1 or marked_as_heading(held.line.text):
            return False  # `二<TAB>应急管理`: a numeral heading a name; `（二）…`, `第二类…`: numbered as headings are
        if _LABELLED.match(held.line.text) or front_matter(held.line.text):
            return False  # `注：…`; `附件4` as a PDF's page header repeats it
        before = draft.parts.get(draft.tail, [""])[-1].rstrip()
        if not before or before.endswith(_SENTENCE_END) or sequence == 1 or self._category_full(current):
            return False
        if heading is not None and (heading.declared is not None or says_category(heading.name)):
            return False
        return not any(lst.tentative_headings or (heading is not None and heading.name in lst.order)
                       for lst in self.lists)

    @staticmethod
    def _category_full(current: _List) -> bool:
        """Whether the category being read holds, with the item being built, every item its heading declared."""
        declared = current.headings.get(current.category, (None, None))[0] if current.category else None
        return declared is not None and current.counts[current.category] + 1 >= declared

    def _join_wrapped(self, held: Row) -> None:
        """The wrapped rest of the item above's last cell: appended to it, as a page-break continuation is, and said
        (`wrapped-line`), since a category written that way would read the same."""
        current = self.current
        assert current is not None and current.draft is not None and current.draft.tail is not None
        draft, slot = current.draft, current.draft.tail
        draft.parts[slot][-1] += held.cells[0].strip()
        draft.last = held.line.lineno
        self.merged_rows += 1
        column, header = (slot[0], slot[2]) if isinstance(slot, tuple) else (slot, self._header_of(current, slot))
        joined = cell_text(draft.parts[slot][-1], join_lines=column in (Column.TITLE, Column.CATEGORY))
        zh, en = wrapped_line_message(held.cells[0].strip(), draft.sequence, header, joined,
                                      bare=held.heading is not None)
        self._issue("wrapped-line", zh, en, LineSpan(held.line.lineno, held.line.lineno))

    def _doubted(self, row: Row) -> None:
        """A line shaped like a heading that could not be read (`Row.doubt`): remember it, so that an item after it
        is refused rather than filed under the category before it (`_refuse_unread`)."""
        if row.doubt is not None and self.current is not None and self.current.columns:
            self.current.unread = row

    def _refuse_unread(self, sequence: int) -> None:
        current = self.current
        assert current is not None and current.unread is not None and current.unread.doubt is not None
        row = current.unread
        raise ParseError(self.path, row.line.lineno,
                         unread_heading_message(row.line.text, row.doubt, sequence, current.category))

    def _unparsed(self, row: Row) -> None:
        if self.first_unknown is None:
            self.first_unknown = row
        if self.table_start is None and _HEADER_WORD.search(row.line.text):
            self.table_start = row
        snippet = row.line.text.strip().replace("\t", " ")[:40]
        span = LineSpan(row.line.lineno, row.line.lineno)
        if self.current is not None and self.current.columns and (numbered := _NUMBER_IN_TITLE.match(row.line.text)):
            # A duty's row with its 序号 and 事项名称 in one cell (a space where a tab or a cell border was): dropped
            # as a line of no structure, an Info, and the document conformed (cold review 29).
            self._issue("unparsed-line", f"序号「{numbered[1]}」与事项名称在同一栏（「{snippet}」）：这一行没有作为"
                        "事项读入，清单可能因此少了这一项；请把序号与事项名称分成两栏",
                        f"the 序号 「{numbered[1]}」 and the 事项名称 share one cell (「{snippet}」): the row was not "
                        "read as a duty and the list may be short of it; put the 序号 and the 事项名称 in cells of "
                        "their own", span, severity=WARNING)
            return
        self._issue("unparsed-line", f"无法识别的行：「{snippet}」", f"a line of no known structure: 「{snippet}」",
                    span)

    # -- table rows -----------------------------------------------------------------------------

    def _column_index(self, column: Column) -> int:
        if self.current is None or column not in self.current.columns:
            return 0
        return self.current.columns.index(column)

    def _cells(self, row: Row) -> None:
        current = self.current
        if current is None or not current.columns:
            if row.heading is not None and not row.heading.tentative:
                self._heading_row(row)
                return
            raise ParseError(self.path, row.line.lineno, "表格行出现在任何表头（序号、事项名称……）之前 / a table row "
                                                         "comes before any header row (序号, 事项名称 …)")
        if self._total_row(row):
            return
        cells = list(row.cells)
        while cells and not cells[-1].strip():
            cells.pop()
        if len(cells) > len(current.columns):
            # name the last cell with text: a stray `x` in XFD1048576 made a row of 16,384 cells (cold review 21)
            last = cells[-1].strip().replace("\n", " ")
            last = last if len(last) <= 40 else last[:40] + "…"
            raise ParseError(
                self.path,
                row.line.lineno,
                f"该行有 {len(cells)} 个单元格，而当前表头只有 {len(current.columns)} 列"
                f"（{'、'.join(c.value for c in current.columns)}），最后一个有字的单元格在第 {len(cells)} 列，内容为"
                f"「{last}」：若它不属于清单，请删去它后再试 / the row has {len(cells)} cells, but the header above it "
                f"has only {len(current.columns)} columns ({', '.join(c.value for c in current.columns)}); its last "
                f"cell with text is in column {len(cells)} and holds 「{last}」: if it is not part of the list, delete "
                "it and try again",
                column=len(cells),
            )
        values: dict[Slot, str] = {
            (column, i, current.headers[i]) if column in (Column.NOTE, Column.IGNORED) else column:
            (cells[i].strip() if i < len(cells) else "")
            for i, column in enumerate(current.columns)
        }
        sequence_text = values[Column.SEQUENCE]
        filled = [column for column, text in values.items() if text]
        if not sequence_text:
            in_name = filled in ([Column.TITLE], [Column.CATEGORY])
            heading = self._heading_in_table(row, values, filled)
            if heading is not None and (not heading.tentative or heading.declared is not None):
                self._set_heading(heading, row)
            elif row.doubt is not None and not row.doubt.arabic and in_name:
                # `<TAB>二、应急管理（含消防，安全）`: no title goes on with an ordinal; an Arabic one (`2.做好…`) may
                self._unparsed(row)
                self._doubted(row)
            elif self.whole_rows and values.get(Column.TITLE):
                self._unnumbered(row, values)
            else:
                self._continue(row, values)
            return
        number = parse_number(sequence_text)
        if number is None:
            self._not_a_number(row, sequence_text, values, filled)
            return
        sequence, draft = number.sequence, current.draft
        if draft is not None and draft.subpoints and number.path[:len(draft.path)] == draft.path \
                and len(number.path) > len(draft.path):
            self._subpoint(current, draft, row, values)
            return
        if number.parents and self._outline_item(current, number, row, values):
            return
        draft, title = current.draft, cell_text(values.get(Column.TITLE, ""), join_lines=True)
        if draft is not None and number.path == draft.path and (not title or title == draft.title):
            self._same_sequence(row, values, draft)
            return
        if current.unread is not None:
            self._refuse_unread(sequence)
        self._check_numbering(current, sequence, row, title)
        self._flush()
        draft = _Draft(sequence, row.line.lineno, row.line.lineno, heading_category=current.category,
                       tail=_last_filled(values), parents=number.parents, row=row)
        for column, text in values.items():
            if column is not Column.SEQUENCE and text:
                draft.parts[column] = [text]
        if Column.CATEGORY in current.columns and not values[Column.CATEGORY]:
            # A vertically merged 事项类别 cell is written once, on its first row; so is a 二级分类 cell within it.
            if current.last_column_category is not None:
                draft.parts[Column.CATEGORY] = [current.last_column_category]
                if current.last_subcategory and not values.get(Column.SUBCATEGORY):
                    draft.parts[Column.SUBCATEGORY] = [current.last_subcategory]
        if number.parents and current.outline_subcategory and not values.get(Column.SUBCATEGORY):
            draft.parts[Column.SUBCATEGORY] = [current.outline_subcategory]
        current.draft = draft

    def _outline_item(self, current: _List, number: Number, row: Row, values: dict[Slot, str]) -> bool:
        """An item numbered `N.M` (cold review 21, P0), or `N.M.K`. The row numbered `N` right above it is read by
        its structure (`_groups`): holding only a name, it heads a category (`1<TAB>党的建设` / `1.1<TAB>…`), or
        under a heading that already gave the category (`一、党的建设` / `1<TAB>组织建设`), a sub-category, when the
        rows below it carry what a duty's row does (departments, responsibilities …); otherwise it is a duty and the
        rows numbered below it its sub-points (True: this row was read as one). An item under another number than
        its category row's (`2.1` after `1<TAB>党的建设` and `1.2`) is said where it stands."""
        draft = current.draft
        if draft is not None and draft.row is not None and draft.path == number.parents:
            if not self._groups(current, draft, values):
                draft.subpoints = True
                self._subpoint(current, draft, row, values)
                return True
            self._group(current, draft)
        if current.outline is None:
            current.outline = row
        above = current.outline_parent
        if above is not None and number.parents != above:
            if above[:len(number.parents)] != number.parents:  # `1.2` after sub-category `1.1`'s items is not
                zh, en = outline_mismatch_message(_dotted(number.parents), _dotted(above), current.category)
                self._issue("outline-mismatch", zh, en, LineSpan(row.line.lineno, row.line.lineno))
            current.outline_parent, current.outline_subcategory = number.parents, ""
        return False

    def _groups(self, current: _List, draft: _Draft, values: dict[Slot, str]) -> bool:
        """Whether a row with rows numbered below it (`draft`, `values`: the first of them) groups them: it holds
        only a name, and either no level above it gives the category (it is the category), or the row below it
        carries more than a name (it is a sub-category of duties). A row holding more than a name, or a name with
        only names below it under a category already given, is a duty whose sub-points they are: the documents
        number their duties at the level below their categories."""
        names = {Column.TITLE, Column.CATEGORY}
        if not set(draft.parts) <= names or not (draft.title or Column.CATEGORY in draft.parts):
            return False
        if not self._under_category(current, draft):
            return True
        return any(text for slot, text in values.items()
                   if text and slot is not Column.SEQUENCE and slot not in names and not isinstance(slot, tuple))

    @staticmethod
    def _under_category(current: _List, draft: _Draft) -> bool:
        """Whether a level above the row `draft` already gives its category: a heading (`一、党的建设`) or a row
        numbered above its own."""
        return bool(draft.parents) or (current.category is not None and not current.outline_category)

    def _group(self, current: _List, draft: _Draft) -> None:
        """The row `draft` heads the rows numbered below it: a category, or under one, a sub-category."""
        current.draft = None
        assert draft.row is not None
        self.heading_lines.append(LineSpan(draft.first, draft.last))
        name = draft.title or cell_text("\n".join(draft.parts[Column.CATEGORY]), join_lines=True)
        if self._under_category(current, draft):
            current.outline_subcategory = outline_heading(name).name
        else:
            self._set_heading(outline_heading(name), draft.row)
            current.outline_category = True
        current.outline_parent = draft.path

    def _subpoint(self, current: _List, draft: _Draft, row: Row, values: dict[Slot, str]) -> None:
        """A row numbered below the duty above it (`1.1` under `1`): one of its sub-points, kept in it. Its
        事项名称 goes to the duty's description with its printed number (`1.1 坚定拥护…`), its other cells to the
        duty's own, each on a line of its own; one notice a list says so."""
        label = values[Column.SEQUENCE]
        names_only = set(draft.parts) <= {Column.TITLE, Column.CATEGORY, Column.DESCRIPTION}
        kept: dict[Slot, str] = {}
        for slot, text in values.items():
            if slot is not Column.SEQUENCE and text:
                slot, text = (Column.DESCRIPTION, f"{label} {text}") if slot is Column.TITLE else (slot, text)
                draft.parts.setdefault(slot, []).append(text)
                kept[slot] = text
        draft.last, draft.tail = row.line.lineno, _last_filled(kept) or draft.tail
        self.merged_rows += 1
        if current.subpoints is None:
            current.subpoints = row
            zh, en = subpoints_message(label, _dotted(draft.path), (current.category or "") if names_only else None)
            self._issue("outline-subpoints", zh, en, LineSpan(row.line.lineno, row.line.lineno))

    def _heading_in_table(self, row: Row, values: dict[Slot, str], filled: list[Slot]) -> Heading | None:
        """A heading written in the 事项名称 or 事项类别 column of an otherwise empty row (`filled`: its slots with
        text). A 备注 or an ignored cell beside it does not make it a continuation (二、经济发展 appended to the item
        above's title): the heading is read from its own cell, and a note there, which has no item, is reported."""
        main = [slot for slot in filled if not isinstance(slot, tuple)]
        if main not in ([Column.TITLE], [Column.CATEGORY]):
            return None
        if main == filled:
            return row.heading
        heading = classify_line(SourceLine(row.line.path, row.line.lineno, values[main[0]])).heading
        for slot in filled:
            if heading is not None and isinstance(slot, tuple) and slot[0] is Column.NOTE:
                snippet = values[slot][:40]
                self._issue("unparsed-line", f"分类标题行「{slot[2]}」列的「{snippet}」不属于任何事项，未读入",
                            f"the 「{slot[2]}」 cell of a category heading row, 「{snippet}」, belongs to no item; "
                            "not read", LineSpan(row.line.lineno, row.line.lineno))
        return heading

    def _not_a_number(self, row: Row, text: str, values: dict[Slot, str], filled: list[Slot]) -> None:
        """A 序号 cell that is no item number: a heading the rows could not settle, a number too large, or else a
        line reported as unparsed."""
        span = LineSpan(row.line.lineno, row.line.lineno)
        in_name = set(filled) <= {Column.SEQUENCE, Column.TITLE, Column.CATEGORY}
        if in_name and row.heading is not None and row.heading.tentative:
            self.pending_tentative = row  # `平安法治<TAB><TAB>`, `二<TAB>应急管理`
            return
        if in_name and row.doubt is not None:
            self._unparsed(row)
            self._doubted(row)
            return
        digits = oversized_sequence(text)
        if digits is not None:
            shown = digits if len(digits) <= 24 else f"{digits[:12]}…{digits[-4:]}"
            rest = next((cell_text(values[c], join_lines=True) for c in filled if c is not Column.SEQUENCE), "")
            if rest:
                # 999999999 is no item of a list of a few hundred: loading the row under it, or dropping it with a
                # notice that said "not a number", were both wrong (cold review 18, P2).
                raise ParseError(self.path, row.line.lineno, oversized_message(shown, len(digits), rest))
            self._issue("unparsed-line", f"序号「{shown}」有 {len(digits)} 位数字，太大，不是事项序号；该行别无内容",
                        f"the 序号 「{shown}」 has {len(digits)} digits, too large to be an item number; the row holds "
                        "nothing else", span)
            return
        rest = next((cell_text(values[c], join_lines=True) for c in filled
                     if c is not Column.SEQUENCE and not isinstance(c, tuple)), "")
        self._no_number(row, text, rest)

    def _no_number(self, row: Row, text: str, rest: str = "") -> None:
        """A row whose 序号 is no number. Holding text (`rest`, a 事项名称), it is a duty's row that was not read:
        a Warning, since the list is loaded short of that duty (a notice among many said only "not a number");
        alone on its row, a notice."""
        quoted = text if len(text) <= 20 else f"{text[:20]}…"
        span = LineSpan(row.line.lineno, row.line.lineno)
        if not rest:
            self._issue("unparsed-line", f"序号「{quoted}」不是数字，该行未作为事项解析",
                        f"the 序号 「{quoted}」 is not a number; the row was not read as an item", span)
            return
        shown = rest if len(rest) <= 30 else f"{rest[:30]}…"
        # A 序号 in Chinese numerals (`（一）`) is as the original has it: "correct it from the original" led nowhere.
        in_words = number_in_words(text) is not None
        fix, fix_en = (("请把序号改为阿拉伯数字", "write the 序号 in Arabic digits") if in_words
                       else ("请对照原件改正序号", "correct the 序号 from the original"))
        self._issue("unparsed-line", f"序号「{quoted}」无法读作数字：这一行（「{shown}」）没有作为事项读入，"
                    f"清单可能因此少了这一项；{fix}",
                    f"the 序号 「{quoted}」 cannot be read as a number, so this row (「{shown}」) was not read as a "
                    f"duty and the list may be short of it; {fix_en}",
                    span, severity=WARNING)

    def _same_sequence(self, row: Row, values: dict[Slot, str], draft: _Draft) -> None:
        """Another row of a multi-row item: keep each new cell text once, on its own line."""
        new = False
        for column, text in values.items():
            if column is Column.SEQUENCE or not text:
                continue
            parts = draft.parts.setdefault(column, [])
            if text not in parts:
                parts.append(text)
                new = True
        draft.last, draft.tail = row.line.lineno, _last_filled(values)
        self.merged_rows += 1
        if not new:
            self._issue(
                "duplicate-row",
                f"序号 {draft.sequence} 的这一行与该事项已有的行逐字相同",
                f"this row of 序号 {draft.sequence} repeats a row of that item verbatim",
                LineSpan(row.line.lineno, row.line.lineno),
            )

    def _unnumbered(self, row: Row, values: dict[Slot, str]) -> None:
        """A Word or Excel row naming a duty without a 序号. Such a row is the row its author made, never the
        half of one a page break split (Word keeps a split row one row), so it continues nothing: repeating
        the item's title, it is another row of that item (as 002's rows repeating their 序号); naming another
        duty, it is one whose number was not read (a numbering or formula this reader cannot see), and merging
        it would silently make two duties one (cold review 18). Leaving it out would load the document short of a
        duty with only a notice, so the document is refused, naming the row."""
        draft = self.current.draft if self.current is not None else None
        title = cell_text(values[Column.TITLE], join_lines=True)
        if draft is not None and title == draft.title:
            self._same_sequence(row, values, draft)
            return
        raise ParseError(
            self.path,
            row.line.lineno,
            f"这一行的序号为空，事项名称却是「{title[:30]}」：Word 或 Excel 表格的一行不会因分页断开，"
            "它不是上一事项的续行，而是序号没有读出的另一事项；请在序号列写上它的序号"
            "（若序号是没有读出的自动编号或公式，请改为文字）；若它确是上一行的后半"
            "（由 PDF 转成的 Word 常把一行拆成两行），请把它并入上一行 / this row's 序号 is empty but its 事项名称 "
            f"reads 「{title[:30]}」: a Word or Excel table row is never split by a page break, so it does not "
            "continue the item above; it is another duty whose number was not read. Write its number in the 序号 "
            "column (if the number is automatic numbering or a formula that was not read, type it as text); if it is "
            "the rest of the row above (a PDF converted to Word often splits a row in two), merge it into that row",
        )

    def _continue(self, row: Row, values: dict[Slot, str]) -> None:
        """A page-break continuation: the cell texts go on where the previous row's stopped."""
        current = self.current
        assert current is not None
        draft = current.draft
        if draft is None:
            # With a 事项名称, maybe a duty whose number was lost: not loaded, so a Warning (cold review: the first
            # row of a list without its `1` was dropped, and the only word of it was an Info notice).
            title = values.get(Column.TITLE, "")
            lost_zh = f"：「{title[:30]}」没有作为事项读入；如果它是一项事项，请在该行写上序号" if title else ""
            lost_en = f": 「{title[:30]}」 was not read as a duty; if it is one, write its number on that line" \
                if title else ""
            self._issue(
                "continuation-without-item",
                f"序号为空的续行前面没有可接续的事项{lost_zh}",
                f"a continuation row (empty 序号) with no item before it to continue{lost_en}",
                LineSpan(row.line.lineno, row.line.lineno), severity=WARNING if title else INFO,
            )
            return
        for index, (column, text) in enumerate(values.items()):
            if not text:
                continue
            parts = draft.parts.setdefault(column, [])
            # A cell that starts with a line break (a Word cell's empty first paragraph, an HTML
            # cell opening with <p>) starts a new paragraph; otherwise the text goes straight on.
            if index < len(row.cells) and row.cells[index].lstrip(" \u3000").startswith(("\n", "\r")):
                text = "\n" + text
            if parts:
                parts[-1] += text
            else:
                parts.append(text)
        draft.last, draft.tail = row.line.lineno, _last_filled(values)
        if values.get(Column.TITLE):
            draft.joined_titles.append(row.line.lineno)
        self.merged_rows += 1

    @staticmethod
    def _lost_number(item: int, joined: list[int], expected: int | None = None) -> tuple[str, str, int | None]:
        """What a numbering gap or a short count adds when item `item` took in rows without 序号 (`joined`) whose
        事项名称 it read as its own wrapped title: the likely place of the lost number (cold review: line 26 without
        its `10` made item 9's title two duties long, and the notice named only line 27). Chinese, English, the
        first such line."""
        if not joined:
            return "", "", None
        zh_lines, en_lines = "、".join(map(str, joined[:3])), ", ".join(map(str, joined[:3]))
        which, which_en = (f"第 {expected} 项", f"item {expected}") if expected else ("一项事项", "an item of its own")
        return (f"；第 {zh_lines} 行没有序号，已作为第 {item} 项事项名称的续行并入；如果它是{which}，请在该行写上序号",
                f"; line {en_lines} has no 序号 and was read as the rest of item {item}'s title; if it is "
                f"{which_en}, write its number on that line", joined[0])

    def _short_count(self, current: _List, declared: int, parsed: int, category: str | None = None
                     ) -> tuple[str, str, int | None]:
        """`_lost_number` for a count short of the declared one, from the last item (of `category`, or of the
        list when None) that took in rows without 序号."""
        joined = [entry for entry in current.joined if category is None or entry[0] == category]
        if parsed >= declared or not joined:
            return "", "", None
        _category, item, lines = joined[-1]
        return self._lost_number(item, lines)

    def _check_numbering(self, current: _List, sequence: int, row: Row, title: str) -> None:
        span = LineSpan(row.line.lineno, row.line.lineno)
        expected = current.last_sequence + 1
        issue = None
        if sequence in current.sequences:
            hint, hint_en = WORD_NUMBERING_HINT if self.word else ("", "")
            same = current.sequences[sequence] == title  # a row copied twice is no other duty (cold review)
            issue = self._issue("duplicate-sequence", f"序号 {sequence} 在本清单中重复出现，"
                                f"{'事项名称也相同：是否同一行抄了两次？' if same else '且事项名称不同'}{hint}",
                                f"序号 {sequence} is used again in this list, "
                                f"{'with the same title: is one row copied twice?' if same else 'with another title'}"
                                f"{hint_en}", span)
        elif sequence > expected:
            missing = f"{expected}" if sequence == expected + 1 else f"{expected}–{sequence - 1}"
            draft = current.draft
            why_zh, why_en, first = self._lost_number(draft.sequence, draft.joined_titles, expected) if draft else (
                "", "", None)
            span = LineSpan(first or span.first, span.last)
            if current.last_sequence:
                issue = self._issue("numbering-gap", f"序号从 {current.last_sequence} 跳到 {sequence}，缺少 {missing}"
                                    f"{why_zh}", f"序号 jumps from {current.last_sequence} to {sequence}; {missing} "
                                    f"missing{why_en}", span)
            else:  # "从 0 跳到 2" read as if a 0 had been printed (cold review 28)
                issue = self._issue("numbering-gap", f"序号从 {sequence} 开始，缺少 {missing}{why_zh}",
                                    f"序号 starts at {sequence}; {missing} missing{why_en}", span)
        elif sequence < expected:
            issue = self._issue("numbering-order", f"序号从 {current.last_sequence} 回到 {sequence}",
                                f"序号 goes back from {current.last_sequence} to {sequence}", span)
        if issue is not None:
            current.numbering_issues.append(issue)
        current.sequences.setdefault(sequence, title)
        current.last_sequence = max(current.last_sequence, sequence)

    def _flush(self) -> None:
        current = self.current
        if current is None or current.draft is None:
            return
        draft, current.draft = current.draft, None
        raw = {column: "\n".join(parts) for column, parts in draft.parts.items()}
        column_category, declared = category_cell(cell_text(raw.get(Column.CATEGORY, ""), join_lines=True))
        if declared is not None and draft.row is not None:
            current.headings.setdefault(column_category, (declared, draft.row))  # checked at the list's end
        if Column.CATEGORY in draft.parts:
            current.last_column_category, current.last_subcategory = raw[Column.CATEGORY], raw.get(Column.SUBCATEGORY)
        category = column_category or draft.heading_category
        texts = dict.fromkeys(_TEXT_FIELDS, "")
        notes: list[str] = []
        present = set(current.columns)
        for slot, text in raw.items():
            column, header = (slot[0], slot[2]) if isinstance(slot, tuple) else (slot, self._header_of(current, slot))
            where = destination(column, current.kind, present, header)
            if where in _TEXT_FIELDS:
                cell = department_cell(column, current.kind, present, cell_text(text))
                texts[where] = "\n".join(t for t in (texts[where], cell) if t)
            elif where == NOTES and cell_text(text):
                notes.append(note_text(column, header, cell_text(text)))
        if combines_departments(current.columns, current.headers, current.kind) and not texts["department_text"]:
            parts = combined_parts(texts["upper_responsibility"])
            if parts is not None:
                texts["department_text"], texts["upper_responsibility"], texts["township_responsibility"] = parts
        item = DutyItem(
            list_kind=current.kind,
            sequence=draft.sequence,
            title=cell_text(raw.get(Column.TITLE, ""), join_lines=True),
            category=category,
            lines=LineSpan(draft.first, draft.last),
            way_of_working=(cell_text(raw.get(Column.WAY_OF_WORKING, ""))
                            if current.kind is ListKind.RECLAIMED and Column.WAY_OF_WORKING in present else None),
            subcategory=cell_text(raw.get(Column.SUBCATEGORY, ""), join_lines=True),
            notes=tuple(notes),
            **texts,
        )
        if not item.title:
            self._issue("empty-item-title", f"序号 {item.sequence} 的事项名称为空",
                        f"the item of 序号 {item.sequence} has an empty 事项名称 (title)", item.lines)
        if current.outline is not None and not draft.parents:
            zh, en = outline_plain_message(draft.sequence)
            self._issue("outline-mismatch", zh, en, LineSpan(draft.first, draft.first))
        self.items.append(item)
        current.parsed += 1
        if category is not None:
            self._seen_category(current, category)
            current.counts[category] += 1
        if draft.joined_titles:
            current.joined.append((category, draft.sequence, draft.joined_titles))

    @staticmethod
    def _header_of(current: _List, column: Column) -> str:
        return current.headers[current.columns.index(column)] if column in current.columns else column.value

    @staticmethod
    def _seen_category(current: _List, name: str) -> None:
        if name not in current.order:
            current.order.append(name)

    # -- the end --------------------------------------------------------------------------------

    def _close_list(self) -> None:
        self._flush()
        current = self.current
        if current is None:
            return
        self._empty_heading(current)
        self._read_numbering(current)
        if current.tentative_headings:
            rows = current.tentative_headings
            names = list(dict.fromkeys(f"「{row.heading.name}」" for row in rows if row.heading is not None))
            more, more_en = ("等", " …") if len(names) > 5 else ("", "")
            self._issue(
                "heading-unnumbered",
                f"{LIST_NAMES[current.kind]}中有 {len(rows)} 行未编号（或序号栏只写汉字数字）的名称"
                f"（{'、'.join(names[:5])}{more}）各自紧接在事项之前，已读作类别标题；若不是，请改正原件，"
                "或用 --layout 版式文件说明类别标题的写法",
                f"the {current.kind.value} list has {len(rows)} line(s) of a name without a number (or with a "
                f"Chinese numeral alone in the 序号 cell): {', '.join(names[:5])}{more_en}, each right before an "
                "item, read as category headings; if they are not, correct the document or describe its headings in "
                "a --layout profile",
                LineSpan(rows[0].line.lineno, rows[0].line.lineno),
            )
        for name, (declared, row) in current.headings.items():
            parsed = current.counts[name]
            if declared is not None and declared != parsed:
                why_zh, why_en, lost = self._short_count(current, declared, parsed, name)
                self._issue(
                    "count-mismatch",
                    f"{LIST_NAMES[current.kind]}分类「{name}」声明 {declared} 项，实际解析出 {parsed} 项{why_zh}",
                    f"the {current.kind.value} list's category 「{name}」 declares {declared} items; {parsed} "
                    f"were parsed{why_en}",
                    LineSpan(row.line.lineno, lost or row.line.lineno),
                )
        if current.declared is not None and current.declared != current.parsed:
            assert current.title_row is not None
            line = current.title_row.line.lineno
            why_zh, why_en, lost = self._short_count(current, current.declared, current.parsed)
            self._issue(
                "count-mismatch",
                f"{LIST_NAMES[current.kind]}声明 {current.declared} 项，实际解析出 {current.parsed} 项{why_zh}",
                f"the {current.kind.value} list declares {current.declared} items; {current.parsed} were "
                f"parsed{why_en}",
                LineSpan(line, lost or line),
            )
        self.current = None

    def finish(self) -> Assembled:
        for row in self.pending_text:
            self._unparsed(row)
        if self.pending_tentative is not None:
            self._resolve_tentative(None)
        self._close_list()
        if not any(lst.columns for lst in self.lists):
            if self.table_start is not None:
                # Name where the table starts, not the first odd line of the preamble (issue 12).
                start = self.table_start.line
                quoted = f"「{start.text.strip()[:40]}」"
                raise ParseError(
                    self.path,
                    start.lineno,
                    f"{quoted}像是清单表格的开始，但这里应是一行表头：序号、事项名称……"
                    f"各占一格（用制表符分隔，或网页复制的一格一行），未能识别 / {quoted} looks "
                    "like the start of a list's table, but no header row was recognised here: 序号, 事项名称 … each "
                    "in its own cell (separated by tabs, or one cell a line as copied from a web page)",
                )
            unknown = self.first_unknown
            quoted = f"「{unknown.line.text.strip()[:40]}」" if unknown else ""
            where, where_en = ((f"；第一处无法识别的行：{quoted}", f"; the first line not understood: {quoted}")
                               if unknown else ("", ""))
            raise ParseError(
                self.path,
                unknown.line.lineno if unknown else 1,
                f"全文没有找到任何清单表头（序号、事项名称……），无法识别版式{where} / no list header "
                f"(序号, 事项名称 …) anywhere in the document: its layout is not understood{where_en}",
            )
        if self.pending_heading is not None:
            self._unparsed(self.pending_heading)
        # A list the body lacks is counted as one of no items. A township publishes all three lists, so a file
        # lacking one is either a document cut short (or a layout not understood), refused unless --force (a cold
        # review found documents cut before their last list loading as whole), or one file of a township that
        # publishes its lists apart: etl/townships.py joins those and drops this issue for lists another file holds.
        absent, order = [], list(ListKind)
        for kind in ListKind:
            if any(lst.kind is kind for lst in self.lists):
                continue
            line = self.contents.get(kind)
            absent.append(ListCount(kind, None, 0, LineSpan(line, line) if line else None, found=False))
            if line is not None:
                after_all = all(order.index(lst.kind) < order.index(kind) for lst in self.lists)
                zh, en = missing_list_message(kind, LIST_NAMES[kind], line, after_all)
                self._issue("list-missing", zh, en, LineSpan(line, line), kind)
            else:
                self._issue("list-missing", f"文档中没有{LIST_NAMES[kind]}",
                            f"the document has no {kind.value} list ({LIST_NAMES[kind]})", None, kind)
        if self.title is None:
            self._issue("empty-title", "文档没有写出乡镇名称的标题", "the document has no title naming its township",
                        None)
        category_counts = tuple(
            CategoryCount(lst.kind, name, lst.headings.get(name, (None, None))[0], lst.counts[name],
                          _row_span(lst.headings.get(name, (None, None))[1]))
            for lst in self.lists
            for name in lst.order
        )
        list_counts = tuple(
            ListCount(
                lst.kind,
                lst.declared,
                lst.parsed,
                LineSpan(lst.title_row.line.lineno, lst.title_row.line.lineno) if lst.title_row else None,
            )
            for lst in self.lists
        ) + tuple(absent)
        cut = cut_short(tuple(self.items), list_counts, category_counts, self.last_line)
        if cut is not None:
            self.issues.append(cut)
        return Assembled(
            title=self.title or "",
            title_lines=self.title_lines,
            items=tuple(self.items),
            category_counts=category_counts,
            list_counts=list_counts,
            issues=tuple(self.issues),
            merged_rows=self.merged_rows,
            skipped_duplicate_pages=tuple(self.skipped),
            heading_lines=tuple(self.heading_lines),
        )

    def _read_numbering(self, current: _List) -> None:
        """A list that numbers each category from 1, or in outline (etl/numbering.py): its items renumbered by
        position, its numbering checked within each category instead of across the list."""
        items = self.items[current.first_item:]
        if current.outline is None and not numbers_each_category(items):
            self.issues.extend(restart_issues(items, LIST_NAMES[current.kind]))
            return
        dropped = {id(issue) for issue in current.numbering_issues}
        self.issues = [issue for issue in self.issues if id(issue) not in dropped]
        name = LIST_NAMES[current.kind]
        self.issues.extend(outline_issues(items, name, current.outline.line.lineno) if current.outline is not None
                           else category_issues(items, name))
        self.items[current.first_item:] = renumber(items)

    def _issue(self, code: str, message: str, message_en: str, lines: LineSpan | None,
               kind: ListKind | None = None, *, severity: str = INFO) -> Issue:
        if kind is None and self.current is not None:
            kind = self.current.kind
        issue = Issue(code=code, message=message, message_en=message_en, lines=lines, list_kind=kind,
                      severity=severity)
        self.issues.append(issue)
        return issue


# A row counting the items above it (`合计<TAB>7项`, `小计：共3项`, `总计 52`), read after NFKC without spaces.
_TOTAL_WORDS = ("小计", "合计", "总计", "共计")
_TOTAL = re.compile(rf"^(?P<word>{'|'.join(_TOTAL_WORDS)})[:：]?(?:共)?(?:(?P<count>\d{{1,5}})(?:项|个|条|件)?)?$")
# A category's name at least this long reads like a duty's title: the samples' longest category has 7 characters.
LONG_CATEGORY = 10


def _row_span(row: Row | None) -> LineSpan | None:
    return None if row is None else LineSpan(row.line.lineno, row.line.lineno)
