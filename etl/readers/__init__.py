"""A published document, whatever its format → numbered lines of tab-separated cells.

Townships publish their lists as Word, Excel, PDF, web pages and text (portals also as CSV) (DESIGN.md §3). Each reader
turns its format into the structure the parser reads (`etl.rows`): one line per paragraph or table
row, a row's cells joined by tabs, a cell's paragraphs by line breaks. The parser never knows which
format a line came from, so every format is read by the same rules (docs/parsing.md).

A line of a text file is where it came from; a line of any other format carries a `Location` in
the original file (PDF: page, table and row; Word: table and row, or paragraph; Excel: sheet and
row; CSV: record; HTML: table and row, or block), and an item's provenance fragment is built from the
locations of its first and last line (`ReadDocument.fragment`).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from io import BytesIO
from pathlib import Path

from luzhi.etl.model import Issue, SourceLine
from luzhi.etl.readers.delimited import read_csv
from luzhi.etl.readers.excel import read_xlsx
from luzhi.etl.readers.location import Location, Row, at
from luzhi.etl.readers.pdf import read_pdf
from luzhi.etl.readers.sniff import UNREADABLE, sniff, unreadable_message
from luzhi.etl.readers.web import read_html
from luzhi.etl.readers.word import read_docx
from luzhi.etl.source import MAX_FILE_BYTES, SourceError, decode_source, too_large
from luzhi.etl.text import drop_invisible
from luzhi.ontology.places import place_words

__all__ = ["DOCUMENT_SUFFIXES", "FORMATS", "Location", "ReadDocument", "Row", "read_document", "suffix_for"]


@dataclass(frozen=True)
class ReadDocument:
    lines: tuple[SourceLine, ...]
    media_type: str
    locations: tuple[Location, ...] = ()  # one per line; empty for text, whose lines are the locations
    # Word and Excel tables: a row is the row its author made, never a page's half of one (etl/items.py)
    whole_rows: bool = False
    # What the reader left out on purpose, said with the document's issues (Excel: a hidden sheet or row)
    notices: tuple[Issue, ...] = ()

    def where(self, lineno: int) -> str:
        """A line as a person finds it in the original file (for error messages)."""
        if not self.locations or not 1 <= lineno <= len(self.locations):
            return f"第 {lineno} 行"
        return self.locations[lineno - 1].fragment()

    def fragments(self) -> tuple[str, ...]:
        return tuple(location.fragment() for location in self.locations)


# The most lines (paragraphs, table rows, lines of a text) a file may give. A list has a few hundred
# to a few thousand (the samples: 353-608); each line costs the pipeline about 600 bytes and 35 µs, so 20 MB
# of empty Word paragraphs (3.5 million lines, a 35 KB download) took 124 s and 2 GB before it said "no text"
# (cold review).
MAX_LINES = 100_000
# The largest text, CSV or web page read (any file: etl.source.MAX_FILE_BYTES). Text is all list: the samples are
# 130-190 kB, so this is a hundredfold margin; a Word file or a PDF carries images and fonts besides.
MAX_TEXT_BYTES = 16 * 2**20
_TEXT_FORMATS = frozenset({".csv", ".html", ".htm"})


def _too_many_lines(location: Location) -> str:
    """The refusal of a file over MAX_LINES, naming where the limit was passed (the sheet of a workbook: one
    sheet of 100,000 rows among small ones is found at once, cold review 21)."""
    fragment = location.fragment()
    zh, en = place_words(fragment)
    return (f"文件超过 {MAX_LINES} 行（段落或表格行，在{zh}处超出），一份清单通常只有几百到几千行"
            "（多出来的多半是空段落或空行）：请删去多余的空段落或空行，或把文档拆成几个文件后再试 / the file has more "
            f"than {MAX_LINES:,} lines (paragraphs or table rows; the limit is passed at {en}), where a list has a "
            "few hundred to a few thousand (the rest is most likely empty paragraphs or rows): delete them, or split "
            "the document into several files, and try again")


def _lines(path: str, rows: Iterable[Row | Issue]) -> tuple[tuple[SourceLine, ...], tuple[Location, ...],
                                                           tuple[Issue, ...]]:
    lines, locations, notices = [], [], []
    for row in rows:
        if isinstance(row, Issue):
            notices.append(row)
            continue
        cells, location = row
        if len(lines) == MAX_LINES:
            raise SourceError(path, _too_many_lines(location))
        # A tab inside a cell would make a new cell; a line break inside a one-cell line (a
        # paragraph's soft break) would not be one line any more for the title rules.
        cleaned = tuple(drop_invisible(cell).replace("\t", " ") for cell in cells)
        if len(cleaned) == 1:
            cleaned = (cleaned[0].replace("\n", " "),)
        lines.append(SourceLine(path=path, lineno=len(lines) + 1, text="\t".join(cleaned)))
        locations.append(location)
    return tuple(lines), tuple(locations), tuple(notices)


# suffix → (media type, reader)
FORMATS: dict[str, tuple[str, Callable[[bytes, str], Iterable[Row | Issue]]]] = {
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", read_docx),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", read_xlsx),
    ".csv": ("text/csv", read_csv),
    ".pdf": ("application/pdf", read_pdf),
    ".html": ("text/html", read_html),
    ".htm": ("text/html", read_html),
}


# The files a folder given to `luzhi build` or `luzhi validate` stands for: those a reader reads, text (.txt), and
# the formats no reader reads, so that they are refused by name rather than passed over (.doc, .wps …).
DOCUMENT_SUFFIXES = frozenset({*FORMATS, ".txt", *(kind for kind in UNREADABLE if kind.startswith("."))})


def suffix_for(media_type: str) -> str | None:
    """The extension whose reader reads `media_type` (`text/csv` → `.csv`): a document sent without a file name,
    as a raw `POST /validate` body with its Content-Type, is read as the file of that name would be."""
    return next((suffix for suffix, (media, _reader) in FORMATS.items() if media == media_type), None)


# A real list is a few MB unpacked (sample 000 as .docx: under 1 MB); a zip bomb of 900 KB unpacked to
# 800 MB and surfaced as "MemoryError: Unable to allocate output buffer" (cold review 2026-11-30).
MAX_UNPACKED_BYTES = 200 * 2**20


def _check_expansion(data: bytes, name: str) -> None:
    """Refuse a Word/Excel archive whose members unpack past MAX_UNPACKED_BYTES, before any reader unpacks it.

    The archive's declared sizes are not trusted: zipfile cuts a member at its declared size only after
    inflating it whole, so a member declaring 1,000 bytes that inflated to 1.5 GB took 2.2 GB of memory
    (cold review). Each member is inflated here a megabyte at a time and the bytes it really gives counted,
    stopping at the limit; a member whose size is not the one declared is refused as a damaged archive."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        members = archive.infolist()
    except zipfile.BadZipFile:
        return  # the reader names what is wrong with it
    unpacked = 0
    for member in members:
        size = _inflated_size(data, member, MAX_UNPACKED_BYTES - unpacked)
        if size is None or unpacked + size > MAX_UNPACKED_BYTES:
            limit_mb = MAX_UNPACKED_BYTES // 2**20
            raise SourceError(name, f"文件解压后超过 {limit_mb} MB 的上限（可能是压缩炸弹）/ unpacks to more than the "
                                    f"{limit_mb} MB limit (a zip bomb?)")
        if size != member.file_size:
            raise SourceError(name, f"压缩包已损坏：{member.filename} 解压后的大小与包内记录的不符 / the archive is "
                                    f"damaged: {member.filename} does not unpack to the size the archive declares")
        unpacked += size


_CHUNK = 2**20


def _inflated_size(data: bytes, member: zipfile.ZipInfo, limit: int) -> int | None:
    """The bytes `member` really unpacks to, or None past `limit`; its declared size for a method other than
    stored or deflated (Word and Excel write these two) and for a member this cannot find or inflate (the
    reader then names the damage)."""
    declared = member.file_size if member.file_size <= limit else None
    if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return declared
    header = data[member.header_offset : member.header_offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        return declared
    name_length, extra_length = int.from_bytes(header[26:28], "little"), int.from_bytes(header[28:30], "little")
    start = member.header_offset + 30 + name_length + extra_length
    compressed = memoryview(data)[start : start + member.compress_size]
    if member.compress_type == zipfile.ZIP_STORED:
        return len(compressed) if len(compressed) <= limit else None
    inflater, size = zlib.decompressobj(-zlib.MAX_WBITS), 0
    try:
        for at in range(0, len(compressed), _CHUNK):
            pending = compressed[at : at + _CHUNK]
            while pending:
                size += len(inflater.decompress(pending, _CHUNK))
                if size > limit:
                    return None
                pending = inflater.unconsumed_tail
        size += len(inflater.flush())
    except zlib.error:
        return declared
    return size if size <= limit else None


def read_document(data: bytes, path: str | Path) -> ReadDocument:
    """Read a document in any supported format; raises SourceError naming the file otherwise.

    The format is what the bytes say it is (etl/readers/sniff.py), else what the name says; a file that is
    something no reader reads is refused saying what it really is."""
    name = str(path)
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(name, too_large(MAX_FILE_BYTES))
    suffix = Path(name).suffix.lower()
    sniffed = sniff(data, suffix)
    kind = sniffed or suffix
    if kind in UNREADABLE:
        raise SourceError(name, unreadable_message(kind, suffix))
    if kind == ".pdf" and sniffed is None:  # no PDF reader should search such bytes for objects (pdfminer: 4 MB, 6 s)
        raise SourceError(name, "不是 PDF 文件：文件开头没有 %PDF- 标记 / not a PDF file: it does not start with "
                                "the %PDF- marker")
    if (kind not in FORMATS or kind in _TEXT_FORMATS) and len(data) > MAX_TEXT_BYTES:
        raise SourceError(name, too_large(MAX_TEXT_BYTES))
    if kind not in FORMATS:
        text_lines = decode_source(data, name)
        if len(text_lines) > MAX_LINES:
            raise SourceError(name, _too_many_lines(at(line=MAX_LINES + 1)))
        return ReadDocument(tuple(replace(line, text=drop_invisible(line.text)) for line in text_lines), "text/plain")
    media_type, reader = FORMATS[kind]
    if kind in (".docx", ".xlsx"):
        _check_expansion(data, name)
    lines, locations, notices = _lines(name, reader(data, name))
    if not any(line.text.strip() for line in lines):
        raise SourceError(name, "文件中没有任何文字（扫描件或空文档？） / the file holds no text (a scan, or an empty "
                                "document?)")
    return ReadDocument(lines, media_type, locations, whole_rows=kind in (".docx", ".xlsx"), notices=notices)
