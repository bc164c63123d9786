"""Excel (.xlsx) → rows: every row of every sheet, in order, one line of cells.

Values are written as a reader sees them: a whole number stored as 1.0 is `1` (a 序号 column), a
date is its ISO date; a merged cell holds its value in its first cell only, as the text extractions
write it. Trailing empty cells are dropped. Location: `sheet=NAME&row=R` (R as Excel numbers rows;
compare RFC 7111's `row=` for CSV).
"""

from __future__ import annotations

import datetime
import zipfile
from collections.abc import Iterator
from io import BytesIO
from urllib.parse import quote

from openpyxl import load_workbook

from luzhi.etl.readers.location import Row, at
from luzhi.etl.source import SourceError


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.date().isoformat() if isinstance(value, datetime.datetime) else value.isoformat()
    return str(value)


def read_xlsx(data: bytes, path: str) -> Iterator[Row]:
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise SourceError(path, f"不是可读的 Excel（.xlsx）文件 / not a readable Excel (.xlsx) file: {error}") from None
    try:
        for sheet in workbook.worksheets:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_text(value) for value in values]
                while cells and not cells[-1].strip():
                    cells.pop()
                yield tuple(cells) or ("",), at(sheet=quote(sheet.title), row=number)
    finally:
        workbook.close()
