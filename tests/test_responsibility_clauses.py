"""A 上级部门职责 cell whose departments' parts are clauses joined by `，` (cold review 21, P1).

Before: `农业农村局负责技术指导，水利局负责河道治理。` gave the whole text to 区农业农村局 and 区水利局 nothing, and
`…，区公安局负责打击违法` (区公安局 not in the department cell) was not reported.
"""

from __future__ import annotations

from rdflib import Literal
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
