"""One small fixture document per structural case (tests/fixtures/layouts/), parsed for real."""

from __future__ import annotations

from pathlib import Path

import pytest

from luzhi.etl.model import DutyItem, Issue, ListKind, ParsedDocument, SourceLine
from luzhi.etl.parse import ParseError, parse_document, read_source, unaccounted_lines
from luzhi.etl.rows import RowKind, classify_line

LAYOUTS = Path(__file__).resolve().parent / "fixtures" / "layouts"
B, C, R = ListKind.BASIC, ListKind.COOPERATIVE, ListKind.RECLAIMED
# Layouts the parser must refuse, naming the line: (fixture, line, words of the message).
FAILING_CASES = [
    ("unseen_unknown_column.txt", 5, "「完成时限」"),  # a column it does not know: never guess its meaning
    ("unseen_prose.txt", 1, "没有找到任何清单表头"),  # no table at all
    ("unseen_wide_row.txt", 7, "4 个单元格"),  # a row wider than its header
    # the header on line 19 written with spaces: named where the table starts, not at line 6 (issue 12)
    ("unseen_header_with_spaces.txt", 19, "像是清单表格的开始"),
]
FAILING = {name for name, _, _ in FAILING_CASES}


def parse(name: str) -> ParsedDocument:
    doc = parse_document(LAYOUTS / name)
    # nothing silently dropped, in every fixture that parses
    assert unaccounted_lines(doc, read_source(LAYOUTS / name)) == []
    return doc


def item(doc: ParsedDocument, kind: ListKind, sequence: int) -> DutyItem:
    (found,) = [i for i in doc.items_of(kind) if i.sequence == sequence]
    return found


def codes(doc: ParsedDocument) -> list[tuple[str, int | None]]:
    return [(i.code, i.lines.first if i.lines else None) for i in doc.issues]


def categories(doc: ParsedDocument, kind: ListKind) -> list[tuple[str, int | None, int]]:
    return [(c.category, c.declared, c.parsed) for c in doc.category_counts if c.list_kind is kind]


def test_every_fixture_is_exercised() -> None:
    tested = {name for name in globals() if name.startswith("test_")}
    parsing = {p.stem for p in LAYOUTS.glob("*.txt") if p.name not in FAILING}
    assert len(parsing) == 13 and all(f"test_{stem}" in tested for stem in parsing)
    # the fixtures that must fail are the cases of test_unseen_layout_fails_naming_the_line
    assert {p.name for p in LAYOUTS.glob("*.txt")} - {f"{stem}.txt" for stem in parsing} == FAILING


def test_heading_rows() -> None:
    doc = parse("heading_rows.txt")
    # （2项） full-width, (3项) half-width, 三、综合政务 without a count, （1 项） with a space
    assert categories(doc, B) == [("党的建设", 2, 2), ("经济发展", 3, 2), ("综合政务", None, 1)]
    assert categories(doc, C) == [("平安法治", 1, 1)]
    assert categories(doc, R) == [("卫生健康", 1, 1)]
    assert [i.category for i in doc.items_of(B)] == ["党的建设"] * 2 + ["经济发展"] * 2 + ["综合政务"]
    # the heading declares 3, the rows hold 2: reported on the heading's line, the rows win
    assert codes(doc) == [("count-mismatch", 10)]
    assert "声明 3 项" in doc.issues[0].message and "2 项" in doc.issues[0].message
    assert len(doc.items_of(B)) == 5


def test_category_column() -> None:
    doc = parse("category_column.txt")
    assert [i.category for i in doc.items_of(B)] == [
        "党的建设",
        "党的建设",
        "应急管理及消防",
        "应急管理及消防",
        "综合政务",
    ]
    # `应急管理 及消防`: whitespace inside the name dropped; an empty cell under it is the same merged cell
    assert categories(doc, B) == [("党的建设", None, 2), ("应急管理及消防", None, 2), ("综合政务", None, 1)]
    # 综合 | page break | 政务: the category and the title both continue on line 11
    fifth = item(doc, B, 5)
    assert (fifth.title, fifth.lines.first, fifth.lines.last) == ("做好公文处理工作和会务保障工作", 8, 11)
    assert item(doc, C, 1).category == "经济发展" and item(doc, R, 1).category == "市场监管"
    assert doc.title == "某市某县乙乡"
    assert codes(doc) == []


def test_split_heading() -> None:
    doc = parse("split_heading.txt")
    # `九、应急管理<TAB>及消防（2项）` and `<TAB>十、综合政务（1项）` (in the 事项名称 column)
    assert categories(doc, B) == [("应急管理及消防", 2, 2), ("综合政务", 1, 1)]
    assert [i.title for i in doc.items_of(B)] == ["编制突发事件应急预案", "开展消防安全检查", "做好公文处理工作"]
    assert codes(doc) == []


def test_multi_row_item() -> None:
    doc = parse("multi_row_item.txt")
    flood = item(doc, C, 1)
    assert (flood.lines.first, flood.lines.last) == (11, 14)
    assert flood.title == "防汛抗旱" and flood.department_text == "县应急管理局、县水利局"
    assert flood.upper_responsibility == (
        "县应急管理局主要职责：\n1. 制定防汛抗旱应急预案。\n县水利局主要职责：\n1. 发布水情预警。"
    )
    assert flood.township_responsibility == "1. 制定本镇防汛预案。"  # the same text twice is kept once
    fire = item(doc, C, 2)
    assert (fire.township_responsibility, fire.lines.first, fire.lines.last) == ("开展巡查\n上报火情", 15, 16)
    assert doc.merged_rows == 2
    assert [(lc.list_kind, lc.declared, lc.parsed) for lc in doc.list_counts] == [(B, 1, 1), (C, 2, 2), (R, 1, 1)]
    assert codes(doc) == []


def test_continuation_rows() -> None:
    doc = parse("continuation_rows.txt")
    first = item(doc, B, 1)
    assert first.title == "加强党的政治建设，学习贯彻习近平新时代中国特色社会主义思想"
    assert (first.lines.first, first.lines.last) == (6, 9)
    road = item(doc, C, 1)
    assert road.upper_responsibility == "1.负责农村公路建设； 2.指导农村公路防灾及突发事件处置； 3.制定养护制度。"
    assert road.township_responsibility == "1.调查道路信息；2.做好爱路护路宣传。"
    assert (road.lines.first, road.lines.last) == (16, 20)
    assert [i.sequence for i in doc.items_of(C)] == [1, 2]
    assert doc.merged_rows == 2
    # line 15: an empty 序号 with no item before it in its list
    assert codes(doc) == [("continuation-without-item", 15)]


def test_furniture() -> None:
    doc = parse("furniture.txt")
    assert doc.title == "某省某市某县己镇"
    # front matter, TOC, repeated list titles and headers, separators and page numbers are not items
    assert [(i.list_kind, i.sequence, i.title) for i in doc.items] == [
        (B, 1, "加强党的政治建设"),
        (B, 2, "落实全面从严治党主体责任"),
        (C, 1, "开展禁毒工作"),
        (R, 1, "房屋安全评估"),
    ]
    assert codes(doc) == [("unparsed-line", 36)]  # the trailing 注：… line is reported, not dropped
    assert "注：本清单由镇人民政府负责解释" in doc.issues[0].message


def test_duplicate_page() -> None:
    doc = parse("duplicate_page.txt")
    # lines 15–18 repeat lines 10–13 verbatim: skipped once, reported
    assert [(s.first, s.last) for s in doc.skipped_duplicate_pages] == [(15, 18)]
    assert codes(doc) == [("duplicate-page", 15)]
    assert [i.sequence for i in doc.items_of(B)] == [1, 2, 3, 4]
    # legitimately repeated text stays: two items with the same title, a heading repeated alone
    # on a page, and the reclaimed list's page that reads like the basic list's first page
    assert [i.title for i in doc.items_of(B)][:2] == ["加强党的政治建设"] * 2
    assert categories(doc, B) == [("党的建设", 2, 2), ("经济发展", 2, 2)]
    assert [i.sequence for i in doc.items_of(R)] == [1, 2]


def test_numbering() -> None:
    doc = parse("numbering.txt")
    # 1, 2., 3、 and full-width ４ are all numbers; 第七 is not and is reported instead
    assert [(i.sequence, i.title) for i in doc.items_of(B)] == [
        (1, "加强党的政治建设"),
        (2, "落实全面从严治党主体责任"),
        (3, "抓好党委自身建设"),
        (4, "加强基层党组织建设"),
        (6, "健全党建引领基层治理机制"),
        (6, "加强党员队伍建设"),
        (5, "落实党员代表大会代表任期制"),
    ]
    assert codes(doc) == [
        ("numbering-gap", 10),
        ("duplicate-sequence", 11),
        ("numbering-order", 12),
        ("unparsed-line", 13),
    ]


def test_html_cells() -> None:
    doc = parse("html_cells.txt")
    assert item(doc, B, 1).title == "做好“三资”管理 & 监督"
    school = item(doc, C, 1)
    assert school.upper_responsibility == "县教育局主要职责：\n1. 制定预案；\n2. 组织演练。"
    assert school.township_responsibility == "配合检查\n上报隐患\n人数<100 人"
    assert item(doc, R, 1).department_text == "承接部门：县民政局 工作方式：\n1. 告知当事人办理地点。"


def test_title_split() -> None:
    doc = parse("title_split.txt")
    assert (doc.title, doc.title_lines.first, doc.title_lines.last) == ("内蒙古自治区呼伦贝尔市扎兰屯市卧牛河镇", 2, 3)
    assert codes(doc) == []


def test_title_missing() -> None:
    doc = parse("title_missing.txt")
    assert doc.title == ""
    assert codes(doc) == [("empty-title", 1), ("list-missing", None), ("list-missing", None)]
    assert [i.list_kind for i in doc.issues[1:]] == [C, R]


def test_unseen_reordered() -> None:
    """A layout the parser was not written for: other header words, 序号 not first, numbered list titles."""
    doc = parse("unseen_reordered.txt")
    assert doc.title == "某县癸街道"
    assert [(i.list_kind, i.sequence, i.title, i.category) for i in doc.items] == [
        (B, 1, "加强党的政治建设", "党的建设"),
        (B, 2, "制定经济发展规划", "经济发展"),
        (C, 1, "开展禁毒工作", None),
        (R, 1, "房屋安全评估", None),
    ]
    assert item(doc, C, 1).department_text == "区公安分局"
    assert item(doc, C, 1).upper_responsibility == "负责禁毒宣传教育"
    assert item(doc, R, 1).department_text == "区住建局"
    assert [(lc.list_kind, lc.declared) for lc in doc.list_counts] == [(B, None), (C, None), (R, 1)]
    assert codes(doc) == []


def test_unseen_markdown() -> None:
    doc = parse("unseen_markdown.txt")
    assert doc.title == "某县子镇"
    assert [(i.list_kind, i.sequence, i.title, i.category) for i in doc.items] == [
        (B, 1, "加强党的政治建设", "党的建设"),
        (C, 1, "开展禁毒工作", None),
        (R, 1, "房屋安全评估", None),
    ]
    assert codes(doc) == []


@pytest.mark.parametrize(
    ("name", "line", "words"),
    FAILING_CASES,
)
def test_unseen_layout_fails_naming_the_line(name: str, line: int, words: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_document(LAYOUTS / name)
    assert (caught.value.lineno, caught.value.path) == (line, str(LAYOUTS / name))
    assert words in caught.value.message
    assert f"{name}:{line}:" in str(caught.value)


def test_issues_are_well_formed() -> None:
    for path in LAYOUTS.glob("*.txt"):
        if path.name in FAILING:
            continue
        for issue in parse_document(path).issues:
            assert isinstance(issue, Issue) and issue.code and issue.message
            assert issue.lines is None or 1 <= issue.lines.first <= issue.lines.last


@pytest.mark.parametrize(
    ("text", "kind", "detail"),
    [
        ("第 3 页（共 9 页）", RowKind.PAGE_NUMBER, None),
        ("- 12 -", RowKind.PAGE_NUMBER, None),
        ("（2025年版）", RowKind.FRONT_MATTER, None),
        ("一、基本履职事项清单", RowKind.LIST_TITLE, ListKind.BASIC),
        ("上收履职事项清单（共3项）", RowKind.LIST_TITLE, 3),
        ("四、社会管理（共7项）", RowKind.HEADING, ("社会管理", 7)),
        ("（一）党的建设", RowKind.HEADING, ("党的建设", None)),
        ("某镇履行职责事项清单（2025年版）", RowKind.DOC_TITLE, "某镇"),
        ("嘉善县西塘镇人民政府履行职责事项清单", RowKind.DOC_TITLE, "嘉善县西塘镇"),
        ("余杭区良渚街道办事处 履行职责事项清单", RowKind.DOC_TITLE, "余杭区良渚街道"),
        ("某镇党委政府履职事项清单", RowKind.DOC_TITLE, "某镇"),
        ("某街道党工委、办事处履行职责清单", RowKind.DOC_TITLE, "某街道"),
        ("西塘镇人民政府配合履职事项清单（2项）", RowKind.LIST_TITLE, ListKind.COOPERATIVE),
        ("目 录", RowKind.TOC, None),
        ("一、负责禁毒宣传教育，组织禁毒宣传", RowKind.TEXT, None),  # sentence punctuation: not a heading
        ("\t一、县农业农村局", RowKind.CELLS, ("农业农村局", None)),  # the caller decides by column
    ],
)
def test_row_classification(text: str, kind: RowKind, detail: object) -> None:
    row = classify_line(SourceLine("x.txt", 1, text))
    assert row.kind is kind
    if kind is RowKind.LIST_TITLE:
        assert detail in (row.list_kind, row.declared)
    if detail and row.heading is not None:
        assert detail == (row.heading.name, row.heading.declared) or detail[0] in row.heading.name
    if kind is RowKind.DOC_TITLE:
        assert row.place == detail
    if "人民政府" in text:
        assert row.place.endswith("西塘镇")


@pytest.mark.parametrize(
    ("lines", "line", "words"),
    [
        # A header of another list's own columns (承接部门及工作方式): a header of 序号/事项名称 only is the list's
        # its title names, short of its columns (header-column-missing; cold review 32)
        (["配合履职事项清单", "序号\t事项名称\t承接部门及工作方式"], 2, "前面的清单标题是配合履职事项清单"),
        (["基本履职事项清单", "1\t加强党的政治建设"], 2, "表头"),
        (["序号\t事项名称\t事项名称"], 1, "重复"),
        (["序号\t事项类别"], 1, "没有事项名称列"),
        (
            [
                "基本履职事项清单",
                "序号\t事项名称",
                "1\t甲",
                "配合履职事项清单",
                "序号\t事项名称\t对应上级部门",
                "1\t乙\t县局",
                "基本履职事项清单",
            ],
            7,
            "已经出现过",
        ),
    ],
)
def test_refused_layouts(tmp_path: Path, lines: list[str], line: int, words: str) -> None:
    path = tmp_path / "doc.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ParseError) as caught:
        parse_document(path)
    assert caught.value.lineno == line and words in caught.value.message
