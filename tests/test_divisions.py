"""Township titles resolve to the official 民政部 chain, or fail with a message asking for the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from luzhi.etl.divisions import (
    Division,
    DivisionError,
    chain_of,
    clean_title,
    lineage,
    name_forms,
    resolve_township,
)
from luzhi.etl.stage import BuildOptions, process_document

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"

# The five titles of the bundled documents, with the chain looked up by hand in divisions.json.
TITLES = [
    ("辽宁省鞍山市海城市耿庄镇", "210381121", ("辽宁省", "鞍山市", "海城市", "耿庄镇")),
    ("黑龙江省鸡西市鸡冠区西郊乡", "230302201", ("黑龙江省", "鸡西市", "鸡冠区", "西郊乡")),
    # 呼伦贝尔 without 市: a short form of the prefecture.
    ("内蒙古自治区呼伦贝尔扎兰屯市卧牛河镇", "150783106", ("内蒙古自治区", "呼伦贝尔市", "扎兰屯市", "卧牛河镇")),
    # No province at all.
    ("大同市左云县小京庄乡", "140226207", ("山西省", "大同市", "左云县", "小京庄乡")),
    # 塔城地区 is a prefecture-level 地区 (not a 市); no province either.
    ("塔城地区额敏县额敏镇", "654221100", ("新疆维吾尔自治区", "塔城地区", "额敏县", "额敏镇")),
]


@pytest.mark.parametrize(("title", "code", "names"), TITLES, ids=[t[0] for t in TITLES])
def test_sample_titles_resolve_to_their_chain(title, code, names):
    chain = resolve_township(title)
    assert chain.township.code == code
    assert tuple(d.name for d in chain.divisions) == names
    assert [d.level for d in chain.divisions] == ["province", "prefecture", "county", "township"]
    assert chain.county is not None and chain.township.code.startswith(chain.county.code)
    assert chain.department_home == chain.county


def test_title_lines_of_the_bundled_documents_resolve():
    """The first line naming the list, as the files write it (spaces, 履行职责事项清单, 附件 lines)."""
    resolved = {}
    for path in sorted(SAMPLES.glob("*.txt")):
        line = next(
            text for text in path.read_text(encoding="utf-8").splitlines() if "事项清单" in text and "\t" not in text
        )
        resolved[path.name] = resolve_township(line).township.code
    assert sorted(resolved.values()) == sorted(code for _, code, _ in TITLES)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("辽宁省鞍山市海城市耿庄镇 履行职责事项清单", "辽宁省鞍山市海城市耿庄镇"),
        ("内蒙古自治区呼伦贝尔扎兰屯市卧牛河镇 基本履职事项清单（109项）", "内蒙古自治区呼伦贝尔扎兰屯市卧牛河镇"),
        ("内蒙古自治区呼伦贝尔市扎兰屯市 卧牛河镇履行职责事项清单", "内蒙古自治区呼伦贝尔市扎兰屯市卧牛河镇"),
        ("大同市左云县小京庄乡上级部门收回事项清单", "大同市左云县小京庄乡"),
        ("附件4：黑龙江省鸡西市鸡冠区西郊乡", "黑龙江省鸡西市鸡冠区西郊乡"),
    ],
)
def test_clean_title_drops_list_names_counts_and_attachment_marks(line, expected):
    assert clean_title(line) == expected


def test_a_township_name_shared_by_several_places_is_an_error_listing_them():
    with pytest.raises(DivisionError) as caught:
        resolve_township("西郊乡")
    message = str(caught.value)
    assert "230302201" in message and "410505200" in message  # 黑龙江 鸡冠区 and 河南 殷都区
    assert "--township-code" in message


def test_the_province_is_enough_to_tell_namesakes_apart():
    assert resolve_township("河南省西郊乡").township.code == "410505200"


def test_ancestors_that_contradict_the_title_are_rejected_not_guessed():
    # 安阳市 is in 河南省: neither 西郊乡 fits, so nothing is picked.
    with pytest.raises(DivisionError, match="上级区划都与标题不符"):
        resolve_township("黑龙江省安阳市西郊乡")


def test_an_unknown_word_in_the_title_is_not_skipped():
    with pytest.raises(DivisionError, match="--township-code"):
        resolve_township("某某省耿庄镇")


def test_a_name_that_is_no_township_is_an_error():
    with pytest.raises(DivisionError, match="没有以此结尾的乡镇名称"):
        resolve_township("辽宁省鞍山市海城市火星镇")


def test_a_long_candidate_list_is_cut_but_counted():
    with pytest.raises(DivisionError) as caught:
        resolve_township("城关镇")
    assert "等 82 个" in str(caught.value)


def test_a_code_given_by_hand_is_trusted_whatever_the_title():
    chain = resolve_township("随便什么标题", code="230302201")
    assert chain.township == Division("230302201", "西郊乡", "township")
    assert chain.prefecture == Division("230300", "鸡西市", "prefecture")


@pytest.mark.parametrize("code", ["23030220", "2303022011", "23030220x", "230302"])
def test_a_code_by_hand_must_be_nine_digits(code):
    with pytest.raises(DivisionError, match="9 位数字|乡镇级代码"):
        resolve_township("西郊乡", code=code)


def test_a_nine_digit_code_must_exist():
    with pytest.raises(DivisionError, match="不是民政部区划表"):
        resolve_township("西郊乡", code="999999999")


def test_a_county_directly_under_its_province_has_no_prefecture():
    # 仙桃市 is a 省直辖县级市: the table links it straight to 湖北省.
    chain = resolve_township("湖北省仙桃市沙嘴街道")
    assert chain.prefecture is None
    assert [d.name for d in chain.divisions] == ["湖北省", "仙桃市", "沙嘴街道"]
    assert chain.department_home.name == "仙桃市"
    assert chain_of("429004001") == chain


def test_a_municipality_district_hangs_under_the_province():
    chain = resolve_township("北京市东城区东华门街道")
    assert (chain.province.name, chain.prefecture, chain.county.name) == ("北京市", None, "东城区")


def test_a_prefecture_without_counties_is_the_department_home():
    # 东莞市's towns hang directly under the prefecture.
    chain = chain_of("441900003")
    assert chain.county is None
    assert chain.department_home.name == "东莞市"


def test_lineage_of_a_county_code():
    assert [d.name for d in lineage("230302")] == ["黑龙江省", "鸡西市", "鸡冠区"]
    with pytest.raises(DivisionError):
        lineage("000000")


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("内蒙古自治区", "内蒙古"),
        ("新疆维吾尔自治区", "新疆"),
        ("广西壮族自治区", "广西"),
        ("呼伦贝尔市", "呼伦贝尔"),
        ("延边朝鲜族自治州", "延边"),
        ("黔东南苗族侗族自治州", "黔东南"),
        ("恩施土家族苗族自治州", "恩施"),
        ("大兴安岭地区", "大兴安岭"),
        ("锡林郭勒盟", "锡林郭勒"),
        ("辽宁省", "辽宁"),
        ("左云县", "左云"),
    ],
)
def test_short_forms(name, short):
    assert name_forms(name) == (name, short)


def test_one_character_names_keep_their_suffix():
    assert name_forms("赵县") == ("赵县",)
    assert name_forms("城区") == ("城区",)


def test_a_code_by_hand_that_contradicts_a_clear_title_is_said(tmp_path):
    """Still trusted (a code is how a user settles a title), but a title that names one other township is a
    notice in the report: 小京庄乡's document loaded as 德胜街道's without a word (cold review)."""
    sample = sorted((Path(__file__).resolve().parent.parent / "data" / "samples").glob("003_*.txt"))[0]
    given = BuildOptions(base="http://127.0.0.1:5000", township_codes={sample.name: "110102010"})
    doc, chain, _graph, _report = process_document(sample, given)
    assert chain.township.code == "110102010"
    said = [(i.lines, i.message_en) for i in doc.issues if i.code == "code-overrides-title"]
    assert said == [(doc.title_lines, "the title names 小京庄乡 (140226207) but the township code given makes it "
                                      "德胜街道 (110102010): check --township-code")]
    agreeing = BuildOptions(base="http://127.0.0.1:5000", township_codes={sample.name: "140226207"})
    assert not [i for i in process_document(sample, agreeing)[0].issues if i.code == "code-overrides-title"]
