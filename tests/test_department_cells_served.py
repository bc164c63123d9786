"""Department cells in everyday wording, through the whole pipeline: parse, RDF, SHACL, store, duty pages.

The cold reviewer's 同里镇 and 西塘镇 files (cold review 18, P0-2, P1-2, P2) in one document of our own: joined
names, role words, a phrase that is no department, three departments whose order is not their IRIs', and a
承接部门 column holding just the department or `上收至…`; and cold review 19's: departments with their tasks
(`区住建局负责统筹，区城管局负责执法`), role labels in a 承接部门 cell, the body of two zones joined by 和; and cold
review 19b's: a role verb between two names (`区住建局配合区城管局` loaded `配合区城管局`), a 配合部门 column beside
承接部门 (a note, its departments no receivers); and cold review 21's: a list closed by 等 (`区公安分局、区司法局等`)
still reads 等 on the list page; and the cold review of the department cells': that 等 is lz:moreDepartments, not a
mention 「等」, and reads 等 on the duty page and in the CSV too; a department's part of 上级部门职责 without its
`1.` and its `；`; a receiver handed the work without its owner (`移交城管委负责`); and the 不再开展 tag of a
discontinued duty, which no page showed (a template compared an rdflib Literal, a str, with "true").
Built with validation (a Violation refuses the build) into a store on disk, served by the real app over HTTP.
"""

from __future__ import annotations

import re

import pytest
import requests
from sparql_server import serve

from luzhi.etl.build import BuildOptions, build
from luzhi.ontology.namespaces import sparql_prologue
from luzhi.server.config import Config
from luzhi.shapes.engines import validator
from luzhi.store.oxigraph import OxigraphStore

BASE = "http://127.0.0.1:5000"
TOWNSHIP = "320509101"  # 江苏省苏州市吴江区同里镇
DOCUMENT = """江苏省苏州市吴江区同里镇履行职责事项清单
基本履职事项清单
序号\t事项名称
1\t加强党的政治建设
配合履职事项清单
序号\t事项名称\t对应上级部门\t上级部门职责\t镇配合职责
1\t做好困难群众救助工作\t区民政局和区财政局\t1.区民政局负责审核审批；2.区财政局负责资金保障。\t组织入户调查，及时上报。
2\t做好城市管理工作\t区住建局牵头，区城管局配合\t区住建局负责统筹；区城管局负责执法。\t做好日常巡查。
3\t做好农村基层党建工作\t市委组织部 市农业农村局 市财政局\t市委组织部负责指导。\t抓好落实。
4\t做好森林防火工作\t区应急局做好防火\t负责统筹。\t做好巡查。
5\t做好市容管理工作\t区住建局负责统筹，区城管局负责执法\t负责市容管理。\t做好日常巡查。
6\t做好违法建设整治工作\t区住建局配合区城管局\t负责违法建设查处。\t做好日常巡查。
7\t做好社会治安工作\t区公安分局、区司法局等\t负责治安管理。\t做好矛盾排查。
上级部门收回事项清单
序号\t事项名称\t承接部门\t配合部门
1\t电动自行车登记\t区公安分局
2\t农业机械安全监督检查\t上收至区农业农村局
3\t林木采伐许可\t承接部门：区农业农村局和区自然资源局
4\t安全生产执法\t牵头部门：区应急局；配合部门：区消防救援大队
5\t园区企业投资项目备案\t区工业园区和经济开发区管理委员会
6\t城市道路占用许可\t区城管局和区住建局\t区住建局
7\t城市道路清扫保洁\t移交城管委负责
8\t农村建房初审\t不再开展此项工作
9\t户外广告设置许可\t区公安分局、区司法局等
"""
Q = sparql_prologue() + "PREFIX org: <http://www.w3.org/ns/org#>\n"
LZ = "https://w3id.org/luzhi/def#"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wording")
    source = folder / "tongli.txt"
    source.write_text(DOCUMENT, encoding="utf-8")
    result = build([source], folder / "store", BuildOptions(base=BASE), validate_graph=validator())
    return folder / "store", result.documents[0]


@pytest.fixture(scope="module")
def store(built):
    handle = OxigraphStore(built[0], read_only=True)
    yield handle
    handle.close()


def duty(kind: str, seq: int) -> str:
    return f"{BASE}/id/duty/{TOWNSHIP}/{kind}/{seq}"


def departments_of(store, iri: str) -> set[str]:
    rows = store.select(Q + f"SELECT ?label WHERE {{ <{iri}> lz:upperDepartment ?o . ?o skos:prefLabel ?label }}")
    return {str(row["label"]) for row in rows}


def test_every_organisation_is_one_department_without_its_role_words(store):
    labels = {str(r["label"]) for r in store.select(Q + "SELECT ?label WHERE { ?o a cv:PublicOrganisation ; "
                                                        "skos:prefLabel ?label }")}
    assert labels == {"区民政局", "区财政局", "区住建局", "区城管局", "市委组织部", "市农业农村局", "市财政局",
                      "区公安分局", "区农业农村局", "区自然资源局", "区应急局", "区消防救援大队",
                      "区工业园区和经济开发区管理委员会", "区司法局", "城管委"}
    assert departments_of(store, duty("cooperative", 1)) == {"区民政局", "区财政局"}
    assert departments_of(store, duty("cooperative", 2)) == {"区住建局", "区城管局"}


def test_the_roles_the_cell_gives_are_the_participations_roles(store):
    rows = store.select(Q + f"""SELECT ?label ?role WHERE {{ <{duty("cooperative", 2)}> lz:participation ?p .
        ?p lz:department/skos:prefLabel ?label . OPTIONAL {{ ?p org:role ?role }} }}""")
    assert {str(r["label"]): str(r.get("role")) for r in rows} == {
        "区住建局": "https://w3id.org/luzhi/def#LeadRole", "区城管局": "https://w3id.org/luzhi/def#SupportingRole"}
    # No role word, no role.
    assert not store.ask(Q + f"ASK {{ <{duty('cooperative', 1)}> lz:participation/org:role ?r }}")


def test_participations_keep_the_cells_order(store):
    rows = store.select(Q + f"""SELECT ?label ?position WHERE {{ <{duty("cooperative", 3)}> lz:participation ?p .
        ?p lz:department/skos:prefLabel ?label ; lz:position ?position }} ORDER BY ?position""")
    assert [(str(r["label"]), int(r["position"].toPython())) for r in rows] == [
        ("市委组织部", 1), ("市农业农村局", 2), ("市财政局", 3)]


def test_a_phrase_that_is_no_department_is_a_mention_and_an_issue(store, built):
    assert departments_of(store, duty("cooperative", 4)) == set()
    mentions = store.select(Q + f"SELECT ?m WHERE {{ <{duty('cooperative', 4)}> lz:departmentMention ?m }}")
    assert [str(r["m"]) for r in mentions] == ["区应急局做好防火"]
    report = built[1]
    unread = [issue for issue in report.issues if issue["code"] == "department-unread"]
    assert len(unread) == 1
    assert "区应急局做好防火" in unread[0]["message"] and "配合事项 4" in unread[0]["message"]
    assert "cooperative item 4" in unread[0]["message_en"]
    assert unread[0]["lines"] == [10, 10]  # item 4's line


def _parts(store, iri: str) -> dict[str, tuple[str | None, str | None]]:
    rows = store.select(Q + f"""SELECT ?label ?role ?resp WHERE {{ <{iri}> lz:participation ?p .
        ?p lz:department/skos:prefLabel ?label . OPTIONAL {{ ?p org:role ?role }}
        OPTIONAL {{ ?p lz:responsibility ?resp }} }}""")
    return {str(r["label"]): (r.get("role") and str(r["role"]).removeprefix(LZ), r.get("resp") and str(r["resp"]))
            for r in rows}


def test_departments_with_their_tasks_are_departments_each_with_its_task(store):
    # Cold review 19: both clauses were mentions, reported as department-unread.
    assert _parts(store, duty("cooperative", 5)) == {"区住建局": (None, "负责统筹"), "区城管局": (None, "负责执法")}
    assert not store.ask(Q + f"ASK {{ <{duty('cooperative', 5)}> lz:departmentMention ?m }}")


def test_role_labels_in_a_receiver_cell_are_the_receivers_roles(store):
    # Cold review 19: a reclaimed duty had no participations, so the labels' roles were dropped.
    assert _parts(store, duty("reclaimed", 4)) == {"区应急局": ("LeadRole", None),
                                                    "区消防救援大队": ("SupportingRole", None)}
    assert departments_of(store, duty("reclaimed", 5)) == {"区工业园区和经济开发区管理委员会"}


def test_a_role_verb_between_two_names_is_two_departments_each_with_its_part(store):
    # Cold review 19b: 区住建局 and an organisation 配合区城管局 (the labels above hold no 配合区城管局 either).
    assert _parts(store, duty("cooperative", 6)) == {"区住建局": ("SupportingRole", None),
                                                      "区城管局": ("LeadRole", None)}


def test_a_supporting_column_beside_the_receiver_gives_the_receivers_role(store):
    # Cold review 19b: the column was a note `配合部门：区住建局`, its role lost.
    assert _parts(store, duty("reclaimed", 6)) == {"区城管局": (None, None), "区住建局": ("SupportingRole", None)}
    assert not store.ask(Q + f"ASK {{ <{duty('reclaimed', 6)}> skos:note ?n }}")


def test_a_receiver_column_holding_just_the_department(store):
    assert departments_of(store, duty("reclaimed", 1)) == {"区公安分局"}
    assert not store.ask(Q + f"ASK {{ <{duty('reclaimed', 1)}> lz:wayOfWorking ?w }}")
    assert departments_of(store, duty("reclaimed", 2)) == {"区农业农村局"}
    assert departments_of(store, duty("reclaimed", 3)) == {"区农业农村局", "区自然资源局"}


@pytest.fixture(scope="module")
def server(built):
    with serve(Config(store_path=built[0], base=BASE, query_processes=1, page_query_processes=1)) as running:
        yield running


def _page(server, iri: str) -> str:
    response = requests.get(server.base + iri.removeprefix(BASE).replace("/id/", "/doc/", 1), timeout=60,
                            headers={"Accept": "text/html"})
    assert response.status_code == 200
    return response.text


def test_the_duty_page_lists_departments_in_the_cells_order_with_their_roles(server):
    text = _page(server, duty("cooperative", 3))
    # Sorted by IRI they read 市财政局, 市委组织部, 市农业农村局 (cold review 18, P2).
    listed = re.search(r"<dt>对应上级部门</dt>(.*?)</dd>", text, re.S).group(1)
    assert re.findall(r'<span lang="zh">([^<]+)</span>', listed) == ["市委组织部", "市农业农村局", "市财政局"]
    parts = re.findall(r'<article class="participation" id="([^"]+)">', text)
    assert parts == ["su-zhou-shi-dang-wei-zu-zhi-bu", "su-zhou-shi-nong-ye-nong-cun-ju", "su-zhou-shi-cai-zheng-ju"]
    roles = _page(server, duty("cooperative", 2))
    assert re.search(r"区住建局</span></a> <small class=\"role\"><a [^>]*><span lang=\"zh\">牵头</span>", roles)
    assert re.search(r"区城管局</span></a> <small class=\"role\"><a [^>]*><span lang=\"zh\">配合</span>", roles)


def test_a_reclaimed_duty_page_shows_each_receivers_role(server):
    text = _page(server, duty("reclaimed", 4))
    receivers = re.search(r'<section class="reclaimed">(.*?)</section>', text, re.S).group(1)
    for name, role in (("区应急局", "牵头"), ("区消防救援大队", "配合")):
        assert re.search(rf'{name}</span></a> <small class="role"><a [^>]*><span lang="zh">{role}</span>', receivers)
    assert '<section class="participations">' not in text  # 上级部门职责 is a cooperative duty's


def test_a_reclaimed_duty_page_shows_the_role_a_role_column_gives(server):
    receivers = re.search(r'<section class="reclaimed">(.*?)</section>', _page(server, duty("reclaimed", 6)),
                          re.S).group(1)
    assert re.search(r'区住建局</span></a> <small class="role"><a [^>]*><span lang="zh">配合</span>', receivers)
    assert re.search(r'区城管局</span></a>(?! <small class="role">)', receivers)


def test_a_reclaimed_duty_without_a_way_of_working_still_shows_its_receiver(server):
    text = _page(server, duty("reclaimed", 1))
    assert "<dt>承接部门</dt>" in text and '<section class="reclaimed">' in text
    assert "区公安分局" in text


def test_a_list_closed_by_deng_keeps_its_deng(store, server):
    # Cold review 21: 等 was dropped with nothing kept, so the page read as if the list were complete. Then it was
    # a mention 「等」 (junk to a reader of the RDF, and warned of); now the duty says lz:moreDepartments true.
    assert departments_of(store, duty("cooperative", 7)) == {"区公安分局", "区司法局"}
    assert not store.ask(Q + f"ASK {{ <{duty('cooperative', 7)}> lz:departmentMention ?m }}")
    assert store.ask(Q + f"ASK {{ <{duty('cooperative', 7)}> lz:moreDepartments true }}")
    assert {str(r["d"]) for r in store.select(Q + "SELECT ?d WHERE { ?d lz:moreDepartments ?more }")} == {
        duty("cooperative", 7), duty("reclaimed", 9)}
    response = requests.get(f"{server.base}/doc/list/{TOWNSHIP}/cooperative", timeout=60,
                            headers={"Accept": "text/html"})
    row = next(row for row in response.text.split("<tr") if "做好社会治安工作" in row)
    cell = re.findall(r"<td>(.*?)</td>", row, re.S)
    # The table lists the departments in no set order (not the cell's), then 等 with no 、 before it.
    closed = {"区公安分局、区司法局等", "区司法局、区公安分局等"}
    assert closed & {re.sub(r"<[^>]+>|\s", "", text) for text in cell}
    # The CSV's departments column too (it read 区公安分局、区司法局、等 when 等 was a mention).
    csv = requests.get(f"{server.base}/doc/list/{TOWNSHIP}/cooperative.csv", timeout=60).content.decode("utf-8-sig")
    assert closed & set(next(line for line in csv.splitlines() if "做好社会治安工作" in line).split(","))
    # The duty page: 等 after the last department, in the cell's order; no "其他部门表述" 「等」.
    page = _page(server, duty("cooperative", 7))
    listed = re.sub(r"<[^>]+>|\s", "", re.search(r"<dt>对应上级部门</dt>(.*?)</dd>", page, re.S).group(1))
    assert listed == "区公安分局区司法局等"
    assert "其他部门表述" not in page
    english = requests.get(server.base + duty("cooperative", 7).removeprefix(BASE).replace("/id/", "/doc/", 1),
                           params={"lang": "en"}, timeout=60, headers={"Accept": "text/html"}).text
    assert re.search(r'区司法局</span></a><span class="more" [^>]*> and others</span></li>', english)
    # A reclaimed duty's receivers alike, 等 after the last receiver (and its role and task, if any).
    receivers = re.search(r'<section class="reclaimed">(.*?)</section>', _page(server, duty("reclaimed", 9)),
                          re.S).group(1)
    listed = re.search(r'<ul class="inline">(.*?)</ul>', receivers, re.S).group(1)
    assert re.sub(r"<[^>]+>|\s", "", listed) in {"区公安分局区司法局等", "区司法局区公安分局等"}
    # A duty whose cell names every department reads no 等.
    assert "等</span>" not in _page(server, duty("cooperative", 1)).split("<dt>对应上级部门</dt>")[1].split("</dd>")[0]


def test_a_departments_part_of_the_responsibility_cell_is_its_text_alone(store, server):
    # `1.区民政局负责审核审批；2.区财政局负责资金保障。`: the point's number and the ；/。 closing it are the list's.
    parts = {"区民政局": (None, "区民政局负责审核审批"), "区财政局": (None, "区财政局负责资金保障")}
    assert _parts(store, duty("cooperative", 1)) == parts
    articles = re.findall(r'<article class="participation"[^>]*>.*?<p>(.*?)</p>', _page(server, duty("cooperative", 1)),
                          re.S)
    assert sorted(re.sub(r"<[^>]+>|\s", "", text) for text in articles) == sorted(text for _, text in parts.values())


def test_a_receiver_handed_the_work_without_its_owner(store, server):
    # `移交城管委负责`: no receiver before (a Violation refused the build), and 转交/移交 never in an organisation.
    assert _parts(store, duty("reclaimed", 7)) == {"城管委": ("LeadRole", None)}
    receivers = re.search(r'<section class="reclaimed">(.*?)</section>', _page(server, duty("reclaimed", 7)),
                          re.S).group(1)
    assert re.search(r'城管委</span></a> <small class="role"><a [^>]*><span lang="zh">牵头</span>', receivers)


def test_a_discontinued_duty_says_so_on_its_page_and_in_its_list(store, server):
    # `{% if o|string == "true" %}`: `|string` keeps the Literal, which equals no plain "true"; no page said it.
    assert store.ask(Q + f"ASK {{ <{duty('reclaimed', 8)}> lz:discontinued true }}")
    assert '<p class="tag">不再开展</p>' in _page(server, duty("reclaimed", 8))
    assert '<p class="tag">' not in _page(server, duty("reclaimed", 7))
    listed = requests.get(f"{server.base}/doc/list/{TOWNSHIP}/reclaimed", timeout=60,
                          headers={"Accept": "text/html"}).text
    tagged = [row for row in listed.split("<tr") if '<span class="tag">不再开展</span>' in row]
    assert len(tagged) == 1 and "农村建房初审" in tagged[0]
