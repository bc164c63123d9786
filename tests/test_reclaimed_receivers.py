"""A reclaimed cell's receiver, however the hand-over is worded (cold review 21).

Before: `移交区城市管理委员会负责。`, `已移交区城管委`, `划转区公安分局`, `收回区住建委`, `收归…` loaded organisations
named with the verb (移交区城市管理委员会); `由区级部门统一办理` loaded an organisation 区级部; and `区城管委承接`,
`交区城管委办理`, `该事项移交区市场监管局实施`, `区市场监管局收回`, `收回部门：区城管委` refused the document (no
receiver). docs/departments.md, "Reclaimed cells".
"""

from __future__ import annotations

import pytest
from rdflib.namespace import SKOS
from test_department_role_columns import roles
from test_extra_columns import BASE, build_one, duty, lists_document

from luzhi.etl.department_names import looks_like_department
from luzhi.etl.departments import parse_reclaimed_cell
from luzhi.ontology.namespaces import LZ
from luzhi.shapes.fast import validate_graph

VERB_FIRST = [
    ("移交区城市管理委员会负责。", "区城市管理委员会"),
    ("已移交区城管委", "区城管委"),
    ("划转区公安分局", "区公安分局"),
    ("划归区水务局", "区水务局"),
    ("收回区住建委", "区住建委"),
    ("收归区市场监管局", "区市场监管局"),
    ("上收区城管委", "区城管委"),
    ("交由区城管委负责", "区城管委"),
    ("交区城管委办理", "区城管委"),
    ("转区城管委办理", "区城管委"),
    ("该事项移交区市场监管局实施", "区市场监管局"),
]
RECEIVER_FIRST = [
    ("区城管委承接", "区城管委"),
    ("区市场监管局收回", "区市场监管局"),
    ("区住建委承担，镇街配合提供线索", "区住建委"),
    ("收回部门：区城管委", "区城管委"),
    ("由区城市管理委员会负责，乡镇不再开展", "区城市管理委员会"),  # not 区城市管理委 (the first 委)
]


@pytest.mark.parametrize(("cell", "receiver"), VERB_FIRST + RECEIVER_FIRST)
def test_the_receiver_without_the_verb(cell, receiver):
    reclaimed = parse_reclaimed_cell(cell)
    assert reclaimed.departments.names == (receiver,)
    assert not reclaimed.departments.unread and not reclaimed.discontinued


@pytest.mark.parametrize(("cell", "phrase"), [
    ("由区级部门统一办理", "区级部门"),
    ("由区直部门办理", "区直部门"),
    ("由区相关部门依法处理", "区相关部门"),
])
def test_a_class_of_departments_stays_a_generic_phrase(cell, phrase):
    reclaimed = parse_reclaimed_cell(cell)
    assert reclaimed.departments.names == () and reclaimed.departments.generic == (phrase,)


@pytest.mark.parametrize("cell", ["交区城管委办理，不再开展此项工作", "区市场监管局收回，乡镇不再开展"])
def test_work_handed_to_a_receiver_so_worded_goes_on(cell):
    reclaimed = parse_reclaimed_cell(cell)
    assert reclaimed.departments.names and not reclaimed.discontinued


def test_a_name_beginning_like_a_verb_is_not_cut():
    # 交 before a name without its owner is no hand-over: 交通运输局 stays whole.
    assert parse_reclaimed_cell("交通运输局负责").departments.names == ("交通运输局",)


@pytest.mark.parametrize(("cell", "receiver"), [
    ("移交城管委", "城管委"),  # 交城 (交城县) hid 移交 and an organisation 移交城管委 was loaded (polish 22)
    ("划转市场监管局", "市场监管局"),
    ("交城县公安局", "交城县公安局"),  # a county 交城县: its bureau, no 交 of 城县公安局
    ("划转交城县公安局", "交城县公安局"),
    # The name without its owner before what the receiver does (cold review of the department cells: no receiver).
    ("移交城管委负责", "城管委"),
    ("移交城管委负责。", "城管委"),
    ("该事项移交城管委负责", "城管委"),
    ("已移交城管委办理", "城管委"),
    ("交由城管委负责", "城管委"),  # was an unread 城管委
    ("由城管委承接", "城管委"),
    ("转交城管委负责", "城管委"),  # was an organisation 转交城管委
    ("移送城管执法局处理", "城管执法局"),
    ("移交至城管执法局", "城管执法局"),
    ("交由区城管委负责", "区城管委"),
    ("移交至区城管执法局", "区城管执法局"),
])
def test_a_verb_before_a_name_without_its_owner(cell, receiver):
    reclaimed = parse_reclaimed_cell(cell)
    assert reclaimed.departments.names == (receiver,)
    assert not reclaimed.departments.unread and not reclaimed.discontinued


@pytest.mark.parametrize("cell", ["移交城管委负责", "交由城管委负责", "由城管委负责"])
def test_a_receiver_without_its_owner_keeps_its_role_word(cell):
    # As `移交区城管委负责` and `交由区城管委负责` do: 负责 is the receiver's role.
    assert parse_reclaimed_cell(cell).departments.roles == (("城管委", "lead"),)
    assert parse_reclaimed_cell("移交城管委负责执法").departments.tasks == (("城管委", "负责执法"),)


@pytest.mark.parametrize("cell", ["移交县局办理", "由县局直接受理", "交城管委负责"])
def test_no_receiver_by_guess_after_a_verb(cell):
    # 县局: which bureau? 交城管委: 交城's 管委 (a county 交城县), a name as written, not 交 + 城管委.
    assert "城管委" not in parse_reclaimed_cell(cell).departments.names
    assert "县局" not in parse_reclaimed_cell(cell).departments.names


def test_a_place_inside_a_verb_hides_it_no_more():
    # 移交城管委's 移交 overlaps 交城; only a word wholly inside a place's name is the place's (向阳区, 会同县).
    assert not looks_like_department("移交城管委")
    assert looks_like_department("交城县公安局") and looks_like_department("会同县民政局")


def test_a_verb_glued_to_a_name_is_never_a_name():
    # Never an organisation 划转水务局: after its label the verb goes as it does without one (划转市场监管局), and
    # what reads as no department after it (水务, no organisational word) is no receiver.
    assert parse_reclaimed_cell("承接部门：划转水务局").departments.names == ("水务局",)
    assert parse_reclaimed_cell("承接部门：划转水务").departments.names == ()


# --- through pass 1 ------------------------------------------------------------------------------------------

CELLS = [cell for cell, _ in VERB_FIRST + RECEIVER_FIRST] + ["由区级部门统一办理"]


def test_the_receivers_through_pass_1(tmp_path):
    _, graph, report = build_one(lists_document(
        tmp_path, ["做好城市管理工作\t区城管委\t负责城市管理。\t做好日常巡查。"],
        [f"事项{n}\t{cell}" for n, cell in enumerate(CELLS, 1)]))
    expected = [receiver for _, receiver in VERB_FIRST + RECEIVER_FIRST]
    assert [set(roles(graph, duty("reclaimed", n))) for n in range(1, len(expected) + 1)] == [
        {receiver} for receiver in expected]
    last = duty("reclaimed", len(CELLS))
    assert roles(graph, last) == {} and str(graph.value(last, LZ.departmentMention)) == "区级部门"
    labels = {str(label) for label in graph.objects(None, SKOS.prefLabel)}
    assert not [label for label in labels if label.startswith(("移交", "已移交", "划转", "收回", "收归", "区级部"))]
    assert [r for r in validate_graph(graph, BASE).results if r.severity.name == "VIOLATION"] == []
    assert not [issue for issue in report.issues if issue.get("severity") == "error"]


OWNERLESS = ["移交城管委", "移交城管委负责", "由城管委承接", "交由城管委负责", "转交城管委负责"]


def test_a_receiver_without_its_owner_through_pass_1(tmp_path):
    """移交城管委 loads the department 城管委, not an organisation 移交城管委 (polish 22); so do 移交城管委负责,
    由城管委承接 and 交由城管委负责, which had no receiver (a Violation), and 转交城管委负责 (an organisation
    转交城管委).
    The name without its owner is the district's, as any is: the organisation its cooperative duty names 区城管委."""
    _, graph, _ = build_one(lists_document(
        tmp_path, ["做好城市管理工作\t区城管委\t负责城市管理。\t做好日常巡查。"],
        [f"事项{n}\t{cell}" for n, cell in enumerate(OWNERLESS, 1)]))
    receivers = {org for n in range(1, len(OWNERLESS) + 1) for org in graph.objects(duty("reclaimed", n),
                                                                                 LZ.upperDepartment)}
    assert receivers == set(graph.objects(duty("cooperative", 1), LZ.upperDepartment))
    assert {str(label) for label in graph.objects(receivers.pop(), SKOS.altLabel | SKOS.prefLabel)} == {
        "区城管委", "城管委"}
    assert roles(graph, duty("reclaimed", 2)) == {"城管委": "LeadRole"}  # prefLabel: the most written spelling
    labels = {str(label) for label in graph.objects(None, SKOS.prefLabel)}
    assert not [label for label in labels if label.startswith(("移交", "转交", "交由", "由"))]
    assert [r for r in validate_graph(graph, BASE).results if r.severity.name == "VIOLATION"] == []
