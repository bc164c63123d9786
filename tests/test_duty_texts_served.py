"""The texts of the columns some townships add (法律依据, 责任科室, 事项内容, 二级分类, 备注; ontology/duty_texts.py)
reach search, a list's table and downloads, and /compare's reform rows, over real HTTP from a real store.

They were in the graph and on the duty page only: searching a law's name (《中华人民共和国森林法》) or an office's
(党建工作办公室) found nothing, the list's CSV had no column for them, and /compare showed titles alone.
Two documents of one county: 西塘镇 (tests/fixtures/documents/extra_columns.txt) and 姚庄镇
(extra_columns_yaozhuang.txt), whose lists hold two duties alike with the other's list types swapped
(电动自行车登记, 开展招商引资工作), so /compare's reform question has an answer in each direction.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import threading
from pathlib import Path

import pytest
import requests
from conftest import BuiltStore, make_config
from openpyxl import load_workbook
from werkzeug.serving import make_server

from luzhi.ontology.duty_texts import DUTY_TEXT_KEYS
from luzhi.store.search_index import INDEX_FILE, SearchIndex

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "documents"
XITANG, YAOZHUANG = "330421103", "330421112"
# The columns the list downloads had before these texts, in their places (scripts read them by position).
EARLIER_COLUMNS = ["sequence", "title", "category", "departments", "upper_responsibility", "township_responsibility",
                   "way_of_working", "discontinued", "duty"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Both documents built into a store on disk (IRIs under the server's own address), served over HTTP."""
    from luzhi.etl.build import BuildOptions, build
    from luzhi.server.app import create_app
    from luzhi.shapes.engines import validator

    folder = tmp_path_factory.mktemp("duty-texts")
    http = make_server("127.0.0.1", 0, None, threaded=True)
    try:
        base = f"http://127.0.0.1:{http.server_port}"
        result = build([FIXTURES / "extra_columns.txt", FIXTURES / "extra_columns_yaozhuang.txt"], folder / "store",
                       BuildOptions(base=base), validate_graph=validator())
        assert [d.township_code for d in result.documents] == [XITANG, YAOZHUANG] and not result.quarantined
        app = create_app(make_config(BuiltStore(folder / "store", base, result)))
    except BaseException:
        http.server_close()
        raise
    http.app = app
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield base, folder / "store"
    http.shutdown()
    http.server_close()
    thread.join(10)
    app.extensions["luzhi.live"].current.close()


def duty(base: str, code: str, path: str) -> str:
    return f"{base}/id/duty/{code}/{path}"


def search(base: str, q: str, **params) -> dict:
    response = requests.get(f"{base}/search.json", params={"q": q, **params}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


# Search ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("q", "found"), [
    # a law's whole name, brackets and all, and a part of it
    ("《中华人民共和国森林法》", {(YAOZHUANG, "basic/2"): ["legal_basis"]}),
    ("森林法", {(YAOZHUANG, "basic/2"): ["legal_basis"]}),
    ("人民调解法", {(XITANG, "cooperative/1"): ["legal_basis"], (YAOZHUANG, "cooperative/1"): ["legal_basis"]}),
    # an office, whole and by two characters (below the trigram size: the index's vocabulary)
    ("党建工作办公室", {(XITANG, "basic/1"): ["responsible_office"], (XITANG, "basic/2"): ["responsible_office"]}),
    ("党建", {(XITANG, "basic/1"): ["responsible_office"], (XITANG, "basic/2"): ["responsible_office"]}),
    # 抓好基层党组织建设 holds it in its title too: both fields said, in FIELDS order
    ("组织建设", {(XITANG, "basic/1"): ["subcategory"], (XITANG, "basic/2"): ["title", "subcategory"]}),
    ("项目洽谈", {(XITANG, "basic/3"): ["description"]}),
    ("每季度报送一次", {(XITANG, "basic/1"): ["notes"]}),
    ("每月汇总上报", {(YAOZHUANG, "cooperative/1"): ["notes"]}),  # the second of a duty's two 备注
])
def test_search_finds_a_duty_by_its_extra_texts_and_says_which(server, q, found):
    base, _store = server
    body = search(base, q)
    hits = {hit["iri"]: hit for hit in body["results"]}
    expected = {duty(base, code, path): fields for (code, path), fields in found.items()}
    assert sorted(hits) == sorted(expected), q
    for iri, hit in hits.items():
        assert hit["kind"] == "duty"
        assert hit["matched_in"] == expected[iri], (q, hit)
        assert all(q in matched["text"] for matched in hit["matched"])
    assert body["total"] == len(found) and body["total_is_exact"]


def test_words_from_a_title_and_a_legal_basis_find_the_duty_holding_both(server):
    base, _store = server
    body = search(base, "矛盾纠纷 人民调解法")
    assert body["total"] == 2  # each township's 开展矛盾纠纷排查化解
    assert all(hit["matched_in"] == ["title", "legal_basis"] for hit in body["results"])
    assert search(base, "电动自行车 人民调解法")["total"] == 0  # every word is required, in one duty


def test_the_search_page_names_the_field_in_both_languages(server):
    base, _store = server
    zh = requests.get(f"{base}/search", params={"q": "森林法"}, timeout=60).text
    assert "见于法律依据：《中华人民共和国森林法》《森林防火条例》" in zh
    en = requests.get(f"{base}/search", params={"q": "党建工作办公室", "lang": "en"}, timeout=60).text
    assert "found in the responsible office: 党建工作办公室" in en


def test_facets_and_kind_filter_apply_to_the_extra_texts(server):
    base, _store = server
    body = search(base, "人民调解法", kind="duty", township=f"{base}/id/division/{YAOZHUANG}")
    assert [hit["iri"] for hit in body["results"]] == [duty(base, YAOZHUANG, "cooperative/1")]
    assert search(base, "人民调解法", kind="department")["total"] == 0


def test_an_index_built_before_the_extra_texts_is_still_searched(server, tmp_path):
    """A store built by an earlier luzhi has three text columns: its searches answer as they did."""
    _base, store = server
    old = tmp_path / INDEX_FILE
    source = sqlite3.connect(next(store.rglob(INDEX_FILE)))
    db = sqlite3.connect(old)
    db.executescript("""
        CREATE TABLE resources (id INTEGER PRIMARY KEY, iri TEXT, kind TEXT, township TEXT, list_type TEXT,
                                category TEXT, label TEXT);
        CREATE VIRTUAL TABLE search USING fts5(title, responsibility, names, tokenize = 'trigram');
        CREATE VIRTUAL TABLE search_terms USING fts5vocab(search, 'row');""")
    db.executemany("INSERT INTO resources VALUES (?, ?, ?, ?, ?, ?, ?)", source.execute("SELECT * FROM resources"))
    db.executemany("INSERT INTO search(rowid, title, responsibility, names) VALUES (?, ?, ?, ?)",
                   source.execute("SELECT rowid, title, responsibility, names FROM search"))
    db.commit()
    db.close()
    source.close()
    index = SearchIndex(tmp_path)
    found = index.search("开展矛盾纠纷排查化解")
    assert found.total == 2 and {h.matched for h in found.hits} == {(("title", "开展矛盾纠纷排查化解"),)}
    assert index.search("人民调解法").total == 0  # not in that index: absent, not an error
    assert index.search("县公安局", kind="department").total == 1


# A list's table and its downloads -----------------------------------------------------------------------------


def csv_rows(base: str, path: str, **params) -> tuple[list[str], list[dict]]:
    response = requests.get(f"{base}/doc/list/{path}.csv", params=params, timeout=60)
    assert response.status_code == 200, response.text
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def test_the_list_csv_carries_the_extra_texts_after_the_columns_it_had(server):
    base, _store = server
    header, rows = csv_rows(base, f"{XITANG}/basic")
    assert header == EARLIER_COLUMNS + list(DUTY_TEXT_KEYS)
    assert [r["title"] for r in rows] == ["加强党的政治建设", "抓好基层党组织建设", "开展招商引资工作"]
    assert {k: rows[0][k] for k in DUTY_TEXT_KEYS} == {
        "subcategory": "组织建设", "description": "落实“第一议题”制度。", "legal_basis": "《中国共产党章程》",
        "responsible_office": "党建工作办公室", "notes": "每季度报送一次"}
    # 二级分类 written once in a merged cell: the second item has it too; the third has no legal basis
    assert rows[1]["subcategory"] == "组织建设" and rows[1]["notes"] == ""
    assert rows[2]["legal_basis"] == "" and rows[2]["responsible_office"] == "经济发展办公室"
    assert rows[2]["duty"] == duty(base, XITANG, "basic/3")


def test_a_duty_with_two_notes_has_both_a_line_each(server):
    base, _store = server
    _header, rows = csv_rows(base, f"{YAOZHUANG}/cooperative")
    assert rows[0]["notes"] == "每月汇总上报\n节假日前集中排查"
    assert rows[0]["legal_basis"] == "《中华人民共和国人民调解法》"
    page = requests.get(f"{base}/doc/list/{YAOZHUANG}/cooperative", timeout=60).text
    assert '<td class="text" lang="zh">每月汇总上报\n节假日前集中排查</td>' in page


def test_a_list_without_such_columns_has_them_empty_in_its_csv_and_not_on_its_page(server):
    base, _store = server
    header, rows = csv_rows(base, f"{XITANG}/reclaimed")
    assert header == EARLIER_COLUMNS + list(DUTY_TEXT_KEYS)
    assert len(rows) == 3 and all(r[key] == "" for r in rows for key in DUTY_TEXT_KEYS)
    page = requests.get(f"{base}/doc/list/{XITANG}/reclaimed", timeout=60).text
    assert "<th>承接部门</th><th>工作方式</th>" in page
    assert 'class="text"' not in page and "法律依据" not in page


def test_the_list_page_shows_the_columns_its_document_had(server):
    base, _store = server
    page = requests.get(f"{base}/doc/list/{XITANG}/basic", timeout=60).text
    headers = ['<th class="subcategory">二级分类</th>', '<th class="description">事项内容</th>',
               '<th class="legal_basis">法律依据</th>', '<th class="responsible_office">责任科室</th>',
               '<th class="notes">备注</th>']
    assert [h for h in headers if h not in page] == []
    assert '<th colspan="7">' in page  # a category's row spans 序号, 事项名称 and the five
    for text in ("《中国共产党章程》", "党建工作办公室", "落实“第一议题”制度。", "每季度报送一次"):
        assert f'<td class="text" lang="zh">{text}</td>' in page
    # 姚庄镇's basic list has only 法律依据 and 责任科室
    other = requests.get(f"{base}/doc/list/{YAOZHUANG}/basic", timeout=60).text
    assert "<th class=\"legal_basis\">" in other and "<th class=\"notes\">" not in other
    assert '<th colspan="4">' in other


def test_the_list_json_and_xlsx_carry_the_same_texts(server):
    base, _store = server
    _header, rows = csv_rows(base, f"{XITANG}/cooperative")
    as_json = requests.get(f"{base}/doc/list/{XITANG}/cooperative.json", timeout=60).json()
    assert [{k: r[k] for k in DUTY_TEXT_KEYS} for r in as_json["rows"]] == [
        {"subcategory": None, "description": None, "legal_basis": "《中华人民共和国人民调解法》",
         "responsible_office": None, "notes": "重点时段加密排查"}]
    sheet = load_workbook(io.BytesIO(requests.get(f"{base}/doc/list/{XITANG}/cooperative.xlsx", timeout=60).content),
                          read_only=True).active
    header, *values = list(sheet.iter_rows(values_only=True))
    assert list(header) == EARLIER_COLUMNS + list(DUTY_TEXT_KEYS)
    assert [dict(zip(header, v, strict=True))["legal_basis"] for v in values] == [rows[0]["legal_basis"]]


def test_a_filtered_download_keeps_the_texts(server):
    base, _store = server
    _header, rows = csv_rows(base, f"{XITANG}/basic", category="jing-ji-fa-zhan")
    assert [(r["title"], r["subcategory"], r["responsible_office"]) for r in rows] == [
        ("开展招商引资工作", "招商引资", "经济发展办公室")]


# /compare --------------------------------------------------------------------------------------------------------


def compare(base: str, ext: str = "json", **params) -> requests.Response:
    return requests.get(f"{base}/compare.{ext}" if ext else f"{base}/compare",
                        params=[("t", XITANG), ("t", YAOZHUANG), *params.items()], timeout=60)


def test_reform_rows_carry_each_duty_s_texts(server):
    base, _store = server
    reform = compare(base).json()["basic_here_reclaimed_there"]
    sides = {(r["basic"]["title"], r["basic"]["township"], r["reclaimed"]["township"]): r for r in reform}
    assert set(sides) == {("电动自行车登记", YAOZHUANG, XITANG), ("开展招商引资工作", XITANG, YAOZHUANG)}
    bike = sides[("电动自行车登记", YAOZHUANG, XITANG)]
    assert {k: bike["basic"][k] for k in DUTY_TEXT_KEYS} == {
        "subcategory": None, "description": None, "legal_basis": "《浙江省电动自行车管理条例》",
        "responsible_office": "平安建设办公室", "notes": None}
    assert all(bike["reclaimed"][k] is None for k in DUTY_TEXT_KEYS)  # 西塘镇's reclaimed list has none
    investment = sides[("开展招商引资工作", XITANG, YAOZHUANG)]
    assert investment["basic"]["duty"] == duty(base, XITANG, "basic/3")
    assert {k: investment["basic"][k] for k in ("subcategory", "description", "responsible_office")} == {
        "subcategory": "招商引资", "description": "做好项目洽谈和落地服务。", "responsible_office": "经济发展办公室"}


def test_the_compare_page_shows_the_texts_under_the_titles(server):
    base, _store = server
    zh = compare(base, ext="").text
    reform = zh[zh.index('<section class="reform"'):zh.index('<section class="counts"')]
    assert ('<small class="duty-text legal_basis">法律依据：<span lang="zh">《浙江省电动自行车管理条例》</span></small>'
            in reform)
    assert '<small class="duty-text responsible_office">责任科室：<span lang="zh">经济发展办公室</span>' in reform
    en = compare(base, ext="", lang="en").text
    assert '<small class="duty-text legal_basis">Legal basis: <span lang="zh">《浙江省电动自行车管理条例》' in en


def test_the_compare_sheet_keeps_its_shape(server):
    """The CSV/xlsx twin has no duty rows (counts and kinds only): nothing there for the texts to join."""
    base, _store = server
    page = compare(base).json()
    rows = list(csv.DictReader(io.StringIO(compare(base, ext="csv").content.decode("utf-8-sig"))))
    assert len(rows) == len(page["counts"]) + len(page["kinds"])
    assert not {"legal_basis", "responsible_office"} & set(rows[0])
