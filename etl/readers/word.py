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

from luzhi.etl.readers.location import Row, at
from luzhi.etl.source import SourceError


def _cell_text(cell: _Cell) -> str:
    return "\n".join(paragraph.text for paragraph in cell.paragraphs)


def read_docx(data: bytes, path: str) -> Iterator[Row]:
    try:
        document = Document(BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
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
