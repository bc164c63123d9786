"""A published document, whatever its format → numbered lines of tab-separated cells.

Townships publish their lists as Word, Excel, PDF, web pages and text (DESIGN.md §3). Each reader
turns its format into the structure the parser reads (`etl.rows`): one line per paragraph or table
row, a row's cells joined by tabs, a cell's paragraphs by line breaks. The parser never knows which
format a line came from, so every format is read by the same rules (docs/parsing.md).

A line of a text file is where it came from; a line of any other format carries a `Location` in
the original file (PDF: page, table and row; Word: table and row, or paragraph; Excel: sheet and
row; HTML: table and row, or block), and an item's provenance fragment is built from the
locations of its first and last line (`ReadDocument.fragment`).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from luzhi.etl.model import SourceLine
from luzhi.etl.readers.excel import read_xlsx
from luzhi.etl.readers.location import Location, Row
from luzhi.etl.readers.pdf import read_pdf
from luzhi.etl.readers.web import read_html
from luzhi.etl.readers.word import read_docx
from luzhi.etl.source import SourceError, decode_source

__all__ = ["FORMATS", "Location", "ReadDocument", "Row", "read_document"]


@dataclass(frozen=True)
class ReadDocument:
    lines: tuple[SourceLine, ...]
    media_type: str
    locations: tuple[Location, ...] = ()  # one per line; empty for text, whose lines are the locations

    def where(self, lineno: int) -> str:
        """A line as a person finds it in the original file (for error messages)."""
        if not self.locations or not 1 <= lineno <= len(self.locations):
            return f"第 {lineno} 行"
        return self.locations[lineno - 1].fragment()

    def fragments(self) -> tuple[str, ...]:
        return tuple(location.fragment() for location in self.locations)


def _lines(path: str, rows: Iterable[Row]) -> tuple[tuple[SourceLine, ...], tuple[Location, ...]]:
    lines, locations = [], []
    for number, (cells, location) in enumerate(rows, start=1):
        # A tab inside a cell would make a new cell; a line break inside a one-cell line (a
        # paragraph's soft break) would not be one line any more for the title rules.
        cleaned = tuple(cell.replace("\t", " ") for cell in cells)
        if len(cleaned) == 1:
            cleaned = (cleaned[0].replace("\n", " "),)
        lines.append(SourceLine(path=path, lineno=number, text="\t".join(cleaned)))
        locations.append(location)
    return tuple(lines), tuple(locations)


# suffix → (media type, reader)
FORMATS: dict[str, tuple[str, Callable[[bytes, str], Iterable[Row]]]] = {
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", read_docx),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", read_xlsx),
    ".pdf": ("application/pdf", read_pdf),
    ".html": ("text/html", read_html),
    ".htm": ("text/html", read_html),
}
_REFUSED = {  # what the format is called, in Chinese and in English
    ".doc": ("旧版 Word（.doc）", "old Word (.doc)"),
    ".xls": ("旧版 Excel（.xls）", "old Excel (.xls)"),
    ".wps": ("WPS 文字（.wps）", "WPS Writer (.wps)"),
    ".et": ("WPS 表格（.et）", "WPS Spreadsheets (.et)"),
    ".ofd": ("OFD 版式文件", "OFD"),
}


def _sniff(data: bytes) -> str | None:
    """The format of a file whose name does not say it (a download saved as .txt or without suffix)."""
    if data.startswith(b"%PDF-"):
        return ".pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None
        return ".docx" if "word/document.xml" in names else ".xlsx" if "xl/workbook.xml" in names else None
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return ".html"
    return None


# A real list is a few MB unpacked (sample 000 as .docx: under 1 MB); a zip bomb of 900 KB unpacked to
# 800 MB and surfaced as "MemoryError: Unable to allocate output buffer" (cold review 2026-11-30).
MAX_UNPACKED_BYTES = 200 * 2**20


def _check_expansion(data: bytes, name: str) -> None:
    """Refuse a Word/Excel archive whose members would unpack past MAX_UNPACKED_BYTES, before unpacking.

    The sizes are the archive's own claims; zipfile stops reading a member at its declared size, so a
    member that lies cannot unpack further than what is counted here."""
    try:
        members = zipfile.ZipFile(BytesIO(data)).infolist()
    except zipfile.BadZipFile:
        return  # the reader names what is wrong with it
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise SourceError(name, f"文件解压后有 {unpacked // 2**20} MB，超过 {MAX_UNPACKED_BYTES // 2**20} MB 的上限"
                                f"（可能是压缩炸弹）/ unpacks to {unpacked // 2**20} MB, over the "
                                f"{MAX_UNPACKED_BYTES // 2**20} MB limit")


def read_document(data: bytes, path: str | Path) -> ReadDocument:
    """Read a document in any supported format; raises SourceError naming the file otherwise."""
    name = str(path)
    suffix = Path(name).suffix.lower()
    if suffix in _REFUSED:
        zh, en = _REFUSED[suffix]
        raise SourceError(name, f"不支持{zh}，请另存为 .docx、.xlsx、.pdf、.html 或文本文件 / {en} is not supported: "
                                "save the file as .docx, .xlsx, .pdf, .html or text")
    if suffix not in FORMATS:
        suffix = _sniff(data) or suffix
    if suffix not in FORMATS:
        return ReadDocument(tuple(decode_source(data, name)), "text/plain")
    media_type, reader = FORMATS[suffix]
    if suffix in (".docx", ".xlsx"):
        _check_expansion(data, name)
    lines, locations = _lines(name, reader(data, name))
    if not any(line.text.strip() for line in lines):
        raise SourceError(name, "文件中没有任何文字（扫描件或空文档？） / the file holds no text (a scan, or an empty "
                                "document?)")
    return ReadDocument(lines, media_type, locations)
