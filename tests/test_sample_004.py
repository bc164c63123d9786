"""额敏镇 (004, 新疆塔城地区额敏县), the document the ETL had not seen (issue 12).

Every expectation below was read in the source, data/samples/004_ae6ba3a08a864098.txt (the line of
each cell is given), not taken from the parser: its take-back cells are written `县X局 工作方式：…`
without `承接部门：`, six of them hand the work on (`取消镇…的责任，由县X局…`), and its cooperative
cells split their 上级部门职责 by topic sections and by statements whose subject is a department.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from luzhi.etl.build import BuildOptions, process_document
from luzhi.etl.departments import parse_reclaimed_cell, plain_text, split_department_cell
from luzhi.etl.model import ListKind
from luzhi.etl.parse import parse_document
from luzhi.etl.responsibilities import split_responsibility, unlisted_departments
from luzhi.ontology.namespaces import LZ

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "samples" / "004_ae6ba3a08a864098.txt"
COUNTY, PREFECTURE = "额敏县", "塔城地区"

HRSS, WATER, LAND, HOUSING = "县人力资源和社会保障局", "县水利局", "县自然资源局", "县住房和城乡建设局"
MARKET, AGRI, CIVIL, HEALTH = "县市场监督管理局", "县农业农村局", "县民政局", "县卫生健康委员会"
ECOLOGY = "塔城地区生态环境局额敏分局"
# 承接部门及工作方式, lines 278–354: the text before 工作方式, split at 、.
RECEIVERS: dict[int, tuple[str, ...]] = {
    **dict.fromkeys((1, 2, 3, 4), (HRSS,)),
    5: ("县教育和科学技术局",),
    6: ("县残疾人联合会",),
    7: (HRSS,),
    8: (CIVIL,),
    9: (CIVIL,),
    10: (HRSS,),
    **dict.fromkeys((11, 12, 13), (AGRI,)),
    **dict.fromkeys((14, 15), ("县医疗保障局",)),
    **dict.fromkeys((16, 17, 18, 19), (WATER,)),
    20: (LAND,),
    **dict.fromkeys((21, 22, 23, 24), (WATER,)),
    25: (LAND,),
    **dict.fromkeys((26, 27), (WATER,)),
    28: ("自然资源局",),
    29: (ECOLOGY, "住房和城乡建设局", "交通运输局", "公安局"),
    30: (ECOLOGY, "住房和城乡建设局", "工业园区", "卫健委", "商工信局", "交通运输局"),
    31: (ECOLOGY, "住房和城乡建设局", "交通运输局", "公安局", "农业农村局"),
    32: (LAND,),
    **dict.fromkeys((33, 34, 35), (HOUSING,)),
    36: (MARKET,),
    **dict.fromkeys(range(37, 45), (HOUSING,)),
    45: (LAND,),
    46: (HOUSING,),
    **dict.fromkeys((47, 48), ("县交通运输局",)),
    **dict.fromkeys((49, 50), (HEALTH,)),
    51: ("县消防救援局",),
    52: ("县应急管理局", "县公安局", MARKET),
    53: ("县应急管理局",),
    54: (WATER,),
    55: ("县应急管理局",),
    **dict.fromkeys((56, 57), (MARKET,)),
}
# Stopped, not moved: 9 `不再开展此项工作` (line 286), 10 `取消对…的考核…不再对镇进行考核` (line 287).
DISCONTINUED = {9, 10}


@pytest.fixture(scope="module")
def doc():
    return parse_document(SAMPLE)


@pytest.fixture(scope="module")
def graph():
    return process_document(SAMPLE, BuildOptions(base="http://127.0.0.1:5000"))[2]


def _item(doc, kind: ListKind, sequence: int):
    return next(item for item in doc.items_of(kind) if item.sequence == sequence)


def test_counts(doc):
    assert [len(doc.items_of(kind)) for kind in ListKind] == [94, 104, 57]
    assert len({(c.list_kind, c.category) for c in doc.category_counts}) == 45


def test_the_repeated_page_is_where_docs_parsing_says(doc):
    """Lines 115–125 (header row 115, 序号 97–106) repeat lines 103–113; the `duplicate-page` issue names the repeat
    and the rows of the page it repeats, and docs/parsing.md gives both spans (it said "the page 103–113")."""
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    assert lines[114:125] == lines[102:113] and lines[115].startswith("97\t") and lines[103].startswith("97\t")
    issue = next(issue for issue in doc.issues if issue.code == "duplicate-page")
    assert issue.message_en == "lines 115–125 repeat the page at lines 104–113 verbatim; skipped"
    parsing = (SAMPLE.parents[2] / "docs" / "parsing.md").read_text(encoding="utf-8")
    paragraph = parsing[parsing.index("**004 (额敏镇)**"):].split("\n8. ", 1)[0]
    assert "(115–125)" in paragraph and "(104–113)" in paragraph, paragraph


def test_every_take_back_duty_has_its_receivers(doc):
    items = doc.items_of(ListKind.RECLAIMED)
    assert len(RECEIVERS) == len(items) == 57
    got = {item.sequence: parse_reclaimed_cell(item.department_text).departments.names for item in items}
    assert got == RECEIVERS


def test_handed_on_is_not_discontinued(doc):
    got = {
        item.sequence
        for item in doc.items_of(ListKind.RECLAIMED)
        if parse_reclaimed_cell(item.department_text).discontinued
    }
    assert got == DISCONTINUED
    first = parse_reclaimed_cell(_item(doc, ListKind.RECLAIMED, 1).department_text)  # line 278
    assert first.way_of_working == "取消镇对工伤认定调查的责任，由县人社局开展工伤认定调查工作。"


def test_graph_receivers_and_discontinued(graph):
    receivers = {}
    for sequence in RECEIVERS:
        duty = URIRef(f"http://127.0.0.1:5000/id/duty/654221100/reclaimed/{sequence}")
        receivers[sequence] = len(set(graph.objects(duty, LZ.upperDepartment)))
        discontinued = (duty, LZ.discontinued, Literal(True)) in graph
        assert discontinued is (sequence in DISCONTINUED), sequence
    assert receivers == {sequence: len(names) for sequence, names in RECEIVERS.items()}


# Departments of the whole document (对应上级部门 lines 130–273 and the receivers above), each with every
# spelling found for it: eight spellings merge into another (商工信局 is 县商务和工业信息化局, line 227).
DEPARTMENTS = [
    {"交通运输局", "县交通运输局"},
    {"住房和城乡建设局", HOUSING},
    {"公安局", "县公安局"},
    {"农业农村局", AGRI},
    {"卫健委", HEALTH},
    {"县市场监管局", MARKET},
    {"商工信局", "县商务和工业信息化局"},
    {"自然资源局", LAND},
    *[
        {name}
        for name in (
            "人大常委会办公室",
            HRSS,
            "县人民法院",
            "县医疗保障局",
            "县发展和改革委员会",
            "县司法局",
            "县国有土地上房屋征收与补偿中心",
            "县委党史和地方志研究室",
            "县委宣传部",
            "县委巡察办",
            "县委政法委",
            "县委机构编制委员会办公室",
            "县委社会工作部",
            "县委组织部",
            "县委网络安全和信息化委员会办公室",
            "县应急管理局",
            "县总工会",
            "县政务服务中心",
            "县政协委员会办公室",
            "县教育和科学技术局",
            "县文化体育广播电视和旅游局",
            "县残疾人联合会",
            CIVIL,
            "县气象局",
            WATER,
            "县消防救援大队",
            "县消防救援局",
            "县红十字会",
            "县纪律检查委员会",
            "县财政局",
            "国家电网额敏分公司",
            ECOLOGY,
            "工业园区",
        )
    ],
]


def test_departments_and_their_spellings(graph):
    organisations = set(graph.subjects(LZ.departmentType, None))
    got = sorted(
        sorted(str(label) for p in (SKOS.prefLabel, SKOS.altLabel) for label in graph.objects(org, p))
        for org in organisations
    )
    assert got == sorted(sorted(group) for group in DEPARTMENTS)
    assert len(got) == 41
    assert (None, LZ.departmentType, LZ["deptype-other"]) not in graph


# --- cooperative cells split per department ------------------------------------------------------


def _split(doc, sequence: int) -> tuple[dict[str, str], tuple[str, ...]]:
    item = _item(doc, ListKind.COOPERATIVE, sequence)
    names = split_department_cell(item.department_text).names
    text = item.upper_responsibility
    parts = dict(split_responsibility(text, names, COUNTY, PREFECTURE))
    return parts, unlisted_departments(text, names, COUNTY, PREFECTURE)


def test_statements_by_subject_in_topic_sections(doc):
    # Line 131: three topic sections (一、领导班子… 二、干部选拔任用… 三、干部监督…) whose <ol> lost its
    # numbers; the statements are separated by ；, and only some name the department doing them.
    parts, unlisted = _split(doc, 2)
    assert parts == {  # a statement a line, without the ；/。 closing it
        "县委组织部": "县委组织部收到干部问题线索进行核处理，对受理范围内的举报件按照干部管理权限，直接调查核实，"
        "或转有关部门（单位）承办\n县委组织部根据考察工作需要，组织开展干部延伸考察工作，"
        "将考察结果作为选拔任用、职级晋升、评优评先的重要参考",
        HRSS: "县人力资源和社会保障局配合县委组织部审批管理岗八级职员及以上职员等级晋升\n"
        "县人力资源和社会保障局审批九级职员等级晋升",
        "县纪律检查委员会": "县纪律检查委员会对反映领导干部八小时外社会交往、生活情况、家风家教方面的问题，"
        "做好核处理工作，问题属实的，督促干部及时纠正，并视情节轻重给予提醒、诫勉及相应组织处理，"
        "采取适当方式对典型问题进行通报曝光",
    }
    assert unlisted == ()


def test_a_section_of_an_unlisted_department_is_nobodys(doc):
    # Line 146: 一、县委网信办 … 二、县公安局 …; the cell names 县委宣传部 and 县委网信办 only.
    parts, unlisted = _split(doc, 13)
    assert list(parts) == ["县委网络安全和信息化委员会办公室"]
    assert parts["县委网络安全和信息化委员会办公室"].endswith("联合县公安局落地查人后推送至镇")
    assert "对发布的违法违规信息" not in parts["县委网络安全和信息化委员会办公室"]
    assert unlisted == ("县公安局",)


def test_points_naming_their_department_after_points_naming_none(doc):
    # Line 158: points 1–3, 5 and 7 name no department; 4 is 县民政局's, 6 县财政局's.
    parts, _ = _split(doc, 21)
    assert parts == {
        CIVIL: "县民政局对高龄津贴花名册进行终审无误后向县财政局申请资金",  # point 4, its number and ； gone
        "县财政局": "县财政局对补贴资金进行审批无误后通过“一卡通”系统发放资金",
    }


def test_topic_sections_with_numbered_points(doc):
    # Line 188: 一、慈善募捐救助 (point 1 is 县红十字会's, 2–4 name nobody) and 二、救灾捐赠款物的组织代收
    # (point 1 is 县民政局's, 2–5 are written 县民政局、县红十字会…).
    parts, _ = _split(doc, 41)
    shared = [line for line in parts[CIVIL].splitlines() if line.startswith("县民政局、县红十字会")]
    assert len(shared) == 4
    assert parts["县红十字会"].splitlines() == [
        "县红十字会开展公开募捐，向县民政局申领公开募捐资格证书、制定募捐方案，报地区民政局备案",
        *shared,
    ]
    assert parts[CIVIL].splitlines() == [
        "县民政局根据灾情情况，联动县红十字会及时发布捐赠公告，广泛发起募捐",
        *shared,
    ]


def test_partners_joined_by_he(doc):
    # Line 170: the section of 县发展和改革委员会 says `1. 县发展和改革委员会和县农业农村局制定规划…`.
    parts, _ = _split(doc, 29)
    joint = "县发展和改革委员会和县农业农村局制定规划并争取政策支持，推动农业数字化转型"
    assert parts[AGRI].splitlines()[0] == joint  # one point: its number and ； go
    # 县农业农村局's own section, points 1. and 2., keeps its numbers (they number its list), as does the section
    # of 县发展和改革委员会 that the joint point opens.
    assert parts[AGRI].splitlines()[1].startswith("1. 县农业农村局加强数字乡村人才培养")
    assert parts["县发展和改革委员会"].startswith(f"1. {joint}；")


def test_partners_joined_by_yu_yitong(doc):
    # Line 193: `3. 县农业农村局与县财政局一同开展年度验收； 4. 县农业农村局与县财政局一同出具验收报告。`
    parts, _ = _split(doc, 44)
    assert (
        parts["县财政局"] == "县农业农村局与县财政局一同开展年度验收\n县农业农村局与县财政局一同出具验收报告"
    )
    assert len(parts[AGRI].splitlines()) == 4


def test_partner_joined_by_huitong():
    # shaped after 000 line 167: `2.市委组织部会同市教育局制定年度农村骨干党员学历提升方案…`
    names = ("市委组织部", "市教育局")
    text = "<p>1.市委组织部负责名单审核工作；</p> <p>2.市委组织部会同市教育局制定学历提升方案。</p>"
    assert dict(split_responsibility(text, names)) == {
        "市委组织部": "市委组织部负责名单审核工作\n市委组织部会同市教育局制定学历提升方案",
        "市教育局": "市委组织部会同市教育局制定学历提升方案",
    }
    assert plain_text(text).count("会同") == 1
