"""Tables read as the grid their author sees (cold review 21, P0).

- HTML `rowspan`/`colspan` were ignored: in the rows under a spanning cell every later cell moved one column
  left, under the wrong header. A span is now read as the Word reader reads a merged cell.
- Word rows inside content controls (`w:sdt`: a row-level one in a table, a block-level one around a whole table)
  and cells inside cell-level ones were dropped (python-docx reads direct children only).
- A table inside a Word table cell was dropped: a document whose outer table lays out the page and whose items
  are in a table inside its cell loaded no items.

Each document is made here with python-docx (and lxml for the content controls) or as HTML text.
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import OxmlElement
from test_xlsx_merged import PLACE, TABLES, _docx, _duties

from luzhi.etl.model import ListKind
from luzhi.etl.parse import parse_document
from luzhi.etl.readers import read_document
from luzhi.etl.source import SourceError
from luzhi.ontology.places import describe_place_bilingual

TITLE = "浙江省嘉兴市嘉善县西塘镇履行职责事项清单"
BASIC_HEADER = ["序号", "事项类别", "事项名称"]
BASIC = [["1", "党的建设", "加强党的政治建设"], ["2", "党的建设", "落实全面从严治党主体责任"],
         ["3", "经济发展", "开展招商引资工作"], ["4", "经济发展", "依法开展统计调查工作"],
         ["5", "民生服务", "做好就业服务工作"]]
COOPERATIVE_HEADER = ["序号", "事项名称", "对应上级部门", "上级部门职责", "乡镇配合职责"]
COOPERATIVE = [["1", "开展矛盾纠纷排查化解", "县公安局", "负责治安纠纷处置。", "组织排查，及时上报。"],
               ["2", "做好防汛抗旱工作", "县水利局", "负责水利工程调度。", "做好巡查。"]]


def _read(path: Path) -> list[tuple[str, str]]:
    document = read_document(path.read_bytes(), path)
    return [(location.fragment(), line.text) for line, location in zip(document.lines, document.locations,
                                                                          strict=True)]


def _items(path: Path) -> list[tuple]:
    return [(item.list_kind, item.sequence, item.category, item.title, item.department_text)
            for item in parse_document(path).items]


# --- HTML spans --------------------------------------------------------------------------------------------


def _html_of(tables) -> str:
    """test_xlsx_merged's tables as a web page: each merged range one cell with its rowspan and colspan."""
    parts = ["<!DOCTYPE html><html><body>"]
    for title, rows, merges in tables:
        parts.append(f"<p>{PLACE}{title}</p><table border='1'><tbody>")
        covered = {(r, c): None for top, left, bottom, right in merges
                   for r in range(top, bottom + 1) for c in range(left, right + 1) if (r, c) != (top, left)}
        spans = {(top, left): (bottom - top + 1, right - left + 1) for top, left, bottom, right in merges}
        for r, row in enumerate(rows):
            cells = []
            for c, value in enumerate(row):
                if (r, c) in covered:
                    continue
                down, across = spans.get((r, c), (1, 1))
                text = "" if value is None else html.escape(str(value)).replace("\n", "<br>")
                cells.append(f"<td rowspan='{down}' colspan='{across}'>{text}</td>")
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</tbody></table>")
    return "".join(parts) + "</body></html>"


def test_html_spans_give_the_duties_word_merges_give(tmp_path):
    """The same tables, merged in Word and spanned in HTML, give the same duties (categories, departments)."""
    page = tmp_path / "C_mudu_spans.html"
    page.write_text(_html_of(TABLES), encoding="utf-8")
    web, word = _duties(page), _duties(_docx(tmp_path / "C_mudu_merged.docx"))
    assert web == word
    cooperative = {duty[1]: duty for duty in web if duty[0] is ListKind.COOPERATIVE}
    # was: 开展平安建设宣传's township responsibility read as its department, one column left
    assert cooperative[2][2:] == ("平安法治", "开展平安建设宣传", "区公安局\n区司法局",
                                  "1.区公安局负责治安纠纷处置；\n2.区司法局负责指导人民调解。",
                                  "组织平安建设宣传活动。")
    assert [duty[2] for duty in web if duty[0] is ListKind.BASIC] == ["党的建设"] * 3 + ["经济发展"] * 2


def test_html_spans_fill_the_grid_as_browsers_lay_it_out(tmp_path):
    page = tmp_path / "spans.html"
    page.write_text(
        "<table>"
        "<thead><tr><th colspan=2>甲乙</th><th>丙</th><th rowspan=0>丁</th></tr></thead>"  # 0: to the group's end
        "<tbody>"
        "<tr><td rowspan=3>A</td><td>b1</td><td rowspan='2'>C</td><td>d1</td></tr>"
        "<tr><td>b2</td><td>d2</td></tr>"  # under A and C: b2 in column 2, d2 in column 4
        "<tr><td>b3</td><td>c3</td><td>d3</td></tr>"
        "<tr><td>a4</td><td colspan=2>bc4</td><td rowspan=9>D</td></tr>"  # A ended; 9 rows: cut at </tbody>
        "<tr><td>a5</td></tr>"  # D spans down past this row's own cells: empty cells between
        "</tbody><tbody><tr><td>a6</td></tr></tbody>"  # a new row group: no span reaches it
        "</table>", encoding="utf-8")
    assert _read(page) == [
        ("table=1&row=1", "甲乙\t\t丙\t丁"),
        ("table=1&row=2", "A\tb1\tC\td1"),
        ("table=1&row=3", "A\tb2\tC\td2"),
        ("table=1&row=4", "A\tb3\tc3\td3"),
        ("table=1&row=5", "a4\tbc4\t\tD"),
        ("table=1&row=6", "a5\t\t\tD"),
        ("table=1&row=7", "a6"),
    ]


def test_a_colspan_past_any_list_is_refused_naming_the_row(tmp_path):
    page = tmp_path / "wide.html"
    page.write_text("<table><tr><td>1</td></tr><tr><td colspan=1000>a</td><td colspan=900>b</td></tr></table>",
                    encoding="utf-8")
    with pytest.raises(SourceError) as refused:
        read_document(page.read_bytes(), page)
    message = str(refused.value)
    assert "（表 1 第 2 行）" in message and "more than 1000 columns" in message, message


# --- Word: content controls ---------------------------------------------------------------------------------


def _control(*elements) -> OxmlElement:
    """A content control (`w:sdt`) put where the first of `elements` stands, holding them all."""
    control, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    control.append(OxmlElement("w:sdtPr"))
    control.append(content)
    elements[0].addprevious(control)
    for element in elements:
        content.append(element)
    return control


def _table(document, header, rows):
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    for row, values in zip(table.rows, [header, *rows], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    return table


def test_word_rows_cells_and_tables_in_content_controls_are_read_in_order(tmp_path):
    document = Document()
    document.add_paragraph(TITLE)
    _control(document.add_paragraph("基本履职事项清单")._p)
    basic = _table(document, BASIC_HEADER, BASIC)._tbl
    rows = basic.findall("{*}tr")
    _control(rows[2], rows[3])  # a row-level control around items 2 and 3
    custom = OxmlElement("w:customXml")  # custom XML around item 4's row: read as the row it wraps
    rows[4].addprevious(custom)
    custom.append(rows[4])
    name = rows[5].findall("{*}tc")[2]
    _control(name)  # a cell-level control around item 5's 事项名称
    _control(name.find("{*}p"))  # and a block-level one around its paragraph, inside the cell
    document.add_paragraph("配合履职事项清单")
    _control(_table(document, COOPERATIVE_HEADER, COOPERATIVE)._tbl)  # a whole table in a block-level control
    path = tmp_path / "controls.docx"
    document.save(path)

    lines = _read(path)
    assert lines[:8] == [("paragraph=1", TITLE), ("paragraph=2", "基本履职事项清单"),
                         ("table=1&row=1", "\t".join(BASIC_HEADER))] + [
        (f"table=1&row={n + 2}", "\t".join(row)) for n, row in enumerate(BASIC)]  # was: items 2-5 missing
    assert lines[8:] == [("paragraph=3", "配合履职事项清单"), ("table=2&row=1", "\t".join(COOPERATIVE_HEADER))] + [
        (f"table=2&row={n + 2}", "\t".join(row)) for n, row in enumerate(COOPERATIVE)]  # was: the table missing
    assert _items(path) == [(ListKind.BASIC, int(n), category, title, "") for n, category, title in BASIC] + [
        (ListKind.COOPERATIVE, int(row[0]), None, row[1], row[2]) for row in COOPERATIVE]


# --- Word: tables inside tables -----------------------------------------------------------------------------


def test_items_in_a_table_inside_a_layout_cell_are_read_as_rows(tmp_path):
    """An outer table lays out the page: its second cell holds the list's title and its table of items (the
    first, a margin, nothing). The items are read as rows where they stand (was: the outer row, one cell of
    the title and nothing else)."""
    document = Document()
    document.add_paragraph(TITLE)
    outer = document.add_table(rows=1, cols=2)
    cell = outer.rows[0].cells[1]
    cell.paragraphs[0].text = "基本履职事项清单"
    inner = _table(document, BASIC_HEADER, BASIC)._tbl
    cell._tc.append(inner)  # moved from the body into the cell
    cell.add_paragraph("（完）")
    path = tmp_path / "layout.docx"
    document.save(path)

    lines = _read(path)
    assert lines == [("paragraph=1", TITLE), ("table=1&row=1&paragraph=1", "基本履职事项清单"),
                     ("table=1&row=1&table=1&row=1", "\t".join(BASIC_HEADER))] + [
        (f"table=1&row=1&table=1&row={n + 2}", "\t".join(row)) for n, row in enumerate(BASIC)] + [
        ("table=1&row=1&paragraph=2", "（完）")]
    assert describe_place_bilingual(lines[3][0]) == "表 1 第 1 行 表 1 第 2 行 / table 1, row 1, table 1, row 2"
    assert _items(path) == [(ListKind.BASIC, int(n), category, title, "") for n, category, title in BASIC]


def test_a_table_inside_a_data_cell_is_that_cells_text(tmp_path):
    """A duty's row whose 对应上级部门 cell holds a small table of departments (one a row): the row stays one duty,
    the inner table's rows lines of its cell, their cells joined by a space."""
    document = Document()
    document.add_paragraph(TITLE)
    document.add_paragraph("配合履职事项清单")
    table = _table(document, COOPERATIVE_HEADER, COOPERATIVE)
    departments = table.rows[1].cells[2]
    departments.paragraphs[0].text = ""
    inner = _table(document, ["县公安局", "（牵头）"], [["县司法局", ""]])._tbl
    departments._tc.append(inner)
    path = tmp_path / "cell-table.docx"
    document.save(path)

    assert _read(path)[3] == ("table=1&row=2", "1\t开展矛盾纠纷排查化解\t\n县公安局 （牵头）\n县司法局\t"
                                               "负责治安纠纷处置。\t组织排查，及时上报。")
    items = {item.sequence: item for item in parse_document(path).items}
    assert len(items) == 2 and items[1].title == "开展矛盾纠纷排查化解"
    assert "县公安局" in items[1].department_text and "县司法局" in items[1].department_text
