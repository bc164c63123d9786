"""Excel (.xlsx) → rows: every row of every sheet, in order, one line of cells.

Values are written as a reader sees them: a whole number stored as 1.0 is `1` (a 序号 column), a
date is its ISO date. A merged range is read as the Word reader reads a merged cell (python-docx): its
value in every row it spans, in its first column only (`A3:A5` holding 党的建设 gives 党的建设 in A3, A4
and A5; a title merged across `A1:F1` stays one cell). Excel shows the range's first cell over all of it, so
a row under a vertically merged 对应上级部门 has those departments as much as the first row does; before,
the row read empty there and its duty was refused for naming no department, while the same table in Word
loaded (cold review 18). Trailing empty cells are dropped. Location: `sheet=NAME&row=R` (R as Excel numbers
rows; compare RFC 7111's `row=` for CSV).
"""

from __future__ import annotations

import datetime
import zipfile
from collections.abc import Iterator
from io import BytesIO
from urllib.parse import quote

from lxml import etree
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from luzhi.etl.readers.location import Row, at
from luzhi.etl.source import SourceError

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


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


def _sheet_rows(sheet, path: str) -> Iterator[list[str]]:
    """The sheet's rows as texts, each merged range's value given to every row it spans, in its first column."""
    spans: dict[int, list[tuple[int, int, int, int]]] = {}  # row → the ranges starting there
    for bounds in _merged_ranges(sheet, path):
        spans.setdefault(bounds[1], []).append(bounds)
    running: list[tuple[int, int, int, str]] = []  # (first column, last column, last row, value)
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_text(value) for value in values]
        running = [span for span in running if span[2] >= number]
        for first, _top, last, bottom in spans.get(number, ()):
            running.append((first, last, bottom, cells[first - 1] if first <= len(cells) else ""))
        for first, last, _bottom, value in running:
            if len(cells) < last:
                cells.extend([""] * (last - len(cells)))
            # What Excel shows: the first cell's value; what other cells of the range may still hold, it hides.
            cells[first - 1:last] = [value] + [""] * (last - first)
        yield cells


def read_xlsx(data: bytes, path: str) -> Iterator[Row]:
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise SourceError(path, f"不是可读的 Excel（.xlsx）文件 / not a readable Excel (.xlsx) file: {error}") from None
    try:
        for sheet in workbook.worksheets:
            for number, cells in enumerate(_sheet_rows(sheet, path), start=1):
                while cells and not cells[-1].strip():
                    cells.pop()
                yield tuple(cells) or ("",), at(sheet=quote(sheet.title), row=number)
    finally:
        workbook.close()
