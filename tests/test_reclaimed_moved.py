"""A reclaimed duty whose work moves is not discontinued (cold review 21, P0).

Before: `县农业农村局负责，乡镇不再承担`, `不再开展乡镇初审，由县局直接受理` and `移交，不再开展执法` were each loaded
with `lz:discontinued true` ("no longer done by anyone"), since any 不再 in a cell naming no receiver stopped the
work, and with a receiver named, 不再开展 anywhere did. Now the cell is read clause by clause: the work stops only
when a clause says so of the work (not of the township: 乡镇不再承担) and no clause says who does it now (由…, 移交,
上收…, a body and what it does). docs/departments.md, "Reclaimed cells".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import SKOS
from test_department_role_columns import roles
from test_extra_columns import BASE, LISTS, TITLE, build_one, duty

from luzhi.etl.departments import parse_reclaimed_cell
from luzhi.ontology.namespaces import LZ
from luzhi.shapes.fast import validate_graph

MOVED = ["县农业农村局负责，乡镇不再承担", "不再开展乡镇初审，由县局直接受理", "移交，不再开展执法"]


@pytest.mark.parametrize("way", MOVED)
@pytest.mark.parametrize("layout", ["{way}", "承接部门：县城管局 工作方式：{way}", "县城管局 工作方式：{way}",
                                    "承接部门：县城管局 履职方式：{way}", "承接部门： 工作方式：{way}"])
def test_work_that_moves_is_not_discontinued(layout, way):
    assert not parse_reclaimed_cell(layout.format(way=way)).discontinued


@pytest.mark.parametrize("cell", [
    "乡镇不再承担，由市卫健局负责。",
    "不再由乡镇承担，由县民政局负责。",
    "取消乡镇初审环节，由县民政局直接审批。",
    "乡镇（街道）不再承担此项工作。",  # the township stops; who goes on is not said, but the work is not stopped
    "该事项已上收，乡镇不再开展。",
    "不再开展此项工作，移交县档案馆。",
    "相关部门负责，乡镇不再承担。",
])
def test_more_wordings_of_work_that_moves(cell):
    assert not parse_reclaimed_cell(cell).discontinued


@pytest.mark.parametrize("cell", [
    "不再开展此项工作。",
    "法律法规条款已失效，不再开展此项工作。",
    "由于法律法规条款已失效，不再开展此项工作。",  # 由于 is "because", no one it goes to
    "该证明已取消，不再开展此项工作。",
    "落实党中央精简优化基层考核有关要求，不再对乡镇（街道）进行考核。",  # 对乡镇: the township is assessed, no more
    "相关规定已废止。",
    "县民政局 工作方式：不再开展此项工作。",  # 004 reclaimed 9: the receiver column is filled, the work stops
    "承接部门：县人社局 工作方式：取消对完成城镇新增就业人数任务的考核，不再对镇进行考核。",  # 004 reclaimed 10
    "各乡镇负责的此项工作已取消，不再开展。",  # the township doing it is no one taking it over
])
def test_work_that_stops_is_still_discontinued(cell):
    assert parse_reclaimed_cell(cell).discontinued


def test_a_department_said_to_do_the_work_is_its_receiver():
    reclaimed = parse_reclaimed_cell("县农业农村局负责，乡镇不再承担")
    assert reclaimed.departments.names == ("县农业农村局",)
    assert reclaimed.way_of_working == "县农业农村局负责，乡镇不再承担"


def test_a_receiver_named_by_no_departments_name_is_a_mention_not_an_organisation():
    # 县局: the county's bureau, which one unsaid. Kept (and reported) as lz:departmentMention, so the duty is
    # neither discontinued nor an organisation called 县局.
    reclaimed = parse_reclaimed_cell("不再开展乡镇初审，由县局直接受理")
    assert reclaimed.departments.names == () and reclaimed.departments.unread == ("县局",)
    generic = parse_reclaimed_cell("不再开展乡镇初审，由上级主管部门直接受理")
    assert generic.departments.names == () and generic.departments.generic == ("上级主管部门",)
    named = parse_reclaimed_cell("不再开展乡镇初审，由县人民政府负责")
    assert named.departments.names == ("县人民政府",) and not named.discontinued
    assert parse_reclaimed_cell("该事项由其依法办理。").departments == parse_reclaimed_cell("").departments  # 其: it


# --- through pass 1: the graph and its validation -----------------------------------------------------------

ROWS = [  # (承接部门, 工作方式, discontinued)
    ("县城管局", "移交，不再开展执法。", False),
    ("县农业农村局", "县农业农村局负责，乡镇不再承担。", False),
    ("县民政局", "不再开展乡镇初审，由县民政局直接受理。", False),
    ("县民政局", "不再开展此项工作。", True),
    ("", "法律法规条款已失效，不再开展此项工作。", True),
]


def _document(tmp_path: Path, rows: list[str], header: str) -> Path:
    lines = [TITLE, LISTS["basic"], "序号\t事项类别\t事项名称", "1\t党的建设\t加强党的政治建设",
             LISTS["cooperative"], "序号\t事项名称\t对应上级部门\t上级部门职责\t镇配合职责",
             "1\t做好城市管理工作\t县城管局\t负责城市管理。\t做好日常巡查。", LISTS["reclaimed"], header]
    lines += [f"{n}\t事项{n}\t{row}" for n, row in enumerate(rows, 1)]
    path = tmp_path / "doc.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("two_columns", [True, False])
def test_discontinued_through_pass_1(tmp_path, two_columns):
    if two_columns:
        rows, header = [f"{dept}\t{way}" for dept, way, _ in ROWS], "序号\t事项名称\t承接部门\t工作方式"
    else:
        rows = [f"承接部门：{dept} 工作方式：{way}" if dept else way for dept, way, _ in ROWS]
        header = "序号\t事项名称\t承接部门及工作方式"
    _, graph, report = build_one(_document(tmp_path, rows, header))
    flags = [(duty("reclaimed", n), LZ.discontinued, Literal(True)) in graph for n in range(1, len(ROWS) + 1)]
    assert flags == [stopped for _, _, stopped in ROWS]
    assert set(roles(graph, duty("reclaimed", 2))) == {"县农业农村局"}
    assert list(validate_graph(graph, BASE).results) == []
    assert [issue["code"] for issue in report.issues if issue["code"].startswith("department")] == []


def test_a_moved_duty_naming_its_receiver_vaguely_is_reported_and_loads(tmp_path):
    cell = "不再开展乡镇初审，由县局直接受理。"
    _, graph, report = build_one(_document(tmp_path, [cell], "序号\t事项名称\t承接部门及工作方式"))
    item = duty("reclaimed", 1)
    assert (item, LZ.discontinued, Literal(True)) not in graph
    assert graph.value(item, LZ.departmentMention) == Literal("县局", lang="zh")
    assert not [label for label in graph.objects(None, SKOS.prefLabel) if str(label) == "县局"]
    assert [issue["code"] for issue in report.issues if issue["code"].startswith("department")] == ["department-unread"]
    assert [r for r in validate_graph(graph, BASE).results if r.severity.name == "VIOLATION"] == []
