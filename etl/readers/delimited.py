"""CSV (.csv) → rows: each record one line of cells.

Open-data portals publish tables as CSV, and Excel's 另存为 CSV writes GB18030 in China unless told UTF-8:
decoded as a text source is (etl/source.py: UTF-8 with or without a BOM, else GB18030, the same refusals).
The delimiter is sniffed among comma, semicolon and tab (comma when the sample says nothing). A quoted cell may
hold line breaks (a cell of several paragraphs): they stay inside the cell, as a Word cell's do. Trailing
empty cells are dropped. Location: `row=R`, records counted from 1 with the header (RFC 7111's `row=`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from luzhi.etl.readers.location import Row, at
from luzhi.etl.source import SourceError, decode_text

_SNIFFED_CHARS = 64 * 1024


def read_csv(data: bytes, path: str) -> Iterator[Row]:
    text = decode_text(data, path)
    try:
        dialect = csv.Sniffer().sniff(text[:_SNIFFED_CHARS], delimiters=",;\t")
    except csv.Error:  # one column, or nothing to tell by
        dialect = csv.excel
    records = csv.reader(io.StringIO(text, newline=""), dialect)
    number = 0
    try:
        for number, record in enumerate(records, start=1):
            cells = list(record)
            while cells and not cells[-1].strip():
                cells.pop()
            yield tuple(cells) or ("",), at(row=number)
    except csv.Error as error:  # an unclosed quote running to the end, a cell past csv's field size limit
        raise SourceError(path, f"第 {records.line_num} 行（第 {number + 1} 条记录）不是有效的 CSV：{error} / line "
                                f"{records.line_num} (record {number + 1}) is not valid CSV: {error}",
                          line=records.line_num) from None
