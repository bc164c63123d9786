"""HTML (a web page) → rows: each table row one line of cells, each block of text outside tables one line.

Parsed with lxml's HTML parser (it repairs what browsers repair: unclosed `<p>`, `<ol>` never
closed). Text is laid out as a browser does: runs of white space (source line breaks included)
are one space; block elements (p, div, li, br, h1–h6 …) break lines inside a cell. An empty
paragraph (`<p></p>`) is a blank line, the text extractions' page separator.

A table is read as its grid, as the Word reader reads merged cells: a cell spanning columns (`colspan`) has its
text in its first column and empty cells after it; a cell spanning rows (`rowspan`) has its text in every row it
spans. A 事项类别 or 对应上级部门 cell spanning ten rows was read in the first of them only, and the cells after it
in the nine below moved one column left, under the wrong header (cold review 21). Spans are read as browsers read
them (HTML's table processing model): a rowspan ends with its row group (`thead`, `tbody`, `tfoot`), 0 spans the
rest of it.

What the browser does not show is not read (`hidden`, `display:none`, `visibility:hidden` in an element's own
attributes, or set by the page's `<style>` rules through simple class and id selectors, etl/readers/web_style.py): a
row all of hidden text is left out and said (`hidden-rows-skipped`), a hidden span is not part of a title (cold
review 21: both were read; rows hidden by a class were still read).

Locations: `table=T&row=R` (T counts the page's tables, R the rows of that table, 1-based) or `block=N`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import lxml.html
from lxml import etree

from luzhi.etl.model import Issue
from luzhi.etl.readers.hidden import hidden_rows
from luzhi.etl.readers.location import Row, at
from luzhi.etl.readers.web_style import StyleSheet, inline_style, style_sheet
from luzhi.etl.source import SourceError, decode_source
from luzhi.ontology.places import place_words

_BLOCK = frozenset(
    "p div li ol ul br tr table thead tbody tfoot h1 h2 h3 h4 h5 h6 blockquote section article "
    "header footer main nav aside hr dl dt dd pre caption figure form".split()
)
_SKIP = frozenset({"script", "style", "head", "title", "noscript", "template"})
_SPACE = re.compile(r"[ \t\r\n\f]+")


def _inline(parts: list[str]) -> str:
    return _SPACE.sub(" ", "".join(parts)).strip()


def _shows(element: etree._Element, shown: bool, visible: bool, sheet: StyleSheet) -> tuple[bool, bool]:
    """(shown, visible) inside `element`, as a browser renders it: `hidden` or `display:none` removes it and all
    in it; `visibility:hidden` hides it, but a child may show itself again with `visibility:visible` (CSS 2.2,
    11.2). Its own `style` attribute and the page's style sheet's simple rules are read (`sheet`, web_style.py)."""
    style = sheet.style(element) if sheet else inline_style(element) if element.get("style") else {}
    if element.get("hidden") is not None or style.get("display") == "none":
        shown = False
    value = style.get("visibility")
    if value is not None:
        visible = value == "visible" or (visible and value not in ("hidden", "collapse"))
    return shown, visible


def _cell_text(cell: etree._Element, sheet: StyleSheet, shown: bool = True, visible: bool = True,
               ) -> tuple[str, bool]:
    """A cell's text as the browser shows it, its blocks on their own lines, and whether it holds text it hides."""
    lines: list[str] = []
    current: list[str] = []
    hides = False

    def flush() -> None:
        lines.append(_inline(current))
        current.clear()

    def seen(text: str | None, state: tuple[bool, bool]) -> str:
        nonlocal hides
        if all(state):
            return text or ""
        hides = hides or bool((text or "").strip())
        return ""

    def walk_inside(element: etree._Element, state: tuple[bool, bool]) -> None:
        current.append(seen(element.text, state))
        for child in element:
            walk(child, state)
            current.append(seen(child.tail, state))

    def walk(element: etree._Element, state: tuple[bool, bool]) -> None:
        if not isinstance(element.tag, str) or element.tag in _SKIP:
            return
        block = element.tag in _BLOCK
        if block:
            flush()
        walk_inside(element, _shows(element, *state, sheet))
        if block:
            flush()

    state = _shows(cell, shown, visible, sheet)
    walk_inside(cell, state)
    flush()
    text = "\n".join(line for line in lines if line)
    # A cell that starts with a block (`<td><p>6. …`) starts a new paragraph: kept as a leading
    # break, which matters when the row continues the one before (a page-break continuation).
    starts_with_block = not (cell.text or "").strip() and len(cell) and cell[0].tag in _BLOCK
    return ("\n" + text if text and starts_with_block else text), hides


@dataclass(frozen=True)
class _Span:
    """A cell spanning rows (`rowspan`), as the rows below it read it in one of its columns."""

    text: str
    last: int  # the last row (0-based) it covers


_DIGITS = re.compile(r"\s*\+?(\d+)")


def _span(value: str | None, limit: int, zero: int = 1) -> int:
    """A `colspan`/`rowspan` as browsers read it: its leading digits, 1 when none, at most `limit`; a rowspan of 0
    spans the rest of its row group (`zero`), a colspan of 0 is 1 (HTML, the table processing model)."""
    match = _DIGITS.match(value or "")
    if match is None:
        return 1
    number = int(match.group(1)[:6])
    return min(number, limit) if number else zero


# A row of more grid columns than any list has: each `colspan` up to 1000 would be as many cells in every line.
_MAX_COLUMNS = 1000
_TOO_WIDE = ("（{place}）这一行超过 {limit} 列（colspan 合计），不像一份清单的表格 / ({place_en}) this row has "
             "more than {limit} columns (its colspans added up), which no list's table has")


def _between(table: etree._Element, row: etree._Element) -> list[etree._Element]:
    """The elements from below `table` down to `row` (its `tbody`, then the row), outermost first."""
    chain = [row]
    while (parent := chain[-1].getparent()) is not None and parent is not table:
        chain.append(parent)
    return chain[::-1]


def _lays_out(table: etree._Element) -> bool:
    """Whether a table lays out the page rather than holding data: a table of two rows or more inside it (cold review
    32: the lists' tables, each in a cell of one around them, were one row each, their text squashed, refused). Its
    cells are walked as blocks are, so the tables in them give their rows."""
    return any(len(inner.findall(".//tr")) > 1 for inner in table.iterdescendants("table"))


class _Layout:
    """Walks the body in document order, yielding one row per table row or block of text."""

    def __init__(self, path: str, sheet: StyleSheet) -> None:
        self.path = path
        self.sheet = sheet
        self.tables = 0
        self.blocks = 0
        self.inline: list[str] = []

    def flush(self, *, empty_block: bool = False) -> Iterator[Row | Issue]:
        text = _inline(self.inline)
        self.inline.clear()
        if text or empty_block:
            self.blocks += 1
            yield (text,), at(block=self.blocks)

    def walk(self, element: etree._Element, shown: bool = True, visible: bool = True) -> Iterator[Row | Issue]:
        """The rows of `element`, its text dropped where the browser does not show it (`_shows`)."""
        if not isinstance(element.tag, str) or element.tag in _SKIP:
            return
        shown, visible = _shows(element, shown, visible, self.sheet)
        if element.tag == "table" and not _lays_out(element):
            yield from self.flush()
            # Its caption, a line before its rows, as a browser shows it (`<caption>喜洲镇基本履职事项清单`: a list's
            # title; cold review 32: dropped, and the list said to have none).
            for caption in (child for child in element if child.tag == "caption"):
                yield from self.walk(caption, shown, visible)
            yield from self.table(element, shown, visible)
            return
        seen = shown and visible
        block = element.tag in _BLOCK
        if block:
            yield from self.flush()
        self.inline.append(element.text or "" if seen else "")
        for child in element:
            yield from self.walk(child, shown, visible)
            self.inline.append(child.tail or "" if seen else "")
        if block:
            # <p></p> with nothing in it is a blank line, as in the text extractions; <br> is not
            empty = seen and element.tag == "p" and not _inline(self.inline) and not len(element)
            yield from self.flush(empty_block=empty)

    def table(self, table: etree._Element, shown: bool, visible: bool) -> Iterator[Row | Issue]:
        self.tables += 1
        rows = [row for row in table.iter("tr") if next(row.iterancestors("table")) is table]
        ends = {row.getparent(): number for number, row in enumerate(rows)}  # each row group's last row
        spanning: dict[int, _Span] = {}  # grid column → the cell above that spans down into it
        hidden: list[int] = []  # rows with text, all of it hidden
        for number, row in enumerate(rows):
            spanning = {column: span for column, span in spanning.items() if span.last >= number}
            location = at(table=self.tables, row=number + 1)
            state = (shown, visible)
            for inside in _between(table, row):
                state = _shows(inside, *state, self.sheet)  # the row group's (`tbody`) and the row's own
            cells: list[str] = []
            own, hides = [], False
            for cell in row:
                if not isinstance(cell.tag, str) or cell.tag not in ("td", "th"):
                    continue
                while len(cells) in spanning:  # a column a cell above spans down into
                    cells.append(spanning[len(cells)].text)
                (text, hid), first = _cell_text(cell, self.sheet, *state), len(cells)
                own.append(text)
                hides = hides or hid
                columns = _span(cell.get("colspan"), 1000)  # HTML's own limits (the table processing model)
                down = _span(cell.get("rowspan"), 65534, zero=len(rows))
                cells.extend([text] + [""] * (columns - 1))
                if len(cells) > _MAX_COLUMNS:
                    zh, en = place_words(location.fragment())
                    raise SourceError(self.path, _TOO_WIDE.format(place=zh, place_en=en, limit=_MAX_COLUMNS))
                last = min(number + down - 1, ends[row.getparent()])  # a span ends with its row group
                for column in range(first, first + columns):
                    spanning[column] = _Span(cells[column], last)
            if hides and not any(text.strip() for text in own):
                hidden.append(number + 1)  # the browser shows the row empty, or not at all (cold review 21)
                continue
            for column in sorted(column for column in spanning if column >= len(cells)):  # past the row's own
                cells.extend([""] * (column - len(cells)) + [spanning[column].text])
            yield tuple(cells), location
        if hidden:
            place = at(table=self.tables).fragment()
            yield hidden_rows(place_words(place), hidden,
                              ("网页的 HTML 源文件", "the page's HTML"))


def read_html(data: bytes, path: str) -> Iterator[Row | Issue]:
    # The page's bytes are decoded by the text rules (UTF-8, GB18030, UTF-16), not by a <meta>
    # that may lie: a wrong guess would read garbage.
    text = "\n".join(line.text for line in decode_source(data, path))
    parser = lxml.html.HTMLParser()
    try:
        document = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as error:
        raise SourceError(path, f"不是可读的 HTML 文件 / not a readable HTML file: {error}") from None
    # libxml2 stops at its limits and drops what lies past them: 256 nested elements, 10 MB in one text node. Such a
    # page was said to hold no text (cold reviews 29 and 31). Word's "save as web page" nests a table a dozen deep.
    limit = next((e for e in parser.error_log if e.type_name == "ERR_RESOURCE_LIMIT"), None)
    if limit is not None:
        depth = re.search(r"depth in document: (\d+)", limit.message)
        what_zh, what_en = ((f"元素嵌套超过 {depth[1]} 层", f"the elements nest more than {depth[1]} deep") if depth
                            else ("一段文字或一个标记超过 10 MB", "one text or tag is longer than 10 MB"))
        raise SourceError(path, f"第 {limit.line} 行起{what_zh}，HTML 解析器不再往下读，其中的文字读不到：请另存为 "
                                f"Word 或纯文本后重试 / from line {limit.line} {what_en}, past which the HTML parser "
                                "reads nothing, so the text cannot be read: save the page as Word or plain text and "
                                "try again", line=limit.line)
    body = document.find("body")
    layout = _Layout(path, style_sheet(document))
    yield from layout.walk(body if body is not None else document)
    yield from layout.flush()
