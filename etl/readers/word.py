"""Word (.docx) → rows: each body paragraph one line, each table row one line of cells.

python-docx reads the body in document order. A cell's paragraphs are joined by line breaks (a
`<p>` of the text extractions). A horizontally merged cell is returned once per grid column by
python-docx; it is kept in its first column only, so `一、党的建设` merged across the table is one cell,
as the text extractions write it. Locations: `table=T&row=R` (1-based, header row included) or
`paragraph=N` (body paragraphs outside tables).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from io import BytesIO

from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import etree

from luzhi.etl.readers.location import Row, at
from luzhi.etl.source import SourceError


def _cell_text(cell: _Cell) -> str:
    return "\n".join(paragraph.text for paragraph in cell.paragraphs)


# The most one XML part of a Word file may unpack to. python-docx parses each part whole into an lxml tree,
# about 23 bytes of memory a byte for empty paragraphs (`<w:p/>`: 186 MB took 4.2 GB; under /validate's 2 GB
# cap lxml failed with its bare "XMLSyntaxError: unknown error", cold review). A list's body is well under
# 1 MB (sample 002 as .docx: 346 KB), so 32 MB leaves a hundredfold margin and caps the tree near 750 MB.
MAX_PART_BYTES = 32 * 2**20
_PART_TOO_LARGE = (
    "Word 文件中的 {part} 解压后约 {size} MB，超过单个部件 {limit} MB 的上限（一份清单的正文通常不到 1 MB，"
    "多出来的多半是空段落）：请删去多余的空段落，或把文档拆成几个文件，或另存为纯文本（.txt）后再试 / {part} of "
    "this Word file unpacks to about {size} MB, over the {limit} MB limit for one part (a list's body is usually "
    "under 1 MB; the rest is most likely empty paragraphs): delete the surplus empty paragraphs, split the "
    "document into several files, or save it as plain text (.txt) and try again")


def _check_parts(data: bytes, path: str) -> None:
    """Refuse a part past MAX_PART_BYTES, naming it, before python-docx parses it. The sizes the archive
    declares are true here: read_document has inflated every member and refused one that differs."""
    try:
        members = zipfile.ZipFile(BytesIO(data)).infolist()
    except zipfile.BadZipFile:
        return  # python-docx names what is wrong with it
    for member in members:
        if member.filename.endswith((".xml", ".rels")) and member.file_size > MAX_PART_BYTES:
            size, limit = -(-member.file_size // 2**20), MAX_PART_BYTES // 2**20
            raise SourceError(path, _PART_TOO_LARGE.format(part=member.filename, size=size, limit=limit))


def read_docx(data: bytes, path: str) -> Iterator[Row]:
    _check_parts(data, path)
    try:
        document = Document(BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as error:
        raise SourceError(path, f"不是可读的 Word（.docx）文件 / not a readable Word (.docx) file: {error}") from None
    tables = paragraphs = 0
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            paragraphs += 1
            yield (Paragraph(child, document).text,), at(paragraph=paragraphs)
        elif child.tag == qn("w:tbl"):
            tables += 1
            for number, row in enumerate(Table(child, document).rows, start=1):
                cells, previous = [], None
                for cell in row.cells:
                    cells.append("" if cell._tc is previous else _cell_text(cell))
                    previous = cell._tc
                yield tuple(cells), at(table=tables, row=number)
