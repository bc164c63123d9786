"""Role verbs between two department names, and role columns beside a take-back list's 承接部门 (cold review 19b).

Before: `区住建局配合区城管局` loaded 区住建局 and an organisation `配合区城管局` (配合区 read as the place owning it),
as did 协助, 协同, and `区住建局牵头区城管局配合` (`牵头区城管局`), with no roles; and in a take-back list whose
header has 承接部门 and a 牵头部门 or 配合部门 column of its own, that column's departments were a note
(`配合部门：县消防救援大队`), no receivers, their roles lost. Now `A配合B` is A supporting B, the lead, and a role
column's departments are receivers with its role. The same cells served: tests/test_department_cells_served.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import RDFS, SKOS
from test_department_role_columns import roles
from test_extra_columns import BASE, LISTS, TITLE, build_one, duty

from luzhi.etl.department_names import looks_like_department
from luzhi.etl.department_phrases import LEAD, SUPPORT
from luzhi.etl.departments import split_department_cell
from luzhi.ontology.namespaces import LZ
from luzhi.shapes.fast import validate_graph

# --- a role verb between two names ------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "expected"), [
    ("区住建局配合区城管局", {"区住建局": SUPPORT, "区城管局": LEAD}),
    ("区住建局协助区城管局", {"区住建局": SUPPORT, "区城管局": LEAD}),
    ("区住建局协同区城管局", {"区住建局": SUPPORT, "区城管局": LEAD}),
    ("区住建局会同区城管局", {"区住建局": LEAD, "区城管局": SUPPORT}),
    ("区住建局牵头区城管局配合", {"区住建局": LEAD, "区城管局": SUPPORT}),
    ("区住建局牵头负责区城管局配合", {"区住建局": LEAD, "区城管局": SUPPORT}),
    ("区住建局（牵头）区城管局（配合）", {"区住建局": LEAD, "区城管局": SUPPORT}),
    ("县住建局配合县城管局", {"县住建局": SUPPORT, "县城管局": LEAD}),
    ("吴江区住建局配合吴江区城管局", {"吴江区住建局": SUPPORT, "吴江区城管局": LEAD}),
    # No owner after the verb: still two, the second with the first's owner (cold review 21).
    ("区住建局配合城管局", {"区住建局": SUPPORT, "区城管局": LEAD}),
    ("由区住建局会同区城管局负责", {"区住建局": LEAD, "区城管局": SUPPORT}),
])
def test_a_role_verb_between_two_names_gives_each_its_part(cell, expected):
    split = split_department_cell(cell)
    assert split.names == tuple(expected)
    assert dict(split.roles) == expected
    assert split.unread == () and split.generic == ()


@pytest.mark.parametrize(("cell", "expected"), [
    ("区民政局和区财政局配合区城管局", {"区民政局": SUPPORT, "区财政局": SUPPORT, "区城管局": LEAD}),
    ("区民政局配合区财政局和区城管局", {"区民政局": SUPPORT, "区财政局": LEAD, "区城管局": LEAD}),
    ("区民政局和区财政局牵头区城管局配合", {"区民政局": LEAD, "区财政局": LEAD, "区城管局": SUPPORT}),
    ("区民政局牵头和区财政局配合", {"区民政局": LEAD, "区财政局": SUPPORT}),  # 牵头 before 和 is 区民政局's
    ("区住建局配合区城管局牵头", {"区住建局": SUPPORT, "区城管局": LEAD}),
])
def test_each_side_of_the_verb_may_be_names_joined_by_he(cell, expected):
    split = split_department_cell(cell)
    assert split.names == tuple(expected) and dict(split.roles) == expected


def test_a_role_verb_with_a_task_is_the_departments_with_their_task():
    split = split_department_cell("区住建局配合区城管局负责执法")
    assert dict(split.roles) == {"区住建局": SUPPORT, "区城管局": LEAD}
    assert dict(split.tasks) == {"区住建局": "负责执法", "区城管局": "负责执法"}


@pytest.mark.parametrize("name", [
    "会同县民政局", "怀化市会同县民政局",  # 会同 is a place here (湖南省怀化市会同县), not the verb
    "县协同发展办公室", "市发展改革委协同发展处",  # 协同发展: a body's words
])
def test_a_role_word_inside_a_place_or_a_bodys_name_stays_in_it(name):
    assert split_department_cell(name).names == (name,)
    assert looks_like_department(name, owner_required=True)


@pytest.mark.parametrize("phrase", ["配合区城管局", "协助县城管局", "牵头区城管局", "参与县城管局", "协同市城管局"])
def test_a_place_never_swallows_a_role_verb(phrase):
    """The general rule (etl/department_names.py): 配合区, 协助县 … are no owners, and no name holds 配合, 协助,
    会同 or 牵头 (协同, 参与 … may be in a body's name, but never in its owner's)."""
    assert not looks_like_department(phrase, owner_required=True)
    if phrase[:2] in ("配合", "协助", "牵头"):
        split = split_department_cell(f"区财政局 {phrase}")
        assert split.names == ("区财政局",) and split.unread == (phrase,)


def test_a_place_holding_a_role_word_is_a_place_of_the_table():
    assert looks_like_department("会同县民政局", owner_required=True)  # 湖南省怀化市会同县
    assert not looks_like_department("会同市城管局", owner_required=True)  # no 会同市: the verb and 市城管局
    assert dict(split_department_cell("区住建局会同市城管局").roles) == {"区住建局": LEAD, "市城管局": SUPPORT}


def test_the_split_names_are_organisations_each_with_its_role_through_pass_1(tmp_path):
    _, graph, report = build_one(_document(tmp_path, "区住建局配合区城管局、县民政局会同县财政局",
                                        "序号\t事项名称\t承接部门", "1\t安全生产执法\t县应急局"))
    item = duty("cooperative", 1)
    assert roles(graph, item) == {"区住建局": "SupportingRole", "区城管局": "LeadRole", "县民政局": "LeadRole",
                                  "县财政局": "SupportingRole"}
    labels = {str(label) for label in graph.objects(None, SKOS.prefLabel)}
    assert not {label for label in labels if label.startswith(("配合", "会同"))}
    assert [issue["code"] for issue in report.issues if issue["code"].startswith("department")] == []
    assert list(validate_graph(graph, BASE).results) == []


# --- 牵头部门 / 配合部门 columns beside 承接部门 ------------------------------------------------------------


def _document(tmp_path: Path, cooperative: str, reclaimed_header: str, *reclaimed_rows: str) -> Path:
    lines = [TITLE, LISTS["basic"], "序号\t事项类别\t事项名称", "1\t党的建设\t加强党的政治建设",
             LISTS["cooperative"], "序号\t事项名称\t对应上级部门\t上级部门职责\t镇配合职责",
             f"1\t做好城市管理工作\t{cooperative}\t负责城市管理。\t做好日常巡查。",
             LISTS["reclaimed"], reclaimed_header, *reclaimed_rows]
    path = tmp_path / "doc.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _participations(graph, item) -> list[tuple[str, int, list[str]]]:
    """(department's label, lz:position, the participation's labels) of each participation, by position."""
    found = []
    for part in graph.objects(item, LZ.participation):
        label = str(graph.value(graph.value(part, LZ.department), SKOS.prefLabel))
        labels = sorted(map(str, graph.objects(part, RDFS.label)))
        found.append((label, graph.value(part, LZ.position).toPython(), labels))
    return sorted(found, key=lambda row: row[1])


@pytest.mark.parametrize(("header", "receiver"), [
    ("承接部门及工作方式", "承接部门：县应急局 工作方式：依法处置。"),
    ("承接部门", "县应急局"),
    ("承接部门\t工作方式", "县应急局\t依法处置。"),
])
def test_role_columns_beside_the_receiver_give_receivers_with_their_roles(tmp_path, header, receiver):
    path = _document(tmp_path, "县应急局", f"序号\t事项名称\t{header}\t牵头部门\t配合部门",
                     f"1\t安全生产执法\t{receiver}\t县应急局\t县消防救援大队、县公安局")
    doc, graph, report = build_one(path)
    item = duty("reclaimed", 1)
    assert roles(graph, item) == {"县应急局": "LeadRole", "县消防救援大队": "SupportingRole",
                                  "县公安局": "SupportingRole"}
    assert [(label, position) for label, position, _ in _participations(graph, item)] == [
        ("县应急局", 1), ("县消防救援大队", 2), ("县公安局", 3)]
    assert graph.value(item, SKOS.note) is None  # before: 牵头部门：县应急局, 配合部门：… as notes
    assert doc.items[-1].role_departments == "牵头部门：县应急局\n配合部门：县消防救援大队、县公安局"
    assert [issue["code"] for issue in report.issues if issue["code"].startswith(("column", "department"))] == []
    if "工作方式" in header:
        assert graph.value(item, LZ.wayOfWorking) == Literal("依法处置。", lang="zh")
    assert list(validate_graph(graph, BASE).results) == []


def test_one_organisation_in_both_is_one_receiver_with_the_role_columns_role(tmp_path):
    path = _document(tmp_path, "县应急局", "序号\t事项名称\t承接部门及工作方式\t牵头部门\t配合部门",
                     "1\t安全生产执法\t承接部门：县消防救援大队、县应急局配合 工作方式：依法处置。\t县应急管理局\t"
                     "县消防救援大队",
                     "2\t林木采伐许可\t承接部门：县林业局牵头 工作方式：依法审批。\t\t县自然资源局")
    _, graph, _ = build_one(path)
    first = duty("reclaimed", 1)
    # 县应急局 and 县应急管理局 are one organisation: one participation, at the 承接 cell's place, lead (the 牵头部门
    # column's role wins over the cell's 配合); both spellings are its labels.
    assert roles(graph, first) == {"县消防救援大队": "SupportingRole", "县应急局": "LeadRole"}
    assert _participations(graph, first) == [
        ("县消防救援大队", 1, ["县消防救援大队在“安全生产执法”中的职责"]),
        ("县应急局", 2, ["县应急局在“安全生产执法”中的职责"])]
    organisation = next(o for o in graph.objects(first, LZ.upperDepartment)
                        if graph.value(o, SKOS.prefLabel) == Literal("县应急局", lang="zh"))
    assert set(graph.objects(organisation, SKOS.altLabel)) == {Literal("县应急管理局", lang="zh")}
    # No role column says anything of 县林业局: it keeps the cell's role; an empty 牵头部门 cell names nobody.
    assert roles(graph, duty("reclaimed", 2)) == {"县林业局": "LeadRole", "县自然资源局": "SupportingRole"}
    assert list(validate_graph(graph, BASE).results) == []


def test_a_lone_role_column_beside_the_receiver_gives_its_role(tmp_path):
    _, graph, _ = build_one(_document(tmp_path, "县应急局", "序号\t事项名称\t承接部门\t配合部门",
                                      "1\t安全生产执法\t县应急局\t县消防救援大队"))
    assert roles(graph, duty("reclaimed", 1)) == {"县应急局": None, "县消防救援大队": "SupportingRole"}


def test_a_phrase_of_a_role_column_that_is_no_department_is_reported_naming_that_column(tmp_path):
    _, graph, report = build_one(_document(tmp_path, "县应急局", "序号\t事项名称\t承接部门\t牵头部门\t配合部门",
                                           "1\t安全生产执法\t县应急局\t\t县消防做好巡查"))
    (unread,) = [issue for issue in report.issues if issue["code"] == "department-unread"]
    assert "收回事项 1 的配合部门一栏中「县消防做好巡查」" in unread["message"]
    assert "the 配合部门 cell" in unread["message_en"] and unread["lines"] == [10, 10]
    assert graph.value(duty("reclaimed", 1), LZ.departmentMention) == Literal("县消防做好巡查", lang="zh")


def test_a_plain_department_column_beside_the_receiver_is_still_a_note(tmp_path):
    _, graph, report = build_one(_document(tmp_path, "县应急局", "序号\t事项名称\t承接部门\t对应上级部门",
                                           "1\t安全生产执法\t县应急局\t县消防救援大队"))
    item = duty("reclaimed", 1)
    assert roles(graph, item) == {"县应急局": None}
    assert graph.value(item, SKOS.note) == Literal("对应上级部门：县消防救援大队", lang="zh")
    assert [issue["code"] for issue in report.issues if issue["code"].startswith("column")] == ["column-kept-as-note"]
