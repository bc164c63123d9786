"""A page's table as a download for analysts: JSON, CSV (UTF-8 with BOM) and .xlsx (issue 14).

The list, kind and compare pages each build one `Table`; `table_response` writes it in the format
`store/formats.py`'s `TABLE_FORMATS` names, and `table_links` gives the page its download links
(through `links.link`, so a filtered list downloads filtered).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from flask import Response, abort

from luzhi.server.links import FormatLink, link
from luzhi.server.views.conditional import conditional
from luzhi.store.formats import TABLE_EXTENSIONS, TABLE_FORMATS

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    """Rows under named columns; `name` becomes the download's file name and the sheet's title."""

    name: str
    columns: tuple[str, ...]
    # A tuple; or an iterator, read once: a list's download reads its rows a chunk at a time (comparing.py).
    rows: Iterable[tuple[Cell, ...]]


def table_links(path: str, keep: Iterable[str] = (), paged: Iterable[str] = ()) -> list[FormatLink]:
    """Download links for the table at `path` (without extension), keeping the parameters named in `keep`, and
    `page` for the extensions in `paged` (a list's JSON is the page shown; its CSV and .xlsx the whole list)."""
    return [FormatLink(f.mime, f.name, link(f"{path}.{f.extension}",
                                            keep=(*keep, *(("page",) if f.extension in paged else ()))))
            for f in TABLE_FORMATS]


def table_response(table: Table, extension: str, json_body: object | None = None) -> Response:
    """`table` as `extension` (json, csv, xlsx); `json_body`, if given, replaces the JSON rows (/compare's
    JSON keeps its structure: shared kinds, the reform question)."""
    fmt = TABLE_EXTENSIONS.get(extension)
    if fmt is None:
        abort(404)
    if extension == "json":
        rows = [dict(zip(table.columns, row, strict=True)) for row in table.rows]
        return json_response(json_body if json_body is not None else rows)
    if extension == "csv":
        return csv_response(table.name, [to_csv(table)])
    response = Response(to_xlsx(table), mimetype=fmt.mime)
    response.headers["Content-Disposition"] = f"attachment; filename={table.name}.{extension}"
    return conditional(response, vary_accept=False)


def json_response(body: object) -> Response:
    """A table's JSON (Chinese kept readable, as RFC 8259 allows), with the build's ETag."""
    data = json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
    return conditional(Response(data, mimetype=TABLE_EXTENSIONS["json"].mime), vary_accept=False)


def csv_response(name: str, chunks: Iterable[bytes]) -> Response:
    """A CSV download of `chunks` (`csv_chunks`), sent as they come: a list's whole table is read a chunk at a
    time (comparing.py), so its first bytes leave before its last rows are read, and the body is never whole
    in memory (werkzeug would join an iterable to set `Content-Length`: `implicit_sequence_conversion`)."""
    response = Response(chunks, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8; header=present"
    response.headers["Content-Disposition"] = f"attachment; filename={name}.csv"
    response.implicit_sequence_conversion = False
    return conditional(response, vary_accept=False)


# A text cell starting with one of these is a formula to a spreadsheet (`=HYPERLINK(…)`, `+cmd|…`): the
# texts come from the source documents, so a hostile document could run one on an analyst's machine
# (cold review; OWASP "CSV injection"). CSV gets a leading apostrophe, xlsx a text cell.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


CSV_ROWS = 2000  # rows per chunk of a streamed CSV


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte order mark: without it Excel on Chinese Windows decodes the file as GBK."""
    return b"".join(csv_chunks(table))


def csv_chunks(table: Table) -> Iterator[bytes]:
    """`to_csv` in pieces of `CSV_ROWS` rows: the byte order mark and the header go with the first."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(_plain(table.columns))
    for count, row in enumerate(table.rows, start=1):
        writer.writerow(_plain(row))
        if count % CSV_ROWS == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    # Imported here: openpyxl takes ~0.24 s to import (python -X importtime), which every app start and
    # gunicorn worker would pay for a download few requests ask for.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=table.name[:31])  # Excel limits a sheet name to 31 characters

    def cell(value: Cell):
        if not (isinstance(value, str) and value.startswith(_FORMULA_START)):
            return value
        text = WriteOnlyCell(sheet, value=value)
        text.data_type = "s"  # openpyxl writes a string starting with "=" as a formula otherwise
        return text

    for row in (table.columns, *table.rows):
        sheet.append([cell(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _plain(row: Sequence[Cell]) -> list[str]:
    return ["" if cell is None else f"'{cell}" if isinstance(cell, str) and cell.startswith(_FORMULA_START)
            else str(cell) for cell in row]
