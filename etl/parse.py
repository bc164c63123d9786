"""The parser's entry point: one source document → `ParsedDocument`.

source (bytes → numbered lines) → rows (what each line is) → items (tables, merges, counts,
issues). Each stage is a pure function over the previous one's records; this module only does the
IO at the edge (read the file once, hash it) and wires them together.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from openpyxl.utils.cell import get_column_letter

from luzhi.etl.cell_lines import Regrouped, regroup_cell_lines
from luzhi.etl.items import Assembled, assemble
from luzhi.etl.layout import Layout
from luzhi.etl.model import LineSpan, ParsedDocument, SourceLine
from luzhi.etl.readers import FORMATS, read_document
from luzhi.etl.rows import ParseError, RowKind, parse_rows
from luzhi.etl.source import SourceError, read_bytes, read_source
from luzhi.ontology.places import describe_place_bilingual

__all__ = ["ParseError", "SourceError", "key_bytes", "parse_document", "parse_bytes", "read_source",
           "unaccounted_lines"]

# Lines that are structure, not content: recognising them is accounting for them.
_STRUCTURE = frozenset(
    {
        RowKind.DOC_TITLE,
        RowKind.LIST_TITLE,
        RowKind.TOC,
        RowKind.FRONT_MATTER,
        RowKind.PAGE_NUMBER,
        RowKind.CONTINUED,
        RowKind.HEADER,
        RowKind.SUBHEADER,
        RowKind.HEADING,
        RowKind.SEPARATOR,
    }
)


def parse_document(path: str | Path, layout: Layout | None = None) -> ParsedDocument:
    """Parse one document; raises `SourceError` (unreadable file) or `ParseError` (unknown layout).
    `layout` is a layout profile (etl.layout) for what the parser cannot guess."""
    return parse_bytes(read_bytes(path), path, layout)


def key_bytes(path: str | Path) -> bytes:
    """What a build keys a document by (etl/stage.py `stage_key`): its bytes as `parse_document` reads them, or, for
    a file it refuses unread (a device, a pipe, one past the size limit), why. `luzhi build /dev/zero` hashed the
    device whole before the parse could refuse it, and grew to 24 GB (cold review 21)."""
    try:
        return read_bytes(path)
    except SourceError as error:
        return error.message.encode()


def _cell_name(place: str, column: int | None) -> str | None:
    """The Excel name of the cell in `column` of the row at `place` (`sheet=A&row=9`, column 3 → C9)."""
    parts = dict(part.partition("=")[::2] for part in place.split("&"))
    if column is None or "sheet" not in parts or not parts.get("row", "").isdigit():
        return None
    return f"{get_column_letter(column)}{parts['row']}" if column <= 16384 else None


def parse_bytes(data: bytes, path: str | Path, layout: Layout | None = None) -> ParsedDocument:
    """Parse a document already in memory; `path` names it in errors and provenance, and its suffix
    says its format (.docx, .xlsx, .csv, .pdf, .html; anything else is text, see etl.readers)."""
    name = str(path)
    read = read_document(data, name)
    regrouped = regroup_cell_lines(list(read.lines)) if not read.locations else None
    lines = regrouped.lines if regrouped is not None else read.lines
    try:
        result = assemble(parse_rows(lines, layout), name, whole_rows=read.whole_rows,
                          word=read.media_type == FORMATS[".docx"][0])
    except ParseError as error:
        if regrouped is not None:
            original = regrouped.original_span(LineSpan(error.lineno, error.lineno)).first
            raise ParseError(name, original, error.message) from None
        if not read.locations:
            raise
        # the line number of a Word/PDF/… file means nothing to a person: say where it is in it, in words
        place = read.where(error.lineno)
        words = describe_place_bilingual(place) or place
        cell = _cell_name(place, error.column)
        if cell and " / " in words:  # a sheet's cell, as Excel's Name Box names it: XFD1048576
            zh, en = words.split(" / ", 1)
            words = f"{zh} 单元格 {cell} / {en}, cell {cell}"
        raise ParseError(name, error.lineno, f"（{words}）{error.message}", place=place) from None
    if regrouped is not None:
        result = _remapped(result, regrouped)
    return ParsedDocument(
        path=name,
        sha256=hashlib.sha256(data).hexdigest(),
        title=result.title,
        title_lines=result.title_lines,
        items=result.items,
        category_counts=result.category_counts,
        issues=read.notices + result.issues,
        merged_rows=result.merged_rows,
        skipped_duplicate_pages=result.skipped_duplicate_pages,
        list_counts=result.list_counts,
        media_type=read.media_type,
        locations=read.fragments(),
        layout=layout,
        heading_lines=result.heading_lines,
    )


def _remapped(result: Assembled, regrouped: Regrouped) -> Assembled:
    """Every line span of a regrouped (one cell per line) document, back in the original lines."""
    span = regrouped.original_span
    return replace(
        result,
        title_lines=span(result.title_lines) if result.title_lines.last else result.title_lines,
        items=tuple(replace(item, lines=span(item.lines)) for item in result.items),
        issues=tuple(replace(i, lines=span(i.lines) if i.lines else None) for i in result.issues),
        skipped_duplicate_pages=tuple(span(s) for s in result.skipped_duplicate_pages),
        heading_lines=tuple(span(s) for s in result.heading_lines),
        list_counts=tuple(replace(c, lines=span(c.lines) if c.lines else None) for c in result.list_counts),
    )


def unaccounted_lines(doc: ParsedDocument, lines: list[SourceLine]) -> list[SourceLine]:
    """The non-blank lines of `lines` that `doc` neither built an item from, nor reported, nor
    skipped as a duplicated page, nor recognised as structure. Empty when nothing was dropped."""
    covered: set[int] = set()
    spans = [item.lines for item in doc.items]
    spans += [issue.lines for issue in doc.issues if issue.lines is not None]
    spans += [*doc.skipped_duplicate_pages, *doc.heading_lines, doc.title_lines]
    for span in spans:
        covered.update(range(span.first, span.last + 1))
    return [
        row.line
        for row in parse_rows(lines, doc.layout)
        if row.kind is not RowKind.BLANK
        and row.kind not in _STRUCTURE
        and row.heading is None  # a table row that may be a heading: the assembler decided which
        and row.line.lineno not in covered
    ]
