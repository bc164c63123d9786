"""CSV (.csv) → rows: each record one line of cells.

Open-data portals publish tables as CSV, and Excel's 另存为 CSV writes GB18030 in China unless told UTF-8:
decoded as a text source is (etl/source.py: UTF-8 with or without a BOM, else GB18030, the same refusals).
Quoting is RFC 4180's, as Excel writes it (a quote inside a quoted cell doubled); only the delimiter is
chosen, among comma, semicolon and tab, as the one that splits the most records. `csv.Sniffer` guessed the
quoting too and, where the only doubled quotes were in cells of several lines, cut those cells at their
first line break without a word (cold review). A quoted cell keeps its line breaks, as a Word cell does; a
quote left open at the end of the file (a download cut inside a cell) is refused, not read as a short cell.
Trailing empty cells are dropped. Location: `row=R`, records counted from 1 with the header (RFC 7111's `row=`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from luzhi.etl.readers.location import Row, at
from luzhi.etl.source import SourceError, decode_text

_SNIFFED_CHARS = 64 * 1024
_DELIMITERS = (",", ";", "\t")


def read_csv(data: bytes, path: str) -> Iterator[Row]:
    text = decode_text(data, path)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    number = 0
    try:
        for number, record in enumerate(records, start=1):
            cells = list(record)
            while cells and not cells[-1].strip():
                cells.pop()
            yield tuple(cells) or ("",), at(row=number)
    except csv.Error as error:  # a quote left open at the end, text after a closing quote, a cell past the size limit
        line, record = records.line_num, number + 1
        if str(error) == "unexpected end of data":
            zh = (f"文件在第 {line} 行（第 {record} 条记录）的一个带引号的单元格中结束："
                  "文件可能不完整（被截断），请对照原件补全")
            en = (f"the file ends inside a quoted cell at line {line} (record {record}): it may be cut short; "
                  "complete it from the original")
            raise SourceError(path, f"{zh} / {en}", line=line) from None
        raise SourceError(path, f"第 {line} 行（第 {record} 条记录）不是有效的 CSV：{error} / line {line} (record "
                                f"{record}) is not valid CSV: {error}", line=line) from None


def _delimiter(text: str) -> str:
    """The candidate that splits the most records of the file's start into more than one cell (comma on a tie)."""
    sample = text[:_SNIFFED_CHARS]  # may end inside a record: read leniently here

    def split_records(delimiter: str) -> int:
        return sum(len(record) > 1 for record in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))

    return max(_DELIMITERS, key=split_records)
