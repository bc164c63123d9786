"""PDF → rows: each table row one line of cells, each line of text outside tables one line.

PDFium (pypdfium2, the engine of Chrome's PDF viewer) reads each page: its characters with their boxes, and the
straight segments of its drawn paths (etl/readers/pdf_page.py). pdfplumber's table finder (the Nurminen/Tabula
method, given those segments as its edges) finds the tables by their ruling lines; every character is put in the
table cell (or the page text) its centre falls in. Until session 24 pdfplumber read the pages too, through
pdfminer, which is pure Python: the bundled documents as PDF took 22.2 s, 4.7 s with PDFium, in the same run. The
same tables and rows; 19 of their 1,896 rows differ, in white space only (a space PDFium sees where LibreOffice
left room for one, or not), and the graphs are the same but for white space (tests/test_formats.py).

Inside a cell, the PDF has only visual lines: a line that stops where the next line's first word would not have
fitted is a wrap, joined to the next without a break; a line that stops short ends a paragraph (a `<p>` of the
text extractions) and keeps its line break. Text outside tables is one line per visual line; a PDF has no blank
lines. A table row broken over two pages is two rows, the second with an empty 序号: the parser's
page-break continuation joins them. Location: `page=P&table=T&row=R` (T counts the page's tables,
R the rows of that table on that page, 1-based) or `page=P&line=N` for text outside tables; the
page is the PDF page (`#page=P` of RFC 8118 names it).
"""

from __future__ import annotations

import bisect
import re
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfplumber.table import (
    Table,
    TableSettings,
    cells_to_tables,
    edges_to_intersections,
    intersections_to_cells,
    merge_edges,
)
from pdfplumber.utils import filter_edges

from luzhi.etl.readers.location import Row, at
from luzhi.etl.readers.pdf_page import CHECK_EVERY, page_chars, page_edges
from luzhi.etl.readers.time_limit import Deadline, TimeUp
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
        ordered = sorted(self.chars, key=lambda c: c["x0"])
        for char, following in zip(ordered, [*ordered[1:], None], strict=True):
            if char["text"] == " " and following is not None and following["x0"] < char["x1"] - 0.1 * char["size"]:
                # A space over a character drawn later in the page's stream (LibreOffice draws a CJK font's “ ” in
                # a run of their own): the gap it filled was that character's (cold review 32: 和 “三重一大 ”决策).
                continue
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


# pdfplumber's defaults: edges within 3 pt snapped and joined, crossings within 3 pt, edges of 3 pt or more.
_SETTINGS = TableSettings.resolve(None)
# Its table finder takes time with the square of a page's crossings of ruling lines (every crossing looks at every
# later one): 10,000 take ~3 s, and a 68 kB page of 1,500 by 1,500 lines held a validation for its whole minute
# (cold review). Crossings are found by trying every vertical edge against every horizontal one, bounded first.
# The bundled documents as PDF have at most 628 crossings and 14,444 pairs of edges a page.
MAX_EDGE_PAIRS = 250_000
MAX_CROSSINGS = 10_000
_TOO_MANY_LINES = ("第 {page} 页画有{zh}，远多于一份清单的表格：这页可能是底纹或图案，而不是表格。"
                   "请导出为 Word（.docx）后再试 / page {page} draws {en}, far more than a list's tables have: "
                   "it may be a pattern rather than a table. Export the document to Word (.docx) and try again")


def _tables(edges: tuple[list[dict], list[dict]], number: int, path: str) -> list[Table]:
    """pdfplumber's tables (`bbox`, `rows` of cell boxes) over the page's ruling edges: its "lines" strategy, run
    step by step on the edges PDFium read, so that a page of too many lines is refused before the steps that would
    take minutes on it (a SourceError naming the file and the page)."""
    vertical, horizontal = (filter_edges(merge_edges(side, _SETTINGS.snap_x_tolerance, _SETTINGS.snap_y_tolerance,
                                                     _SETTINGS.join_x_tolerance, _SETTINGS.join_y_tolerance),
                                         min_length=_SETTINGS.edge_min_length) for side in edges)
    pairs = len(vertical) * len(horizontal)
    if pairs > MAX_EDGE_PAIRS:
        raise SourceError(path, _TOO_MANY_LINES.format(
            page=number, zh=f" {len(vertical):,} 条竖线、{len(horizontal):,} 条横线，要两两比对 {pairs:,} 次（上限 "
            f"{MAX_EDGE_PAIRS:,} 次）", en=f"{len(vertical):,} vertical and {len(horizontal):,} horizontal ruling "
            f"lines, {pairs:,} pairs to try (the limit is {MAX_EDGE_PAIRS:,})"))
    crossings = edges_to_intersections(vertical + horizontal, _SETTINGS.intersection_x_tolerance,
                                       _SETTINGS.intersection_y_tolerance)
    if len(crossings) > MAX_CROSSINGS:
        raise SourceError(path, _TOO_MANY_LINES.format(
            page=number, zh=f" {len(crossings):,} 处表格线交叉（上限 {MAX_CROSSINGS:,} 处）",
            en=f"{len(crossings):,} crossings of ruling lines (the limit is {MAX_CROSSINGS:,})"))
    return [Table(None, cells) for cells in cells_to_tables(intersections_to_cells(crossings))]


def _page_rows(page: pdfium.PdfPage, number: int, path: str, deadline: Deadline) -> Iterator[tuple[float, Row]]:
    top_y = page.get_mediabox()[3]
    tables = _tables(page_edges(page, top_y, deadline), number, path)
    boxes = []  # per table: row tops, rows' cell boxes
    for table in tables:
        rows = [row for row in table.rows if any(cell is not None for cell in row.cells)]
        boxes.append((table.bbox, [row.bbox[1] for row in rows], rows))
    cell_chars: dict[tuple[int, int, int], list[dict]] = {}
    outside: list[dict] = []
    for n, char in enumerate(page_chars(page, top_y, deadline)):
        if n % CHECK_EVERY == 0:
            deadline.check()
        if not char["upright"]:
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
            deadline.check()
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
# are counted, whichever is more. Measured here: the bundled documents as PDF (LibreOffice's output, 5–7 pages)
# take 0.7–1.1 s to read on a quiet machine (pdfminer took 10–17 s at load average 10), under 0.2 s a page.
PDF_SECONDS = 120.0
PAGE_SECONDS = 10.0
_TOO_SLOW = ("读取这份 PDF 超过了 {seconds:g} 秒的时限，已停止，没有载入任何内容：文件可能已损坏或结构异常（例如开头是 "
             "%PDF-，其后却不是 PDF 的内容）。请用 PDF 阅读器重新另存，或导出为 Word（.docx）后再试 / reading this PDF "
             "took longer than the {seconds:g}-second limit and was stopped; nothing was loaded. The file may be "
             "damaged or unusually built (it starts with %PDF- but what follows is no PDF's content, for one): "
             "save it again from a PDF reader, or export it to Word (.docx), and try again")


_PASSWORD = ("这份 PDF 设有打开密码，无法读取：请用 PDF 阅读器另存一份不加密的副本，或导出为 Word（.docx）后再试 / "
             "this PDF is password-protected and cannot be read: save a copy without the password from a PDF reader, "
             "or export it to Word (.docx), and try again")


def read_pdf(data: bytes, path: str, seconds: float = PDF_SECONDS, page_seconds: float = PAGE_SECONDS,
             ) -> Iterator[Row]:
    """The rows of a PDF, all read within `seconds`, or `page_seconds` a page if that is more (else a `SourceError`
    naming the file: nothing of it is read). Read whole before the first is yielded, so that the time limit never
    outlives the reading."""
    try:
        deadline = Deadline(seconds)
        rows = _read_rows(data, path, deadline, page_seconds)
    except TimeUp:
        raise SourceError(path, _TOO_SLOW.format(seconds=deadline.seconds)) from None
    except MemoryError as error:
        # What the reader held (a page's characters) is still held by the error's frames: freed here, or every
        # clean-up on the way up (the submission's temporary folder) ran out of memory in turn (cold review 25).
        traceback.clear_frames(error.__traceback__)
        raise
    yield from rows


# PDFium is not thread-safe (pypdfium2's documentation): one document at a time in a process. Each build worker and
# /validate's child is a process of its own; the lock is for a program that reads PDFs on threads.
_PDFIUM = threading.Lock()


def _read_rows(data: bytes, path: str, deadline: Deadline, page_seconds: float) -> list[Row]:
    # PDFium refuses a malformed file on opening it or a page (PdfiumError: "Data format error", "Incorrect
    # password"); the time limit (a BaseException) passes through, between PDFium's calls.
    read: list[Row] = []
    with _PDFIUM, opening(path, " PDF 文件", "PDF file", told=(pdfium.PdfiumError,)):
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as error:
            if error.err_code == pdfium_c.FPDF_ERR_PASSWORD:  # PDFium's words, "Incorrect password error", said
                raise SourceError(path, _PASSWORD) from None  # nothing of a file that has no password (cold review)
            raise
        try:
            deadline.extend(page_seconds * len(document))
            for number in range(1, len(document) + 1):
                deadline.check()
                page = document[number - 1]
                try:
                    rows = _page_rows(page, number, path, deadline)
                    read.extend(row for _, row in sorted(rows, key=lambda item: item[0]))
                finally:
                    page.close()
        finally:
            document.close()
    return read
