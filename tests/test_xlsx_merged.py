"""A merged range in Excel is read as the same merged cell in Word (cold review 18, P1-1).

python-docx gives a vertically merged cell's text to every row it spans; openpyxl gave it to the first row only,
so the cooperative duty under a merged 对应上级部门 loaded with its departments from Word and was refused from
Excel ("no department", "a cell empty … may be truncated"). Each table here is written both ways, with the real
tools, and both files must give the same duties.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from docx import Document
from openpyxl import Workbook

from luzhi.etl.model import ListKind
from luzhi.etl.parse import parse_document
from luzhi.etl.readers import read_document

PLACE = "江苏省苏州市吴中区木渎镇"
# (list title, rows with the header first, merged ranges as (first row, first column, last row, last column),
# 0-based within the rows); mk_c.py's tables, the cooperative one with a duty of two rows (序号 and 事项名称
# merged, one row per department) added
TABLES = [
    ("基本履职事项清单", [["事项类别", "序号", "事项名称"], ["党的建设", 1, "加强党的政治建设"],
                          [None, 2, "落实全面从严治党主体责任"], [None, 3, "抓好基层党组织建设"],
                          ["经济发展", 4, "开展招商引资工作"], [None, 5, "依法开展统计调查工作"]],
     [(1, 0, 3, 0), (4, 0, 5, 0)]),
    ("配合履职事项清单", [["事项类别", "序号", "事项名称", "对应上级部门", "上级部门职责", "乡镇配合职责"],
                          ["平安法治", 1, "开展矛盾纠纷排查化解", "区公安局\n区司法局",
                           "1.区公安局负责治安纠纷处置；\n2.区司法局负责指导人民调解。", "组织排查，及时上报。"],
                          [None, 2, "开展平安建设宣传", None, None, "组织平安建设宣传活动。"],
                          ["应急管理及消防", 3, "做好防汛抗旱工作", "区水利局", "负责水利工程调度。", "做好巡查。"],
                          [None, None, None, "区应急管理局", "负责统筹协调。", "做好转移群众工作。"]],
     [(1, 0, 2, 0), (1, 3, 2, 3), (1, 4, 2, 4), (3, 0, 4, 0), (3, 1, 4, 1), (3, 2, 4, 2)]),
    ("上级部门收回事项清单", [["序号", "事项名称", "承接部门及工作方式"],
                              [1, "电动自行车登记", "承接部门：区公安局 工作方式：依法登记挂牌。"],
                              [2, "出具无犯罪记录证明", "承接部门：区公安局 工作方式：到派出所办理。"]], []),
]


def _xlsx(path: Path) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows, merges in TABLES:
        sheet = workbook.create_sheet(title.removesuffix("清单"))
        sheet.append([PLACE + title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))  # the title over the table
        for row in rows:
            sheet.append(row)
        for top, left, bottom, right in merges:
            sheet.merge_cells(start_row=top + 2, start_column=left + 1, end_row=bottom + 2, end_column=right + 1)
    workbook.save(path)
    return path


def _docx(path: Path) -> Path:
    document = Document()
    for title, rows, merges in TABLES:
        document.add_paragraph(PLACE + title)
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for row, values in zip(table.rows, rows, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = "" if value is None else str(value)
        for top, left, bottom, right in merges:
            text = table.cell(top, left).text
            table.cell(top, left).merge(table.cell(bottom, right)).text = text
    document.save(path)
    return path


def _duties(path: Path) -> list[tuple]:
    doc = parse_document(path)
    return [(item.list_kind, item.sequence, item.category, item.title, item.department_text,
             item.upper_responsibility, item.township_responsibility) for item in doc.items]


def test_excel_gives_a_merged_range_to_every_row_as_word_does(tmp_path):
    excel, word = _duties(_xlsx(tmp_path / "C_mudu_merged.xlsx")), _duties(_docx(tmp_path / "C_mudu_merged.docx"))
    assert excel == word
    cooperative = {duty[1]: duty for duty in excel if duty[0] is ListKind.COOPERATIVE}
    assert cooperative[2][2:6] == ("平安法治", "开展平安建设宣传", "区公安局\n区司法局",
                                   "1.区公安局负责治安纠纷处置；\n2.区司法局负责指导人民调解。")  # was: no department
    assert cooperative[3][4:] == ("区水利局\n区应急管理局", "负责水利工程调度。\n负责统筹协调。",
                                  "做好巡查。\n做好转移群众工作。")  # its second row: the same 序号, merged
    assert [duty[2] for duty in excel if duty[0] is ListKind.BASIC] == ["党的建设"] * 3 + ["经济发展"] * 2
    path = tmp_path / "C_mudu_merged.xlsx"  # a range merged across columns stays one cell, as in Word
    lines = [line.text for line in read_document(path.read_bytes(), path).lines]
    assert lines[:2] == [PLACE + "基本履职事项清单", "事项类别\t序号\t事项名称"]  # the title not repeated in B1, C1


def test_the_reviewers_workbook_now_conforms(tmp_path):
    path = _xlsx(tmp_path / "C_mudu_merged.xlsx")
    answer = subprocess.run([sys.executable, "-m", "luzhi.server.cli", "validate", str(path), "--format", "json"],
                            capture_output=True, text=True, timeout=300)
    assert answer.returncode == 0, answer.stdout + answer.stderr  # was 1: two Violations on cooperative duty 2
    (report,) = json.loads(answer.stdout)["files"]
    assert report["results"] == [] and report["notices"] == [], report
