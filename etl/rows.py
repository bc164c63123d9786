"""Lines → `Row`s: what each source line is, judged by its structure.

A line is a blank, a document title, a list title, a table of contents line, front matter, a page
number, a table header, a category heading, a separator, a table row (`CELLS`) or unrecognised
text. Only the table of contents and front matter need context (they exist before the first table);
everything that needs the current table header (is this row a continuation? does its shape fit?)
is decided by `luzhi.etl.items`.

Recognition goes by keywords and shape, never by line numbers: see docs/parsing.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum

from luzhi.etl.columns import NEUTRAL, RECEIVERS, REPEATABLE, Column, role_of, role_of_pair, settle
from luzhi.etl.header_rows import combine_header_rows
from luzhi.etl.headings import BARE_LIST_TITLE, COUNT_UNIT, Doubt, Heading, read_heading
from luzhi.etl.layout import ROLES, Layout
from luzhi.etl.model import ListKind, SourceLine
from luzhi.etl.numbers import parse_sequence
from luzhi.etl.text import collapse_spaces, join_cjk


class ParseError(Exception):
    """The layout of a document cannot be understood; names the file and the line.

    `message` is Chinese, then English after " / ", as etl/source.py's `SourceError` (cold review: `luzhi
    validate --lang en`, `POST /validate?lang=en` and `luzhi build --report` gave these in Chinese only).
    """

    def __init__(self, path: str, lineno: int, message: str, place: str | None = None,
                 column: int | None = None) -> None:
        self.path = path
        self.lineno = lineno
        self.message = message
        self.column = column  # the cell the error is about, 1-based, when it is one: an Excel place names it
        # In a Word, Excel, PDF or HTML file, the place (`table=2&row=5`, ontology/places.py): `lineno` counts
        # the lines read out of it, which no one who opens the file can find, so it is not shown.
        self.place = place
        super().__init__(f"{path}: {message}" if place else f"{path}:{lineno}: {message}")


class RowKind(Enum):
    BLANK = "blank"
    DOC_TITLE = "doc-title"  # 辽宁省鞍山市海城市耿庄镇 履行职责事项清单
    LIST_TITLE = "list-title"  # 基本履职事项清单, 大同市左云县小京庄乡配合履职事项清单, …（109项）
    TOC = "toc"  # 目录 and its entries `1. 基本履职事项清单.....<TAB>1`
    FRONT_MATTER = "front-matter"  # 附件：4, 2025 年 (before the first table only)
    PAGE_NUMBER = "page-number"  # - 12 -, 第 3 页
    CONTINUED = "continued"  # 续表, （续）, 接上页: the table goes on from the page before
    HEADER = "header"  # 序号<TAB>事项名称<TAB>…
    SUBHEADER = "sub-header"  # a two-row header's second row, read into the HEADER before it (etl/header_rows.py)
    HEADING = "heading"  # 一、党的建设（24项）
    SEPARATOR = "separator"  # ----<TAB>-----
    CELLS = "cells"  # a table row: an item, part of one, or a heading written inside the table
    TEXT = "text"  # anything else: reported by the caller, never dropped


@dataclass(frozen=True)
class Row:
    kind: RowKind
    line: SourceLine
    cells: tuple[str, ...] = ()
    place: str | None = None  # DOC_TITLE / LIST_TITLE: the township part, "" when the title names none
    list_kind: ListKind | None = None  # LIST_TITLE; HEADER when its columns tell; TOC when its entry names one
    declared: int | None = None  # LIST_TITLE: `（109项）`
    columns: tuple[Column, ...] = ()  # HEADER
    heading: Heading | None = None  # HEADING; on CELLS: the row could be a heading written in one cell; on
    # TEXT and CELLS, a tentative one (`平安法治`, `二<TAB>应急管理`): a heading if an item follows (etl/items.py)
    doubt: Doubt | None = None  # TEXT, CELLS: shaped like a heading, but not readable as one (etl/headings.py)


_NUMERAL = "一二三四五六七八九十百零〇两"
_SENTENCE_PUNCT = re.compile(r"[，。；：,;:！？]")
# `一、`, `1.`, `（一）` and `第一部分` before a list title (`第一部分 基本履职事项清单`, cold review 18) are its
# numbering, not a place.
_LEADING_NUMBER = re.compile(
    rf"^(?:[{_NUMERAL}]+\s*[、.．]|\d+\s*[、.．]|[（(]\s*[{_NUMERAL}\d]+\s*[）)]"
    rf"|第\s*[{_NUMERAL}\d]+\s*(?:部分|章|篇|节|类)\s*[、.．:：]?|[\u2160-\u216b]\s*[、.．]?)\s*"
)
# A list's name: 基本…, 配合… or 协同…, and the take-back lists' words; `履行` may come first (`履行基本职责事项清单`:
# cold review 21 read the place of `XX镇履行基本职责事项清单` as XX镇履行, and of `XX镇协同履职事项清单` as XX镇协同).
_LIST_TITLE = re.compile(
    r"^(?P<place>.*?)\s*(?P<name>(?:履行)?(?:基本|配合|协同|上级部门收回|上级收回|收回|上收)\S{0,12}?清单)\s*"
    rf"(?:[（(]\s*(?:共\s*)?(?P<count>\d+)\s*{COUNT_UNIT}\s*[）)])?\s*$"
)
_DOC_TITLE = re.compile(
    r"^(?P<place>.*?)\s*(?:履行职责事项清单|履职事项清单|履行职责清单|履职清单|履行职责事项|履行职责)\s*"
    r"(?:[（(][^（）()]{0,20}[）)])?\s*$"
)
# The township's government bodies a title may name after the township: 人民政府, 办事处, 党委(和)政府, 党工委办事处.
# No township name of the division table ends in any of them.
_GOVERNMENT_BODY = re.compile(r"(?:(?:党委|党工委)[、和及与]?)?(?:人民政府|政府|办事处)$|(?:党委|党工委)$")
# Words qualifying a list, never ending a place name (a township's ends in 乡, 镇, 街道, 苏木 …):
# `XX镇依法履职事项清单` names XX镇.
_LIST_QUALIFIER = re.compile(r"(?:履行|依法|法定|协同|协助|配合|基本|主体|自主)+$")
_TOC_LEADER = re.compile(r"^(?P<label>.*?[^\s.．·…\-_])\s*(?:[.．·…]{3,}|[\-_]{4,})\s*(?P<page>\d{1,4})?\s*$")
_TOC_PAGE = re.compile(r"^(?P<label>.*?\D)\s+(?P<page>\d{1,4})$")
_SEPARATOR_CELL = re.compile(r"^[\s\-—–=_:|+]*$")
_PAGE_NUMBER = re.compile(
    r"^(?:[\-—–]\s*\d{1,4}\s*[\-—–]|第\s*\d{1,4}\s*页(?:\s*[，,/（(]?\s*共\s*\d{1,4}\s*页\s*[）)]?)?|\d{1,4}\s*/\s*\d{1,4})$"
)
# A line saying the table goes on from the page before (cold review 21: `续表` alone was read as a category 续表).
_CONTINUED = re.compile(
    rf"^[（(]?\s*(?:续表|续上表|续前表|续|接上页|接上表|接前页)\s*[\d{_NUMERAL}]{{0,3}}\s*[）)]?\s*[:：]?$"
)
_FRONT_MATTER = re.compile(
    r"^(?:附件\s*[:：]?\s*\d*|\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?|[（(]\s*\d{4}\s*年[^（）()]{0,10}[）)])$"
)
_COUNT_SUFFIX = rf"(?:[（(](?:共)?(?P<count>\d+){COUNT_UNIT}[）)])?"  # `（109项）` after a list title, spaces removed
# A count written inside a title (`一、基本履职事项（共52项）清单`), moved to its end, where the title rules read it.
_INNER_COUNT = re.compile(rf"\s*[（(]\s*(?:共\s*)?(?P<count>\d+)\s*{COUNT_UNIT}\s*[）)]\s*(?=[^\s（()）])")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")
_WHITESPACE = re.compile(r"\s+")


def parse_rows(lines: Iterable[SourceLine], layout: Layout | None = None) -> Iterator[Row]:
    """Classify each line; lazily, so a document streams through in bounded memory. A layout
    profile (etl.layout) adds header words, list titles and category headings. A header over two
    rows is one HEADER, its second row a SUBHEADER: only here is a line read with the one after it."""
    in_toc = False
    seen_table = False
    ahead = iter(lines)
    line = next(ahead, None)
    while line is not None:
        following = next(ahead, None)
        rows = _two_row_header(line, following, layout) if following is not None else None
        if rows is None:
            rows, line = (classify_line(line, in_toc=in_toc, seen_table=seen_table, layout=layout),), following
        else:
            line = next(ahead, None)
        for row in rows:
            if row.kind is RowKind.TOC:
                in_toc = True
            elif row.kind is not RowKind.BLANK:
                in_toc = False
            if row.kind is RowKind.HEADER:
                seen_table = True
            yield row


def classify_line(
    line: SourceLine, *, in_toc: bool = False, seen_table: bool = False, layout: Layout | None = None
) -> Row:
    """What one line is; `in_toc`/`seen_table` are the only context a line needs."""
    cells = split_cells(line.text)
    filled = [c.strip() for c in cells if c.strip()]
    if not filled:
        return Row(RowKind.BLANK, line, cells)
    if len(filled) == 1:
        filled = [_MARKDOWN_HEADING.sub("", filled[0])]  # `## 基本履职事项清单`
    joined = collapse_spaces(" ".join(filled))
    if all(_SEPARATOR_CELL.match(c) for c in filled) and re.search(r"[\-—–=]", joined):
        return Row(RowKind.SEPARATOR, line, cells)
    header = _header_columns(cells, line, layout)
    if header is not None:
        return Row(RowKind.HEADER, line, cells, columns=header, list_kind=_kind_of_columns(header))
    if joined.replace(" ", "") in ("目录", "目次"):
        return Row(RowKind.TOC, line, cells)
    if len(filled) <= 2 and parse_sequence(filled[0]) is None:
        entry = _TOC_LEADER.match(joined) or (in_toc and len(filled) == 2 and _TOC_PAGE.match(joined))
        if entry:
            # The list an entry names: one the body then lacks is a document cut short (etl/items.py).
            listed = _LIST_TITLE.match(collapse_spaces(entry.group("label")))
            return Row(RowKind.TOC, line, cells, list_kind=_list_kind(listed.group("name")) if listed else None)
    if len(filled) == 1 and _CONTINUED.match(filled[0]):
        return Row(RowKind.CONTINUED, line, cells)
    if len(filled) == 1 and (profiled := _profile_list_title(filled[0], line, cells, layout)) is not None:
        return profiled  # a profile's list title wins over a numbered heading (`一、乡镇自主事项（3项）`)
    read = _profile_heading(joined, layout) or read_heading(filled)
    heading = read if isinstance(read, Heading) else None
    doubt = read if isinstance(read, Doubt) else None
    first_filled = bool(cells[0].strip())
    if heading is not None and not heading.tentative and first_filled:
        return Row(RowKind.HEADING, line, cells, heading=heading)
    if len(filled) > 1 or not first_filled:
        # A row with an empty first cell is a continuation, unless it is a heading written in the
        # 事项名称/事项类别 column: only the table header can tell, so the caller decides. A bare name
        # there (`<TAB>政务`) is the rest of a title or category broken over a page: never a heading.
        # A count says heading there too (`<TAB>安全生产（5项）`: no title goes on with a count; cold review 21).
        tentative = heading is not None and heading.tentative and not first_filled and heading.declared is None
        return Row(RowKind.CELLS, line, cells, heading=None if tentative else heading, doubt=doubt)
    text = filled[0]
    titled = _title_row(text, line, cells)
    if titled is not None:
        return titled
    if _PAGE_NUMBER.match(text):
        return Row(RowKind.PAGE_NUMBER, line, cells)
    if not seen_table and _FRONT_MATTER.match(text):
        return Row(RowKind.FRONT_MATTER, line, cells)
    if len(cells) > 1:
        return Row(RowKind.CELLS, line, cells, heading=heading, doubt=doubt)
    return Row(RowKind.TEXT, line, cells, heading=heading, doubt=doubt)


def front_matter(text: str) -> bool:
    """Whether a line reads as a document's front matter (`附件：4`, `2025 年`), as a page header may repeat it."""
    return _FRONT_MATTER.match(collapse_spaces(text.strip())) is not None


def split_cells(text: str) -> tuple[str, ...]:
    """Tab-separated cells; a markdown-style `| a | b |` line is split on its pipes instead."""
    if "\t" in text:
        return tuple(text.split("\t"))
    stripped = text.strip()
    if len(stripped) > 1 and stripped.startswith("|") and stripped.endswith("|"):
        return tuple(cell.strip() for cell in stripped[1:-1].split("|"))
    return (text,)




def _key(text: str) -> str:
    """Header text for keyword matching: NFKC (full-width → half-width), no whitespace."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


def column_of(text: str) -> Column | None:
    """The column a header cell names (序号, 事项名称 …), or None."""
    return _column_of(_key(text))


def _column_of(text: str) -> Column | None:
    return role_of(_role_key(text))


def _role_key(text: str) -> str:
    return re.sub(r"\(.*?\)", "", _key(text))  # 上级部门职责（含提供的履职保障） → 上级部门职责


def _profile_heading(joined: str, layout: Layout | None) -> Heading | None:
    match = layout.heading.match(joined) if layout is not None and layout.heading is not None else None
    if match is None:
        return None
    count = match.groupdict().get("count")
    return Heading(name=join_cjk(match.group("name")), declared=int(count) if count else None)


def _profile_list_title(text: str, line: SourceLine, cells: tuple[str, ...], layout: Layout | None) -> Row | None:
    squeezed = _count_last(re.sub(r"\s+", "", text))
    for words, kind in layout.lists if layout is not None else ():
        match = re.match(rf"^(?P<place>.*?){re.escape(words)}{_COUNT_SUFFIX}$", squeezed)
        if match is not None:
            return _list_title(match, kind, line, cells)
    return None


def _list_title(match: re.Match[str], kind: ListKind, line: SourceLine, cells: tuple[str, ...]) -> Row:
    """A list title row from a match with `place` and an optional declared `count` (…事项清单（12项）)."""
    count = match.group("count")
    return Row(RowKind.LIST_TITLE, line, cells, place=_place(match.group("place")), list_kind=kind,
               declared=int(count) if count else None)


def _may_be_header(cells: Sequence[str], layout: Layout | None) -> bool:
    """Every row is asked, and normalising every cell of every row was 4 % of pass 1 (bench/results/
    pass1.md); without a profile a header needs a 序号/编号 cell, and no other character's NFKC
    form holds 序, 编 or 号 (checked over all of Unicode), so a row without one is no header."""
    return layout is not None or any("号" in cell and ("序" in cell or "编" in cell) for cell in cells)


def _two_row_header(upper: SourceLine, lower: SourceLine, layout: Layout | None) -> tuple[Row, Row] | None:
    """`upper` and `lower` as a header over two rows (etl/header_rows.py), or None. A header the upper row
    makes on its own stays its own unless both rows make a header too; one it does not make (a blank column
    beside a group's name) is read with the lower row, whose words then name its columns in any refusal."""
    if layout is None and "号" not in upper.text:  # no 序号 (`_may_be_header`), asked of every line
        return None
    cells = split_cells(upper.text)
    combined = combine_header_rows(cells, split_cells(lower.text)) if _may_be_header(cells, layout) else None
    try:
        alone = _header_columns(cells, upper, layout) if combined is not None else None
    except ParseError:
        alone = ()  # no header on its own: the two rows together, or the refusal naming their columns
    if combined is None or alone is None:
        return None
    try:
        columns = _header_columns(combined.cells, upper, layout, combined.parts) or ()
    except ParseError:
        if alone:
            return None
        raise
    return (Row(RowKind.HEADER, upper, combined.cells, columns=columns, list_kind=_kind_of_columns(columns)),
            Row(RowKind.SUBHEADER, lower, split_cells(lower.text)))


def _header_columns(
    cells: tuple[str, ...], line: SourceLine, layout: Layout | None = None,
    parts: tuple[tuple[str, str] | None, ...] = (),
) -> tuple[Column, ...] | None:
    """The columns of a table header row, or None when the row is not a header. `parts`: the (group,
    sub-column) of each column a two-row header names with both rows (etl/header_rows.py).

    A header has a 序号 cell and at least one more; an unknown or repeated column is a layout we
    do not understand, and guessing would put text into the wrong field, so it is a ParseError.
    """
    if not _may_be_header(cells, layout):
        return None
    keys = [_key(c) for c in cells]

    def column(index: int, key: str) -> Column | None:
        part = parts[index] if index < len(parts) else None
        read = role_of_pair(*(_role_key(word) for word in part)) if part else _column_of(key)
        return (layout.column(key) if layout is not None else None) or read

    def is_sequence(key: str) -> bool:
        return key in ("序号", "编号") or (layout is not None and layout.column(key) is Column.SEQUENCE)

    if not any(is_sequence(k) for k in keys) or sum(1 for k in keys if k) < 2:
        return None
    while keys and not keys[-1]:
        keys.pop()
    found = [column(index, key) if key else None for index, key in enumerate(keys)]
    for index, role in enumerate(found, start=1):
        if role is None:
            what, what_en = (f"「{cells[index - 1].strip()}」",) * 2 if keys[index - 1] else ("空白", "blank")
            known = "、".join(c.value for c in Column if c is not Column.IGNORED)
            raise ParseError(
                line.path,
                line.lineno,
                f"表头第 {index} 列{what}不是已知的列（{known}）；请在 --layout 版式文件的 [columns] 中写明它的角色："
                f"{'、'.join(ROLES)}（note 作为备注连同列名保留，ignore 不读入并在报告中注明）"
                f" / header column {index} {what_en} is no known column ({known.replace('、', ', ')}): give it a "
                f"role in the [columns] of a --layout profile: {', '.join(ROLES)} (note keeps it as a note with its "
                "header, ignore leaves it out and says so in the report)",
            )
    profiled = [layout is not None and layout.column(key) is not None for key in keys]
    columns = settle([role for role in found if role is not None], keys, profiled)
    for index, role in enumerate(columns, start=1):
        if role not in REPEATABLE and role in columns[: index - 1]:
            raise ParseError(
                line.path,
                line.lineno,
                f"表头第 {index} 列「{cells[index - 1].strip()}」与前面的列重复（都是{role.value}） / header column "
                f"{index} 「{cells[index - 1].strip()}」 repeats an earlier column (both are {role.value})",
            )
    if Column.TITLE not in columns:
        raise ParseError(line.path, line.lineno, "表头有序号列但没有事项名称列 / the header has a 序号 (sequence) "
                                                "column but no 事项名称 (title) column")
    return tuple(columns)


def _kind_of_columns(columns: tuple[Column, ...]) -> ListKind | None:
    present = set(columns) - NEUTRAL  # 备注, 法律依据, 责任科室 … may be in any list
    if present & {Column.UPPER_RESPONSIBILITY, Column.TOWNSHIP_RESPONSIBILITY}:
        return None if present & RECEIVERS else ListKind.COOPERATIVE
    if present & RECEIVERS:
        return ListKind.RECLAIMED
    if present <= {Column.SEQUENCE, Column.CATEGORY, Column.TITLE}:
        return ListKind.BASIC
    return None  # e.g. 序号/事项名称/上级部门 alone: only a list title can say which list this is


def _count_last(text: str) -> str:
    """`基本履职事项（共52项）清单` → `基本履职事项清单（52项）`: a title's count where the title rules read it (it
    was swallowed into the list's name, and its check lost). A title counting twice is left as written."""
    inner = _INNER_COUNT.search(text)
    if inner is None or _INNER_COUNT.search(text, inner.end()) or re.search(rf"{COUNT_UNIT}\s*[）)]\s*$", text):
        return text
    return f"{text[: inner.start()]}{text[inner.end():]}（{inner.group('count')}项）"


def _title_row(text: str, line: SourceLine, cells: tuple[str, ...]) -> Row | None:
    text = _count_last(collapse_spaces(text))
    if len(text) > 80 or _SENTENCE_PUNCT.search(_LEADING_NUMBER.sub("", text)):  # `第三部分：…清单` is no sentence
        return None
    listed = _LIST_TITLE.match(text) or BARE_LIST_TITLE.match(_LEADING_NUMBER.sub("", text))
    if listed is not None:
        return _list_title(listed, _list_kind(listed.group("name")), line, cells)
    titled = _DOC_TITLE.match(text)
    if titled is not None:
        return Row(RowKind.DOC_TITLE, line, cells, place=_place(titled.group("place")))
    return None


def _list_kind(name: str) -> ListKind:
    """The kind of a list by its name as `_LIST_TITLE` matched it (基本…, 配合… or 协同…, else one of the reclaimed
    names), after a leading 履行."""
    name = name.removeprefix("履行")
    return ListKind.BASIC if name.startswith("基本") else ListKind.COOPERATIVE if name.startswith(("配合", "协同")) \
        else ListKind.RECLAIMED


def _place(text: str) -> str:
    """The township part of a title: leading list numbering, words qualifying the list and a trailing government
    body dropped (the list of 西塘镇人民政府 is that of 西塘镇; cold review 18), no whitespace (place names have
    none)."""
    return place_of(_LIST_QUALIFIER.sub("", re.sub(r"\s+", "", _LEADING_NUMBER.sub("", text.strip()))))


def place_of(text: str) -> str:
    """A place as a title line writes it, without whitespace and a trailing government body (人民政府, 办事处 …)."""
    return _GOVERNMENT_BODY.sub("", re.sub(r"\s+", "", text))
