"""Word (.docx) → rows: each body paragraph one line, each table row one line of cells.

The body is read in document order, paragraphs and tables, and so are a table's rows and a row's cells, with what
content controls (`w:sdt`) and custom XML (`w:customXml`) wrap read where it stands, as Word shows it: python-docx
reads only direct children, and a table, a row or a cell inside a content control (forms and templates put them
there) was lost without a word (cold review 21). A cell's paragraphs are joined by line breaks (a `<p>` of the
text extractions). A horizontally merged cell (`w:gridSpan`, or the old `w:hMerge`) has its text in its first
grid column and empty cells after it, so `一、党的建设` merged across the table is one cell, as the text extractions
write it. A vertically merged cell's text (`w:vMerge`) is repeated in every row it spans (as python-docx reads
it; the Excel and HTML readers do the same). A row that starts after the first grid column (`w:gridBefore`) has
that many empty cells first, so its cells stay under their header.

A table inside a table's cell is read by what the row around it is. In a layout row, one whose only text is in
cells that hold tables (an outer table laying out the page, its cell holding a list's title and its table of
items, a margin cell beside it empty), those cells' paragraphs and tables are read in place, as if they stood in
the body: each item a row. In a row of data (a 序号 or a 事项名称 in a cell of its own) the inner table is part
of its cell, each of its rows a line of that cell's text, its cells joined by a space.

A paragraph is read as Word shows it: with the number Word's automatic numbering gives it (a 序号 column
numbered by Word holds no text of its own; etl/readers/word_numbering.py), and with the text of runs inside
content controls (`w:sdt`), simple fields (`w:fldSimple`) and tracked insertions (`w:ins`), which python-docx's
`Paragraph.text` leaves out; tracked deletions stay out. Hidden text (`w:vanish`) is not shown, so not read: a
hidden run is dropped, a paragraph all of hidden text is no line, a table row all of hidden text is left out and
said (`hidden-rows-skipped`, etl/readers/hidden.py; cold review 21: such a row was loaded as a duty).

Locations: `table=T&row=R` (T counts the body's tables, R the table's rows, 1-based, header row included) or
`paragraph=N` (body paragraphs outside tables); inside a layout row, its paragraphs and tables follow the row's
place: `table=1&row=2&paragraph=1`, `table=1&row=2&table=1&row=5` (the row's first table, its fifth row).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from io import BytesIO

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.part import XmlPart
from docx.oxml.ns import qn
from lxml import etree

from luzhi.etl.model import Issue
from luzhi.etl.readers.hidden import PARAGRAPHS, hidden_rows
from luzhi.etl.readers.location import Location, Row, at
from luzhi.etl.readers.unreadable import opening
from luzhi.etl.readers.word_numbering import Label, UnknownFormat, paragraph_numbers
from luzhi.etl.source import SourceError
from luzhi.ontology.places import place_words

# Containers of runs whose text Word shows as the paragraph's (python-docx reads only `w:r` and `w:hyperlink`).
_INLINE = frozenset(qn(f"w:{tag}") for tag in ("hyperlink", "ins", "sdt", "sdtContent", "fldSimple", "smartTag",
                                                "customXml", "dir", "bdo", "moveTo"))
_UNKNOWN_FORMAT = (
    "（{place}）这里的序号或编号是 Word 自动编号，其编号格式「{format}」无法读出：请把自动编号转为文字（例如另存为 PDF "
    "或纯文本 .txt，Word 会写出编号），或改用阿拉伯数字编号后再试 / ({place_en}) this number is Word's automatic "
    "numbering in the format 「{format}」, which cannot be read: turn the numbering into text (saving the document "
    "as PDF or plain text .txt writes the numbers out) or number it with Arabic numerals, and try again")


def _runs_text(element, hidden: Callable[[etree._Element], bool]) -> str:
    parts = []
    for child in element.iterchildren():
        if child.tag == qn("w:r"):
            if not hidden(child):
                parts.append(child.text)  # python-docx's CT_R.text: w:t, tabs, breaks
        elif child.tag in _INLINE:
            parts.append(_runs_text(child, hidden))
    return "".join(parts)


_VANISH, _RPR, _PPR, _RSTYLE, _PSTYLE = qn("w:vanish"), qn("w:rPr"), qn("w:pPr"), qn("w:rStyle"), qn("w:pStyle")


def _vanish(properties) -> bool | None:
    """Whether run properties (`w:rPr`) hide the text (`w:vanish`, a toggle: `w:val` false, 0 or off shows it);
    None when they do not say."""
    found = properties.find(_VANISH) if properties is not None else None
    return None if found is None else found.get(qn("w:val"), "true") not in ("0", "false", "off")


def _hidden_styles(styles) -> dict[str, bool]:
    """Each style's hiding of its text (`w:vanish` in its `w:rPr`, or in the style it is based on)."""
    own, based = {}, {}
    for style in styles.iterchildren(qn("w:style")):
        identifier = style.get(qn("w:styleId"))
        own[identifier] = _vanish(style.find(_RPR))
        parent = style.find(qn("w:basedOn"))
        based[identifier] = parent.get(qn("w:val")) if parent is not None else None
    resolved = {}
    for identifier in own:
        seen, current = set(), identifier
        while current in own and own[current] is None and current not in seen:
            seen.add(current)
            current = based[current]
        resolved[identifier] = bool(own.get(current))
    return resolved


def _style(element, properties: str, tag: str) -> str | None:
    found = element.find(f"{properties}/{tag}")
    return found.get(qn("w:val")) if found is not None else None


class _Reader:
    """The body's paragraphs and tables as rows; a paragraph's text as Word shows it, its automatic number first."""

    def __init__(self, document, path: str) -> None:
        self.path = path
        try:
            numbering = document.part.part_related_by(RT.NUMBERING).element
        except KeyError:
            numbering = None
        self.numbers = paragraph_numbers(document.element.body, numbering, document.styles.element)
        self.styles = _hidden_styles(document.styles.element)

    def hidden(self, run, paragraph) -> bool:
        """Whether Word hides the run: its own `w:vanish`, else its character style's, else its paragraph's
        style's (ECMA-376 Part 1, 17.3.2.41 and 17.7.2: direct formatting over the styles)."""
        direct = _vanish(run.find(_RPR))
        if direct is not None:
            return direct
        character = _style(run, _RPR, _RSTYLE)
        if character is not None and self.styles.get(character):
            return True
        return self.styles.get(_style(paragraph, _PPR, _PSTYLE) or "", False)

    def hides_text(self, element) -> bool:
        """Whether `element` (a row, a cell) holds text that Word hides."""
        return any(self.hidden(run, paragraph) and run.text.strip()
                   for paragraph in element.iter(_P) for run in paragraph.iter(qn("w:r")))

    def paragraph(self, element, location: Location) -> str:
        text = _runs_text(element, lambda run: self.hidden(run, element))
        label = self.numbers.get(element)
        if _vanish(element.find(f"{_PPR}/{_RPR}")):
            label = None  # its number is formatted as its paragraph mark is: hidden with it
        if isinstance(label, UnknownFormat):
            place = location.fragment()
            zh, en = place_words(place)
            raise SourceError(self.path, _UNKNOWN_FORMAT.format(place=zh, place_en=en, format=label.format))
        if isinstance(label, Label):
            return label.text + label.separator + text if text else label.text
        return text

    def body(self, body) -> Iterator[Row | Issue]:
        yield from self.blocks(_within(body, _BLOCKS), at, ("正文", "the document body"))

    def blocks(self, blocks: Iterable, where: Callable[..., Location], name: tuple[str, str]) -> Iterator[Row | Issue]:
        """Paragraphs and tables in the order they stand: the body's, or a layout row's cells' (as if they stood in
        the body). A paragraph whose text Word hides whole is not read, and said as hidden rows are (in a layout
        cell too: read as a blank line, it had broken the table in two)."""
        paragraphs = tables = 0
        hidden: list[int] = []
        for block in blocks:
            if block.tag == _P:
                paragraphs += 1
                location = where(paragraph=paragraphs)
                text = self.paragraph(block, location)
                if text.strip() or not self.hides_text(block):
                    yield (text,), location
                else:
                    hidden.append(paragraphs)
            else:
                tables += 1
                yield from self.table(block, where(table=tables))
        if hidden:
            yield hidden_rows(name, hidden, (" Word ", "Word"), PARAGRAPHS)

    def table(self, table, where: Location) -> Iterator[Row | Issue]:
        above: dict[int, str] = {}  # grid column → the text of the cell there in the row above
        hidden: list[int] = []  # rows with text, all of it hidden
        for number, row in enumerate(_within(table, {_TR}), start=1):
            location = where.then(row=number)
            before, cells = _grid(row)
            laid_out = self.laid_out(cells, above, location)
            if laid_out:
                yield from self.layout(laid_out, location)
                above = {}
                continue
            texts, shown, own = [""] * before, {}, []
            for cell in cells:
                merged = cell.continued and cell.column in above
                text = above[cell.column] if merged else self.cell(cell.tc, location)
                own += [] if merged else [text]
                shown[cell.column] = text
                texts += [text] + [""] * (cell.span - 1)
            if not any(text.strip() for text in own) and self.hides_text(row):
                hidden.append(number)  # Word shows the row empty, or not at all: not a duty (cold review 21)
                continue
            above = shown
            yield tuple(texts), location
        if hidden:
            place = where.fragment()
            yield hidden_rows(place_words(place), hidden, (" Word ", "Word"))

    def laid_out(self, cells: list[_GridCell], above: dict[int, str], location: Location) -> list[_GridCell]:
        """The cells holding tables, when the row only lays them out (its only text is in those: the module
        docstring); none when it is a row of data. A cell merged with the one above has that one's text."""
        holding = [any(block.tag == _TBL for block in _within(cell.tc, _BLOCKS)) for cell in cells]
        if not any(holding):
            return []
        for cell, held in zip(cells, holding, strict=True):
            text = above.get(cell.column, "") if cell.continued else "" if held else self.cell(cell.tc, location)
            if text.strip():
                return []
        return [cell for cell, held in zip(cells, holding, strict=True) if held]

    def layout(self, cells: list[_GridCell], location: Location) -> Iterator[Row | Issue]:
        """The paragraphs and tables of a layout row's cells that hold tables, as if they stood in the body."""
        blocks = (block for cell in cells for block in _within(cell.tc, _BLOCKS))
        yield from self.blocks(blocks, location.then, place_words(location.fragment()))

    def cell(self, cell, location: Location) -> str:
        """A cell's text: its paragraphs, and the rows of a table inside it, one line each."""
        lines = []
        for block in _within(cell, _BLOCKS):
            if block.tag == _P:
                lines.append(self.paragraph(block, location))
                continue
            for row in _within(block, {_TR}):
                texts = (self.cell(inner.tc, location) for inner in _grid(row)[1] if not inner.continued)
                lines.append(" ".join(text for text in texts if text.strip()))
        return "\n".join(lines)


_P, _TBL, _TR, _TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_BLOCKS = frozenset({_P, _TBL})
_SDT, _SDT_CONTENT, _CUSTOM_XML = qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")


def _within(element, tags: frozenset[str] | set[str]) -> Iterator:
    """The children of `element` with one of `tags`, in document order, those that content controls and custom
    XML wrap included (a block-level `w:sdt` around a table, a row-level one around rows, a cell-level one
    around cells: ECMA-376 Part 1, 17.5.2)."""
    for child in element.iterchildren():
        if child.tag in tags:
            yield child
        elif child.tag == _SDT:
            for content in child.iterchildren(_SDT_CONTENT):
                yield from _within(content, tags)
        elif child.tag == _CUSTOM_XML:
            yield from _within(child, tags)


@dataclass(frozen=True)
class _GridCell:
    tc: etree._Element
    column: int  # its first grid column, 0-based
    span: int  # grid columns it covers
    continued: bool  # it continues the vertically merged cell above (`w:vMerge` without "restart")


_MAX_SPAN = 63  # Word's most columns: a larger gridSpan or gridBefore is damage, not a table


def _number(element, path: str, default: int) -> int:
    found = element.find(path)
    value = found.get(qn("w:val")) if found is not None else None
    return min(int(value), _MAX_SPAN) if value is not None and value.isdigit() and int(value) > 0 else default


def _grid(row) -> tuple[int, list[_GridCell]]:
    """A row's empty columns before its first cell (`w:gridBefore`) and its cells on the table's grid."""
    column = before = _number(row, f"{qn('w:trPr')}/{qn('w:gridBefore')}", 0)
    cells: list[_GridCell] = []
    for tc in _within(row, {_TC}):
        properties = tc.find(qn("w:tcPr"))
        span, continued = 1, False
        if properties is not None:
            span = _number(properties, qn("w:gridSpan"), 1)
            vertical, horizontal = properties.find(qn("w:vMerge")), properties.find(qn("w:hMerge"))
            continued = vertical is not None and vertical.get(qn("w:val"), "continue") != "restart"
            if horizontal is not None and horizontal.get(qn("w:val"), "continue") != "restart" and cells:
                # the old way to merge across: this cell is more columns of the one before it
                cells[-1] = replace(cells[-1], span=cells[-1].span + span)
                column += span
                continue
        cells.append(_GridCell(tc, column, span, continued))
        column += span
    return before, cells


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


def _refuse_dtd(document, path: str) -> None:
    """Refuse a package whose XML parts declare a DTD, naming the part. Word never writes one, and python-docx
    parses without expanding entities (no entity bomb, no file read), so the text an entity stood for went missing
    without a word: a document holding all its text in them "had no text" (cold reviews 29 and 31). Asked of the
    trees python-docx parsed, whatever a part is named or however long or in whichever encoding its prologue."""
    for part in document.part.package.iter_parts():
        if isinstance(part, XmlPart) and part.element.getroottree().docinfo.doctype:
            raise SourceError(path, f"{part.partname} 含有文档类型声明（<!DOCTYPE）：Word 从不写它，其中的实体 luzhi "
                                    "不展开，文字会缺失；请在 Word 中打开并重新保存 / "
                                    f"{part.partname} declares a DTD (<!DOCTYPE), which Word never writes; luzhi "
                                    "does not expand its entities, so text would be missing: open the file in Word "
                                    "and save it again")


def read_docx(data: bytes, path: str) -> Iterator[Row | Issue]:
    _check_parts(data, path)
    # Opening walks the package (content types, relationships, the main part, styles, numbering): a malformed
    # one fails there however it fails, and is refused as unreadable (etl/readers/unreadable.py).
    with opening(path, " Word（.docx）文件", "Word (.docx) file", told=(PackageNotFoundError,)):
        document = Document(BytesIO(data))
        body = document.element.body
        reader = _Reader(document, path)
    _refuse_dtd(document, path)
    if body is not None:  # a main part without <w:body> holds no text, and is refused for that
        yield from reader.body(body)
