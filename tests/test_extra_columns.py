"""Columns some townships add beside the usual ones (cold review 18): kept in the graph under their properties,
said in the report, or refused; never read and dropped.

The review found a basic list's 责任部门 column (the township's own offices) read and thrown away while the
document conformed, and 备注, 法律依据, 履职依据, 责任科室, 主要职责, 事项内容 beside 事项名称, 一级分类 + 二级分类
and separate 承接部门 + 工作方式 columns each refusing the whole document, with no --layout role to help.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import requests
from conftest import BuiltStore, make_config
from docx import Document
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS
from test_review_messages import in_both_languages
from werkzeug.serving import make_server

from luzhi.etl.layout import ROLES, load_layout
from luzhi.etl.parse import ParseError, parse_document, read_source, unaccounted_lines
from luzhi.etl.stage import BuildOptions, process_document
from luzhi.ontology.namespaces import LZ
from luzhi.shapes.fast import validate_graph

BASE = "http://127.0.0.1:5000"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "documents" / "extra_columns.txt"
TOWNSHIP = "330421103"  # 浙江省嘉兴市嘉善县西塘镇
TITLE = "浙江省嘉兴市嘉善县西塘镇履行职责事项清单"
HEADERS = {
    "basic": "序号\t事项类别\t事项名称",
    "cooperative": "序号\t事项名称\t对应上级部门\t上级部门职责\t镇配合职责",
    "reclaimed": "序号\t事项名称\t承接部门及工作方式",
}
ROWS = {
    "basic": "1\t党的建设\t加强党的政治建设",
    "cooperative": "1\t开展矛盾纠纷排查化解\t县公安局\t负责治安纠纷处置。\t组织排查。",
    "reclaimed": "1\t电动自行车登记\t承接部门：县公安局 工作方式：依法登记挂牌。",
}
LISTS = {"basic": "基本履职事项清单", "cooperative": "配合履职事项清单", "reclaimed": "上级部门收回事项清单"}
MARK = "此格内容须进入数据"


def duty(kind: str, sequence: int) -> URIRef:
    return URIRef(f"{BASE}/id/duty/{TOWNSHIP}/{kind}/{sequence}")


def zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def build_one(path: Path, layout=None, *, tabbed: bool = True):
    """Pass 1 of one document, as `luzhi build` and `luzhi validate` run it: (parsed, graph, report); for a
    tab-separated text, with every line accounted for (an item's, an issue's or structure)."""
    doc, _chain, graph, report = process_document(path, BuildOptions(base=BASE, layout=layout))
    if tabbed and path.suffix == ".txt":
        assert unaccounted_lines(doc, read_source(path)) == []
    return doc, graph, report


def lists_document(tmp_path: Path, cooperative: list[str], reclaimed: list[str] = (),
                   reclaimed_header: str = "序号\t事项名称\t承接部门及工作方式") -> Path:
    """A basic list of one item, then the cooperative rows (序号 名称 对应上级部门 上级部门职责 镇配合职责) and the
    reclaimed rows given, each row's cells after its 序号."""
    lines = [TITLE, LISTS["basic"], "序号\t事项类别\t事项名称", "1\t党的建设\t加强党的政治建设",
             LISTS["cooperative"], "序号\t事项名称\t对应上级部门\t上级部门职责\t镇配合职责"]
    lines += [f"{n}\t{row}" for n, row in enumerate(cooperative, 1)]
    if reclaimed:
        lines += [LISTS["reclaimed"], reclaimed_header, *(f"{n}\t{row}" for n, row in enumerate(reclaimed, 1))]
    path = tmp_path / "doc.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def document(tmp_path: Path, kind: str, header: str, cell: str = MARK, name: str = "doc.txt") -> Path:
    """The three lists, the `kind` one with one more column `header` holding `cell`."""
    lines = [TITLE]
    for each, title in LISTS.items():
        extra = each == kind
        lines += [title, HEADERS[each] + (f"\t{header}" if extra else ""), ROWS[each] + (f"\t{cell}" if extra else "")]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_common_extra_columns_are_kept_under_their_properties():
    doc, graph, report = build_one(FIXTURE)
    assert doc.issues == () and report.issues == ()
    first, second, third = duty("basic", 1), duty("basic", 2), duty("basic", 3)
    # 一级分类 is the category; 二级分类 is kept beside it (written once in a merged cell: item 2 has it too)
    categories = {graph.value(graph.value(d, LZ.category), SKOS.prefLabel) for d in (first, second, third)}
    assert categories == {zh("党的建设"), zh("经济发展")}
    assert [graph.value(d, LZ.subcategory) for d in (first, second, third)] == [zh("组织建设"), zh("组织建设"),
                                                                                zh("招商引资")]
    assert graph.value(first, DCTERMS.description) == zh("落实“第一议题”制度。")
    assert graph.value(first, DCTERMS.title) == zh("加强党的政治建设")
    assert graph.value(first, LZ.legalBasis) == zh("《中国共产党章程》")
    assert graph.value(third, LZ.legalBasis) is None  # an empty cell says nothing
    assert graph.value(first, LZ.responsibleOffice) == zh("党建工作办公室")
    assert graph.value(first, SKOS.note) == zh("每季度报送一次")
    cooperative = duty("cooperative", 1)
    assert graph.value(cooperative, LZ.legalBasis) == zh("《中华人民共和国人民调解法》")
    assert graph.value(cooperative, SKOS.note) == zh("重点时段加密排查")
    # 承接部门 and 工作方式 as two columns: the receiving departments and the way of working
    receivers = {
        sequence: sorted(str(graph.value(org, SKOS.prefLabel)) for org in graph.objects(duty("reclaimed", sequence),
                                                                                          LZ.upperDepartment))
        for sequence in (1, 2, 3)
    }
    assert receivers == {1: ["县公安局"], 2: ["县公安局", "县司法局"], 3: []}
    assert graph.value(duty("reclaimed", 1), LZ.wayOfWorking) == zh("依法核实信息并登记挂牌。")
    assert graph.value(duty("reclaimed", 3), LZ.discontinued) == Literal(True)
    verdict = validate_graph(graph, BASE)
    assert verdict.conforms, verdict


@pytest.mark.parametrize("kind", LISTS)
@pytest.mark.parametrize(("header", "prop"), [
    ("备注", SKOS.note), ("说明", SKOS.note),
    ("法律依据", LZ.legalBasis), ("履职依据", LZ.legalBasis), ("设定依据", LZ.legalBasis),
    ("责任科室", LZ.responsibleOffice), ("承办科室", LZ.responsibleOffice),
    ("主要职责", DCTERMS.description), ("事项内容", DCTERMS.description), ("具体内容", DCTERMS.description),
])
def test_a_common_extra_column_of_any_list_reaches_its_property(tmp_path, kind, header, prop):
    doc, graph, _ = build_one(document(tmp_path, kind, header))
    assert (duty(kind, 1), prop, zh(MARK)) in graph
    assert doc.issues == ()


def test_a_basic_lists_department_column_is_the_townships_office_word(tmp_path):
    """The review's document: Word, a basic list `序号 | 事项类别 | 事项名称 | 责任部门` (merged category cells)."""
    word = Document()
    word.add_paragraph(TITLE)
    for title, header, rows in (
        ("基本履职事项清单", ["序号", "事项类别", "事项名称", "责任部门"],
         [["1", "党的建设", "加强党的政治建设", "党建工作办公室"], ["2", "", "抓好基层党组织建设", "党建工作办公室"],
          ["3", "经济发展", "开展招商引资工作", "经济发展办公室"]]),
        ("配合履职事项清单", ["序号", "事项名称", "对应上级部门", "上级部门职责", "镇配合职责"],
         [["1", "开展矛盾纠纷排查化解", "县公安局", "负责治安纠纷处置。", "组织排查。"]]),
        ("上级部门收回事项清单", ["序号", "事项名称", "承接部门及工作方式"],
         [["1", "电动自行车登记", "承接部门：县公安局 工作方式：依法登记挂牌。"]]),
    ):
        word.add_paragraph(title)
        table = word.add_table(rows=1, cols=len(header))
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = text
        for row in rows:
            for cell, text in zip(table.add_row().cells, row, strict=True):
                cell.text = text
    path = tmp_path / "tongli.docx"
    word.save(path)
    doc, graph, _ = build_one(path)
    offices = [graph.value(duty("basic", n), LZ.responsibleOffice) for n in (1, 2, 3)]
    assert offices == [zh("党建工作办公室"), zh("党建工作办公室"), zh("经济发展办公室")]
    # the township's office is text, not one more county department
    assert not list(graph.objects(duty("basic", 1), LZ.upperDepartment))
    assert not any("办公室" in str(label) for label in graph.objects(None, SKOS.prefLabel))
    assert doc.issues == ()


# Every header the parser knows, and a few spellings of each, as one more column of each list.
EVERY_HEADER = ["序号", "事项类别", "一级分类", "二级分类", "事项名称", "对应上级部门", "上级部门", "县级主管部门",
                "责任部门", "上级部门职责", "配合职责", "承接部门及工作方式", "承接部门", "工作方式", "备注", "说明",
                "法律依据", "履职依据", "责任科室", "主要职责", "事项内容", "具体内容"]


@pytest.mark.parametrize("kind", LISTS)
@pytest.mark.parametrize("header", EVERY_HEADER)
def test_no_cell_is_read_and_dropped_whichever_list_holds_the_column(tmp_path, kind, header):
    """A cell the parser reads ends up in the graph; where the list has no property for its column (上级部门职责
    under a basic list's title, 承接部门 in a cooperative one), as a note naming the column, said at the header.
    Otherwise the document is refused: a repeated column, a header of another list."""
    try:
        doc, graph, _ = build_one(document(tmp_path, kind, header))
    except ParseError:
        return
    holding = [(p, o) for _s, p, o in graph if isinstance(o, Literal) and MARK in str(o)]
    assert holding, f"the cell under 「{header}」 in the {kind} list is in no triple"
    if (SKOS.note, zh(f"{header}：{MARK}")) in holding:
        assert [i.code for i in doc.issues] == ["column-kept-as-note"] and f"「{header}」" in doc.issues[0].message


def test_a_second_level_column_alone_is_the_category_and_a_content_column_alone_the_title(tmp_path):
    path = tmp_path / "alone.txt"
    path.write_text("\n".join([TITLE, "基本履职事项清单", "序号\t二级分类\t事项内容", "1\t党的建设\t加强党的政治建设",
                               "配合履职事项清单", HEADERS["cooperative"], ROWS["cooperative"], "上级部门收回事项清单",
                               HEADERS["reclaimed"], ROWS["reclaimed"]]) + "\n", encoding="utf-8")
    doc, graph, _ = build_one(path)
    (item,) = doc.items_of(doc.items[0].list_kind)
    assert (item.category, item.title, item.subcategory, item.description) == ("党的建设", "加强党的政治建设", "", "")


def test_a_profile_keeps_a_column_as_a_note_or_ignores_it_and_says_so(tmp_path):
    profile = tmp_path / "p.toml"
    profile.write_text('[columns]\n"备注" = "ignore"\n"完成时限" = "note"\n', encoding="utf-8")
    path = tmp_path / "doc.txt"
    path.write_text("\n".join([TITLE, "基本履职事项清单", "序号\t事项名称\t完成时限\t备注",
                               "1\t加强党的政治建设\t2025年底前\t无", "配合履职事项清单", HEADERS["cooperative"],
                               ROWS["cooperative"], "上级部门收回事项清单", HEADERS["reclaimed"], ROWS["reclaimed"]])
                    + "\n", encoding="utf-8")
    doc, graph, report = build_one(path, load_layout(profile))
    assert list(graph.objects(duty("basic", 1), SKOS.note)) == [zh("完成时限：2025年底前")]
    assert not [o for _s, _p, o in graph if str(o) == "无"]  # ignored, as the profile says …
    (ignored,) = report.issues  # … and the report says so, at the header, naming the column
    assert ignored["code"] == "column-ignored" and ignored["lines"] == [3, 3] and "「备注」" in ignored["message"]
    assert "「备注」" in ignored["message_en"]
    json.dumps(report.to_dict())  # as `luzhi build --report` writes it


def test_the_reviewers_profile_ignoring_a_column_is_accepted(tmp_path):
    profile = tmp_path / "p.toml"
    profile.write_text('[columns]\n"备注" = "ignore"\n', encoding="utf-8")
    assert load_layout(profile).columns == (("备注", ROLES["ignore"]),)


def test_an_unknown_column_is_refused_naming_the_profile_roles(tmp_path):
    with pytest.raises(ParseError) as caught:
        parse_document(document(tmp_path, "basic", "完成时限"))
    message = caught.value.message
    assert "「完成时限」" in message and in_both_languages(message)
    chinese, english = message.split(" / ", 1)
    for half in (chinese, english):
        assert "[columns]" in half and all(role in half for role in ("note", "ignore", "legal-basis", "office"))


def test_one_cell_per_line_with_a_note_column(tmp_path):
    """A web table copied one cell a line: the header run goes on past 备注 (it stopped at an unknown name)."""
    lines = [TITLE, "", "基本履职事项清单", "序号", "事项名称", "备注", "1", "加强党的政治建设", "每季度报送一次",
             "2", "抓好基层党组织建设", "", "", "配合履职事项清单", *HEADERS["cooperative"].split("\t"),
             *ROWS["cooperative"].split("\t"), "", "上级部门收回事项清单", *HEADERS["reclaimed"].split("\t"),
             *ROWS["reclaimed"].split("\t")]
    path = tmp_path / "cells.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc, graph, _ = build_one(path, tabbed=False)
    assert [(i.sequence, i.title, i.notes) for i in doc.items_of(doc.items[0].list_kind)] == [
        (1, "加强党的政治建设", ("每季度报送一次",)), (2, "抓好基层党组织建设", ())]


PAGE_HEADINGS = {
    "zh": ("<dt>二级分类</dt>", "<dt>责任科室</dt>", "<h2>事项内容</h2>", "<h2>法律依据</h2>",
           "<h2>备注</h2>"),
    "en": ("<dt>Subcategory</dt>", "<dt>Responsible office</dt>", "<h2>Description</h2>", "<h2>Legal basis</h2>",
           "<h2>Notes</h2>"),
}


def test_the_duty_page_shows_the_extra_columns(tmp_path):
    from luzhi.etl.build import build
    from luzhi.server.app import create_app
    from luzhi.shapes.engines import validator

    server = make_server("127.0.0.1", 0, None, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    build([FIXTURE], tmp_path / "store", BuildOptions(base=base), validate_graph=validator())
    app = create_app(make_config(BuiltStore(tmp_path / "store", base, None)))
    server.app = app
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        pages = {lang: requests.get(f"{base}/doc/duty/{TOWNSHIP}/basic/1", params={"lang": lang}, timeout=60)
                 for lang in ("zh", "en")}
    finally:
        server.shutdown()
        server.server_close()
        app.extensions["luzhi.live"].current.close()
    for lang, page in pages.items():
        assert page.status_code == 200, page.text
        for shown in ("组织建设", "党建工作办公室", "落实“第一议题”制度。", "《中国共产党章程》", "每季度报送一次"):
            assert shown in page.text, (lang, shown)
        # in the page's own places, not only in its table of all facts
        headings = PAGE_HEADINGS[lang]
        assert [h for h in headings if h not in page.text] == [], lang


@pytest.mark.parametrize("role", ["ignore", "note"])
def test_a_heading_row_beside_a_note_or_ignored_cell_is_still_a_heading(tmp_path, role):
    """`<TAB>二、经济发展<TAB>以下为经济类`: what a 备注 (or ignored) cell holds does not make a heading row a
    continuation, which appended 二、经济发展 to the item above's title; a note there, of no item, is reported."""
    profile = tmp_path / "p.toml"
    profile.write_text(f'[columns]\n"备注" = "{role}"\n', encoding="utf-8")
    path = tmp_path / "doc.txt"
    basic = ["序号\t事项名称\t备注", "\t一、党的建设\t", "1\t加强党的政治建设\t无", "\t二、经济发展\t以下为经济类",
             "2\t开展招商引资工作\t无"]
    path.write_text("\n".join([TITLE, "基本履职事项清单", *basic, "配合履职事项清单", HEADERS["cooperative"],
                               ROWS["cooperative"], "上级部门收回事项清单", HEADERS["reclaimed"], ROWS["reclaimed"]])
                    + "\n", encoding="utf-8")
    doc, _graph, _ = build_one(path, load_layout(profile))
    items = [(i.title, i.category) for i in doc.items if i.list_kind.value == "basic"]
    assert items == [("加强党的政治建设", "党的建设"), ("开展招商引资工作", "经济发展")]
    said = [(i.code, i.lines.first) for i in doc.issues if i.code != "column-ignored"]
    assert said == ([("unparsed-line", 6)] if role == "note" else [])
