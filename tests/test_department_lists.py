"""Lists of names in a department cell (cold review 21, P1): what is written once for a whole list.

Before: `A牵头，B、C配合` gave the supporting role to C only; `县公安局、县应急管理局等` and `县公安局等` lost the
names before 等 (an unread `县应急管理局等`); `县发展改革局、县财政局按职责分工负责` lost 县财政局; a name cut by a
space or a line break (`县自然资源和规划 局`) was an unread fragment; `县水利局（县水土保持委员会办公室）` was one
organisation of that name; and `县农业农村局和水利局`, `县财政局、人社局` gave bare 水利局, 人社局 (in a 区's
document a bare name after 市X局 is the 区's, not the 市's). docs/departments.md, "Department cells".
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

# --- a role word after a list ----------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "expected"), [
    ("县住建局牵头，县城管局、县公安局配合", {"县住建局": LEAD, "县城管局": SUPPORT, "县公安局": SUPPORT}),
    ("县住建局牵头；县城管局、县公安局、县司法局协助",
     {"县住建局": LEAD, "县城管局": SUPPORT, "县公安局": SUPPORT, "县司法局": SUPPORT}),
    ("县住建局、县财政局牵头，县城管局配合", {"县住建局": LEAD, "县财政局": LEAD, "县城管局": SUPPORT}),
    ("县住建局（牵头）、县财政局、县城管局（配合）", {"县住建局": LEAD, "县财政局": SUPPORT, "县城管局": SUPPORT}),
    ("县城管局、县公安局和县司法局配合", {"县城管局": SUPPORT, "县公安局": SUPPORT, "县司法局": SUPPORT}),
    # A relation's first side is the list's: both support 县住建局, the lead.
    ("县城管局、县公安局配合县住建局", {"县城管局": SUPPORT, "县公安局": SUPPORT, "县住建局": LEAD}),
])
def test_a_role_word_after_a_list_is_every_names(cell, expected):
    split = split_department_cell(cell)
    assert split.names == tuple(expected)
    assert dict(split.roles) == expected
    assert split.unread == ()


@pytest.mark.parametrize("cell", ["县住建局，县城管局配合", "县住建局 县城管局配合", "县住建局\n县城管局配合"])
def test_a_role_word_does_not_reach_over_a_clause_or_a_line(cell):
    # ，ends a clause, and a space or a line break may be a layout's: only 、 makes a list.
    assert dict(split_department_cell(cell).roles) == {"县城管局": SUPPORT}


def test_a_task_after_a_list_is_every_names():
    split = split_department_cell("县民政局、县财政局负责审核，县城管局负责执法")
    assert dict(split.tasks) == {"县民政局": "负责审核", "县财政局": "负责审核", "县城管局": "负责执法"}


# --- 等 and 按职责分工 close a list ------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "names"), [
    ("县公安局、县应急管理局等", ("县公安局", "县应急管理局")),
    ("县公安局等", ("县公安局",)),
    ("县公安局等等", ("县公安局",)),
    ("县公安局和县应急管理局等", ("县公安局", "县应急管理局")),
    ("县公安局、县应急管理局等，县民政局", ("县公安局", "县应急管理局", "县民政局")),
])
def test_deng_ends_a_list(cell, names):
    split = split_department_cell(cell)
    assert split.names == names
    assert split.unread == () and split.generic == ()
    # Cold review 21: the page must still read 县公安局等, not a closed list; the 等 is no mention 「等」 (it named no
    # department and read as junk), the cell is open-ended (lz:moreDepartments true).
    assert split.more is True


def test_deng_closes_a_list_of_receivers_too():
    reclaimed = parse_reclaimed_cell("承接部门：县公安局、县司法局等 工作方式：依法办理。")
    assert reclaimed.departments.names == ("县公安局", "县司法局") and reclaimed.departments.more is True


@pytest.mark.parametrize("cell", ["县公安局", "县公安局、县应急管理局", "县公安局、县应急管理局等相关部门",
                                  "县平等发展促进会"])
def test_no_deng_no_more(cell):
    # 等相关部门 keeps its generic phrase (shown as it is); a 等 inside a name is the name's.
    assert split_department_cell(cell).more is False


def test_deng_before_a_generic_phrase_still_keeps_that_phrase():
    split = split_department_cell("县公安局、县应急管理局等相关部门")
    assert split.names == ("县公安局", "县应急管理局") and split.generic == ("相关部门",)


@pytest.mark.parametrize("cell", [
    "县发展改革局、县财政局按职责分工负责", "县发展改革局、县财政局按照各自职责负责", "县发展改革局和县财政局分别负责",
    "县发展改革局、县财政局依职责负责",
])
def test_names_sharing_responsibility_by_their_remits_all_lead(cell):
    # lz:LeadRole ("its cell says 负责 of it", ontology/luzhi.ttl): each is responsible for its own part; the
    # ontology has no joint role, and none of them merely supports.
    split = split_department_cell(cell)
    assert split.names == ("县发展改革局", "县财政局")
    assert dict(split.roles) == {"县发展改革局": LEAD, "县财政局": LEAD}
    assert split.unread == ()


def test_a_remit_without_a_role_word_keeps_the_names_with_no_role():
    split = split_department_cell("县发展改革局、县财政局按职责分工")
    assert split.names == ("县发展改革局", "县财政局") and split.roles == () and split.unread == ()


def test_a_remit_before_a_task():
    split = split_department_cell("县发展改革局、县财政局按职责分工负责审批")
    assert dict(split.tasks) == {"县发展改革局": "负责审批", "县财政局": "负责审批"}


# --- a name cut by a space or a line break ------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "names"), [
    ("县自然资源和规划 局", ("县自然资源和规划局",)),
    ("县自然资源和规划\n局", ("县自然资源和规划局",)),
    ("县自然资源和规划\u3000局", ("县自然资源和规划局",)),
    ("县应急\n管理局", ("县应急管理局",)),
    ("县财政局、县自然资源和规划\n局、县公安局", ("县财政局", "县自然资源和规划局", "县公安局")),
    ("县自然资源和规划\n局牵头", ("县自然资源和规划局",)),
    ("县农村\n经营管理\n站", ("县农村经营管理站",)),
])
def test_a_name_cut_inside_a_cell_is_made_whole(cell, names):
    split = split_department_cell(cell)
    assert split.names == names and split.unread == ()


@pytest.mark.parametrize(("cell", "names", "unread"), [
    ("县公安局 局", ("县公安局",), ()),  # a whole name before: never glued on (局 alone is no phrase)
    ("县公安局 交警大队", ("县公安局", "交警大队"), ()),  # two names, the first complete
    ("县民政 县财政局", ("县财政局",), ("县民政",)),  # the text after has its own owner: no cut name
])
def test_only_a_fragment_and_a_bare_ending_are_joined(cell, names, unread):
    split = split_department_cell(cell)
    assert split.names == names and split.unread == unread


def test_a_cut_name_in_a_receiver_cell():
    reclaimed = parse_reclaimed_cell("承接部门：县自然资源和规划 局 负责审批。")
    assert reclaimed.departments.names == ("县自然资源和规划局",)
    assert reclaimed.way_of_working == "负责审批。"
    unlabelled = parse_reclaimed_cell("县自然资源和规划\n局 工作方式：依法审批。")
    assert unlabelled.departments.names == ("县自然资源和规划局",)


# --- a parenthetical after a name -------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "names"), [
    ("县水利局（县水土保持委员会办公室）", ("县水利局", "县水土保持委员会办公室")),
    ("县水利局(县水土保持委员会办公室)", ("县水利局", "县水土保持委员会办公室")),
    ("区住建局（城管局）", ("区住建局", "区城管局")),  # one body under two names: the cell names both
    ("县民政局（含县救助管理站）", ("县民政局", "县救助管理站")),
    ("县水利局（县水土保持委员会办公室）、县财政局", ("县水利局", "县水土保持委员会办公室", "县财政局")),
])
def test_a_parenthetical_naming_a_body_is_a_department_of_its_own(cell, names):
    split = split_department_cell(cell)
    assert split.names == names and split.unread == ()


def test_the_aside_shares_its_names_role():
    split = split_department_cell("县水利局（县水土保持委员会办公室）牵头，县财政局配合")
    assert dict(split.roles) == {"县水利局": LEAD, "县水土保持委员会办公室": LEAD, "县财政局": SUPPORT}


@pytest.mark.parametrize(("cell", "unread"), [("县民政局（婚姻登记）", ("婚姻登记",)), ("县民政局（按职责分工）", ())])
def test_an_aside_naming_no_body_leaves_the_name(cell, unread):
    # Kept as a mention (reported), never glued in an organisation's name; a manner aside simply goes.
    split = split_department_cell(cell)
    assert split.names == ("县民政局",) and split.unread == unread


# --- an owner written once --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "names"), [
    ("县农业农村局和水利局", ("县农业农村局", "县水利局")),
    ("县财政局、人社局", ("县财政局", "县人社局")),
    ("市农业农村局和水利局、林业局", ("市农业农村局", "市水利局", "市林业局")),
    ("县财政局、人社局牵头", ("县财政局", "县人社局")),
    # Nothing to pass on, or nothing to take it:
    ("塔城地区生态环境局额敏分局、住房和城乡建设局", ("塔城地区生态环境局额敏分局", "住房和城乡建设局")),  # 004
    ("市生态环境局左云分局、水利局", ("市生态环境局左云分局", "水利局")),  # a branch's owner is not its list's
    ("县委组织部、宣传部", ("县委组织部", "宣传部")),  # 县委宣传部, not 县宣传部: left as written
    ("县发展和改革委员会、国家电网额敏分公司", ("县发展和改革委员会", "国家电网额敏分公司")),  # 004
    ("县人社局、团区委", ("县人社局", "团区委")),
    ("县财政局、工业园区", ("县财政局", "工业园区")),
    ("县财政局、市场监督管理局", ("县财政局", "市场监督管理局")),
    ("县财政局 人社局", ("县财政局", "人社局")),  # a space is no list
])
def test_a_name_without_an_owner_takes_the_owner_before_it_in_its_list(cell, names):
    assert split_department_cell(cell).names == names


def test_the_body_of_two_zones_is_still_one():
    assert split_department_cell("县工业园区和经济开发区管理委员会").names == ("县工业园区和经济开发区管理委员会",)
    assert split_department_cell("县财政局、县工业园区和经济开发区管理委员会").names == (
        "县财政局", "县工业园区和经济开发区管理委员会")


# --- through pass 1: the graph and its validation ---------------------------------------------------------------

COOPERATIVE = [
    "县住建局牵头，县城管局、县公安局配合",
    "县公安局、县应急管理局等",
    "县发展改革局、县财政局按职责分工负责",
    "县自然资源和规划 局",
    "县水利局（县水土保持委员会办公室）",
    "县农业农村局和水利局",
]


def _document(tmp_path: Path) -> Path:
    lines = [TITLE, LISTS["basic"], "序号\t事项类别\t事项名称", "1\t党的建设\t加强党的政治建设",
             LISTS["cooperative"], "序号\t事项名称\t对应上级部门\t上级部门职责\t镇配合职责"]
    lines += [f"{n}\t事项{n}\t{cell}\t负责指导。\t做好配合。" for n, cell in enumerate(COOPERATIVE, 1)]
    lines += [LISTS["reclaimed"], "序号\t事项名称\t承接部门及工作方式",
              "1\t档案管理\t承接部门：县档案馆 工作方式：依法管理。"]
    path = tmp_path / "doc.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_lists_through_pass_1(tmp_path):
    _, graph, report = build_one(_document(tmp_path))
    assert roles(graph, duty("cooperative", 1)) == {"县住建局": "LeadRole", "县城管局": "SupportingRole",
                                                   "县公安局": "SupportingRole"}
    assert roles(graph, duty("cooperative", 2)) == {"县公安局": None, "县应急管理局": None}
    assert roles(graph, duty("cooperative", 3)) == {"县发展改革局": "LeadRole", "县财政局": "LeadRole"}
    assert roles(graph, duty("cooperative", 4)) == {"县自然资源和规划局": None}
    assert roles(graph, duty("cooperative", 5)) == {"县水利局": None, "县水土保持委员会办公室": None}
    assert set(roles(graph, duty("cooperative", 6))) == {"县农业农村局", "县水利局"}
    # 县水利局 of items 5 and 6 is one organisation, and no organisation's name holds a parenthetical or a fragment.
    labels = {str(label) for label in graph.objects(None, SKOS.prefLabel)}
    assert not [label for label in labels if "（" in label or label.endswith(("等", "负责", "规划"))]
    water = {org for n in (5, 6) for org in graph.objects(duty("cooperative", n), LZ.upperDepartment)
             if str(graph.value(org, SKOS.prefLabel)) == "县水利局"}
    assert len(water) == 1
    assert [issue["message"] for issue in report.issues if issue["code"].startswith("department")] == []
    # Item 2 (县公安局、县应急管理局等) names some departments, not all: said by lz:moreDepartments, with no mention
    # 「等」 and no warning (the cell is read whole: nothing for a person to fix).
    assert list(validate_graph(graph, BASE).results) == []
    assert (duty("cooperative", 2), LZ.departmentMention, None) not in graph
    assert graph.value(duty("cooperative", 2), LZ.moreDepartments) == Literal(True)
    assert [s for s, _, _ in graph.triples((None, LZ.moreDepartments, None))] == [duty("cooperative", 2)]
