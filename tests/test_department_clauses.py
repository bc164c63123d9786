"""Department cells, cold review 19: the body of two zones split at its 和, a department with its task
(`区住建局负责统筹，区城管局负责执法`) read as no department, and role labels in a 承接部门 cell dropped.

Before: `县工业园区和经济开发区管理委员会` loaded as two organisations, 县工业园区 and 经济开发区管理委员会; each clause
of `区住建局负责统筹，区城管局负责执法` was a mention reported as `department-unread`, no organisation; and
`牵头部门：县应急局；配合部门：县消防救援大队` under 承接部门 gave both receivers no org:role (a reclaimed duty had no
participations), or no receiver at all when the cell also said how the work is done.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import SKOS
from test_department_role_columns import roles
from test_extra_columns import BASE, LISTS, TITLE, build_one, duty

from luzhi.etl.department_phrases import LEAD, SUPPORT
from luzhi.etl.departments import parse_reclaimed_cell, split_department_cell
from luzhi.ontology.namespaces import LZ
from luzhi.shapes.fast import validate_graph

# --- a 和 inside one organisation's name -------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "县工业园区和经济开发区管理委员会", "县工业园区及经济开发区管委会", "市高新技术产业园区与经济开发区管理委员会",
    "县工业园区和经济开发区党工委",
])
def test_the_body_of_two_zones_is_one_organisation(name):
    split = split_department_cell(name)
    assert split.names == (name,) and split.unread == ()


@pytest.mark.parametrize(("cell", "names"), [
    ("县发改局和县财政局", ("县发改局", "县财政局")),
    ("县工业园区和县财政局", ("县工业园区", "县财政局")),  # a zone is a department by itself before another body
    ("县工业园区和县经济开发区", ("县工业园区", "县经济开发区")),
    # The committee written with its own owner is a body of its own.
    ("县工业园区和县经济开发区管理委员会", ("县工业园区", "县经济开发区管理委员会")),
    ("县工业园区和经济开发区管理委员会、县财政局", ("县工业园区和经济开发区管理委员会", "县财政局")),
    ("县工业园区和经济开发区管理委员会和县财政局", ("县工业园区和经济开发区管理委员会", "县财政局")),
])
def test_complete_names_joined_by_he_are_still_split(cell, names):
    assert split_department_cell(cell).names == names


# --- a department and what it does ------------------------------------------------------------------


def test_each_clause_names_its_department_and_what_it_does():
    split = split_department_cell("区住建局负责统筹，区城管局负责执法")
    assert split.names == ("区住建局", "区城管局")
    assert split.tasks == (("区住建局", "负责统筹"), ("区城管局", "负责执法"))
    assert split.roles == () and split.unread == ()  # 负责 with its task says what, not who leads


@pytest.mark.parametrize(("cell", "role", "task"), [
    ("区住建局牵头负责统筹", LEAD, "牵头负责统筹"),
    ("由区住建局牵头统筹", LEAD, "牵头统筹"),
    ("区城管局配合执法", SUPPORT, "配合执法"),
    ("区城管局负责配合执法", SUPPORT, "负责配合执法"),
    ("区城管局（配合）", SUPPORT, None),  # a role word alone is a role, no task
])
def test_a_role_word_before_the_task_is_the_role(cell, role, task):
    split = split_department_cell(cell)
    assert split.names == (cell[1:5] if cell.startswith("由") else cell[:4],)
    assert [r for _, r in split.roles] == [role]
    assert [t for _, t in split.tasks] == ([task] if task else [])


def test_departments_joined_share_their_task_and_a_label_its_role():
    split = split_department_cell("牵头单位：区民政局和区财政局负责审核；配合单位：区城管局负责执法")
    assert split.names == ("区民政局", "区财政局", "区城管局")
    assert dict(split.tasks) == {"区民政局": "负责审核", "区财政局": "负责审核", "区城管局": "负责执法"}
    assert dict(split.roles) == {"区民政局": LEAD, "区财政局": LEAD, "区城管局": SUPPORT}


@pytest.mark.parametrize("phrase", [
    "区民政局做好救助工作",  # no role word: still no department
    "区住建局负责联系区城管局",  # the task names a department: read, it would hide 区城管局 in a text
    "区住建局负责统筹协调全区城市管理和市容环境卫生工作及城市管理执法",  # a sentence, not a task
])
def test_what_is_still_no_department(phrase):
    split = split_department_cell(phrase)
    assert split.names == () and split.unread == (phrase,)


# --- role labels in a 承接部门 cell ----------------------------------------------------------------------

RECEIVERS = "牵头部门：县应急局；配合部门：县消防救援大队"


@pytest.mark.parametrize("cell", [
    RECEIVERS,
    f"承接部门：{RECEIVERS} 工作方式：依法处置。",
    f"承接部门：{RECEIVERS} 依法处置。",  # no way-of-working label: the leading departments
    f"{RECEIVERS} 工作方式：依法处置。",  # no 承接部门 label: before, no receiver at all
    "承接部门：牵头部门： 县应急局 配合部门： 县消防救援大队 依法处置。",
])
def test_role_labels_in_a_receiver_cell_give_each_receiver_its_role(cell):
    reclaimed = parse_reclaimed_cell(cell)
    assert reclaimed.departments.names == ("县应急局", "县消防救援大队")
    assert reclaimed.departments.roles == (("县应急局", LEAD), ("县消防救援大队", SUPPORT))
    assert reclaimed.way_of_working == ("" if cell == RECEIVERS else "依法处置。")


def test_receivers_with_their_tasks():
    reclaimed = parse_reclaimed_cell("县住建局负责统筹，县城管局负责执法")
    assert reclaimed.departments.names == ("县住建局", "县城管局")
    assert reclaimed.way_of_working == "县住建局负责统筹，县城管局负责执法"  # the cell says how: it is the way


# --- through pass 1: the graph and its validation -------------------------------------------------------


def _document(tmp_path: Path, cooperative: str, reclaimed_header: str, reclaimed: str) -> Path:
    lines = [TITLE, LISTS["basic"], "序号\t事项类别\t事项名称", "1\t党的建设\t加强党的政治建设",
             LISTS["cooperative"], "序号\t事项名称\t对应上级部门\t上级部门职责\t镇配合职责",
             f"1\t做好城市管理工作\t{cooperative}\t负责城市管理。\t做好日常巡查。",
             LISTS["reclaimed"], f"序号\t事项名称\t{reclaimed_header}", f"1\t安全生产执法\t{reclaimed}"]
    path = tmp_path / "doc.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _responsibilities(graph, duty_iri) -> dict[str, str]:
    found = {}
    for participation in graph.objects(duty_iri, LZ.participation):
        label = str(graph.value(graph.value(participation, LZ.department), SKOS.prefLabel))
        found[label] = str(graph.value(participation, LZ.responsibility))
    return found


def _labels(graph) -> set[str]:
    organisations = set(graph.objects(None, LZ.upperDepartment))
    return {str(label) for org in organisations for label in graph.objects(org, SKOS.prefLabel)}


@pytest.mark.parametrize(("header", "cell"), [
    ("承接部门", RECEIVERS),
    ("承接部门及工作方式", f"承接部门：{RECEIVERS} 工作方式：依法处置。"),
    ("承接部门\t工作方式", f"{RECEIVERS}\t依法处置。"),
])
def test_a_receiver_cells_role_labels_are_the_receivers_roles(tmp_path, header, cell):
    _, graph, report = build_one(_document(tmp_path, "县应急局", header, cell))
    item = duty("reclaimed", 1)
    assert roles(graph, item) == {"县应急局": "LeadRole", "县消防救援大队": "SupportingRole"}
    positions = {str(graph.value(graph.value(p, LZ.department), SKOS.prefLabel)): graph.value(p, LZ.position).toPython()
                 for p in graph.objects(item, LZ.participation)}
    assert positions == {"县应急局": 1, "县消防救援大队": 2}
    # The build's issues (report.issues): department issues are never the parser's (doc.issues), where this looked.
    assert [issue["code"] for issue in report.issues if issue["code"].startswith("department")] == []
    assert list(validate_graph(graph, BASE).results) == []


def test_clauses_and_the_zones_body_through_pass_1(tmp_path):
    path = _document(tmp_path, "区住建局负责统筹，区城管局负责执法", "承接部门",
                     "县工业园区和经济开发区管理委员会负责执法，县应急局配合")
    _, graph, report = build_one(path)
    cooperative, reclaimed = duty("cooperative", 1), duty("reclaimed", 1)
    assert _labels(graph) == {"区住建局", "区城管局", "县工业园区和经济开发区管理委员会", "县应急局"}
    assert graph.value(cooperative, LZ.departmentMention) is None
    assert [issue["code"] for issue in report.issues if issue["code"] == "department-unread"] == []
    # Two departments and the cell's one 上级部门职责 text, not split: each participation keeps its own task.
    assert _responsibilities(graph, cooperative) == {"区住建局": "负责统筹", "区城管局": "负责执法"}
    assert roles(graph, reclaimed) == {"县工业园区和经济开发区管理委员会": None, "县应急局": "SupportingRole"}
    assert _responsibilities(graph, reclaimed) == {"县工业园区和经济开发区管理委员会": "负责执法", "县应急局": "None"}
    assert graph.value(reclaimed, LZ.wayOfWorking) == Literal("县工业园区和经济开发区管理委员会负责执法，县应急局配合",
                                                              lang="zh")
    assert list(validate_graph(graph, BASE).results) == []
