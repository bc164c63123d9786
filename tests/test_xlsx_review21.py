"""Excel, cold review 21: what a sheet declares but does not hold, what Excel hides, and a header over two rows.

1. (P1) openpyxl's `iter_rows` pads every row to the sheet's declared dimension: one formatted or empty-string
   cell at XFD1 made each row 16,384 cells (10,000 rows: 54 s), one at A1048576 a million rows of nothing,
   refused as "more than 100000 lines". The reader reads the cells the XML writes, nothing else.
2. (P0) A hidden sheet and a hidden row were read as duties. They are left out, and said.
3. (P2) A header over two rows (配合部门 merged over 牵头 | 配合) was refused for its "blank" column.
Every workbook is written with openpyxl (and Word files with python-docx), as a township's would be.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.cell import range_boundaries
from test_xlsx_merged import _xlsx

import luzhi.etl.readers as readers
from luzhi.etl.columns import Column, role_of_pair
from luzhi.etl.header_rows import combine_header_rows
from luzhi.etl.layout import load_layout
from luzhi.etl.parse import ParseError, parse_document
from luzhi.etl.readers import read_document
from luzhi.etl.source import SourceError

PLACE = "江苏省苏州市吴中区木渎镇"


def _basic_list(path: Path, rows: int, stray: str | None = None, value: str | None = None) -> Path:
    """A basic list of `rows` duties; `stray`: one more cell far away, formatted, or holding `value`."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "基本"
    sheet.append([PLACE + "基本履职事项清单"])
    sheet.append(["序号", "事项名称"])
    for number in range(1, rows + 1):
        sheet.append([number, f"开展第{number}项工作"])
    if stray is not None:
        sheet[stray].font = Font(bold=True)
        if value is not None:
            sheet[stray].value = value
    workbook.save(path)
    return path


def _read(path: Path) -> tuple[list[str], list[str]]:
    read = read_document(path.read_bytes(), path)
    return [line.text for line in read.lines], list(read.fragments())


# ---- 1. a stray cell far away --------------------------------------------------------------------------------

def _work(monkeypatch, path: Path) -> tuple[list[str], list[str], tuple[int, int]]:
    """What the reader gives for `path`, and its work, counted rather than timed (a shared machine makes any
    timing flaky): the rows it reads and the cell values it looks at (cold review 21's padding: 16,384 a row)."""
    work = {"rows": 0, "cells": 0}
    written_rows, text = readers.excel._written_rows, readers.excel._text

    def counting_written_rows(sheet):
        for row in written_rows(sheet):
            work["rows"] += 1
            yield row

    def counting_text(value):
        work["cells"] += 1
        return text(value)

    monkeypatch.setattr(readers.excel, "_written_rows", counting_written_rows)
    monkeypatch.setattr(readers.excel, "_text", counting_text)
    lines, places = _read(path)
    return lines, places, (work["rows"], work["cells"])


@pytest.mark.parametrize(("stray", "value"), [("XFD1", None), ("A1048576", None), ("A150000", ""),
                                              ("XFD1048576", None)])
def test_a_stray_cell_far_away_costs_nothing(tmp_path, monkeypatch, stray, value):
    """was: XFD1 about 6 s for 1,000 rows; A1048576, A150000: refused, "more than 100000 lines"."""
    plain = _work(monkeypatch, _basic_list(tmp_path / "plain.xlsx", 1000))
    strayed = _work(monkeypatch, _basic_list(tmp_path / "stray.xlsx", 1000, stray, value))
    assert strayed[:2] == plain[:2]
    assert plain[2] == (1002, 2003)  # the title, the header and 1,000 rows of two cells: the counters count
    rows, cells = strayed[2]
    assert rows <= 1002 + 1 and cells <= 2003 + 1, strayed[2]  # the stray cell and its row, nothing more


def test_a_stray_cell_with_text_far_away_is_one_line_after_one_blank(tmp_path):
    path = _basic_list(tmp_path / "stray.xlsx", 3, "A150000", "制表人：张三")
    lines, places = _read(path)
    assert lines[-3:] == ["3\t开展第3项工作", "", "制表人：张三"]
    assert places[-3:] == ["sheet=%E5%9F%BA%E6%9C%AC&row=5", "sheet=%E5%9F%BA%E6%9C%AC&row=6",
                           "sheet=%E5%9F%BA%E6%9C%AC&row=150000"]


def test_a_stray_cell_past_the_header_is_named_by_sheet_cell_and_text(tmp_path):
    """A stray `x` in XFD1048576 was refused as "row has 16384 cells", which no one could find (cold review 21)."""
    path = _basic_list(tmp_path / "stray.xlsx", 3, "XFD1048576", "x")
    with pytest.raises(ParseError) as refused:
        parse_document(path)
    message = refused.value.message
    zh, en = message.split(" / the row", 1)
    assert zh.startswith("（工作表“基本” 第 1048576 行 单元格 XFD1048576 / "
                         "sheet “基本”, row 1048576, cell XFD1048576）"), zh
    assert "第 16384 列，内容为「x」：若它不属于清单，请删去它" in zh, zh
    assert "column 16384 and holds 「x」: if it is not part of the list, delete it" in en, en


def test_a_sheet_over_the_line_limit_is_refused_naming_it(tmp_path, monkeypatch):
    """The limit (100,000 lines) lowered, so the test need not write and read 100,000 rows (13 s)."""
    monkeypatch.setattr(readers, "MAX_LINES", 300)
    fits = _basic_list(tmp_path / "fits.xlsx", 290, "XFD1048576")
    assert len(_read(fits)[0]) == 292  # a stray cell is no line
    workbook = load_workbook(_basic_list(tmp_path / "big.xlsx", 5))
    big = workbook.create_sheet("配合")
    for number in range(1, 400):
        big.append([number, f"开展第{number}项配合工作"])
    workbook.save(tmp_path / "big.xlsx")
    with pytest.raises(SourceError) as refused:
        read_document((tmp_path / "big.xlsx").read_bytes(), tmp_path / "big.xlsx")
    zh, _, en = str(refused.value).partition(" / ")
    # 7 lines of 基本 and 293 of 配合 fit: its row 294 is the 301st line
    assert "超过 300 行" in zh and "工作表“配合” 第 294 行" in zh, zh
    assert "300 lines" in en and "sheet “配合”, row 294" in en, en


# ---- 2. hidden sheets and rows -----------------------------------------------------------------------------------

def _with_hidden_parts(path: Path) -> Path:
    """The reviewer's three lists (tests/test_xlsx_merged.py), with what a township leaves hidden in its file:
    two hidden rows of duties taken out of the basic list, a hidden empty row, an older cooperative list in a
    hidden sheet, text in a very hidden sheet, and an empty hidden sheet."""
    workbook = load_workbook(_xlsx(path))
    basic = workbook["基本履职事项"]
    basic.append([None, 6, "已取消的旧事项"])
    basic.append([None, 7, "另一项旧事项"])
    basic.append([])
    basic.cell(row=basic.max_row + 1, column=1).font = Font(bold=True)  # an empty row, hidden
    for row in (8, 9, 10):
        basic.row_dimensions[row].hidden = True
    old = workbook.create_sheet("旧版配合")
    old.append([PLACE + "配合履职事项清单"])
    old.append(["序号", "事项名称", "对应上级部门", "上级部门职责", "乡镇配合职责"])
    old.append([1, "旧的配合事项", "区民政局", "负责指导。", "做好上报。"])
    old.sheet_state = "hidden"
    workbook.create_sheet("宏").append(["内部数据"])
    workbook["宏"].sheet_state = "veryHidden"
    workbook.create_sheet("空").sheet_state = "hidden"
    workbook.save(path)
    return path


def test_hidden_sheets_and_rows_are_not_read_and_are_said(tmp_path):
    path = _with_hidden_parts(tmp_path / "C_mudu_hidden.xlsx")
    doc = parse_document(path)
    titles = [item.title for item in doc.items]
    assert "已取消的旧事项" not in titles and "另一项旧事项" not in titles and "旧的配合事项" not in titles
    assert len(doc.items) == 5 + 3 + 2  # the lists as they show (tests/test_xlsx_merged.py)
    notices = {issue.code: issue for issue in doc.issues if issue.code.startswith("hidden")}
    assert [issue.code for issue in doc.issues if issue.code.startswith("hidden")] == [
        "hidden-rows-skipped", "hidden-sheet-skipped", "hidden-sheet-skipped"]  # not the empty row, nor 空
    rows = notices["hidden-rows-skipped"]
    assert rows.message.startswith("工作表“基本履职事项”的第 8–9 行是隐藏的（共 2 行）"), rows.message
    assert rows.message_en.startswith("rows 8–9 of sheet “基本履职事项” are hidden"), rows.message_en
    sheets = [issue for issue in doc.issues if issue.code == "hidden-sheet-skipped"]
    assert [issue.message.split("，")[0] for issue in sheets] == [
        "工作表“旧版配合”是隐藏的", "工作表“宏”是深度隐藏（不在 Excel 的“取消隐藏”列表中）的"]
    assert [issue.message_en.split(" and ")[0] for issue in sheets] == [
        "sheet “旧版配合” is hidden", "sheet “宏” is very hidden (not in Excel's Unhide list)"]


def test_the_validation_report_says_what_was_hidden(tmp_path):
    path = _with_hidden_parts(tmp_path / "C_mudu_hidden.xlsx")
    answer = subprocess.run([sys.executable, "-m", "luzhi.server.cli", "validate", str(path), "--format", "json",
                             "--lang", "en"], capture_output=True, text=True, timeout=300)
    assert answer.returncode == 0, answer.stdout + answer.stderr  # the hidden duties no longer break the lists
    (report,) = json.loads(answer.stdout)["files"]
    assert report["results"] == [], report
    assert sorted(notice["code"] for notice in report["notices"]) == [
        "hidden-rows-skipped", "hidden-sheet-skipped", "hidden-sheet-skipped"], report["notices"]


def test_a_hidden_row_keeps_the_rows_around_it_together(tmp_path):
    """A hidden row between two duties is not seen: no blank line (a page break to the parser) where it was."""
    path = _basic_list(tmp_path / "hidden.xlsx", 4)
    workbook = load_workbook(path)
    workbook["基本"].row_dimensions[4].hidden = True  # duty 2
    workbook.save(path)
    lines, places = _read(path)
    assert lines == [PLACE + "基本履职事项清单", "序号\t事项名称", "1\t开展第1项工作", "3\t开展第3项工作",
                     "4\t开展第4项工作"]
    assert places[3] == "sheet=%E5%9F%BA%E6%9C%AC&row=5"  # Excel's own row number


# ---- 3. a header over two rows -----------------------------------------------------------------------------------

DUTIES = [(1, "开展矛盾纠纷排查化解", "区公安局", "区司法局", "负责治安纠纷处置。", "组织排查。"),
          (2, "开展平安建设宣传", "区司法局", "区公安局", "负责宣传指导。", "组织宣传。")]
# name: (the two header rows, the header's merged ranges (the title above is merged across the table), a duty's
# row from (序号, 事项名称, department, other department, 上级部门职责, 镇配合职责))
HEADERS = {
    "merged down": ([["序号", "事项名称", "配合部门", None, "上级部门职责", "镇配合职责"],
                     [None, None, "牵头", "配合"]], ["A2:A3", "B2:B3", "C2:D2", "E2:E3", "F2:F3"],
                    lambda d: [d[0], d[1], d[2], d[3], d[4], d[5]]),
    "not merged down": ([["序号", "事项名称", "配合部门", None, "上级部门职责", "镇配合职责"],
                         [None, None, "牵头", "配合"]], ["C2:D2"], lambda d: [d[0], d[1], d[2], d[3], d[4], d[5]]),
    "group last": ([["序号", "事项名称", "上级部门职责", "镇配合职责", "配合部门"],
                    [None, None, None, None, "牵头", "配合"]], ["A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:F2"],
                   lambda d: [d[0], d[1], d[4], d[5], d[2], d[3]]),
    "two groups": ([["序号", "事项名称", "上级部门", None, "镇配合职责"], [None, None, "名称", "职责"]], ["C2:D2"],
                   lambda d: [d[0], d[1], d[2], d[4], d[5]]),
}


def _write(header: list[list], merges: list[str], row, path: Path) -> Path:
    """The cooperative list under `header` (rows 2 and 3) as Excel or Word writes it, merges and all."""
    width = max(len(cells) for cells in header)
    rows = [*header, *(row(duty) for duty in DUTIES)]
    ranges = [(1, 1, width, 1), *(range_boundaries(merge) for merge in merges)]  # (column, row, column, row)
    if path.suffix == ".xlsx":
        workbook = Workbook()
        for cells in [[PLACE + "配合履职事项清单"], *rows]:
            workbook.active.append(cells)
        for left, top, right, bottom in ranges:
            workbook.active.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)
        workbook.save(path)
        return path
    document = Document()
    document.add_paragraph(PLACE + "配合履职事项清单")
    table = document.add_table(rows=len(rows), cols=width)
    for cells, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(cells.cells, values, strict=False):
            cell.text = "" if value is None else str(value)
    for left, top, right, bottom in ranges[1:]:  # rows of the table: the sheet's less the title
        text = table.cell(top - 2, left - 1).text
        table.cell(top - 2, left - 1).merge(table.cell(bottom - 2, right - 1)).text = text
    document.save(path)
    return path


@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
@pytest.mark.parametrize("case", HEADERS)
def test_a_header_over_two_rows_is_read_as_one(tmp_path, case, suffix):
    path = _write(*HEADERS[case], tmp_path / f"C_mudu_two_rows{suffix}")
    doc = parse_document(path)  # was: 表头第 4 列空白不是已知的列 / header column 4 blank is no known column
    assert [(item.sequence, item.title, item.upper_responsibility, item.township_responsibility)
            for item in doc.items] == [(duty[0], duty[1], duty[4], duty[5]) for duty in DUTIES]
    if case == "two groups":  # 上级部门/名称, 上级部门/职责: the department and its responsibility
        assert [item.department_text for item in doc.items] == ["区公安局", "区司法局"]
    else:  # 配合部门/牵头, 配合部门/配合: each department with its role
        assert [item.department_text for item in doc.items] == [f"牵头部门：{duty[2]}\n配合部门：{duty[3]}"
                                                                for duty in DUTIES]
    assert not [issue for issue in doc.issues if issue.code.startswith(("column", "header", "unparsed"))], doc.issues


def test_a_two_row_header_of_unknown_words_names_its_columns_and_a_profile_reads_them(tmp_path):
    header = [["序号", "事项名称", "其他", None, "上级部门职责", "镇配合职责"], [None, None, "甲", "乙"]]
    path = _write(header, ["C2:D2"], lambda d: [d[0], d[1], d[2], d[3], d[4], d[5]], tmp_path / "C_mudu.xlsx")
    with pytest.raises(ParseError) as refused:
        parse_document(path)
    message = str(refused.value)  # was: 表头第 4 列空白 / header column 4 blank
    assert "表头第 3 列「其他/甲」不是已知的列" in message
    assert "header column 3 「其他/甲」 is no known column" in message
    profile = tmp_path / "layout.toml"
    profile.write_text('[columns]\n"其他/甲" = "department"\n"其他/乙" = "note"\n', encoding="utf-8")
    doc = parse_document(path, load_layout(profile))
    assert [(item.department_text, item.notes) for item in doc.items] == [
        (duty[2], (f"其他/乙：{duty[3]}",)) for duty in DUTIES]


@pytest.mark.parametrize(("group", "sub", "column"), [
    ("配合部门", "牵头", Column.LEAD_DEPARTMENT),  # the reviewer's
    ("配合部门", "配合", Column.SUPPORTING_DEPARTMENT),
    ("对应上级部门", "牵头", Column.LEAD_DEPARTMENT),
    ("部门", "牵头部门", Column.LEAD_DEPARTMENT),
    ("上级部门", "名称", Column.DEPARTMENT),
    ("上级部门", "职责", Column.UPPER_RESPONSIBILITY),
    ("职责分工", "上级部门职责", Column.UPPER_RESPONSIBILITY),
    ("职责分工", "乡镇配合职责", Column.TOWNSHIP_RESPONSIBILITY),
    ("上收后", "承接部门", Column.RECEIVING_DEPARTMENT),
    ("上收后", "工作方式", Column.WAY_OF_WORKING),
    ("承接部门及工作方式", "承接部门", Column.RECEIVING_DEPARTMENT),
    ("事项类别", "二级", Column.SUBCATEGORY),
    ("事项", "名称", Column.TITLE),
    ("其他", "甲", None),
])
def test_a_sub_column_is_named_by_both_rows(group, sub, column):
    assert role_of_pair(group, sub) is column


def test_the_reviewers_two_rows_make_one_header():
    combined = combine_header_rows(("序号", "事项名称", "配合部门", "", "上级部门职责", "镇配合职责"),
                                   ("序号", "事项名称", "牵头", "配合", "上级部门职责", "镇配合职责"))  # merged down
    assert combined is not None and combined.cells == ("序号", "事项名称", "配合部门/牵头", "配合部门/配合",
                                                       "上级部门职责", "镇配合职责")
    assert combined.parts == (None, None, ("配合部门", "牵头"), ("配合部门", "配合"), None, None)


@pytest.mark.parametrize(("upper", "lower"), [
    (("序号", "事项名称", "对应上级部门"), ("1", "开展禁毒工作", "县公安局")),  # a duty under its header
    (("序号", "事项名称", "对应上级部门"), ("", "", "牵头：县公安局", "配合：县司法局")),  # cells, no header words
    (("序号", "事项名称", "配合部门", ""), ("", "续", "牵头", "配合")),  # a title continued under 事项名称
    (("序号", "事项名称", "配合部门", ""), ("", "", "牵头", "")),  # a group's sub-column unnamed
    (("", "序号", "事项名称"), ("", "", "")),
    (("序号", "事项名称", "对应上级部门"), ("", "", "")),  # no group
])
def test_a_row_that_names_no_sub_columns_is_no_second_header_row(upper, lower):
    assert combine_header_rows(upper, lower) is None
