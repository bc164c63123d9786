"""Lead and supporting departments in columns of their own (cold review 18b).

A header `牵头部门 | 配合部门` or `对应上级部门 | 配合单位` was read with 配合部门 as the township's 配合职责: the
supporting departments loaded as the township's part of the work and the document conformed; beside a real
乡镇配合职责 column the document was refused, blaming that column. A department-word header is a department
column: its cells are the duty's departments, each with the part its column names (org:role).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import ORG, SKOS
from test_extra_columns import BASE, TITLE, build_one, duty

from luzhi.etl.columns import Column, role_of
from luzhi.ontology.namespaces import LZ
from luzhi.shapes.fast import validate_graph

ROW = "1\t开展矛盾纠纷排查化解\t{first}\t{second}\t负责治安纠纷处置。"


def cooperative_list(tmp_path: Path, header: str, row: str) -> Path:
    path = tmp_path / "doc.txt"
    path.write_text("\n".join([TITLE, "配合履职事项清单", header, row]) + "\n", encoding="utf-8")
    return path


def roles(graph, iri: URIRef) -> dict[str, str | None]:
    """Each department of a duty, by label, with the local name of its role (None: the cell gave none)."""
    found = {}
    for participation in graph.objects(iri, LZ.participation):
        label = str(graph.value(graph.value(participation, LZ.department), SKOS.prefLabel))
        role = graph.value(participation, ORG.role)
        found[label] = role.removeprefix(str(LZ)) if role is not None else None
    return found


@pytest.mark.parametrize(("header", "column"), [
    ("配合部门", Column.SUPPORTING_DEPARTMENT), ("配合单位", Column.SUPPORTING_DEPARTMENT),
    ("协办单位", Column.SUPPORTING_DEPARTMENT), ("牵头部门", Column.LEAD_DEPARTMENT),
    ("牵头单位", Column.LEAD_DEPARTMENT), ("主责部门", Column.LEAD_DEPARTMENT),
    ("配合职责", Column.TOWNSHIP_RESPONSIBILITY), ("乡镇配合职责", Column.TOWNSHIP_RESPONSIBILITY),
    ("镇配合事项", Column.TOWNSHIP_RESPONSIBILITY), ("对应上级部门", Column.DEPARTMENT),
    ("责任部门", Column.DEPARTMENT),
])
def test_a_header_naming_a_department_is_a_department_column(header, column):
    assert role_of(header) is column


def test_lead_and_supporting_columns_beside_the_townships_part(tmp_path):
    path = cooperative_list(tmp_path, "序号\t事项名称\t牵头部门\t配合部门\t上级部门职责\t镇配合职责",
                            ROW.format(first="县公安局", second="县司法局、县信访局") + "\t组织排查。")
    doc, graph, report = build_one(path)
    item = duty("cooperative", 1)
    assert roles(graph, item) == {"县公安局": "LeadRole", "县司法局": "SupportingRole", "县信访局": "SupportingRole"}
    assert graph.value(item, LZ.townshipResponsibility) == Literal("组织排查。", lang="zh")
    assert [issue.code for issue in doc.issues if issue.code != "list-missing"] == []
    # Only the two lists this document leaves out fail; the duty conforms.
    assert {result.focus.rsplit("/", 1)[1] for result in validate_graph(graph, BASE).results} == {"basic", "reclaimed"}


@pytest.mark.parametrize("supporting", ["配合部门", "配合单位"])
def test_a_supporting_column_without_the_townships_part_is_no_township_text(tmp_path, supporting):
    """The review's document: no 配合职责 column at all. The supporting department is a department, and the
    missing column is said at the header."""
    path = cooperative_list(tmp_path, f"序号\t事项名称\t对应上级部门\t{supporting}\t上级部门职责",
                            ROW.format(first="县公安局", second="县司法局"))
    doc, graph, _ = build_one(path)
    item = duty("cooperative", 1)
    assert graph.value(item, LZ.townshipResponsibility) is None
    # The plain department column keeps no role; the supporting one says its part.
    assert roles(graph, item) == {"县公安局": None, "县司法局": "SupportingRole"}
    missing = [issue for issue in doc.issues if issue.code == "header-column-missing"]
    assert len(missing) == 1 and "配合职责" in missing[0].message


def test_a_supporting_column_before_the_department_column_does_not_lend_its_role(tmp_path):
    path = cooperative_list(tmp_path, "序号\t事项名称\t配合单位\t对应上级部门\t上级部门职责\t乡镇配合职责",
                            ROW.format(first="县司法局", second="县公安局") + "\t组织排查。")
    _, graph, _ = build_one(path)
    assert roles(graph, duty("cooperative", 1)) == {"县司法局": "SupportingRole", "县公安局": None}


def test_an_empty_or_none_supporting_cell_names_no_department(tmp_path):
    path = cooperative_list(tmp_path, "序号\t事项名称\t牵头部门\t配合部门\t上级部门职责\t镇配合职责",
                            ROW.format(first="县林业局", second="无") + "\t组织巡查。\n"
                            + ROW.format(first="县应急局", second="").replace("1", "2", 1) + "\t组织巡查。")
    doc, graph, _ = build_one(path)
    assert roles(graph, duty("cooperative", 1)) == {"县林业局": "LeadRole"}
    assert roles(graph, duty("cooperative", 2)) == {"县应急局": "LeadRole"}
    assert [item.department_text for item in doc.items] == ["牵头部门：县林业局\n配合部门：无", "牵头部门：县应急局"]


def test_a_lone_department_column_gives_no_role_whatever_its_header(tmp_path):
    path = cooperative_list(tmp_path, "序号\t事项名称\t牵头部门\t上级部门职责\t镇配合职责",
                            "1\t开展禁毒工作\t区公安分局\t负责禁毒宣传教育\t组织宣传。")
    doc, graph, _ = build_one(path)
    assert doc.items[0].department_text == "区公安分局"
    assert roles(graph, duty("cooperative", 1)) == {"区公安分局": None}
