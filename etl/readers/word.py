"""Word (.docx) → rows: each body paragraph one line, each table row one line of cells.

python-docx reads the body in document order. A cell's paragraphs are joined by line breaks (a
`<p>` of the text extractions). A horizontally merged cell is returned once per grid column by
python-docx; it is kept in its first column only, so `一、党的建设` merged across the table is one cell,
as the text extractions write it. A vertically merged cell's text is repeated in every row it spans
(python-docx does so; the Excel reader does the same). A row that starts after the first grid column
(`w:gridBefore`) has that many empty cells first, so its cells stay under their header.

A paragraph is read as Word shows it: with the number Word's automatic numbering gives it (a 序号 column
numbered by Word holds no text of its own; etl/readers/word_numbering.py), and with the text of runs inside
content controls (`w:sdt`), simple fields (`w:fldSimple`) and tracked insertions (`w:ins`), which python-docx's
`Paragraph.text` leaves out; tracked deletions stay out.

Locations: `table=T&row=R` (1-based, header row included) or `paragraph=N` (body paragraphs outside tables).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from io import BytesIO

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from lxml import etree

from luzhi.etl.readers.location import Location, Row, at
from luzhi.etl.readers.word_numbering import Label, UnknownFormat, paragraph_numbers
from luzhi.etl.source import SourceError
from luzhi.ontology.places import describe_place_bilingual

# Containers of runs whose text Word shows as the paragraph's (python-docx reads only `w:r` and `w:hyperlink`).
_INLINE = frozenset(qn(f"w:{tag}") for tag in ("hyperlink", "ins", "sdt", "sdtContent", "fldSimple", "smartTag",
                                                "customXml", "dir", "bdo", "moveTo"))
_UNKNOWN_FORMAT = (
    "（{place}）这里的序号或编号是 Word 自动编号，其编号格式「{format}」无法读出：请把自动编号转为文字（例如另存为 PDF "
    "或纯文本 .txt，Word 会写出编号），或改用阿拉伯数字编号后再试 / ({place_en}) this number is Word's automatic "
    "numbering in the format 「{format}」, which cannot be read: turn the numbering into text (saving the document "
    "as PDF or plain text .txt writes the numbers out) or number it with Arabic numerals, and try again")


def _runs_text(element) -> str:
    parts = []
    for child in element.iterchildren():
        if child.tag == qn("w:r"):
            parts.append(child.text)  # python-docx's CT_R.text: w:t, tabs, breaks
        elif child.tag in _INLINE:
            parts.append(_runs_text(child))
    return "".join(parts)


class _Reader:
    """A paragraph's text as Word shows it, its automatic number first."""

    def __init__(self, document, path: str) -> None:
        self.path = path
        try:
            numbering = document.part.part_related_by(RT.NUMBERING).element
        except KeyError:
            numbering = None
        self.numbers = paragraph_numbers(document.element.body, numbering, document.styles.element)

    def paragraph(self, element, location: Location) -> str:
        text = _runs_text(element)
        label = self.numbers.get(element)
        if isinstance(label, UnknownFormat):
            place = location.fragment()
            words = describe_place_bilingual(place) or f"{place} / {place}"
            zh, en = words.split(" / ", 1)
            raise SourceError(self.path, _UNKNOWN_FORMAT.format(place=zh, place_en=en, format=label.format))
        if isinstance(label, Label):
            return label.text + label.separator + text if text else label.text
        return text

    def cell(self, cell: _Cell, location: Location) -> str:
        return "\n".join(self.paragraph(paragraph._p, location) for paragraph in cell.paragraphs)


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
    reader = _Reader(document, path)
    tables = paragraphs = 0
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            paragraphs += 1
            location = at(paragraph=paragraphs)
            yield (reader.paragraph(child, location),), location
        elif child.tag == qn("w:tbl"):
            tables += 1
            for number, row in enumerate(Table(child, document).rows, start=1):
                location = at(table=tables, row=number)
                cells, previous = [""] * row.grid_cols_before, None
                for cell in row.cells:
                    cells.append("" if cell._tc is previous else reader.cell(cell, location))
                    previous = cell._tc
                yield tuple(cells), location
