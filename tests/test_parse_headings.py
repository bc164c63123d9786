"""Category headings as township lists write them, and lists numbered per category (cold review 18: P0-2, P1-4,
P1-5, P2). Each document is written here, as text or as Word, and parsed (or validated) for real.

The reviewer's finding: `二、应急管理（含消防）` was no heading, only an `unparsed-line` notice, and the duties under it
were loaded under the category before it, 党的建设, with no Violation. Now every way of writing a heading seen so
far is read, and a line shaped like a heading that still cannot be read refuses the document if an item follows.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from luzhi.etl.build import BuildOptions, process_document
from luzhi.etl.model import ListKind, ParsedDocument
from luzhi.etl.parse import ParseError, parse_document, read_source, unaccounted_lines
from luzhi.ontology.namespaces import LZ

TITLE = "浙江省嘉兴市嘉善县西塘镇履行职责事项清单\n"
BASIC = "基本履职事项清单\n序号\t事项名称\n"
OTHER_LISTS = (
    "配合履职事项清单\n序号\t事项名称\t对应上级部门\t上级部门职责\t镇配合职责\n"
    "1\t开展矛盾纠纷排查化解\t县公安局\t负责治安纠纷处置。\t组织排查。\n"
    "上级部门收回事项清单\n序号\t事项名称\t承接部门及工作方式\n"
    "1\t电动自行车登记\t承接部门：县公安局 工作方式：依法登记挂牌。\n"
)
FIRST = "一、党的建设\n1\t加强党的政治建设\n"  # lines 4–5; the heading under test is line 6
AFTER = "2\t做好防汛抗旱工作\n3\t开展消防安全检查\n"


def write(tmp_path: Path, basic_body: str, *, name: str = "doc.txt", lists: str = OTHER_LISTS) -> Path:
    path = tmp_path / name
    path.write_text(TITLE + BASIC + basic_body + lists, encoding="utf-8")
    return path


def parse(path: Path) -> ParsedDocument:
    doc = parse_document(path)
    assert unaccounted_lines(doc, read_source(path)) == []  # nothing dropped
    return doc


def basic(doc: ParsedDocument) -> list[tuple[int, str | None]]:
    return [(item.sequence, item.category) for item in doc.items_of(ListKind.BASIC)]


@pytest.mark.parametrize(
    ("heading", "name", "declared"),
    [
        ("二、应急管理（含消防）", "应急管理（含消防）", None),  # a note in brackets: kept, the document's wording
        ("二、应急管理（含消防）（2项）", "应急管理（含消防）", 2),  # the J_merged_heading.docx heading
        ("二、应急管理（2项）（含消防）", "应急管理（含消防）", 2),
        ("二、应急管理（两项）", "应急管理", 2),  # a count in Chinese numerals
        ("二、应急管理（共二项）", "应急管理", 2),
        ("二、应急管理（含消防）（2）", "应急管理（含消防）", 2),
        ("二、应急管理 2项", "应急管理", 2),  # a count without brackets: the name is no longer `应急管理 2项`
        ("二、应急管理共2项", "应急管理", 2),
        ("二、应急管理 二项", "应急管理", 2),
        ("二 应急管理", "应急管理", None),  # ordinal and a space
        ("第二类：应急管理", "应急管理", None),
        ("第二类 应急管理（2项）", "应急管理", 2),
        ("2.应急管理（2项）", "应急管理", 2),  # Arabic, with a count: was `序号「2.应急管理（2项）」不是数字`
        ("Ⅱ、应急管理（2项）", "应急管理", 2),
        ("（二）应急管理（共两项）", "应急管理", 2),
        ("二、应急管理（含消防）\t", "应急管理（含消防）", None),  # in the 序号 cell of a table row
        ("\t二、应急管理（含消防）", "应急管理（含消防）", None),  # in the 事项名称 cell
        # cold review 19: a count inside the name, a colon at the end; both were refused as unreadable headings
        ("二、应急管理（共2项）工作", "应急管理工作", 2),
        ("二、应急管理（2项）：", "应急管理", 2),
        ("第二类：应急管理（二项）工作：", "应急管理工作", 2),
    ],
)
def test_a_heading_written_another_way_files_the_items_under_it(tmp_path, heading, name, declared):
    doc = parse(write(tmp_path, FIRST + heading + "\n" + AFTER))
    assert basic(doc) == [(1, "党的建设"), (2, name), (3, name)]  # 2 and 3 were filed under 党的建设
    counts = {c.category: c.declared for c in doc.category_counts if c.list_kind is ListKind.BASIC}
    assert counts == {"党的建设": None, name: declared}
    assert doc.issues == ()


@pytest.mark.parametrize(
    ("heading", "why"),
    [
        ("二、应急管理（含消防，安全）", "名称或括注中有标点"),
        ("二、应急管理：消防", "名称或括注中有标点"),
        ("二、应急管理（含消防", "括号不成对"),
        ("二、应急管理（含消防\t", "括号不成对"),  # in the 序号 cell (J_merged_heading.docx said 序号…不是数字)
        ("\t二、应急管理（含消防", "括号不成对"),  # in the 事项名称 cell: no continuation of item 1's title
        ("二、应急管理（1项）（2项）", "两个项数"),
        ("二、应急管理（1项）工作 2项", "两个项数"),
        ("2.应急管理", "分不清是类别标题还是序号与事项名称写在同一格的事项"),
        ("2 做好防汛抗旱工作", "分不清是类别标题还是序号与事项名称写在同一格的事项"),  # or an item, tab lost
    ],
)
def test_a_heading_that_cannot_be_read_refuses_the_items_after_it(tmp_path, heading, why):
    path = write(tmp_path, FIRST + heading + "\n" + "3\t开展消防安全检查\n")
    with pytest.raises(ParseError) as caught:
        parse_document(path)
    error = caught.value
    assert (error.lineno, error.path) == (6, str(path))
    zh, en = error.message.split(" / ")
    assert "像是类别标题" in zh and why in zh and "上一类别「党的建设」" in zh and "--layout" in zh
    assert "looks like a category heading" in en and "「党的建设」" in en and "[categories] heading" in en
    # Only then: before a heading that reads, or after the list's last item (a note), no item is filed wrongly,
    # and the line stays the notice it was.
    for body in (FIRST + heading + "\n三、经济发展\n" + AFTER, FIRST + AFTER + heading + "\n"):
        doc = parse(write(tmp_path, body))
        assert [i.code for i in doc.issues] == ["unparsed-line"]
        assert [sequence for sequence, _ in basic(doc)] == [1, 2, 3]


def test_the_refusal_names_a_word_files_table_and_row(tmp_path):
    """The reviewer's Word file, one heading unreadable: the refusal says where in the table, in words."""
    path = _word(tmp_path / "merged.docx", "二、应急管理（含消防（1项）")
    with pytest.raises(ParseError) as caught:
        parse_document(path)
    assert caught.value.place == "table=1&row=5"
    assert caught.value.message.startswith("（表 1 第 5 行 / table 1, row 5）「二、应急管理（含消防（1项）」像是类别")
    assert "不是数字" not in caught.value.message


def test_merged_heading_rows_of_a_word_table_are_read(tmp_path):
    """docs/J_merged_heading.docx: heading rows merged across the table; `（含消防）（1项）` was `序号…不是数字`."""
    doc = parse_document(_word(tmp_path / "merged.docx", "二、应急管理（含消防）（1项）"))
    assert basic(doc) == [(1, "党的建设"), (2, "党的建设"), (3, "应急管理（含消防）")]
    assert [(c.category, c.declared, c.parsed) for c in doc.category_counts] == [
        ("党的建设", 2, 2), ("应急管理（含消防）", 1, 1)]
    assert doc.issues == ()


def _word(path: Path, second_heading: str) -> Path:
    document = Document()
    document.add_paragraph(TITLE.strip())
    document.add_paragraph("基本履职事项清单")
    table = document.add_table(rows=1, cols=2)
    for cell, text in zip(table.rows[0].cells, ["序号", "事项名称"], strict=True):
        cell.text = text
    for number, text in (("一、党的建设（2项）", None), ("1", "加强党的政治建设"), ("2", "落实全面从严治党主体责任"),
                         (second_heading, None), ("3", "做好防汛抗旱工作")):
        cells = table.add_row().cells
        if text is None:
            cells[0].merge(cells[1]).text = number
        else:
            cells[0].text, cells[1].text = number, text
    for title, header, row in (
        ("配合履职事项清单", ["序号", "事项名称", "对应上级部门", "上级部门职责", "乡镇配合职责"],
         ["1", "开展矛盾纠纷排查化解", "县公安局", "负责。", "组织排查。"]),
        ("上级部门收回事项清单", ["序号", "事项名称", "承接部门及工作方式"],
         ["1", "电动自行车登记", "承接部门：县公安局 工作方式：依法登记挂牌。"]),
    ):
        document.add_paragraph(title)
        other = document.add_table(rows=2, cols=len(header))
        for cells, texts in ((other.rows[0].cells, header), (other.rows[1].cells, row)):
            for cell, text in zip(cells, texts, strict=True):
                cell.text = text
    document.save(str(path))
    return path


def test_bare_names_before_items_are_headings_and_said_so(tmp_path):
    """docs/D2_zhouzhuang.txt: `平安法治` alone on its line before item 1; `应急管理<TAB>…` before item 2, with a
    page break and the header repeated between it and its item. Both were unparsed lines."""
    cooperative = (
        "配合履职事项清单\n序号\t事项名称\t对应上级部门\t上级部门职责\t镇配合职责\n平安法治\n"
        "1\t开展矛盾纠纷排查化解\t县公安局\t负责治安纠纷处置。\t组织排查。\n应急管理\t\t\t\t\n\n- 2 -\n\n"
        "序号\t事项名称\t对应上级部门\t上级部门职责\t镇配合职责\n2\t做好防汛抗旱工作\t县水利局\t负责调度。\t做好巡查。\n"
        "上级部门收回事项清单\n序号\t事项名称\t承接部门及工作方式\n"
        "1\t电动自行车登记\t承接部门：县公安局 工作方式：依法登记挂牌。\n"
    )
    doc = parse(write(tmp_path, FIRST + "西塘镇人民政府\n", lists=cooperative))
    assert [(i.sequence, i.category) for i in doc.items_of(ListKind.COOPERATIVE)] == [(1, "平安法治"), (2, "应急管理")]
    # a name after the basic list's last item (a signature) is no heading: the notice it always was
    (signature, bare) = [(i.code, i.lines.first, i.message) for i in doc.issues]
    assert signature == ("unparsed-line", 6, "无法识别的行：「西塘镇人民政府」")
    assert bare[:2] == ("heading-unnumbered", 9) and "「平安法治」、「应急管理」" in bare[2]


def test_a_numeral_alone_in_the_number_cell_heads_the_items_after_it(tmp_path):
    """`二<TAB>应急管理`: a heading numbered in the 序号 cell, named in the 事项名称 cell, when an item follows; in a
    list whose items are numbered 一, 二 … no item follows any such row, and each stays the notice it was."""
    doc = parse(write(tmp_path, FIRST + "二\t应急管理\n" + AFTER))
    assert basic(doc) == [(1, "党的建设"), (2, "应急管理"), (3, "应急管理")]
    assert [(i.code, i.lines.first) for i in doc.issues] == [("heading-unnumbered", 6)]
    doc = parse(write(tmp_path, "一\t加强党的政治建设\n二\t落实全面从严治党主体责任\n"))
    assert basic(doc) == []
    assert [(i.code, i.lines.first, i.severity) for i in doc.issues] == [  # two duties not read: Warnings
        ("unparsed-line", 4, "Warning"), ("unparsed-line", 5, "Warning")]
    assert "序号「一」无法读作数字：这一行（「加强党的政治建设」）没有作为事项读入" in doc.issues[0].message


def test_part_numbers_before_list_titles_are_no_place(tmp_path):
    """docs/D_zhouzhuang.txt: `第一部分 基本履职事项清单` was a list title naming a place 第一部分 (three bogus
    title-mismatch issues); and its `1.党的建设（2项）`, `第二类 应急管理（1项）`, `Ⅰ、社会管理（1项）` are headings."""
    path = tmp_path / "parts.txt"
    path.write_text(
        TITLE + "\n第一部分 基本履职事项清单\n序号\t事项名称\n1.党的建设（1项）\t\n1\t加强党的政治建设\n"
        "第二部分 配合履职事项清单\n序号\t事项名称\t对应上级部门\t上级部门职责\t镇配合职责\n第二类 应急管理（1项）\n"
        "1\t做好防汛抗旱工作\t县水利局\t负责调度。\t做好巡查。\n"
        "第三部分：上级部门收回事项清单\n序号\t事项名称\t承接部门及工作方式\nⅠ、社会管理（1项）\n"
        "1\t电动自行车登记\t承接部门：县公安局 工作方式：依法登记挂牌。\n",
        encoding="utf-8",
    )
    doc = parse(path)
    assert doc.title == "浙江省嘉兴市嘉善县西塘镇" and doc.issues == ()
    assert [(i.list_kind, i.category) for i in doc.items] == [
        (ListKind.BASIC, "党的建设"), (ListKind.COOPERATIVE, "应急管理"), (ListKind.RECLAIMED, "社会管理")]


PER_CATEGORY = ("一、党的建设（2项）\n1\t加强党的政治建设\n2\t落实全面从严治党主体责任\n"
                "二、经济发展（2项）\n1\t开展招商引资工作\n2\t依法开展统计调查工作\n")


def test_a_list_numbered_per_category_is_read_by_position(tmp_path):
    """docs/H_percat.txt: numbering restarts at 1 under each heading. It was refused by four SequenceUniqueShape
    Violations, and `--force` loaded IRIs …/basic/1-2. Now each duty is numbered by its position in the list and
    keeps its printed 序号; the other lists, numbered 1..n, are untouched."""
    path = write(tmp_path, PER_CATEGORY)
    doc = parse(path)
    items = doc.items_of(ListKind.BASIC)
    assert [(i.sequence, i.sequence_in_category, i.category) for i in items] == [
        (1, 1, "党的建设"), (2, 2, "党的建设"), (3, 1, "经济发展"), (4, 2, "经济发展")]
    assert [i.sequence_in_category for i in doc.items if i.list_kind is not ListKind.BASIC] == [None, None]
    ((code, line, message_en),) = [(i.code, i.lines.first, i.message_en) for i in doc.issues]
    assert (code, line) == ("numbering-per-category", 8) and "position in the list, 1–4" in message_en

    graph = process_document(path, BuildOptions(base="http://127.0.0.1:5000"))[2]
    duty = URIRef("http://127.0.0.1:5000/id/duty/330421103/basic/3")
    assert set(graph.objects(duty, LZ.sequence)) == {Literal(3, datatype=XSD.integer)}
    assert set(graph.objects(duty, LZ.sequenceInCategory)) == {Literal(1, datatype=XSD.integer)}
    printed = {str(s).rsplit("/", 2)[-2:][1]: int(o) for s, o in graph.subject_objects(LZ.sequenceInCategory)}
    assert printed == {"1": 1, "2": 2, "3": 1, "4": 2}
    assert all("/basic/" in str(s) for s in graph.subjects(LZ.sequenceInCategory))
    report = subprocess.run([sys.executable, "-m", "luzhi.server.cli", "validate", str(path), "--format", "json"],
                            capture_output=True, text=True, timeout=300)
    assert report.returncode == 0, report.stdout + report.stderr
    (checked,) = json.loads(report.stdout)["files"]
    assert checked["conforms"] and checked["counts"]["Violation"] == 0


def test_slips_inside_a_category_are_reported_there(tmp_path):
    doc = parse(write(tmp_path, PER_CATEGORY.replace("2\t依法开展", "3\t依法开展")))
    assert [i.sequence for i in doc.items_of(ListKind.BASIC)] == [1, 2, 3, 4]
    assert [(i.code, i.lines.first) for i in doc.issues] == [("numbering-per-category", 8), ("numbering-gap", 9)]
    assert doc.issues[1].message == "类别「经济发展」中序号从 1 跳到 3，缺少 2"


def test_a_restart_that_is_not_per_category_is_still_a_repeated_number(tmp_path):
    """1, 2 | 3 | 1: not every category starts at 1, so this is a list numbered 1..n with a slip, refused as before
    (its printed numbers stay its sequences; SequenceUniqueShape makes the build refuse it)."""
    second = "（2项）\n1\t开展招商引资工作\n2\t依法开展统计调查工作\n"
    body = PER_CATEGORY.replace(second, "（1项）\n3\t开展招商引资工作\n") + "三、综合政务\n1\t做好公文处理工作\n"
    doc = parse(write(tmp_path, body))
    assert [(i.sequence, i.sequence_in_category) for i in doc.items_of(ListKind.BASIC)] == [
        (1, None), (2, None), (3, None), (1, None)]
    assert [(i.code, i.lines.first) for i in doc.issues] == [("duplicate-sequence", 10)]


def test_a_row_copied_twice_is_not_said_to_have_another_title(tmp_path):
    """Cold review 29: an identical repeated row was told its 序号 came again "with another title"."""
    body = "1\t加强党的政治建设\n2\t落实全面从严治党主体责任\n3\t开展招商引资工作\n"
    for repeated, zh, en in (("2\t落实全面从严治党主体责任\n", "事项名称也相同：是否同一行抄了两次？",
                              "with the same title: is one row copied twice?"),
                             ("2\t依法开展统计调查工作\n", "且事项名称不同", "with another title")):
        (issue,) = [i for i in parse(write(tmp_path, body + repeated)).issues if i.code == "duplicate-sequence"]
        assert issue.message == f"序号 2 在本清单中重复出现，{zh}"
        assert issue.message_en == f"序号 2 is used again in this list, {en}"


def test_a_single_stray_restart_does_not_number_the_list_per_category(tmp_path):
    """Cold review 19: one category starting again at 1 switched the whole list to per-category numbering, its
    items renumbered by position. A restart after which the numbers go on from those before it (1, 2 | 1, 4), or a
    lone restart of a one-item category (1, 2 | 1), is no such list: read 1..n, the restart named at its line, and
    the repeated 1 stays a duplicate (the build refuses it by SequenceUniqueShape)."""
    second = "（2项）\n1\t开展招商引资工作\n2\t依法开展统计调查工作\n"
    for written, after in (("（2项）\n1\t开展招商引资工作\n4\t依法开展统计调查工作\n", "4 接着此前的 2"),
                           ("（1项）\n1\t开展招商引资工作\n", "只有这一个类别重新编号")):
        doc = parse(write(tmp_path, PER_CATEGORY.replace(second, written)))
        items = doc.items_of(ListKind.BASIC)
        assert [i.sequence for i in items] == [1, 2, 1, 4][: len(items)]
        assert {i.sequence_in_category for i in items} == {None}
        codes = [(i.code, i.lines.first) for i in doc.issues]
        assert ("duplicate-sequence", 8) in codes and ("numbering-restart", 8) in codes
        assert "numbering-per-category" not in {code for code, _ in codes}
        (restart,) = [i for i in doc.issues if i.code == "numbering-restart"]
        assert "类别「经济发展」的第一项回到 1" in restart.message and after in restart.message
        assert "still read as numbered 1..n" in restart.message_en
    # every category restarting, each going on 1, 2 … or alone (3 categories): per category, as before
    doc = parse(write(tmp_path, PER_CATEGORY + "三、综合政务（1项）\n1\t做好公文处理工作\n"))
    assert [(i.sequence, i.sequence_in_category) for i in doc.items_of(ListKind.BASIC)] == [
        (1, 1), (2, 2), (3, 1), (4, 2), (5, 1)]
    assert [i.code for i in doc.issues] == ["numbering-per-category"]
    # a slip inside one category of several that each go on 1, 2 (`1, 5`): per category, the slip said there
    body = PER_CATEGORY + "三、综合政务（2项）\n1\t做好公文处理工作\n2\t做好档案管理工作\n" \
        "四、社会事业（2项）\n1\t做好社会救助工作\n2\t做好养老服务工作\n"
    doc = parse(write(tmp_path, body.replace("2\t依法开展", "5\t依法开展")))
    assert [i.sequence_in_category for i in doc.items_of(ListKind.BASIC)] == [1, 2, 1, 5, 1, 2, 1, 2]
    assert [(i.code, i.lines.first) for i in doc.issues] == [("numbering-per-category", 8), ("numbering-gap", 9)]


WRAPPED = "1\t加强党的政治建设\n2\t开展法治宣传教育和群众性学法\n用法活动\n3\t做好防汛抗旱工作\n"  # lines 4–7


def test_a_title_wrapped_onto_its_own_line_continues_the_item(tmp_path):
    """Cold review 19: item 2's title goes on, unnumbered, on the next line of a text copy. It was read as a bare-name
    category heading: the title lost its tail, and item 3 was filed under a category 用法活动 with one notice."""
    doc = parse(write(tmp_path, WRAPPED))
    items = doc.items_of(ListKind.BASIC)
    assert [(i.sequence, i.title, i.category, i.lines.first, i.lines.last) for i in items] == [
        (1, "加强党的政治建设", None, 4, 4), (2, "开展法治宣传教育和群众性学法用法活动", None, 5, 6),
        (3, "做好防汛抗旱工作", None, 7, 7)]
    assert doc.category_counts == ()
    ((code, line, zh, en),) = [(i.code, i.lines.first, i.message, i.message_en) for i in doc.issues]
    assert (code, line) == ("wrapped-line", 6)
    assert zh.startswith("「用法活动」紧接在序号 2 的事项之后")
    assert "已读作该事项「事项名称」的续行：「开展法治宣传教育和群众性学法用法活动」" in zh
    assert "read as the rest of that item's 「事项名称」" in en and "「二、用法活动」" in en


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (WRAPPED.replace("用法活动", "用法活动（1项）"), "a count"),
        (WRAPPED.replace("用法活动", "其他事项"), "a category word"),
        (WRAPPED.replace("3\t做好", "1\t做好"), "the numbering starts again at 1 after it"),
        (WRAPPED.replace("学法\n", "学法。\n"), "the cell before it ends a sentence"),
        ("平安法治\n" + WRAPPED.replace("用法活动", "应急管理"), "the list's categories are bare names"),
        ("一、用法活动\n" + WRAPPED, "a category of that name came before"),
        (WRAPPED.replace("用法活动", "\n用法活动"), "a blank line stands between"),
    ],
)
def test_a_bare_name_after_an_item_that_says_heading_is_one(tmp_path, body, why):
    """Anything that says heading keeps such a line a category heading, named in the `heading-unnumbered` notice."""
    doc = parse(write(tmp_path, body))
    (wrapped,) = [i for i in doc.items_of(ListKind.BASIC) if i.title.startswith("开展法治")]
    assert wrapped.title in ("开展法治宣传教育和群众性学法", "开展法治宣传教育和群众性学法。"), why
    last = doc.items_of(ListKind.BASIC)[-1]
    assert last.title == "做好防汛抗旱工作" and last.category in ("用法活动", "其他事项", "应急管理"), why
    codes = {i.code for i in doc.issues}
    assert "heading-unnumbered" in codes and "wrapped-line" not in codes, why


def test_a_list_title_counting_inside_its_name_declares_that_count(tmp_path):
    """`一、基本履职事项（共2项）清单`: the count was swallowed into the list's name, and never checked."""
    for declared, issues in ((2, []), (3, [("count-mismatch", 2)])):
        path = tmp_path / "title.txt"
        items = AFTER.replace("2\t", "1\t").replace("3\t", "2\t")
        title = f"一、基本履职事项（共{declared}项）清单\n序号\t事项名称\n"
        path.write_text(TITLE + title + items + OTHER_LISTS, encoding="utf-8")
        doc = parse(path)
        assert doc.title == "浙江省嘉兴市嘉善县西塘镇"
        assert [(c.list_kind, c.declared, c.parsed) for c in doc.list_counts][0] == (ListKind.BASIC, declared, 2)
        assert [(i.code, i.lines.first) for i in doc.issues] == issues


@pytest.mark.parametrize("digits", ["999999999", "1" * 30])
def test_a_sequence_too_large_refuses_the_row_and_says_why(tmp_path, digits):
    """docs2/清单 #1?a=b&c.txt: `999999999` was "not a number" and its row was dropped with that notice alone; past
    20 digits the number quoted was cut."""
    path = write(tmp_path, f"1\t加强党的政治建设\n{digits}\t落实全面从严治党主体责任\n")
    with pytest.raises(ParseError) as caught:
        parse_document(path)
    assert caught.value.lineno == 5
    zh, en = caught.value.message.split(" / ")
    assert f"有 {len(digits)} 位数字，太大" in zh and "落实全面从严治党主体责任" in zh and "不是数字" not in zh
    assert f"has {len(digits)} digits: too large to be an item number" in en
    assert (digits in zh) is (len(digits) <= 24)
    # a 序号 cell alone on its row loses nothing: a notice that says what is wrong with it
    doc = parse(write(tmp_path, f"1\t加强党的政治建设\n{digits}\t\n"))
    assert [(i.code, i.lines.first) for i in doc.issues] == [("unparsed-line", 5)]
    assert f"有 {len(digits)} 位数字，太大，不是事项序号" in doc.issues[0].message
