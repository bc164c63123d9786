"""Departments: cells split, names normalised and typed, spellings merged, texts split per department.

Cells come from the bundled samples: `sample_cell("000", 362, 3)` is column 3 (0-based) of line 362
of data/samples/000_*.txt, so each case is exactly what a document wrote.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from luzhi.etl.department_names import looks_like_department
from luzhi.etl.departments import (
    DepartmentError,
    DepartmentRegistry,
    department_type,
    normalise_department,
    parse_reclaimed_cell,
    plain_text,
    split_department_cell,
)
from luzhi.etl.responsibilities import split_responsibility, unlisted_departments

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
TYPES_TTL = Path(__file__).resolve().parent.parent / "ontology" / "department-types.ttl"
LZ = "https://w3id.org/luzhi/def#"
HAICHENG, JIGUAN, ZUOYUN = "210381", "230302", "140226"  # 海城市 (县级市), 鸡冠区 (区), 左云县


def sample_cell(prefix: str, lineno: int, column: int) -> str:
    path = next(SAMPLES.glob(f"{prefix}_*.txt"))
    return path.read_text(encoding="utf-8").splitlines()[lineno - 1].split("\t")[column]


def sample_department_names(prefix: str = "") -> set[str]:
    """Every department named in a 对应上级部门 or 承接部门 cell of the samples (found by header rows)."""
    names: set[str] = set()
    for path in sorted(SAMPLES.glob(f"{prefix}*.txt")):
        cooperative = reclaimed = None
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if parts[0] == "序号":
                cooperative = parts.index("对应上级部门") if "对应上级部门" in parts else None
                reclaimed = parts.index("承接部门及工作方式") if "承接部门及工作方式" in parts else None
            elif cooperative is not None and len(parts) > cooperative:
                names.update(split_department_cell(parts[cooperative]).names)
            elif reclaimed is not None and len(parts) > reclaimed:
                names.update(parse_reclaimed_cell(parts[reclaimed]).departments.names)
    return names


# --- splitting department cells ------------------------------------------------------------------


def test_cell_separated_by_spaces():
    cell = split_department_cell(sample_cell("000", 362, 2))
    assert cell.names == ("市应急局", "市自然资源局", "市水利局", "市农业农村局", "市气象局")
    assert cell.generic == ()


def test_cell_separated_by_enumeration_commas():
    cell = split_department_cell(sample_cell("002", 218, 2))
    assert len(cell.names) == 13
    assert cell.names[:3] == ("市应急管理局", "市水利局", "市委宣传部")


def test_generic_phrase_alone_is_not_a_department():
    cell = split_department_cell("区应急局 各行业主管部门")  # 001 line 471
    assert cell.names == ("区应急局",)
    assert cell.generic == ("各行业主管部门",)


def test_generic_tail_after_deng_is_split_off():
    cell = split_department_cell(sample_cell("001", 483, 2))
    assert cell.names == ("区应急局", "鸡冠消防救援大队", "区农业农村局", "区住建局", "区民政局")
    assert cell.generic == ("负有安全生产监管职责相关部门",)


@pytest.mark.parametrize(
    "phrase", ["区直政法各单位", "驻村干部派出单位", "其他负有雨雪冰冻等灾害防范应对和灾害救助工作职责的相关部门"]
)
def test_generic_phrases_of_the_samples(phrase):
    assert split_department_cell(phrase).names == ()
    assert split_department_cell(phrase).generic == (phrase,)


def test_a_parenthetical_naming_a_body_is_that_body_not_part_of_the_name():
    # Cold review 21: `县公安局（县交通警察大队）` was one organisation of that name. The separators inside （…）
    # still do not split the cell; the aside, itself a body's name, is the cell's next department.
    cell = split_department_cell(sample_cell("003", 202, 3))
    assert cell.names == ("县农业农村局", "县公安局", "县交通警察大队")


def test_repeated_name_is_kept_once():
    # 001 line 318 lists 区住建局 twice.
    cell = split_department_cell(sample_cell("001", 318, 2))
    assert cell.names.count("区住建局") == 1
    assert len(cell.names) == 8


def test_html_and_empty_cells():
    assert split_department_cell("<p>市司法局</p>").names == ("市司法局",)
    assert split_department_cell("").names == ()
    assert split_department_cell("------").names == ()


def test_plain_text_turns_block_tags_into_lines():
    text = plain_text('<p>承接部门：市住建局</p> <ol style="list-style-type: none"> 1.摸排 &amp; 鉴定')
    assert text == "承接部门：市住建局\n1.摸排 & 鉴定"


# --- normalising names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variants",
    [
        ("市卫健委", "市卫健局", "市卫生健康局", "市卫生健康委员会"),
        ("市市场局", "市市场监管局", "市市场监督管理局", "市场监督管理局", "市市监局"),
        ("市人社局", "市人力资源和社会保障局"),
        ("市住建局", "市住房和城乡建设局"),
        ("市不动产中心", "市不动产登记中心"),
        ("市妇联", "市妇女联合会机关"),
        ("县公安局", "县公安局（县交通警察大队）"),
    ],
)
def test_spelling_variants_in_one_county_merge(variants):
    keys = {normalise_department(v, "海城市", "鞍山市") for v in variants}
    assert len(keys) == 1, keys


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("市委组织部", "市委宣传部"),
        ("市农业农村局", "市水利局"),
        ("县农业农村局", "县农业农村和水务局"),
        ("市消防救援局", "市消防救援大队"),
        ("区委办公室", "区政府办公室"),
    ],
)
def test_different_departments_never_merge(one, other):
    assert normalise_department(one, "海城市", "鞍山市") != normalise_department(other, "海城市", "鞍山市")


def test_shi_means_the_county_in_a_county_level_city_and_the_prefecture_in_a_district():
    assert normalise_department("市交通局", "海城市", "鞍山市") == "交通运输局"
    assert normalise_department("市交通局", "鸡冠区", "鸡西市") == "鸡西市交通运输局"
    assert normalise_department("区交通运输局", "鸡冠区", "鸡西市") == "交通运输局"


def test_a_prefecture_bureaus_county_branch_is_its_own_department():
    key = normalise_department("鞍山市生态环境局海城分局", "海城市", "鞍山市")
    assert key == "生态环境分局"
    assert key != normalise_department("鞍山市生态环境局", "海城市", "鞍山市")
    assert department_type("鞍山市生态环境局海城分局") == "ecology-environment"
    # 左云县 writes the same branch with 市 and with 县.
    assert normalise_department("县生态环境局左云分局", "左云县", "大同市") == normalise_department(
        "市生态环境局左云分局", "左云县", "大同市"
    )


def test_youth_league_committee_spellings():
    assert normalise_department("团区委", "鸡冠区", "鸡西市") == "共青团委员会"
    assert normalise_department("共青团扎兰屯市委机关", "扎兰屯市", "呼伦贝尔市") == "共青团委员会"


def test_without_division_names_the_level_character_stays_in_the_key():
    assert normalise_department("市交通局") == "市交通运输局"
    assert normalise_department("区交通运输局") == "区交通运输局"


# --- department types ----------------------------------------------------------------------------


def types_graph() -> Graph:
    graph = Graph()
    graph.parse(TYPES_TTL, format="turtle")
    return graph


def test_every_department_of_the_samples_has_a_type():
    names = sample_department_names()
    assert len(names) > 100  # 138 distinct spellings when written
    untyped = sorted(name for name in names if department_type(name) == "other")
    assert untyped == []


def test_every_type_returned_is_a_concept_of_the_scheme():
    graph = types_graph()
    concepts = set(graph.subjects(SKOS.inScheme, URIRef(LZ + "DepartmentTypeScheme")))
    names = sample_department_names()
    for key in {department_type(name) for name in names} | {"other"}:
        assert URIRef(f"{LZ}deptype-{key}") in concepts, key


def test_scheme_concepts_are_bilingual():
    graph = types_graph()
    scheme = URIRef(LZ + "DepartmentTypeScheme")
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
    concepts = set(graph.subjects(SKOS.inScheme, scheme))
    assert len(concepts) >= 60
    for concept in concepts:
        assert (concept, RDF.type, SKOS.Concept) in graph
        assert (concept, SKOS.topConceptOf, scheme) in graph
        for prop in (SKOS.prefLabel, SKOS.definition):
            langs = {o.language for o in graph.objects(concept, prop) if isinstance(o, Literal)}
            assert langs == {"zh", "en"}, (concept, prop)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("县发改工信和科技商务局", "development-reform"),  # the function named first wins
        ("县民政和人力资源社会保障局", "civil-affairs"),
        ("市科学技术协会机关", "science-association"),  # not science-technology
        ("鸡冠交警大队", "public-security"),  # not transport
        ("自规局鸡冠分局", "natural-resources"),
        ("区委保密和机要局", "party-confidentiality"),
        ("国网左云供电公司", "enterprise"),
        ("县某某事务中心", "other"),
    ],
)
def test_department_types(name, key):
    assert department_type(name) == key


# --- the registry --------------------------------------------------------------------------------


def test_registry_merges_spellings_and_picks_the_most_frequent():
    registry = DepartmentRegistry()
    for name, where in [("市卫健委", "cooperative/60"), ("市卫健局", "reclaimed/40"), ("市卫健局", "reclaimed/41")]:
        registry.add(HAICHENG, name, where=where)
    (department,) = registry.departments()
    assert (department.division_code, department.key) == (HAICHENG, "卫生健康局")
    assert department.pref_label == "市卫健局"
    assert department.alt_labels == ("市卫健委",)
    assert department.slug == "wei-sheng-jian-kang-ju"
    assert department.type_key == "health"
    (merge,) = registry.merges()
    assert [(s.text, s.count, s.seen) for s in merge.spellings] == [
        ("市卫健局", 2, ("reclaimed/40", "reclaimed/41")),
        ("市卫健委", 1, ("cooperative/60",)),
    ]


def test_ties_are_broken_by_length_then_code_point_and_order_does_not_matter():
    names = ["市市场监督管理局", "市市场局", "市市场监管局"]
    results = set()
    for order in (names, names[::-1]):
        registry = DepartmentRegistry()
        for name in order:
            registry.add(HAICHENG, name)
        results.add(registry.departments())
    (departments,) = results
    assert departments[0].pref_label == "市市场局"
    assert departments[0].alt_labels == ("市市场监督管理局", "市市场监管局")


def test_a_single_spelling_is_no_merge():
    registry = DepartmentRegistry()
    registry.add(HAICHENG, "市司法局")
    registry.add(HAICHENG, "市司法局")
    assert registry.merges() == ()
    assert registry.departments()[0].alt_labels == ()


def test_a_prefecture_department_belongs_to_the_prefecture():
    registry = DepartmentRegistry()
    ref = registry.add(JIGUAN, "市交通局")
    assert ref.division_code == "230300"  # 鸡西市
    assert registry.add(JIGUAN, "区交通运输局").division_code == JIGUAN
    assert len(registry.departments()) == 2
    assert registry.key_of(JIGUAN, "市交通局") == ref.key


def test_slug_collision_is_an_error():
    registry = DepartmentRegistry()
    registry.add(ZUOYUN, "县公安局")
    with pytest.raises(DepartmentError, match="gong-an-ju"):
        registry.add(ZUOYUN, "县攻安局")  # a homophone: same pinyin, another key


def test_every_department_of_the_samples_gets_a_distinct_slug():
    registry = DepartmentRegistry()
    homes = {"000": HAICHENG, "001": JIGUAN, "002": "150783", "003": ZUOYUN}
    for prefix, home in homes.items():
        for name in sorted(sample_department_names(prefix)):
            registry.add(home, name)
    departments = registry.departments()
    assert len(departments) > 100
    assert len({(d.division_code, d.slug) for d in departments}) == len(departments)


# --- splitting responsibility cells --------------------------------------------------------------


def test_numbered_points_each_naming_their_department():
    names = split_department_cell(sample_cell("000", 362, 2)).names
    parts = dict(split_responsibility(sample_cell("000", 362, 3), names))
    assert list(parts) == list(names)
    # Each point without its outline number and the 。 or ； closing it (cold review of the department cells).
    assert parts["市气象局"] == "市气象局负责做好气象预报工作"
    assert parts["市应急局"].startswith("市应急局负责应急避难场所设施建设")


def test_a_point_naming_several_departments_belongs_to_each():
    names = split_department_cell(sample_cell("000", 276, 2)).names  # 市水利局 鞍山市生态环境局海城分局 市卫健委
    parts = dict(split_responsibility(sample_cell("000", 276, 3), names))
    assert parts["市卫健委"].startswith("鞍山市生态环境局海城分局、市水利局、市卫健委做好")
    # Six points, a line each, numbers and closing ；/。 gone: the lines are the list.
    points = parts["市水利局"].splitlines()
    assert len(points) == 6
    assert not [point for point in points if point[0].isdigit() or point[-1] in "；。"]
    assert parts["鞍山市生态环境局海城分局"] == parts["市卫健委"]


def test_a_point_naming_no_department_belongs_to_none():
    names = split_department_cell(sample_cell("000", 331, 2)).names
    parts = dict(split_responsibility(sample_cell("000", 331, 3), names))
    assert set(parts) == {"市住建局", "市市场局", "市商务局"}  # 4.其他部门负责… names none
    assert all("其他部门" not in text for text in parts.values())


def test_points_without_departments_leave_the_cell_whole():
    names = split_department_cell(sample_cell("001", 478, 2)).names
    assert split_responsibility(sample_cell("001", 478, 3), names) == ()


def test_sections_headed_by_department_and_colon():
    names = split_department_cell(sample_cell("003", 171, 3)).names
    parts = dict(split_responsibility(sample_cell("003", 171, 4), names))
    assert parts["县税务局"].startswith("负责依法依规征收城乡居民基本医疗保险")
    assert parts["县残疾人联合会"] == "提供重度残疾人名单"
    assert parts["县民政和人力资源社会保障局"].startswith("负责医保政策宣传；")


def test_sections_with_main_duties_and_support_parts():
    names = split_department_cell(sample_cell("002", 205, 2)).names
    parts = dict(split_responsibility(sample_cell("002", 205, 3), names))
    assert list(parts) == ["市自然资源局", "市应急管理局"]
    assert parts["市自然资源局"].endswith("指导乡镇（街道）开展逃生安全教育以及地质灾害演练")  # 履职保障 stays
    assert parts["市应急管理局"].startswith("1. 组织开展地质灾害发生地区人员安置工作")


def test_a_section_headed_by_two_departments_belongs_to_both():
    names = split_department_cell(sample_cell("002", 271, 2)).names
    parts = dict(split_responsibility(sample_cell("002", 271, 3), names))
    assert parts["市林业和草原局"] == parts["扎兰屯风景名胜区管理局"]


def test_section_header_spelt_at_another_level_still_matches():
    # The cell says 市生态环境局左云分局, its section header 县生态环境局左云分局.
    names = split_department_cell(sample_cell("003", 236, 3)).names
    parts = dict(split_responsibility(sample_cell("003", 236, 4), names))
    assert parts["市生态环境局左云分局"].startswith("1. 编制污染天气应急预案")
    assert len(parts) == 4


def test_with_division_names_a_point_may_spell_its_department_otherwise():
    # 001 item 68: the cell says 鸡冠消防救援大队, point 7 (continued on line 323) 区消防救援大队.
    names = split_department_cell(sample_cell("001", 318, 2)).names
    text = sample_cell("001", 318, 3) + " " + sample_cell("001", 323, 3)
    assert "鸡冠消防救援大队" not in dict(split_responsibility(text, names))
    parts = dict(split_responsibility(text, names, county_name="鸡冠区", prefecture_name="鸡西市"))
    assert parts["鸡冠消防救援大队"].startswith("区消防救援大队负责定期对学校进行消防安全检查")
    assert len(parts) == len(names) == 8


def test_chinese_numbered_headings():
    # Layout 一、县X局 named in issue 3; built from the 003 line 231 texts.
    text = " ".join(
        [
            "一、县发改工信和科技商务局 负责清洁能源保障工作。",
            "二、县公安局 对非法储存、批发、零售的经营行为依法依规进行查处。",
        ]
    )
    parts = dict(split_responsibility(text, ("县发改工信和科技商务局", "县公安局")))
    assert parts == {
        "县发改工信和科技商务局": "负责清洁能源保障工作",
        "县公安局": "对非法储存、批发、零售的经营行为依法依规进行查处",
    }


@pytest.mark.parametrize(("lineno", "next_header"), [(214, "市生态环境局左云分局："), (224, "县规划和自然资源局：")])
def test_a_joint_header_credits_the_listed_department(lineno, next_header):
    # The cell names 县农业农村局; its section is headed 县农业农村局和水务局： (issue 12). The section is
    # 县农业农村局's; 水务局, named only in the header, is reported, never added to the duty.
    names = split_department_cell(sample_cell("003", lineno, 3)).names
    text = sample_cell("003", lineno, 4)
    parts = dict(split_responsibility(text, names))
    section = plain_text(text).split("县农业农村局和水务局：", 1)[1].split(next_header, 1)[0].strip()
    # A section of numbered points keeps its numbers (they number its list); only its closing 。 goes.
    assert parts["县农业农村局"] == section.rstrip("。；")
    assert section.startswith("1. ")
    assert unlisted_departments(text, names) == ("水务局",)


def test_numbers_inside_a_point_do_not_start_points():
    text = "1. 区委政法委统筹指导。 2. 区应急局负责指导。 3. 鸡冠公安分局严格执行“1、3、5”快速反应机制。"
    parts = dict(split_responsibility(text, ("区委政法委", "区应急局", "鸡冠公安分局")))
    assert parts["鸡冠公安分局"] == "鸡冠公安分局严格执行“1、3、5”快速反应机制"


# --- reclaimed cells -----------------------------------------------------------------------------


def test_receiver_and_way_of_working():
    reclaimed = parse_reclaimed_cell(sample_cell("000", 402, 2))
    assert reclaimed.departments.names == ("市司法局",)
    assert reclaimed.way_of_working.startswith("1.了解企业法律顾问需求")
    assert not reclaimed.discontinued


def test_receiver_in_html_paragraphs():
    reclaimed = parse_reclaimed_cell(sample_cell("000", 420, 2))
    assert reclaimed.departments.names == ("市民政局",)
    assert reclaimed.way_of_working.startswith("1.负责婚姻登记场所")
    assert "<" not in reclaimed.way_of_working


def test_two_receivers_in_one_block():
    assert parse_reclaimed_cell(sample_cell("000", 433, 2)).departments.names == ("市自然资源局", "市水利局")


def test_way_of_working_label_variants():
    reclaimed = parse_reclaimed_cell(sample_cell("001", 569, 2))  # 履职方式及工作措施
    assert reclaimed.departments.names == ("区医保局",)
    assert reclaimed.way_of_working.startswith("区医保局通过“黑龙江省医疗保障信息平台”")


def test_several_receiver_blocks():
    reclaimed = parse_reclaimed_cell(sample_cell("003", 369, 3))
    assert reclaimed.departments.names == ("县应急管理局", "县住房和城乡建设管理局")
    assert reclaimed.way_of_working == plain_text(sample_cell("003", 369, 3))


def test_receiver_blocks_without_a_way_label():
    reclaimed = parse_reclaimed_cell(sample_cell("003", 349, 3))
    assert reclaimed.departments.names[:2] == ("县发改工信和科技商务局", "县规划和自然资源局")


def test_department_header_without_receiver_label():
    reclaimed = parse_reclaimed_cell(sample_cell("002", 457, 2))
    assert reclaimed.departments.names == ("市公安局",)
    assert reclaimed.way_of_working.startswith("1. 由公安派出所受理居民户口簿补领的申请")


def test_receiver_before_a_way_label_without_receiver_label():
    """Regression: 004 (额敏镇) writes `县水利局 工作方式：…`; 49 duties had no receiver (Violations)."""
    lines = (SAMPLES / "004_ae6ba3a08a864098.txt").read_text(encoding="utf-8").splitlines()
    reclaimed = parse_reclaimed_cell(lines[297 - 1].split("\t")[3])
    assert reclaimed.departments.names == ("县水利局",)
    assert reclaimed.way_of_working.startswith("负责对在崩塌、滑坡危险区")
    several = parse_reclaimed_cell(lines[349 - 1].split("\t")[3])
    assert several.departments.names == ("县应急管理局", "县公安局", "县市场监督管理局")
    assert not several.discontinued


def test_receiver_with_generic_tail():
    reclaimed = parse_reclaimed_cell(sample_cell("003", 363, 3))
    assert reclaimed.departments.names == ("县应急管理局",)
    assert reclaimed.departments.generic == ("其他负有安全生产监督管理局职责的部门",)
    assert reclaimed.way_of_working == "生产经营单位生产安全事故应急预案备案"


@pytest.mark.parametrize(
    ("prefix", "lineno"),
    [("000", 404), ("000", 424), ("000", 447), ("001", 580), ("002", 312), ("002", 321), ("002", 310)],
)
def test_work_no_longer_done(prefix, lineno):
    text = sample_cell(prefix, lineno, 2)
    reclaimed = parse_reclaimed_cell(text)
    assert reclaimed.discontinued
    assert reclaimed.departments.names == ()
    assert reclaimed.way_of_working == plain_text(text)


def test_discontinued_is_only_said_when_no_department_receives_the_work():
    # The work moved to a department: reclaimed, not stopped, even though the text says 不再.
    assert not parse_reclaimed_cell("承接部门：市卫健局 工作方式：乡镇不再承担，由市卫健局负责。").discontinued
    assert not parse_reclaimed_cell("").discontinued


@pytest.mark.parametrize("cell, receivers", [
    # 佳木斯市向阳区 and 将乐县: their names hold 向 and 将, which in a sentence are a preposition and a verb
    # (向县民政局报告); a 10,000-township synthetic build quarantined their lists for "no receiver".
    ("佳木斯市生态环境局向阳分局、住房和城乡建设局、卫健委 工作方式：根据职责分工负责本行政区内的排查整治。",
     ("佳木斯市生态环境局向阳分局", "住房和城乡建设局", "卫健委")),
    ("<p>佳木斯市生态环境局向阳区分局： 1. 对产生危险废物的单位实施重点监控", ("佳木斯市生态环境局向阳区分局",)),
    ("将乐县农业农村局 工作方式：负责检查。", ("将乐县农业农村局",)),
])
def test_receivers_whose_division_names_hold_sentence_words(cell, receivers):
    assert parse_reclaimed_cell(cell).departments.names == receivers


def test_sentence_words_outside_division_names_still_make_a_sentence():
    assert not looks_like_department("向县民政局报告")
    assert not looks_like_department("对向阳区民政局")
    assert looks_like_department("向阳区民政局")
