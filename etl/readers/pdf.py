"""PDF → rows: each table row one line of cells, each line of text outside tables one line.

pdfplumber finds the tables of each page by their ruling lines; every character is put in the
table cell (or the page text) its centre falls in. Inside a cell, the PDF has only visual lines:
a line that stops where the next line's first word would not have fitted is a wrap, joined to the
next without a break; a line that stops short ends a paragraph (a `<p>` of the text extractions)
and keeps its line break. Text outside tables is one line per visual line; a PDF has no blank
lines. A table row broken over two pages is two rows, the second with an empty 序号: the parser's
page-break continuation joins them. Location: `page=P&table=T&row=R` (T counts the page's tables,
R the rows of that table on that page, 1-based) or `page=P&line=N` for text outside tables; the
page is the PDF page (`#page=P` of RFC 8118 names it).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO

import pdfplumber
from pdfminer.psexceptions import PSException

from luzhi.etl.readers.location import Row, at
from luzhi.etl.readers.time_limit import Deadline, TimeUp, time_limit
from luzhi.etl.readers.unreadable import opening
from luzhi.etl.source import SourceError


@dataclass
class _Line:
    chars: list[dict] = field(default_factory=list)

    @property
    def top(self) -> float:
        return self.chars[0]["top"]

    def text(self) -> str:
        parts: list[str] = []
        previous = None
        for char in sorted(self.chars, key=lambda c: c["x0"]):
            # A PDF may position words without space glyphs: a gap wider than half a character is one.
            if (
                previous is not None
                and char["x0"] - previous["x1"] > 0.5 * char["size"]
                and " "
                not in (
                    char["text"],
                    previous["text"],
                )
            ):
                parts.append(" ")
            parts.append(char["text"])
            previous = char
        return "".join(parts)

    def inked(self) -> list[dict]:
        return sorted((c for c in self.chars if c["text"].strip()), key=lambda c: c["x0"])


def _visual_lines(chars: list[dict]) -> list[_Line]:
    lines: list[_Line] = []
    for char in sorted(chars, key=lambda c: (round(c["top"], 1), c["x0"])):
        if lines and abs(char["top"] - lines[-1].top) < 0.5 * char["size"]:
            lines[-1].chars.append(char)
        else:
            lines.append(_Line([char]))
    return [line for line in lines if line.inked()]


# Line-breaking rules (kinsoku) move characters together: a closing mark may not begin a line and
# an opening mark may not end one, so `…搭建使` / `用，实现…` and `…工作：做` / `好“光荣…` wrapped
# although `用` or `好` alone would have fitted.
_NO_LINE_START = frozenset("，。、；：？！）」』”’》〉】〕,.;:?!)]}%")
_NO_LINE_END = frozenset("（《〈【〔「『([{")
_QUOTES = frozenset("“”‘’\"'")  # UAX #14 class QU: no break on either side (`做好“光荣` breaks before 好)


def _first_token_width(line: _Line) -> float:
    """The width of what would have had to fit at the end of the line above: a CJK character with
    the marks it may not be parted from, or a whole Latin word or number (wrapping moves words,
    not letters)."""
    inked = line.inked()
    first = end = inked[0]
    latin = first["text"].isascii() and first["text"].isalnum()
    for char in inked[1:]:
        if char["x0"] - end["x1"] > 0.2 * char["size"]:
            break
        text = char["text"]
        glued = end["text"] in _NO_LINE_END or text in _NO_LINE_START or _QUOTES & {text, end["text"]}
        if glued or (latin and text.isascii() and text.isalnum()):
            end = char
            continue
        break
    return end["x1"] - first["x0"]


_POINT_END = re.compile(r"(?:^|[^\d.])\d{1,2}[.．]$")  # a line ending in a point number `2.`
_POINT_START = re.compile(r"\d{1,2}[.．](?!\d)")  # a line starting with one
_AFTER_POINT = re.compile(r"(?:^|[^\d.\x00\x01])\d{1,2}[.．]([ ]?)(?=[^\s\d\x00])")
_BEFORE_POINT = re.compile(r"([^\x00\x01])(?<![\d.])(?=\d{1,2}[.．](?!\d))")
# A wrap where the PDF cannot say what was there: after a point number (`…实施； 2.` / `县财政局…`:
# `2. 县` or `2.县`?) or before one (`…需要；` / `4. 负责…`: a space, a line break, or nothing?).
_AFTER, _BEFORE = "\x00", "\x01"


def _decide(text: str) -> str:
    """Settle the unsure wraps by how the cell writes its other points (its own convention)."""
    if _AFTER in text:
        after = [match.group(1) for match in _AFTER_POINT.finditer(text)]
        text = text.replace(_AFTER, " " if after.count(" ") > after.count("") else "")
    if _BEFORE in text:
        before = [match.group(1) if match.group(1) in "\n " else "" for match in _BEFORE_POINT.finditer(text)]
        text = text.replace(_BEFORE, max(("", " ", "\n"), key=before.count) if before else "")
    return text


def _cell_text(chars: list[dict], left: float, right: float, leading_break: bool) -> str:
    lines = _visual_lines(chars)
    if not lines:
        return ""
    padding = min(line.inked()[0]["x0"] for line in lines) - left
    limit = right - max(padding, 0.0)
    parts = ["\n" if leading_break else "", lines[0].text()]
    for above, line in zip(lines, lines[1:], strict=False):
        gap, token = limit - above.inked()[-1]["x1"], _first_token_width(line)
        if gap >= token + 0.3 * line.inked()[0]["size"]:
            parts.append("\n")  # the next word would have fitted: the paragraph ended here
        elif _POINT_END.search(above.text()):
            parts.append(_AFTER)
        elif _POINT_START.match(line.text()) and not above.text()[-1:].isdigit():
            parts.append(_BEFORE)
        parts.append(line.text())
    return _decide("".join(parts))


def _lower(chars: list[dict], first: float) -> bool:
    return bool(chars) and min(char["top"] for char in chars) - first > 0.8 * chars[0]["size"]


def _first_line_tops(cells: list, chars: dict) -> list[float | None]:
    return [min((c["top"] for c in chars.get(i, ())), default=None) for i in range(len(cells))]


def _page_rows(page, number: int) -> Iterator[tuple[float, Row]]:
    tables = page.find_tables()
    boxes = []  # per table: row tops, rows' cell boxes
    for table in tables:
        rows = [row for row in table.rows if any(cell is not None for cell in row.cells)]
        boxes.append((table.bbox, [row.bbox[1] for row in rows], rows))
    cell_chars: dict[tuple[int, int, int], list[dict]] = {}
    outside: list[dict] = []
    for char in page.chars:
        if not char.get("upright", True):
            continue
        x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
        for t, ((x0, top, x1, bottom), tops, rows) in enumerate(boxes):
            if x0 <= x <= x1 and top <= y <= bottom:
                r = max(bisect.bisect_right(tops, y) - 1, 0)
                cells = rows[r].cells
                c = next((i for i, box in enumerate(cells) if box is not None and box[0] <= x <= box[2]), None)
                if c is not None:
                    cell_chars.setdefault((t, r, c), []).append(char)
                break
        else:
            outside.append(char)
    for t, (_, _, rows) in enumerate(boxes):
        for r, row in enumerate(rows):
            chars = {c: cell_chars.get((t, r, c), []) for c in range(len(row.cells))}
            tops = [top for top in _first_line_tops(row.cells, chars) if top is not None]
            # A cell whose text starts a line lower than the row's others begins with an empty
            # paragraph: a row continued from the page before starts a new paragraph there.
            first = min(tops, default=0.0)
            cells = tuple(
                "" if box is None else _cell_text(chars[c], box[0], box[2], leading_break=_lower(chars[c], first))
                for c, box in enumerate(row.cells)
            )
            yield row.bbox[1], (cells, at(page=number, table=t + 1, row=r + 1))
    for n, line in enumerate(_visual_lines(outside), start=1):
        yield line.top, ((line.text().strip(),), at(page=number, line=n))


# How long reading one PDF may take (etl/readers/time_limit.py): PDF_SECONDS, or PAGE_SECONDS a page once its pages
# are counted, whichever is more. Measured here (load average 10 on 2 cores): the bundled documents as PDF
# (LibreOffice's output, 5–7 pages) take 10–17 s to read, 2–2.5 s a page.
PDF_SECONDS = 120.0
PAGE_SECONDS = 10.0
_TOO_SLOW = ("读取这份 PDF 超过了 {seconds:g} 秒的时限，已停止，没有载入任何内容：文件可能已损坏或结构异常（例如开头是 "
             "%PDF-，其后却不是 PDF 的内容）。请用 PDF 阅读器重新另存，或导出为 Word（.docx）后再试 / reading this PDF "
             "took longer than the {seconds:g}-second limit and was stopped; nothing was loaded. The file may be "
             "damaged or unusually built (it starts with %PDF- but what follows is no PDF's content, for one): "
             "save it again from a PDF reader, or export it to Word (.docx), and try again")


def read_pdf(data: bytes, path: str, seconds: float = PDF_SECONDS, page_seconds: float = PAGE_SECONDS,
             ) -> Iterator[Row]:
    """The rows of a PDF, all read within `seconds`, or `page_seconds` a page if that is more (else a `SourceError`
    naming the file: nothing of it is read). Read whole before the first is yielded, so that the time limit never
    outlives the reading."""
    try:
        with time_limit(seconds) as deadline:
            rows = _read_rows(data, path, deadline, page_seconds)
    except TimeUp:
        raise SourceError(path, _TOO_SLOW.format(seconds=deadline.seconds)) from None
    yield from rows


def _read_rows(data: bytes, path: str, deadline: Deadline, page_seconds: float) -> list[Row]:
    # pdfminer parses lazily: a broken xref or object can fail on opening, on counting the pages or on reading
    # one, with whatever it meets (etl/readers/unreadable.py); the time limit (a BaseException) passes through.
    read: list[Row] = []
    with opening(path, " PDF 文件", "PDF file", told=(PSException,)), \
            pdfplumber.open(BytesIO(data)) as document:
        deadline.extend(page_seconds * len(document.pages))
        for number, page in enumerate(document.pages, start=1):
            deadline.check()  # where no timer can be set (a thread), between pages at least
            read.extend(row for _, row in sorted(_page_rows(page, number), key=lambda item: item[0]))
            page.close()
    return read
