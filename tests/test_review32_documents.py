"""Cold review 32: documents in shapes the five samples do not have, written here as text or Word and parsed for real.

- a duty whose 序号 is in Chinese numerals (`4`, `五、<TAB>做好…`, `6`) was read as a category 做好…, the duties after
  it filed under it, the list one short and the document valid;
- a heading numbered in words in the 序号 cell (`（一）<TAB>制定实施本镇经济发展规划…`) that no item follows was an
  empty category, unsaid: it is a duty's row not read, said as such, with the advice to write the number in digits;
- lists named without 清单 (`一、基本履职事项（7项）`) were categories of the list before, their counts those
  categories' counts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from formats import blocks as blocks_of
from formats import write_docx

from luzhi.etl.build import BuildOptions, process_document
from luzhi.etl.model import ListKind, ParsedDocument
from luzhi.etl.parse import parse_document, read_source, unaccounted_lines
from luzhi.shapes.validate import Severity, validate_graph

TITLE = "江西省上饶市婺源县江湾镇履行职责事项清单\n\n"
BASIC = "江湾镇基本履职事项清单\n序号\t事项名称\n"
OTHER_LISTS = ("\n江湾镇配合履职事项清单\n序号\t事项名称\t对应上级部门\t上级部门职责\t乡镇配合职责\n"
               "1\t规模以上工业企业统计调查\t县统计局\t负责统计调查的组织实施。\t协助督促企业报送数据。\n"
               "\n江湾镇上级部门收回事项清单\n序号\t事项名称\t承接部门及工作方式\n"
               "1\t农村集体经济组织财务审计\t县农业农村局：由县农业农村局组织开展审计，镇不再承担。\n")
TITLES = ["加强镇党委自身建设", "负责党员发展和教育管理工作", "指导村党组织建设", "制定实施本镇经济发展规划和年度计划",
          "做好招商引资项目落地服务保障工作", "开展矛盾纠纷排查化解", "开展法治宣传教育和群众性学法用法活动"]
BASE = "http://127.0.0.1:5000"


def _document(tmp_path: Path, numbers: list[str], suffix: str = ".txt", *, body: str | None = None) -> Path:
    text = TITLE + BASIC + (body if body is not None else "".join(
        f"{number}\t{title}\n" for number, title in zip(numbers, TITLES, strict=True))) + OTHER_LISTS
    if suffix == ".docx":
        return write_docx(text, tmp_path / "江湾镇.docx")
    path = tmp_path / "江湾镇.txt"
    path.write_text(text, encoding="utf-8")
    return path


def _basic(doc: ParsedDocument) -> list[tuple[int, str | None, str]]:
    return [(item.sequence, item.category, item.title) for item in doc.items_of(ListKind.BASIC)]


@pytest.mark.parametrize(("written", "suffix"), [("五、", ".txt"), ("（五）", ".txt"), ("五", ".docx"),
                                                 ("五、", ".docx")])
def test_a_duty_numbered_in_words_between_two_numbers_is_that_duty(tmp_path, written, suffix):
    path = _document(tmp_path, ["1", "2", "3", "4", written, "6", "7"], suffix)
    doc = parse_document(path)
    assert _basic(doc) == [(n, None, title) for n, title in enumerate(TITLES, start=1)]
    (said,) = [issue for issue in doc.issues if issue.code == "sequence-in-words"]
    assert f"序号「{written}」是中文数字" in said.message and "读作 5" in said.message
    assert "read as 5, between the items numbered 4 and 6" in said.message_en
    if suffix == ".txt":
        assert said.lines.first == 9 and unaccounted_lines(doc, read_source(path)) == []
    report = validate_graph(process_document(path, BuildOptions(base=BASE))[2], BASE)
    assert report.conforms, report.summary("en")


def test_a_category_numbered_in_words_stays_a_category(tmp_path):
    """The rule asks the numbers around the row: a category 二、 whose items start again at 1, or go on from the item
    before it, is a category, as before."""
    body = ("一、\t党的建设\n1\t加强镇党委自身建设\n2\t负责党员发展和教育管理工作\n"
            "三、\t经济发展\n3\t制定实施本镇经济发展规划和年度计划\n")
    doc = parse_document(_document(tmp_path, [], body=body))
    assert _basic(doc) == [(1, "党的建设", TITLES[0]), (2, "党的建设", TITLES[1]), (3, "经济发展", TITLES[3])]
    assert not [issue for issue in doc.issues if issue.code in ("sequence-in-words", "unparsed-line")]


def test_a_duty_read_as_an_empty_category_is_said_and_refused(tmp_path):
    """Doing what the messages said (writing 1, 2, 3 … where they named a row) ended with a valid list of 4 duties of 7:
    rows numbered （一） whose long names were read as categories with no item were never named."""
    body = ("第一类 党的建设\n1\t加强镇党委自身建设\n2\t负责党员发展和教育管理工作\n3\t指导村党组织建设\n"
            "第二类 经济发展\n（一）\t制定实施本镇经济发展规划和年度计划\n（二）\t做好招商引资项目落地服务保障工作\n"
            "第三类 平安法治\n6\t开展矛盾纠纷排查化解\n7\t开展法治宣传教育和群众性学法用法活动\n")
    path = _document(tmp_path, [], body=body)
    doc = parse_document(path)
    assert [n for n, _category, _title in _basic(doc)] == [1, 2, 3, 6, 7]
    unread = [issue for issue in doc.issues if issue.code == "unparsed-line"]
    assert [issue.lines.first for issue in unread] == [10, 11]
    assert all(issue.message.endswith("请把序号改为阿拉伯数字") for issue in unread)
    assert all(issue.message_en.endswith("write the 序号 in Arabic digits") for issue in unread)
    graph = process_document(path, BuildOptions(base=BASE))[2]
    report = validate_graph(graph, BASE)
    assert not report.conforms
    lines = sorted(r.lines.first for r in report.results
                   if r.severity is Severity.VIOLATION and r.shape.endswith("#UnreadRowShape"))
    assert lines == [10, 11]


def test_a_short_category_numbered_in_words_above_another_is_no_unread_duty(tmp_path):
    """`一、<TAB>党的建设` above `（一）<TAB>组织建设`: a category of categories, not a duty (a name as short as a
    category's)."""
    body = "一、\t党的建设\n（一）\t组织建设\n1\t加强镇党委自身建设\n2\t负责党员发展和教育管理工作\n"
    doc = parse_document(_document(tmp_path, [], body=body))
    assert [n for n, _category, _title in _basic(doc)] == [1, 2]
    assert not [issue for issue in doc.issues if issue.code == "unparsed-line"]


@pytest.mark.parametrize("suffix", [".txt", ".docx"])
def test_lists_named_without_qingdan_are_lists(tmp_path, suffix):
    text = ("山东省潍坊市寿光市稻田镇履行职责事项清单\n\n一、基本履职事项（3项）\n序号\t事项名称\n"
            "（一）党的建设（2项）\n"
            "1\t加强镇党委自身建设\n2\t负责党员发展和教育管理工作\n（二）经济发展（1项）\n3\t制定实施本镇经济发展规划\n\n"
            "二、配合履职事项（1项）\n序号\t事项名称\t对应上级部门\t上级部门职责\t乡镇配合职责\n"
            "1\t规模以上工业企业统计调查\t县统计局\t负责统计调查的组织实施。\t协助督促企业报送数据。\n\n"
            "三、上级部门收回事项（1项）\n序号\t事项名称\t承接部门及工作方式\n"
            "1\t农村集体经济组织财务审计\t县农业农村局：由县农业农村局组织开展审计，镇不再承担。\n")
    if suffix == ".docx":
        path = write_docx(text, tmp_path / "稻田镇.docx")
    else:
        path = tmp_path / "稻田镇.txt"
        path.write_text(text, encoding="utf-8")
    doc = parse_document(path)
    assert [(count.list_kind, count.declared, count.parsed) for count in doc.list_counts] == [
        (ListKind.BASIC, 3, 3), (ListKind.COOPERATIVE, 1, 1), (ListKind.RECLAIMED, 1, 1)]
    assert [(item.list_kind, item.category) for item in doc.items] == [
        (ListKind.BASIC, "党的建设"), (ListKind.BASIC, "党的建设"), (ListKind.BASIC, "经济发展"),
        (ListKind.COOPERATIVE, None), (ListKind.RECLAIMED, None)]
    assert not doc.issues


def test_a_category_cell_with_an_ordinal_and_a_count_is_that_category_and_its_count_is_checked(tmp_path):
    """`一、党的建设（3项）` in the 事项类别 cell of each row was the category's name, ordinal and count included: a
    concept per list (`（3项）` here, `（1项）` in the next list) and the count never checked."""
    body = "".join(f"{n}\t{cell}\t{title}\n" for n, cell, title in [
        (1, "一、党的建设（3项）", TITLES[0]), (2, "一、党的建设（3项）", TITLES[1]),
        (3, "二、经济发展（1项）", TITLES[3]), (4, "二、经济发展（1项）", TITLES[4])])
    path = _document(tmp_path, [], body=body)
    path.write_text(path.read_text(encoding="utf-8").replace("序号\t事项名称\n1", "序号\t事项类别\t事项名称\n1", 1),
                    encoding="utf-8")
    doc = parse_document(path)
    assert [(n, category) for n, category, _title in _basic(doc)] == [
        (1, "党的建设"), (2, "党的建设"), (3, "经济发展"), (4, "经济发展")]
    assert [(c.category, c.declared, c.parsed) for c in doc.category_counts if c.list_kind is ListKind.BASIC] == [
        ("党的建设", 3, 2), ("经济发展", 1, 2)]
    mismatches = [issue.message for issue in doc.issues if issue.code == "count-mismatch"]
    assert len(mismatches) == 2 and "分类「党的建设」声明 3 项，实际解析出 2 项" in mismatches[0], mismatches


@pytest.mark.parametrize("suffix", [".txt", ".docx"])
def test_subtotal_and_total_rows_are_counts_not_duties(tmp_path, suffix):
    """A 小计 / 合计 row had its word read as a 序号 that is no number: a duty not read, the document refused, and the
    advice was to correct the 序号. It counts the items above it: compared with those read, and said."""
    body = (f"1\t{TITLES[0]}\n2\t{TITLES[1]}\n小计\t2项\n3\t{TITLES[3]}\n小计：共２项\n4\t{TITLES[4]}\n"
            f"合计\t5项\n")
    path = _document(tmp_path, [], body=body)
    if suffix == ".docx":
        path = write_docx(path.read_text(encoding="utf-8"), tmp_path / "江湾镇.docx")
    doc = parse_document(path)
    assert [n for n, _category, _title in _basic(doc)] == [1, 2, 3, 4]
    totals = [issue for issue in doc.issues if issue.code == "total-row"]
    assert [(issue.severity, issue.message) for issue in totals] == [
        ("Info", "「小计 2项」是小计行，不是事项，未作为事项读入；其写的 2 项，与读入的一致"),
        ("Warning", "「小计：共２项」是小计行，不是事项，未作为事项读入；其写的 2 项，而读入的是 1 项：请对照原件核对，"
                    "是否有事项未读入或多读"),
        ("Warning", "「合计 5项」是合计行，不是事项，未作为事项读入；其写的 5 项，而读入的是 4 项：请对照原件核对，"
                    "是否有事项未读入或多读")]
    assert totals[1].message_en.endswith("it counts 2 items, but 1 were read: check against the original whether a "
                                         "duty was missed or read twice")
    assert not [issue for issue in doc.issues if issue.code == "unparsed-line"]
    report = validate_graph(process_document(path, BuildOptions(base=BASE))[2], BASE)
    assert report.conforms, report.summary("en")


SAMPLE = Path(__file__).resolve().parent.parent / "data" / "samples" / "000_d4a0698a49e5e74d.txt"


@pytest.mark.parametrize("titles_in_a", [False, True])
def test_a_sheet_whose_tables_start_in_column_b_reads_as_the_text(tmp_path, titles_in_a):
    """Column A left empty as a margin, or holding only the titles: the first title was a table row before any header,
    or the header's first column "blank, no known column", and the sheet was refused."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for number, line in enumerate(SAMPLE.read_text(encoding="utf-8").rstrip("\n").split("\n"), start=1):
        cells = line.split("\t")
        shift = 0 if titles_in_a and len([cell for cell in cells if cell.strip()]) == 1 and cells[0].strip() else 1
        for column, text in enumerate(cells, start=1 + shift):
            if text.strip():
                sheet.cell(row=number, column=column, value=text)
    workbook.save(tmp_path / "sheet.xlsx")
    read, text = parse_document(tmp_path / "sheet.xlsx"), parse_document(SAMPLE)
    assert [(i.list_kind, i.sequence, i.category, i.title, i.department_text) for i in read.items] == [
        (i.list_kind, i.sequence, i.category, i.title, i.department_text) for i in text.items]
    assert len(read.items) == 311


@pytest.mark.parametrize("title", ["贵州省遵义市播州区枫香镇", "浙江省杭州市西湖区枫香镇", "四川省甘孜州康定市枫香镇"])
def test_a_zhou_inside_a_division_name_is_no_level_word(title):
    """The 州 of 贵州省 and 播州区 ended a division: the township read 区枫香镇, and each list titled 枫香镇… was told
    it named another place than the document's title (`title-mismatch`)."""
    from luzhi.etl.place_names import same_place

    assert same_place(title, "枫香镇") and same_place(title, "播州区枫香镇" if "播州" in title else title[-6:])
    assert not same_place(title, "枫林镇")


def test_an_unread_row_of_a_word_file_is_told_by_its_place_not_a_cut_url(tmp_path):
    """The Violation of a row not read printed its value, the source's URL with its place, cut at 60 characters
    (`值 file:///tmp/…/14_docx_one_table_subtotal…`): the place (表 1 第 3 行) says it."""
    from luzhi.shapes.report import render_text

    body = f"1\t{TITLES[0]}\n2a\t{TITLES[1]}\n3\t{TITLES[2]}\n"
    path = write_docx(_document(tmp_path, [], body=body).read_text(encoding="utf-8"), tmp_path / "江湾镇.docx")
    report = validate_graph(process_document(path, BuildOptions(base=BASE))[2], BASE)
    (unread,) = [r for r in report.results if r.shape.endswith("#UnreadRowShape")]
    assert unread.value.endswith(".docx#table=1&row=3")
    text = render_text(report)
    (line,) = [line for line in text.splitlines() if "清单有一行序号缺失或无法读取" in line]
    assert "表 1 第 3 行" in text and "值" not in line and "/source/" not in text, text


def _items(doc: ParsedDocument) -> list[tuple]:
    return [(i.list_kind, i.sequence, i.category, i.title, i.department_text) for i in doc.items]


@pytest.mark.parametrize("shape", ["caption", "layout table"])
def test_a_web_page_with_captions_or_a_layout_table_reads_as_the_text(tmp_path, shape):
    """A list's title in its table's `<caption>` was dropped (the list "had no title"); tables laid out in the cells
    of a table around them were one row each, their text squashed, and the page refused."""
    import html

    from formats import blocks

    parts, title = [], None
    for kind, rows in blocks(SAMPLE.read_text(encoding="utf-8")):
        if kind == "paragraph":
            if not rows[0][0].strip():
                continue
            if title is not None:
                parts.append(f"<p>{html.escape(title)}</p>")
            title = rows[0][0].strip()
            continue
        body = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in cells) + "</tr>" for cells in rows)
        if shape == "caption":
            caption = f"<caption>{html.escape(title)}</caption>" if title else ""
            parts.append(f"<table border='1'>{caption}{body}</table>")
        else:
            heading = f"<p>{html.escape(title)}</p>" if title else ""
            parts.append(f"<tr><td>{heading}<table border='1'>{body}</table></td></tr>")
        title = None
    page = "".join(parts) if shape == "caption" else f"<table width='100%'>{''.join(parts)}</table>"
    path = tmp_path / "page.html"
    path.write_text(f"<!DOCTYPE html><html><body>{page}</body></html>", encoding="utf-8")
    read = parse_document(path)
    assert _items(read) == _items(parse_document(SAMPLE)) and len(read.items) == 311
    assert not [issue for issue in read.issues if issue.code == "list-title-missing"]


def test_a_pdf_printed_with_a_western_font_for_quotes_has_no_spaces_around_them(tmp_path):
    """Word's default style draws “ ” in its Western font: LibreOffice writes them in a run of their own, after the
    line's Chinese characters, and PDFium's spaces for the gaps they fill were kept: 和 “三重一大 ”决策制度."""
    from docx import Document
    from formats import convert_to_pdf

    document = Document()  # its default fonts, as a clerk's Word file has them
    for kind, rows in blocks_of(_document(tmp_path, [str(n) for n in range(1, 8)]).read_text("utf-8")):
        if kind == "paragraph":
            document.add_paragraph(rows[0][0])
            continue
        table = document.add_table(rows=len(rows), cols=max(len(row) for row in rows))
        table.style = "Table Grid"  # ruled, as the lists are: the PDF reader finds tables by their lines
        for row, cells in zip(table.rows, rows, strict=True):
            for cell, text in zip(row.cells, cells, strict=False):
                cell.text = text.replace("组织建设", "组织“三重一大”建设")
    document.save(tmp_path / "quotes.docx")
    (pdf,) = convert_to_pdf([tmp_path / "quotes.docx"], tmp_path)
    titles = [item.title for item in parse_document(pdf).items_of(ListKind.BASIC)]
    assert "指导村党组织“三重一大”建设" in titles, titles


def test_a_reclaimed_list_without_its_receiving_column_is_that_list_missing_a_column(tmp_path):
    """序号/事项类别/事项名称 under 上级部门收回事项清单 was refused as "the header's columns are those of the basic
    list": the title says which list; the missing column is said, and each duty without a receiver is a Violation.
    The header repeated after a page break is the same list's."""
    path = _document(tmp_path, [str(n) for n in range(1, 8)])
    text = path.read_text(encoding="utf-8").replace(
        "序号\t事项名称\t承接部门及工作方式\n1\t农村集体经济组织财务审计\t县农业农村局：由县农业农村局组织开展审计，镇不再承担。\n",
        "序号\t事项名称\n1\t农村集体经济组织财务审计\n（续表）\n序号\t事项名称\n2\t出具法律援助经济状况证明\n")
    path.write_text(text, encoding="utf-8")
    doc = parse_document(path)
    assert [(i.sequence, i.title) for i in doc.items_of(ListKind.RECLAIMED)] == [
        (1, "农村集体经济组织财务审计"), (2, "出具法律援助经济状况证明")]
    assert [issue.code for issue in doc.issues] == ["header-column-missing"]
    report = validate_graph(process_document(path, BuildOptions(base=BASE))[2], BASE)
    assert {r.focus.rsplit("/", 2)[-2] for r in report.results if r.severity is Severity.VIOLATION} == {"reclaimed"}


def test_a_cooperative_column_of_each_sides_part_gives_departments_and_both_parts(tmp_path):
    """`责任部门及职责分工` holding `县委组织部：…` and `江湾镇：…`, one line each: the whole cell was the upper
    responsibility, the duty without a department and refused, with no way out (a profile cannot split a cell)."""
    cooperative = ("\n江湾镇配合履职事项清单\n序号\t事项名称\t责任部门及职责分工\n"
                   "1\t开展县级党内表彰激励工作\t县委组织部：组织开展县级表彰工作。<br>江湾镇：推荐上报表彰对象。\n"
                   "2\t道路交通安全隐患排查治理\t县公安局 县交通运输局：负责隐患的排查认定和治理，<br>并督促整改。"
                   "<br>江湾镇：配合开展隐患排查。\n")
    path = _document(tmp_path, [str(n) for n in range(1, 8)])
    text = path.read_text(encoding="utf-8")
    start, end = text.index("\n江湾镇配合履职事项清单"), text.index("\n江湾镇上级部门收回事项清单")
    path.write_text(text[:start] + cooperative + text[end:], encoding="utf-8")
    doc = parse_document(path)
    read = [(i.department_text, i.upper_responsibility, i.township_responsibility)
            for i in doc.items_of(ListKind.COOPERATIVE)]
    assert read == [("县委组织部", "县委组织部：组织开展县级表彰工作。", "推荐上报表彰对象。"),
                    ("县公安局 县交通运输局", "县公安局 县交通运输局：负责隐患的排查认定和治理，\n并督促整改。",
                     "配合开展隐患排查。")]
    assert not [issue for issue in doc.issues if issue.code == "header-column-missing"]
    report = validate_graph(process_document(path, BuildOptions(base=BASE))[2], BASE)
    assert report.conforms, report.summary("en")
