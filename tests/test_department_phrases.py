"""Everyday wording of department cells (cold review 18, P0-2 and P1-2): names joined by 和/及/与, role words
(牵头, 配合 …), phrases that are no department, and 承接部门 cells holding just the department.

Before: `区民政局和区财政局` was one organisation (区财政局 lost), `区住建局牵头，区城管局配合` two organisations
named with their role words, `县公安局` alone in a 承接部门 column no receiver at all (3 Violations), and every
case loaded or failed without a word. The merged bureaus whose names hold 和 stay whole (every one of the
samples is checked). The same wording through the whole pipeline: tests/test_department_cells_served.py.
"""

from __future__ import annotations

import pytest
from test_departments import sample_cell, sample_department_names

from luzhi.etl.department_phrases import LEAD, SUPPORT, joined_departments, strip_role
from luzhi.etl.departments import parse_reclaimed_cell, split_department_cell

# --- joined names ---------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", [
    "区民政局和区财政局", "区民政局及区财政局", "区民政局与区财政局", "区民政局以及区财政局", "区民政局或区财政局",
    "区民政局会同区财政局", "区民政局、区财政局", "区民政局 和 区财政局",
])
def test_two_departments_joined_are_two(cell):
    split = split_department_cell(cell)
    assert split.names == ("区民政局", "区财政局")
    assert split.unread == () and split.generic == ()


@pytest.mark.parametrize("name", [
    "区住房和城乡建设局", "县自然资源和规划局", "县人力资源和社会保障局", "县农业农村和水利局", "县农业农村和水务局",
    "市发展和改革委员会", "县教育和科学技术局", "县商务和工业信息化局", "县文化体育广播电视和旅游局",
    "县委网络安全和信息化委员会办公室", "县国有土地上房屋征收与补偿中心", "市政务服务与数据管理局", "区委保密和机要局",
    "县林业和草原局", "县粮食和物资储备局", "县民政和人力资源社会保障局", "县发改工信和科技商务局",
])
def test_a_merged_bureau_whose_name_holds_he_stays_one(name):
    assert split_department_cell(name).names == (name,)


def test_no_department_of_the_samples_is_split():
    names = sample_department_names()
    joined = sorted(name for name in names if any(word in name for word in "和及与或"))
    assert len(joined) >= 20, joined  # 住房和城乡建设局 … in 002, 003, 004
    # 003 cooperative 30 writes `县农业农村局和水利局`: two bureaus, each a department by itself, the second the
    # county's as the first is (cold review 21: it was a bare 水利局).
    assert [n for n in joined if split_department_cell(n).names != (n,)] == []
    assert split_department_cell(sample_cell("003", 218, 3)).names == (
        "市生态环境局左云分局", "县农业农村局", "县水利局", "县卫生健康局")


def test_a_joined_name_and_a_merged_one_in_one_phrase():
    assert split_department_cell("县住房和城乡建设局和县财政局").names == ("县住房和城乡建设局", "县财政局")


def test_joined_names_before_a_generic_tail():
    # Before: name 区民政局, generic `区财政局等相关部门` (the first connector was taken).
    split = split_department_cell("区民政局和区财政局等相关部门")
    assert split.names == ("区民政局", "区财政局")
    assert split.generic == ("相关部门",)


def test_a_connector_inside_parentheses_does_not_split_the_name_before_them():
    # The aside names two bodies housed in 县委宣传部 (cold review 21: kept glued in the name before); its 和 splits
    # the aside, never 县委宣传部（县新闻出版局 from 版权局）.
    names = split_department_cell("县委宣传部（县新闻出版局和版权局）").names
    assert names == ("县委宣传部", "县新闻出版局", "县版权局")


def test_joined_departments_is_none_when_a_part_is_no_department():
    assert joined_departments("区民政局和做好救助") is None
    assert joined_departments("区民政局和区财政局") == (("区民政局", None), ("区财政局", None))


# --- role words -----------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", [
    "区住建局牵头，区城管局配合",
    "区住建局（牵头） 区城管局（配合）",
    "区住建局(牵头单位)、区城管局(配合单位)",
    "由区住建局牵头，区城管局配合",
    "牵头单位：区住建局；配合单位：区城管局",
    "牵头部门：区住建局 配合部门：区城管局",
    "区住建局牵头负责；区城管局协助",
])
def test_role_words_leave_the_name_and_become_its_role(cell):
    split = split_department_cell(cell)
    assert split.names == ("区住建局", "区城管局")
    assert split.roles == (("区住建局", LEAD), ("区城管局", SUPPORT))
    assert split.unread == ()


def test_a_label_gives_its_role_to_every_name_after_it():
    split = split_department_cell("牵头单位：区住建局、区财政局；配合单位：区城管局、区公安分局")
    assert split.names == ("区住建局", "区财政局", "区城管局", "区公安分局")
    assert dict(split.roles) == {"区住建局": LEAD, "区财政局": LEAD, "区城管局": SUPPORT, "区公安分局": SUPPORT}


def test_responsible_units_label_is_no_role():
    split = split_department_cell("责任单位：区住建局、区城管局")
    assert split.names == ("区住建局", "区城管局") and split.roles == ()


def test_roles_after_joined_names():
    split = split_department_cell("区民政局牵头和区财政局配合")
    assert split.names == ("区民政局", "区财政局")
    assert split.roles == (("区民政局", LEAD), ("区财政局", SUPPORT))


def test_a_role_word_alone_is_no_role_of_nothing():
    assert strip_role("配合部门") == ("配合部门", None)
    assert split_department_cell("配合部门").generic == ("配合部门",)
    assert split_department_cell("各相关部门配合").generic == ("各相关部门",)


# --- what is still no department --------------------------------------------------------------------


# `区住建局负责统筹` was one of them; it is a department with its task since cold review 19
# (tests/test_department_clauses.py). Without a role word before the task it is still no name.
@pytest.mark.parametrize("phrase", ["区住建局统筹", "区民政局做好救助工作", "县民政"])
def test_a_phrase_that_is_no_department_is_unread_not_a_name(phrase):
    split = split_department_cell(f"区财政局 {phrase}")
    assert split.names == ("区财政局",)
    assert split.unread == (phrase,)


@pytest.mark.parametrize("name", ["县人大", "县政协", "县委党校"])
def test_bodies_named_without_an_organisational_ending_are_departments(name):
    assert split_department_cell(f"{name}和县财政局").names == (name, "县财政局")


# --- reclaimed cells --------------------------------------------------------------------------------


def test_receivers_joined_by_he():
    reclaimed = parse_reclaimed_cell("承接部门：县农业农村局和县林业局 工作方式：依法审批。")
    assert reclaimed.departments.names == ("县农业农村局", "县林业局")
    assert reclaimed.way_of_working == "依法审批。"


@pytest.mark.parametrize("cell", [
    "承接部门：县农业农村局牵头 县林业局配合 负责审批。",  # no way-of-working label: the leading departments
    "县农业农村局牵头、县林业局配合 工作方式：负责审批。",  # no 承接部门 label
    "县农业农村局和县林业局：负责审批。",  # a header before the colon
])
def test_receivers_with_role_words_or_joined_in_each_layout(cell):
    reclaimed = parse_reclaimed_cell(cell)
    assert reclaimed.departments.names == ("县农业农村局", "县林业局")
    assert reclaimed.way_of_working == "负责审批。"


@pytest.mark.parametrize(("cell", "names"), [
    ("县公安局", ("县公安局",)),
    ("县公安局。", ("县公安局",)),
    ("县农业农村局和县林业局", ("县农业农村局", "县林业局")),
    ("县公安局、县交通运输局", ("县公安局", "县交通运输局")),
])
def test_a_cell_that_is_only_its_receivers(cell, names):
    reclaimed = parse_reclaimed_cell(cell)
    assert reclaimed.departments.names == names
    assert reclaimed.way_of_working == ""  # the cell says nothing of how
    assert not reclaimed.discontinued


@pytest.mark.parametrize("verb", ["上收至", "收回至", "划转至", "划转到", "移交至", "划归"])
def test_a_cell_moving_the_work_to_a_department(verb):
    reclaimed = parse_reclaimed_cell(f"{verb}县自然资源局")
    assert reclaimed.departments.names == ("县自然资源局",)
    assert reclaimed.way_of_working == f"{verb}县自然资源局"
    assert not reclaimed.discontinued
    sentence = parse_reclaimed_cell(f"该事项{verb}县自然资源局，由其依法办理。")
    assert sentence.departments.names == ("县自然资源局",) and not sentence.discontinued


def test_a_cell_naming_a_department_in_a_sentence_is_not_only_receivers():
    # `县公安局 负责登记` is neither a label layout nor names alone: the sentence says who does the work (cold
    # review 21: `区城管委承接`, `区住建委承担` refused the document), and the whole cell is how.
    reclaimed = parse_reclaimed_cell("县公安局 负责登记")
    assert reclaimed.departments.names == ("县公安局",)
    assert reclaimed.way_of_working == "县公安局 负责登记"
