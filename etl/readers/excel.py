"""Excel (.xlsx) → rows: every row of every visible sheet that holds text, in order, one line of cells.

Values are written as a reader sees them: a whole number stored as 1.0 is `1` (a 序号 column), a
date is its ISO date. A merged range is read as the Word reader reads a merged cell (python-docx): its
value in every row it spans, in its first column only (`A3:A5` holding 党的建设 gives 党的建设 in A3, A4
and A5; a title merged across `A1:F1` stays one cell). Excel shows the range's first cell over all of it, so
a row under a vertically merged 对应上级部门 has those departments as much as the first row does; before,
the row read empty there and its duty was refused for naming no department, while the same table in Word
loaded (cold review 18). Trailing empty cells are dropped. Location: `sheet=NAME&row=R` (R as Excel numbers
rows; compare RFC 7111's `row=` for CSV).

Only what the sheet's XML holds is read, cell by cell: openpyxl's `iter_rows` pads every row to the sheet's
declared size, so one formatted or empty-string cell at XFD1 made each of 10,000 rows 16,384 cells (54 s), and
one at A1048576 made a million rows of nothing, refused as too long (cold review 21). A run of empty rows is
one blank line (the parser's page break); a cell without text is nothing. What the reader does not show is not
read, and is said (`Issue`s among the rows, reported with the document's issues): a hidden or very hidden
sheet, a hidden row (cold review 21: both were loaded as duties).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from io import BytesIO
from urllib.parse import quote
from xml.etree.ElementTree import ParseError

from lxml import etree
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet._reader import WorkSheetParser

from luzhi.etl.model import Issue
from luzhi.etl.readers.hidden import hidden_rows
from luzhi.etl.readers.location import Row, at
from luzhi.etl.readers.unreadable import opening
from luzhi.etl.source import SourceError

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_HIDDEN = ("1", "true")  # xsd:boolean, as a <row hidden=…> attribute is written


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.date().isoformat() if isinstance(value, datetime.datetime) else value.isoformat()
    return str(value)


def _merged_ranges(sheet, path: str) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges as (first column, first row, last column, last row), 1-based.

    A read-only worksheet (openpyxl streams the rows, and a workbook is read in bounded memory) does not give
    them, and they come after the rows in the sheet's XML: this reads them first, streaming the XML once
    more and dropping each row as it passes (about as long again as reading the values)."""
    ranges = []
    with sheet._get_source() as source:  # openpyxl's own reader opens the sheet's part this way
        try:
            for _, element in etree.iterparse(source, events=("end",), resolve_entities=False, no_network=True):
                if element.tag == f"{_MAIN}mergeCell":
                    ranges.append(range_boundaries(element.get("ref") or ""))
                elif element.tag == f"{_MAIN}row":
                    element.clear()
                    while element.getprevious() is not None:
                        del element.getparent()[0]
        except (etree.XMLSyntaxError, ValueError, TypeError) as error:
            raise SourceError(path, f"工作表“{sheet.title}”的合并单元格无法读取 / the merged cells of sheet "
                                    f"“{sheet.title}” cannot be read: {error}") from None
    return [bounds for bounds in ranges if None not in bounds]


def _written_rows(sheet) -> Iterator[tuple[int, dict[int, str], bool]]:
    """(row number, {column: text}, hidden) of each row the sheet's XML writes, its cells without text left out.

    openpyxl's own streaming parser, as its read-only worksheet runs it (`ReadOnlyWorksheet._cells_by_row`), but
    without the padding to the declared dimension; the row's attributes (`hidden`) are in `row_dimensions` as
    the row passes, and dropped there once read, so memory stays bounded."""
    book = sheet.parent
    with sheet._get_source() as source:
        parser = WorkSheetParser(source, sheet._shared_strings, data_only=book.data_only, epoch=book.epoch,
                                 date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
        for number, cells in parser.parse():
            attributes = parser.row_dimensions.pop(str(number), {})
            texts = {cell["column"]: text for cell in cells if (text := _text(cell["value"]))}
            yield number, texts, attributes.get("hidden") in _HIDDEN


def _sheet_rows(sheet, path: str) -> Iterator[tuple[int, list[str], bool]]:
    """(row number, cells, hidden) of each row written in the sheet, each merged range's value given to every
    row it spans, in its first column. Costs what the cells written cost: a range reaching XFD or row 1048576
    touches only the cells there are."""
    ranges = sorted(_merged_ranges(sheet, path), key=lambda bounds: bounds[1])
    started = 0  # ranges[:started] start above the row read
    running: list[tuple[int, int, int, str]] = []  # (first column, last column, last row, value)
    for number, texts, hidden in _written_rows(sheet):
        running = [span for span in running if span[2] >= number]
        while started < len(ranges) and ranges[started][1] <= number:
            first, top, last, bottom = ranges[started]
            started += 1
            if bottom >= number:  # a range whose first row the XML does not write shows nothing
                running.append((first, last, bottom, texts.get(first, "") if top == number else ""))
        for first, last, _bottom, value in running:
            # What Excel shows: the first cell's value; what other cells of the range may still hold, it hides.
            for column in [column for column in texts if first < column <= last]:
                del texts[column]
            if value:
                texts[first] = value
            else:
                texts.pop(first, None)
        width = max((column for column, text in texts.items() if text.strip()), default=0)
        yield number, [texts.get(column, "") for column in range(1, width + 1)], hidden


def _has_text(sheet) -> bool:
    return any(any(text.strip() for text in texts.values()) for _number, texts, _hidden in _written_rows(sheet))


# A sheet's state (ECMA-376 ST_SheetState): a very hidden sheet is not in Excel's Unhide list (only VBA shows it)
_STATES = {"hidden": ("隐藏", "hidden"), "veryHidden": ("深度隐藏（不在 Excel 的“取消隐藏”列表中）",
                                                       "very hidden (not in Excel's Unhide list)")}


def _hidden_sheet(title: str, state: str) -> Issue:
    zh, en = _STATES.get(state, (state, state))
    return Issue("hidden-sheet-skipped", f"工作表“{title}”是{zh}的，未读入；若其中有要载入的事项，请取消隐藏后再试",
                 message_en=f"sheet “{title}” is {en} and was not read; if it holds duties to load, unhide it and "
                 "try again")


def _from_tables(rows: Iterator[tuple[int, list[str], bool]]) -> Iterator[tuple[int, list[str], bool]]:
    """The rows from the column where the sheet's tables start: the first column with text of its first shown row
    of two cells or more (its first header), each row of one cell from that cell.

    A sheet may leave column A empty as a margin, or hold its title in A and its tables from B (cold review 32: the
    title was a table row before any header, or the header's first column "blank, no known column", refused). The
    rows before that first table row are held until it comes (a title, a blank line or two). A table further left
    than the first gives its rows from their first cells."""
    held: list[tuple[int, list[str], bool]] = []
    left: int | None = None
    for number, cells, hidden in rows:
        filled = [i for i, cell in enumerate(cells) if cell.strip()]
        if left is None and not hidden and len(filled) > 1:
            left = filled[0]
            yield from ((n, c[min(_first(c), left):], h) for n, c, h in held)
            held.clear()
        if left is None:
            held.append((number, cells, hidden))
        else:
            yield number, cells[min(filled[0], left) if filled else 0:], hidden
    yield from held


def _first(cells: list[str]) -> int:
    return next((i for i, cell in enumerate(cells) if cell.strip()), 0)


def _visible_rows(sheet, path: str) -> Iterator[Row | Issue]:
    """A visible sheet's rows with text, from where its tables start (`_from_tables`); an empty row, or a run of
    them, between two is one blank line (the parser's page break); then the sheet's hidden rows with text, said."""
    hidden: list[int] = []
    gap: int | None = None  # the first empty row since the last row given (a hidden row is none: it is not seen)
    given, previous = False, 0  # a row was given; the last row read
    for number, cells, is_hidden in _from_tables(_sheet_rows(sheet, path)):
        if number > previous + 1 and gap is None:
            gap = previous + 1  # rows the XML does not write are empty
        previous = number
        if is_hidden:
            hidden += [number] if cells else []
        elif not cells:
            gap = number if gap is None else gap
        else:
            if given and gap is not None:
                yield ("",), at(sheet=quote(sheet.title), row=gap)
            yield tuple(cells), at(sheet=quote(sheet.title), row=number)
            given, gap = True, None
    if hidden:
        yield hidden_rows((f"工作表“{sheet.title}”", f"sheet “{sheet.title}”"), hidden, (" Excel ", "Excel"))


def read_xlsx(data: bytes, path: str) -> Iterator[Row | Issue]:
    # A malformed package fails however it fails, on opening or, the sheets streamed, on reading a cell (a
    # number `abc`, a shared string past the table's end): etl/readers/unreadable.py.
    # openpyxl's own parser (expat) says where a part is malformed: an entity the part's DTD takes from outside
    # the file (`SYSTEM`), never read, is "undefined entity &x;: line 1, column 717" (cold review 31: unsaid before).
    unreadable = (path, " Excel（.xlsx）文件", "Excel (.xlsx) file", (ParseError,))
    with opening(*unreadable):
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    try:
        with opening(*unreadable):
            for sheet in workbook.worksheets:
                if sheet.sheet_state != "visible":
                    if _has_text(sheet):
                        yield _hidden_sheet(sheet.title, sheet.sheet_state)
                    continue
                yield from _visible_rows(sheet, path)
    finally:
        workbook.close()
