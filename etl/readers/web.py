"""HTML (a web page) → rows: each table row one line of cells, each block of text outside tables one line.

Parsed with lxml's HTML parser (it repairs what browsers repair: unclosed `<p>`, `<ol>` never
closed). Text is laid out as a browser does: runs of white space (source line breaks included)
are one space; block elements (p, div, li, br, h1–h6 …) break lines inside a cell. An empty
paragraph (`<p></p>`) is a blank line, the text extractions' page separator. Locations:
`table=T&row=R` (T counts the page's tables, R the rows of that table, 1-based) or `block=N`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import lxml.html
from lxml import etree

from luzhi.etl.readers.location import Row, at
from luzhi.etl.source import SourceError, decode_source

_BLOCK = frozenset(
    "p div li ol ul br tr table thead tbody tfoot h1 h2 h3 h4 h5 h6 blockquote section article "
    "header footer main nav aside hr dl dt dd pre caption figure form".split()
)
_SKIP = frozenset({"script", "style", "head", "title", "noscript", "template"})
_SPACE = re.compile(r"[ \t\r\n\f]+")


def _inline(parts: list[str]) -> str:
    return _SPACE.sub(" ", "".join(parts)).strip()


def _cell_text(cell: etree._Element) -> str:
    """A cell's text, its blocks on their own lines."""
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        lines.append(_inline(current))
        current.clear()

    def walk_inside(element: etree._Element) -> None:
        current.append(element.text or "")
        for child in element:
            walk(child)
            current.append(child.tail or "")

    def walk(element: etree._Element) -> None:
        if not isinstance(element.tag, str) or element.tag in _SKIP:
            return
        block = element.tag in _BLOCK
        if block:
            flush()
        walk_inside(element)
        if block:
            flush()

    walk_inside(cell)
    flush()
    text = "\n".join(line for line in lines if line)
    # A cell that starts with a block (`<td><p>6. …`) starts a new paragraph: kept as a leading
    # break, which matters when the row continues the one before (a page-break continuation).
    starts_with_block = not (cell.text or "").strip() and len(cell) and cell[0].tag in _BLOCK
    return "\n" + text if text and starts_with_block else text


class _Layout:
    """Walks the body in document order, yielding one row per table row or block of text."""

    def __init__(self) -> None:
        self.tables = 0
        self.blocks = 0
        self.inline: list[str] = []

    def flush(self, *, empty_block: bool = False) -> Iterator[Row]:
        text = _inline(self.inline)
        self.inline.clear()
        if text or empty_block:
            self.blocks += 1
            yield (text,), at(block=self.blocks)

    def walk(self, element: etree._Element) -> Iterator[Row]:
        if not isinstance(element.tag, str) or element.tag in _SKIP:
            return
        if element.tag == "table":
            yield from self.flush()
            yield from self.table(element)
            return
        block = element.tag in _BLOCK
        if block:
            yield from self.flush()
        self.inline.append(element.text or "")
        for child in element:
            yield from self.walk(child)
            self.inline.append(child.tail or "")
        if block:
            # <p></p> with nothing in it is a blank line, as in the text extractions; <br> is not
            empty = element.tag == "p" and not _inline(self.inline) and not len(element)
            yield from self.flush(empty_block=empty)

    def table(self, table: etree._Element) -> Iterator[Row]:
        self.tables += 1
        rows = [row for row in table.iter("tr") if next(row.iterancestors("table")) is table]
        for number, row in enumerate(rows, start=1):
            cells = [cell for cell in row if isinstance(cell.tag, str) and cell.tag in ("td", "th")]
            yield tuple(_cell_text(cell) for cell in cells), at(table=self.tables, row=number)


def read_html(data: bytes, path: str) -> Iterator[Row]:
    # The page's bytes are decoded by the text rules (UTF-8, GB18030, UTF-16), not by a <meta>
    # that may lie: a wrong guess would read garbage.
    text = "\n".join(line.text for line in decode_source(data, path))
    try:
        document = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as error:
        raise SourceError(path, f"不是可读的 HTML 文件 / not a readable HTML file: {error}") from None
    body = document.find("body")
    layout = _Layout()
    yield from layout.walk(body if body is not None else document)
    yield from layout.flush()
