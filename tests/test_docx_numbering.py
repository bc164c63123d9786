"""A 序号 column numbered by Word's automatic numbering is read as the numbers Word shows (cold review 18, P0-1).

python-docx reads such a cell empty (the number is not text, it is `w:numPr` on the paragraph or its style), and
the rows were read as page-break continuations: four basic duties became one, conforming with no warning. Each
document here is made with python-docx; what Word shows is checked against LibreOffice's rendering of the same
file (`soffice --convert-to pdf`, read back with pdfplumber), which follows Word's numbering rules, except where
noted. A Word or Excel row that names a duty without a number is reported, never merged (etl/items.py).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber
import pytest
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from formats import convert_to_pdf
from openpyxl import Workbook

from luzhi.etl.model import ListKind
from luzhi.etl.parse import ParseError, SourceError, parse_document
from luzhi.etl.readers import read_document

W = nsdecls("w")
TITLE = "浙江省嘉兴市嘉善县西塘镇履行职责事项清单"
BASIC = ["加强党的政治建设", "落实全面从严治党主体责任", "开展招商引资工作", "依法开展统计调查工作"]
COOPERATIVE = [("开展矛盾纠纷排查化解", "县公安局", "负责治安纠纷处置。", "组织排查，及时上报。"),
               ("做好防汛抗旱工作", "县水利局", "负责水利工程调度。", "做好巡查。")]
RECLAIMED = [("电动自行车登记", "承接部门：县公安局 工作方式：依法登记挂牌。"),
             ("出具无犯罪记录证明", "承接部门：县公安局 工作方式：到派出所办理。")]
HEADERS = {
    "基本履职事项清单": ["序号", "事项名称"],
    "配合履职事项清单": ["序号", "事项名称", "对应上级部门", "上级部门职责", "乡镇配合职责"],
    "上级部门收回事项清单": ["序号", "事项名称", "承接部门及工作方式"],
}


def _document(number) -> Document:
    """The reviewer's document: three tables whose 序号 cells `number(cell, index)` fills."""
    document = Document()
    document.add_paragraph(TITLE)
    for title, rows in (("基本履职事项清单", [(t,) for t in BASIC]), ("配合履职事项清单", COOPERATIVE),
                        ("上级部门收回事项清单", RECLAIMED)):
        document.add_paragraph(title)
        table = document.add_table(rows=1, cols=len(HEADERS[title]))
        for cell, text in zip(table.rows[0].cells, HEADERS[title], strict=True):
            cell.text = text
        for index, row in enumerate(rows):
            cells = table.add_row().cells
            number(document, cells[0], index)
            for cell, text in zip(cells[1:], row, strict=True):
                cell.text = text
    return document


def _list_number(document, cell, index) -> None:
    cell.paragraphs[0].style = document.styles["List Number"]


def _items(path: Path) -> dict[ListKind, list[tuple[int, str]]]:
    doc = parse_document(path)
    found: dict[ListKind, list[tuple[int, str]]] = {kind: [] for kind in ListKind}
    for item in doc.items:
        found[item.list_kind].append((item.sequence, item.title))
    return found


def test_a_list_number_column_gives_each_duty_its_number(tmp_path):
    """mk_b.py: every 序号 cell in the "List Number" style, which Word numbers 1–8 through the three tables."""
    path = tmp_path / "B_xitang_autonum.docx"
    _document(_list_number).save(path)
    doc = parse_document(path)
    assert _items(path) == {
        ListKind.BASIC: list(enumerate(BASIC, start=1)),  # was: nothing, eight "continuation row" notices
        ListKind.COOPERATIVE: [(5, COOPERATIVE[0][0]), (6, COOPERATIVE[1][0])],
        ListKind.RECLAIMED: [(7, RECLAIMED[0][0]), (8, RECLAIMED[1][0])],
    }
    assert doc.merged_rows == 0
    # Word's own numbers, and what they mean for the lists, said
    assert sorted(issue.code for issue in doc.issues) == ["numbering-gap", "numbering-gap"]


def test_a_first_number_typed_and_the_rest_automatic_are_separate_duties(tmp_path):
    """mk_b2.py: 1 typed, then "List Number" (1., 2., 3. in Word): four basic duties, not one."""
    def number(document, cell, index):
        if index == 0:
            cell.text = "1"
        else:
            _list_number(document, cell, index)

    path = tmp_path / "B2_xitang_first_typed.docx"
    _document(number).save(path)
    doc = parse_document(path)
    assert _items(path)[ListKind.BASIC] == [(1, BASIC[0]), (1, BASIC[1]), (2, BASIC[2]), (3, BASIC[3])]
    assert _items(path)[ListKind.COOPERATIVE] == [(1, COOPERATIVE[0][0]), (4, COOPERATIVE[1][0])]
    assert doc.merged_rows == 0  # was 6: every automatic row merged into the one above
    (repeated,) = [issue for issue in doc.issues if issue.code == "duplicate-sequence"]  # Word shows 1 twice: said
    # and why, since the build then refuses it (SequenceUniqueShape): the typed 1 did not advance Word's numbering
    assert "手工输入的序号不会推进自动编号" in repeated.message
    assert "a typed number does not advance it" in repeated.message_en
    text = tmp_path / "typed.txt"  # the same slip in a text copy: no Word to blame
    text.write_text(f"{TITLE}\n基本履职事项清单\n序号\t事项名称\n1\t{BASIC[0]}\n1\t{BASIC[1]}\n", encoding="utf-8")
    (repeated,) = [issue for issue in parse_document(text).issues if issue.code == "duplicate-sequence"]
    assert repeated.message == "序号 1 在本清单中重复出现，且事项名称不同"


# --- what Word shows, checked against LibreOffice ------------------------------------------------------------


def _lvl(ilvl: int, fmt: str, text: str, start: int = 1) -> str:
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/></w:lvl>')


def _numbering(document, abstracts: dict[int, list[str]], nums: dict[int, tuple[int, dict[int, int]]]) -> None:
    """Abstract lists (id → levels) and instances (numId → (list, {level: startOverride})) added to numbering.xml,
    beside the template's own (the "List Number" style's); ids from 100 on, clear of the template's."""
    part = document.part.numbering_part.element
    first_num = part.find(f"{{{part.nsmap['w']}}}num")
    for key, levels in abstracts.items():
        abstract = parse_xml(f'<w:abstractNum {W} w:abstractNumId="{key}">{"".join(levels)}</w:abstractNum>')
        first_num.addprevious(abstract)  # every w:abstractNum before the first w:num, as the schema orders them
    for num, (key, overrides) in nums.items():
        extra = "".join(f'<w:lvlOverride w:ilvl="{lvl}"><w:startOverride w:val="{value}"/></w:lvlOverride>'
                        for lvl, value in overrides.items())
        part.append(parse_xml(f'<w:num {W} w:numId="{num}"><w:abstractNumId w:val="{key}"/>{extra}</w:num>'))


def _numbered(paragraph, num: int, ilvl: int = 0):
    paragraph._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {W}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num}"/></w:numPr>'))
    return paragraph


# (text, numId, level) in order; numIds 101 and 102 share list 100 (continuing each other), 103 restarts it at 1
PARAGRAPHS = [("p1", 101, 0), ("p1a", 101, 1), ("p1b", 101, 1), ("p2", 101, 0), ("p2a", 101, 1), ("plain", None, 0),
              ("p3", 102, 0), ("p4", 103, 0), ("p5", 103, 0), ("p6", 101, 0)] + \
             [(f"c{i}", 104, 0) for i in range(1, 13)] + [(f"z{i}", 105, 0) for i in range(1, 4)] + \
             [(f"e{i}", 106, 0) for i in range(1, 4)] + [(f"l{i}", 107, 0) for i in range(1, 4)] + \
             [(f"r{i}", 108, 0) for i in range(1, 4)] + [(f"k{i}", 109, 0) for i in range(1, 3)]
CHINESE = ["八", "九", "十", "十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八", "十九"]
SHOWN = ["1.p1", "1.1p1a", "1.2p1b", "2.p2", "2.1p2a", "plain", "3.p3", "1.p4", "2.p5", "3.p6",
         *(f"{n}、c{i}" for i, n in enumerate(CHINESE, start=1)), "08.z1", "09.z2", "10.z3", "⑲e1", "⑳e2", "㉑e3",
         "y)l1", "z)l2", "aa)l3", "III.r1", "IV.r2", "V.r3", "（九十九）k1", "（一百）k2", "1.甲", "2.乙", "3.丙"]


def _showcase(path: Path) -> Path:
    document = Document()
    _numbering(document, {
        100: [_lvl(0, "decimal", "%1."), _lvl(1, "decimal", "%1.%2")],
        101: [_lvl(0, "chineseCounting", "%1、", start=8)],
        102: [_lvl(0, "decimalZero", "%1.", start=8)],
        103: [_lvl(0, "decimalEnclosedCircle", "%1", start=19)],
        104: [_lvl(0, "lowerLetter", "%1)", start=25)],
        105: [_lvl(0, "upperRoman", "%1.", start=3)],
        106: [_lvl(0, "chineseCounting", "（%1）", start=99)],
    }, {101: (100, {}), 102: (100, {}), 103: (100, {0: 1}), 104: (101, {}), 105: (102, {}), 106: (103, {}),
        107: (104, {}), 108: (105, {}), 109: (106, {})})
    for text, num, ilvl in PARAGRAPHS:
        paragraph = document.add_paragraph(text)
        if num is not None:
            _numbered(paragraph, num, ilvl)
    for rows in (["甲", "乙"], ["丙"]):  # "List Number" in two tables: one list through both
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for text in rows:
            cells = table.add_row().cells
            _list_number(document, cells[0], 0)
            cells[1].text = text
    document.save(path)
    return path


def test_the_numbers_are_those_libreoffice_renders(tmp_path):
    if shutil.which("soffice") is None:
        pytest.fail("LibreOffice (soffice) is missing: run tests/setup-system.sh")
    path = _showcase(tmp_path / "showcase.docx")
    ours = [re.sub(r"\s", "", line.text) for line in read_document(path.read_bytes(), path).lines]
    (pdf,) = convert_to_pdf([path], tmp_path)
    with pdfplumber.open(pdf) as rendered:
        shown = [re.sub(r"\s", "", line) for page in rendered.pages for line in page.extract_text().splitlines()]
    assert ours == shown
    assert ours == SHOWN


def test_formats_libreoffice_writes_otherwise_are_written_as_word_defines_them(tmp_path):
    """LibreOffice writes full-width digits as ASCII and lacks ⒈ and ⑴; Word's definitions are followed here (and
    the parser reads all of them as the numbers they are)."""
    document = Document()
    formats = ["decimalFullWidth", "decimalEnclosedFullstop", "decimalEnclosedParen", "ideographDigital",
               "chineseLegalSimplified"]
    _numbering(document, {100 + i: [_lvl(0, fmt, "%1", start=10)] for i, fmt in enumerate(formats)},
               {101 + i: (100 + i, {}) for i in range(len(formats))})
    for i in range(len(formats)):
        _numbered(document.add_paragraph(""), 101 + i)
    path = tmp_path / "formats.docx"
    document.save(path)
    assert [line.text for line in read_document(path.read_bytes(), path).lines] == ["１０", "⒑", "⑽", "一〇", "壹拾"]


def test_a_style_numbering_through_based_on_and_a_bullet(tmp_path):
    """A style based on "List Number" numbers as it does; a bulleted paragraph shows no number (a bullet is none)."""
    document = Document()
    based = document.styles.add_style("清单编号", WD_STYLE_TYPE.PARAGRAPH)
    based.base_style = document.styles["List Number"]
    for text, style in (("一", "List Number"), ("二", "清单编号"), ("三", "List Bullet"), ("四", "List Number")):
        document.add_paragraph(text, style=style)
    path = tmp_path / "styles.docx"
    document.save(path)
    assert [line.text for line in read_document(path.read_bytes(), path).lines] == ["1. 一", "2. 二", "三", "3. 四"]


def test_a_format_that_cannot_be_written_is_refused_naming_the_row(tmp_path):
    document = _document(lambda document, cell, index: _numbered(cell.paragraphs[0], 101))
    _numbering(document, {100: [_lvl(0, "hebrew1", "%1.")]}, {101: (100, {})})
    path = tmp_path / "hebrew.docx"
    document.save(path)
    with pytest.raises(SourceError) as refused:
        parse_document(path)
    message = refused.value.message
    assert "（表 1 第 2 行）" in message and "(table 1, row 2)" in message and "「hebrew1」" in message, message


def test_word_shows_text_python_docx_leaves_out(tmp_path):
    """A number in a content control, a title typed with tracked changes on (its deleted words stay out), a row
    starting after the first grid column (w:gridBefore): each read where Word shows it."""
    document = _document(lambda document, cell, index: setattr(cell, "text", str(index + 1)))
    cells = document.tables[0].rows[2].cells
    cells[0]._tc.remove(cells[0].paragraphs[0]._p)
    cells[0]._tc.append(parse_xml(
        f"<w:p {W}><w:sdt><w:sdtContent><w:r><w:t>2</w:t></w:r></w:sdtContent></w:sdt></w:p>"))
    cells[1]._tc.remove(cells[1].paragraphs[0]._p)
    cells[1]._tc.append(parse_xml(
        f'<w:p {W}><w:ins w:id="1" w:author="a"><w:r><w:t>{BASIC[1]}</w:t></w:r></w:ins>'
        f'<w:del w:id="2" w:author="a"><w:r><w:delText>（删去）</w:delText></w:r></w:del></w:p>'))
    row = document.tables[1].rows[2]._tr
    row.remove(row.tc_lst[0])  # the 序号 cell gone: the row starts at the second grid column
    row.get_or_add_trPr().insert(0, parse_xml(f'<w:gridBefore {W} w:val="1"/>'))
    path = tmp_path / "hidden.docx"
    document.save(path)
    lines = [line.text for line in read_document(path.read_bytes(), path).lines]
    assert f"2\t{BASIC[1]}" in lines
    assert "\t".join(["", *COOPERATIVE[1]]) in lines  # under its header: 事项名称 in the 事项名称 column
    with pytest.raises(ParseError, match="number was not read"):  # the cooperative row without its 序号 cell
        parse_document(path)


# --- a row naming a duty without a number: refused in Word and Excel, never merged ----------------------------


def _rows_without_numbers() -> list[list[str]]:
    return [["序号", "事项名称", "对应上级部门", "上级部门职责", "乡镇配合职责"],
            ["1", "开展矛盾纠纷排查化解", "县公安局", "负责治安纠纷处置。", "组织排查。"],
            ["", "开展矛盾纠纷排查化解", "县司法局", "负责指导人民调解。", "及时上报。"],  # the same duty's second row
            ["", "做好防汛抗旱工作", "县水利局", "负责水利工程调度。", "做好巡查。"],
            ["", "", "", "（续）负责统筹协调。", ""]]


def _write(kind: str, path: Path, cooperative: list[list[str]] | None = None) -> Path:
    rows = [[TITLE], ["基本履职事项清单"], ["序号", "事项名称"], ["1", BASIC[0]], ["配合履职事项清单"],
            *(cooperative or _rows_without_numbers()), ["上级部门收回事项清单"],
            ["序号", "事项名称", "承接部门及工作方式"], ["1", *RECLAIMED[0]]]
    if kind == "docx":
        document = Document()
        table = None
        for cells in rows:
            if len(cells) == 1:
                document.add_paragraph(cells[0])
                table = None
                continue
            if table is None:
                table = document.add_table(rows=0, cols=len(cells))
            for cell, text in zip(table.add_row().cells, cells, strict=True):
                cell.text = text
        document.save(path)
    elif kind == "xlsx":
        workbook = Workbook()
        for cells in rows:
            # a 序号 made by a formula no one let Excel compute (a generated file): read as no value at all
            workbook.active.append(["=ROW()-5" if i == 0 and not text and cells[1] else text or None
                                    for i, text in enumerate(cells)])
        workbook.save(path)
    else:
        path.write_text("\n".join("\t".join(cells) for cells in rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_a_row_naming_a_duty_without_a_number_refuses_the_document(tmp_path, kind):
    """Merged into the duty above, two duties became one (cold review 18); left out with a notice, the list
    would load one duty short and conform: refused, naming the row and the way out."""
    with pytest.raises(ParseError) as caught:
        parse_document(_write(kind, tmp_path / f"unnumbered.{kind}"))
    assert "「做好防汛抗旱工作」" in caught.value.message and "never split by a page break" in caught.value.message
    assert "merge it into that row" in caught.value.message and "请把它并入上一行" in caught.value.message  # review 32
    assert "type it as text" in caught.value.message
    # Its second row, repeating its title, is the same duty's row, as in 002: without the other row, it builds.
    rows = [cells for cells in _rows_without_numbers() if cells[1] != "做好防汛抗旱工作"]
    doc = parse_document(_write(kind, tmp_path / f"numbered.{kind}", rows))
    (first,) = [item for item in doc.items if item.list_kind is ListKind.COOPERATIVE]
    assert first.department_text == "县公安局\n县司法局"
    # A text extraction (of a PDF, a web page) does split rows at page breaks: there the rule stays.
    text = parse_document(_write("txt", tmp_path / "unnumbered.txt"))
    (first,) = [item for item in text.items if item.list_kind is ListKind.COOPERATIVE]
    assert "做好防汛抗旱工作" in first.title
