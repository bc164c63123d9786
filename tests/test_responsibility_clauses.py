"""A 上级部门职责 cell whose departments' parts are clauses joined by `，` (cold review 21, P1).

Before: `农业农村局负责技术指导，水利局负责河道治理。` gave the whole text to 区农业农村局 and 区水利局 nothing, and
`…，区公安局负责打击违法` (区公安局 not in the department cell) was not reported.
"""

from __future__ import annotations

import pytest
from rdflib import Literal
from rdflib.namespace import SKOS
from test_extra_columns import build_one, duty, lists_document

from luzhi.etl.responsibilities import split_responsibility, unlisted_departments
from luzhi.ontology.namespaces import LZ

PLACE = ("平谷区", "北京市")


def test_each_clause_with_its_own_subject_is_its_departments():
    text = "农业农村局负责技术指导，水利局负责河道治理。"
    assert split_responsibility(text, ("区农业农村局", "区水利局"), *PLACE) == (
        ("区农业农村局", "农业农村局负责技术指导"), ("区水利局", "水利局负责河道治理"))


def test_a_role_verb_of_a_supporting_department_also_starts_its_clause():
    text = "1.区住建委牵头组织检查，区城管委配合做好执法；2.区住建委负责验收。"
    split = dict(split_responsibility(text, ("区住建委", "区城管委")))
    assert split == {"区住建委": "区住建委牵头组织检查\n区住建委负责验收", "区城管委": "区城管委配合做好执法"}


def test_a_comma_inside_one_departments_part_does_not_cut_it():
    text = "区农业农村局负责组织培训，做好技术指导；区水利局负责河道治理。"
    split = dict(split_responsibility(text, ("区农业农村局", "区水利局")))
    assert split["区农业农村局"] == "区农业农村局负责组织培训，做好技术指导"


def test_a_subject_the_cell_does_not_list_is_reported():
    text = "区农业农村局负责防疫监督，区市场监管局负责流通环节检查，区公安局负责打击违法。"
    names = ("区农业农村局", "区市场监管局")
    assert unlisted_departments(text, names, *PLACE) == ("区公安局",)
    assert dict(split_responsibility(text, names, *PLACE)) == {
        "区农业农村局": "区农业农村局负责防疫监督", "区市场监管局": "区市场监管局负责流通环节检查"}
    assert unlisted_departments("区农业农村局负责防疫，区市场监管局负责检查。", names, *PLACE) == ()


COOPERATIVE = ["开展河道治理\t县农业农村局、县水利局\t农业农村局负责技术指导，水利局负责河道治理。\t配合实施",
               "开展动物防疫\t县农业农村局、县市场监管局\t县农业农村局负责防疫监督，县市场监管局负责流通环节检查，"
               "县公安局负责打击违法。\t配合"]


def test_through_pass_1(tmp_path):
    _, graph, report = build_one(lists_document(tmp_path, COOPERATIVE))
    parts = {}
    for participation in graph.objects(duty("cooperative", 1), LZ.participation):
        org = graph.value(participation, LZ.department)
        parts[str(graph.value(org, LZ.name) or org)] = graph.value(participation, LZ.responsibility)
    assert sorted(parts.values()) == sorted([Literal("农业农村局负责技术指导", lang="zh"),
                                             Literal("水利局负责河道治理", lang="zh")])
    unlisted = [issue for issue in report.issues if issue["code"] == "section-department-not-listed"]
    assert len(unlisted) == 1 and "县公安局" in unlisted[0]["message"]


def test_validate_prints_every_issue_the_build_reports(tmp_path):
    """`luzhi validate` printed the parsed document's issues only: section-department-not-listed, found while
    making the RDF, was in the build report and missing from validate (polish 22)."""
    import json
    import subprocess
    import sys
    from collections import Counter

    path = lists_document(tmp_path, COOPERATIVE)
    _, _, report = build_one(path)
    done = subprocess.run([sys.executable, "-m", "luzhi.server.cli", "validate", str(path), "--format", "json",
                           "--base", "http://127.0.0.1:5000"], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode in (0, 1), done.stderr
    notices = json.loads(done.stdout)["files"][0]["notices"]
    built = Counter(issue["code"] for issue in report.issues)
    assert built["section-department-not-listed"] == 1
    assert Counter(notice["code"] for notice in notices) == built
    shown = subprocess.run([sys.executable, "-m", "luzhi.server.cli", "validate", str(path), "--lang", "en",
                            "--base", "http://127.0.0.1:5000"], capture_output=True, text=True, timeout=120,
                           check=False)
    assert "does not name that department" in shown.stdout


# --- a department's text without the list's structure (cold review of the department cells) ----------------------

# (一、 before a department heads its section: tests/test_departments.py `test_chinese_numbered_headings`.)
@pytest.mark.parametrize("number", ["1.", "1．", "1、", "1）", "(1)", "（1）", "①", "⑴", "（一）", "1. "])
def test_a_points_outline_number_and_closing_mark_go(number):
    second = {"1.": "2.", "1．": "2．", "1、": "2、", "1）": "2）", "(1)": "(2)", "（1）": "（2）", "①": "②", "⑴": "⑵",
              "（一）": "（二）", "1. ": "2. "}[number]
    text = f"{number}区住建委负责组织检查；{second}区城管委负责执法。"
    assert dict(split_responsibility(text, ("区住建委", "区城管委"))) == {
        "区住建委": "区住建委负责组织检查", "区城管委": "区城管委负责执法"}


def test_a_decimal_is_no_outline_number():
    text = "区住建委检查1.5米以上围挡；区城管委负责执法。"
    assert dict(split_responsibility(text, ("区住建委", "区城管委")))["区住建委"] == "区住建委检查1.5米以上围挡"
    one = split_responsibility("1.5吨以下由区住建委登记。", ("区住建委",))
    assert one == (("区住建委", "1.5吨以下由区住建委登记"),)


def test_a_section_of_numbered_points_keeps_its_numbers():
    # The section's numbers number its own list: stripping the first alone would leave `组织检查； 2. 验收`.
    text = "区住建委： 1. 组织检查； 2. 组织验收。 区城管委： （1）负责执法； （2）负责巡查。"
    assert dict(split_responsibility(text, ("区住建委", "区城管委"))) == {
        "区住建委": "1. 组织检查； 2. 组织验收", "区城管委": "（1）负责执法； （2）负责巡查"}


def test_a_cell_naming_one_department_is_its_text_made_the_same_way():
    assert split_responsibility("1.负责做好气象预报工作。", ("市气象局",)) == (("市气象局", "负责做好气象预报工作"),)
    assert split_responsibility("1.负责预报；2.负责预警。", ("市气象局",)) == (("市气象局", "1.负责预报；2.负责预警"),)
    assert split_responsibility("。", ("市气象局",)) == ()


# In the style of 000 (耿庄镇), cooperative items 1 and 3: numbered points, some naming their departments.
GENGZHUANG = ["开展县级及以上党内表彰激励工作\t市委组织部\t1.组织开展县级“两优一先”等党内表彰激励工作。\t"
              "1.组织推荐上报工作。",
              "开展对村民委员会成员的任期和离任经济责任审计\t市委组织部 市农业农村局 市财政局\t"
              "1.市委组织部负责督促有关部门做好审计工作； 2.市农业农村局、市财政局会同镇（街道）组成审计组进行审计； "
              "3.审计组负责提供审计报告。\t1.组织工作人员参与审计工作。"]


def test_each_departments_text_through_pass_1(tmp_path):
    _, graph, _ = build_one(lists_document(tmp_path, GENGZHUANG))
    texts = {}
    for n in (1, 2):
        for participation in graph.objects(duty("cooperative", n), LZ.participation):
            label = str(graph.value(graph.value(participation, LZ.department), SKOS.prefLabel))
            texts[(n, label)] = str(graph.value(participation, LZ.responsibility))
    assert texts == {
        (1, "市委组织部"): "组织开展县级“两优一先”等党内表彰激励工作",
        (2, "市委组织部"): "市委组织部负责督促有关部门做好审计工作",
        (2, "市农业农村局"): "市农业农村局、市财政局会同镇（街道）组成审计组进行审计",
        (2, "市财政局"): "市农业农村局、市财政局会同镇（街道）组成审计组进行审计",
    }
    # The cell as written stays the duty's.
    assert str(graph.value(duty("cooperative", 2), LZ.upperResponsibility)).startswith("1.市委组织部负责")
