"""`/validate` over real HTTP: verdicts, conneg, limits, and no outbound connection ever (issue 4)."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest
import requests
from formats import convert_to_pdf, write_csv, write_docx, write_html, write_xlsx
from rdflib import Graph, Literal
from test_review_messages import in_both_languages
from werkzeug.serving import make_server

from luzhi.etl.readers import FORMATS
from luzhi.ontology.namespaces import SH
from luzhi.store.oxigraph import OxigraphStore

FIXTURES = Path(__file__).parent / "shapes"
SAMPLE = Path(__file__).parent.parent / "data" / "samples" / "000_d4a0698a49e5e74d.txt"


def fixture_for(base: str, name: str) -> bytes:
    """A shape fixture with its IRIs moved under the live server's base."""
    return (FIXTURES / name).read_text(encoding="utf-8").replace("http://127.0.0.1:5000", base).encode("utf-8")


def broken_sample() -> str:
    """Sample 000 with the 对应上级部门 cell of cooperative item 2 (line 163) emptied."""
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    cells = lines[162].split("\t")
    assert cells[0] == "2" and cells[2] == "市委组织部"
    cells[2] = ""
    lines[162] = "\t".join(cells)
    return "\n".join(lines)


@pytest.fixture(scope="module")
def small_server(built_store):
    """A second app on the same store with a tiny upload limit and validation timeout."""
    from conftest import make_config

    from luzhi.server.app import create_app

    config = make_config(built_store, max_upload_bytes=2_000, validation_timeout=0.05)
    server = make_server("127.0.0.1", 0, create_app(config), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_the_form_is_served(live_server):
    response = requests.get(f"{live_server.url}/validate", timeout=30)
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.text and 'name="file"' in response.text


def test_raw_turtle_body_gets_a_json_report_naming_item_rule_and_path(live_server):
    body = fixture_for(live_server.url, "Duty-title.fail.ttl")
    response = requests.post(f"{live_server.url}/validate", data=body, timeout=60,
                             headers={"Content-Type": "text/turtle", "Accept": "application/json"})
    assert response.status_code == 200
    assert response.headers["Luzhi-Conforms"] == "false"
    report = response.json()
    assert report["conforms"] is False
    # The fixture's duty 1 has no title, its duty 2 a blank one (cold review: `""@zh` conformed).
    result, blank = report["results"]
    assert result["focusNode"] == f"{live_server.url}/id/duty/210381121/basic/1"
    assert blank["focusNode"] == f"{live_server.url}/id/duty/210381121/basic/2"
    assert result["sourceShape"] == "https://w3id.org/luzhi/shapes#Duty-title"
    assert result["resultPath"] == "http://purl.org/dc/terms/title"
    assert result["severity"] == "Violation"
    duty = result["focusNode"]
    assert result["message"] == {
        "zh": f"事项 {duty} 没有事项名称（dct:title 缺失或为空）：请在原文该事项所在行写上事项名称",
        "en": f"Duty {duty} has no title (dct:title missing or blank): write its 事项名称 on its line in the source"}


def test_multipart_upload_gets_a_turtle_sh_validation_report(live_server):
    files = {"file": ("sub.ttl", fixture_for(live_server.url, "Duty-title.pass.ttl"), "text/turtle")}
    response = requests.post(f"{live_server.url}/validate", files=files, headers={"Accept": "text/turtle"},
                             timeout=60)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    assert (None, SH.conforms, Literal(True)) in graph
    assert len(list(graph.subjects(None, SH.ValidationResult))) == 0


@pytest.mark.parametrize("part_type", ["text/plain", "application/octet-stream", None])
@pytest.mark.parametrize(("name", "fmt"), [("sub.ttl", "turtle"), ("sub.nt", "nt")])
def test_an_uploads_file_name_says_its_format_whatever_its_part_type(live_server, part_type, name, fmt):
    """Cold review: a valid sub.ttl sent as text/plain (as curl and some browsers label it) was read as a list
    document, 400 "no list header"; docs/validation.md says an upload's format comes from its name."""
    data = Graph().parse(data=fixture_for(live_server.url, "Duty-title.pass.ttl"), format="turtle").serialize(
        format=fmt)
    part = (name, data) if part_type is None else (name, data, part_type)
    response = requests.post(f"{live_server.url}/validate", files={"file": part},
                             headers={"Accept": "application/json"}, timeout=60)
    assert response.status_code == 200, response.text
    assert response.json()["conforms"] is True


def test_an_uploads_txt_name_is_a_list_document_whatever_its_part_type(live_server):
    """Cold review 28: list.txt sent as text/turtle was read as Turtle (400, a syntax error at line 3)."""
    from luzhi.etl.build import bundled_documents

    sample = next(path for path in bundled_documents() if path.name.startswith("002_"))
    for part_type in ("text/turtle", "application/json"):
        response = requests.post(f"{live_server.url}/validate", headers={"Accept": "application/json"}, timeout=120,
                                 files={"file": ("list.txt", sample.read_bytes(), part_type)})
        assert response.status_code == 200, response.text
        assert response.json()["conforms"] is True


def test_the_html_page_names_the_file_it_judged(live_server):
    """The page said whether a file conformed, or why it could not be read, without naming it (the JSON and the
    CLI did; cold review 25): one of several uploaded in turn could not be told from another."""
    html = {"Accept": "text/html"}
    judged = requests.post(f"{live_server.url}/validate", headers=html, timeout=60, files={
        "file": ("乡镇 提交.ttl", fixture_for(live_server.url, "Duty-title.pass.ttl"), "text/turtle")})
    refused = requests.post(f"{live_server.url}/validate", headers=html, timeout=60,
                            files={"file": ("坏文件.pdf", b"%PDF-1.4\n garbage", "application/pdf")})
    assert judged.status_code == 200 and refused.status_code == 400
    assert '<p class="file">文件：<code>乡镇 提交.ttl</code></p>' in judged.text
    assert '<p class="file">文件：<code>坏文件.pdf</code></p>' in refused.text


def test_raw_document_in_gb18030_gets_an_html_report_with_the_source_line(live_server):
    files = {"file": ("broken.txt", broken_sample().encode("gb18030"), "text/plain")}
    response = requests.post(f"{live_server.url}/validate?lang=en", files=files,
                             headers={"Accept": "text/html"}, timeout=120)
    assert response.status_code == 200 and response.headers["Luzhi-Conforms"] == "false"
    assert f"{live_server.url}/id/duty/210381121/cooperative/2" in response.text
    assert "line 163" in response.text
    assert "The cooperative duty names no upper department" in response.text


@pytest.fixture(scope="module")
def broken_documents(tmp_path_factory) -> dict[str, Path]:
    """The broken sample in every format a list is published in, by the media type a raw POST would send."""
    folder = tmp_path_factory.mktemp("raw-documents")
    text = broken_sample()
    (folder / "broken.txt").write_text(text, encoding="utf-8")
    docx = write_docx(text, folder / "broken.docx")
    (pdf,) = convert_to_pdf([docx], folder)
    return {"text/plain": folder / "broken.txt", "text/csv": write_csv(text, folder / "broken.csv"),
            "text/html": write_html(text, folder / "broken.html"), FORMATS[".docx"][0]: docx,
            FORMATS[".xlsx"][0]: write_xlsx(text, folder / "broken.xlsx"), "application/pdf": pdf}


@pytest.mark.parametrize("media_type", ["text/plain", "text/csv", "text/html", FORMATS[".docx"][0],
                                        FORMATS[".xlsx"][0], "application/pdf"])
def test_a_raw_document_with_its_media_type_is_validated_as_the_same_file_uploaded(live_server, broken_documents,
                                                                                   media_type):
    """A raw POST of a CSV, HTML, Word, Excel or PDF list with its own Content-Type answered 415; only a multipart
    upload (or text/plain) was validated (cold review)."""
    path = broken_documents[media_type]
    headers = {"Accept": "application/json"}
    uploaded = requests.post(f"{live_server.url}/validate", files={"file": (path.name, path.read_bytes())},
                             headers=headers, timeout=120)
    raw = requests.post(f"{live_server.url}/validate", data=path.read_bytes(), timeout=120,
                        headers={**headers, "Content-Type": media_type})
    assert uploaded.status_code == raw.status_code == 200, raw.text
    assert raw.json()["conforms"] is False and raw.json()["counts"] == uploaded.json()["counts"]
    key = lambda r: (r["focusNode"], r["sourceShape"], json.dumps(r.get("place")), str(r.get("lines")))  # noqa: E731
    assert sorted(map(key, raw.json()["results"])) == sorted(map(key, uploaded.json()["results"]))
    assert f"{live_server.url}/id/duty/210381121/cooperative/2" in {r["focusNode"] for r in raw.json()["results"]}


def test_a_raw_body_of_an_unknown_type_is_a_415_naming_it_and_the_types_taken(live_server):
    response = requests.post(f"{live_server.url}/validate", data=b"x", timeout=60,
                             headers={"Content-Type": "application/x-nonsense", "Accept": "application/json"})
    assert response.status_code == 415
    message = response.json()["error"]
    assert "application/x-nonsense" in message and "text/csv" in message and "application/pdf" in message
    assert in_both_languages(message), message


def test_utf32_text_is_a_clear_400(live_server):
    response = requests.post(f"{live_server.url}/validate", data=broken_sample().encode("utf-32"),
                             headers={"Content-Type": "text/plain", "Accept": "application/json"}, timeout=60)
    assert response.status_code == 400
    assert "UTF-32" in response.json()["error"]


def test_utf16_text_is_read_like_utf8(live_server):
    # Issue 12: UTF-16 (Windows "Unicode" text) is a text encoding the ETL reads.
    answers = [
        requests.post(f"{live_server.url}/validate", data=broken_sample().encode(encoding),
                      headers={"Content-Type": "text/plain", "Accept": "application/json"}, timeout=60)
        for encoding in ("utf-8", "utf-16")
    ]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json()["conforms"] == answers[1].json()["conforms"]
    assert len(answers[0].json()["results"]) == len(answers[1].json()["results"])


def test_bad_turtle_is_400_with_line_and_column(live_server):
    body = b'@prefix lz: <https://w3id.org/luzhi/def#> .\n\n<http://x/a> lz:sequence "1 .\n'
    response = requests.post(f"{live_server.url}/validate", data=body, timeout=60,
                             headers={"Content-Type": "text/turtle", "Accept": "application/json"})
    assert response.status_code == 400
    error = response.json()
    assert (error["line"], error["column"]) == (3, 26)


@pytest.mark.parametrize(("name", "media_type"), [
    ("windows.ttl", "text/turtle"), ("windows.nt", "application/n-triples"),
    ("windows.jsonld", "application/ld+json"), ("windows.rdf", "application/rdf+xml"),
])
def test_a_utf8_byte_order_mark_is_read_as_no_part_of_the_data(live_server, name, media_type):
    """Windows editors begin a UTF-8 file with a BOM: each RDF format reads as without it (Turtle and
    N-Triples answered "﻿ is not a valid subject", cold review)."""
    graph = Graph().parse(data=fixture_for(live_server.url, "Duty-title.fail.ttl"), format="turtle")
    body = graph.serialize(format={"windows.ttl": "turtle", "windows.nt": "nt", "windows.jsonld": "json-ld",
                                   "windows.rdf": "xml"}[name], encoding="utf-8")
    answers = [requests.post(f"{live_server.url}/validate", files={"file": (name, data, media_type)},
                             headers={"Accept": "application/json"}, timeout=60).json()
               for data in (body, b"\xef\xbb\xbf" + body)]
    assert answers[1] == answers[0] and answers[0]["conforms"] is False, answers[1]


@pytest.mark.parametrize(("name", "media_type", "encoding"), [
    ("notepad.ttl", "text/turtle", "utf-16"),  # Notepad's "Unicode": a BOM, then little-endian
    ("notepad.nt", "application/n-triples", "utf-16-be"),  # no BOM: told by where its NULs fall, as the build does
    ("notepad.jsonld", "application/ld+json", "utf-16"),
    ("notepad.rdf", "application/rdf+xml", "utf-16"),  # its XML declaration says encoding="utf-16"
])
def test_utf16_rdf_is_read_as_utf8_with_a_notice(live_server, name, media_type, encoding):
    """UTF-16 RDF answered 400 "cannot decode input using UTF-8" (cold review): it is read as etl/source.py reads a
    UTF-16 list, uploaded or raw, and a notice says RDF is UTF-8. The report is the UTF-8 file's otherwise."""
    graph = Graph().parse(data=fixture_for(live_server.url, "Duty-title.fail.ttl"), format="turtle")
    text = graph.serialize(format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}[name[8:]])
    utf8 = requests.post(f"{live_server.url}/validate", files={"file": (name, text.encode("utf-8"), media_type)},
                         headers={"Accept": "application/json"}, timeout=60).json()
    data = text.replace('encoding="utf-8"', 'encoding="utf-16"').encode(encoding)
    uploaded = requests.post(f"{live_server.url}/validate", files={"file": (name, data, media_type)},
                             headers={"Accept": "application/json"}, timeout=60)
    raw = requests.post(f"{live_server.url}/validate", data=data, timeout=60,
                        headers={"Content-Type": media_type, "Accept": "application/json"})
    for answer in (uploaded, raw):
        assert answer.status_code == 200, answer.text
        report = answer.json()
        (notice,) = [notice for notice in report["notices"] if notice["code"] == "read-as-utf-16"]
        assert "UTF-8" in notice["message"]["zh"] and "save it as UTF-8" in notice["message"]["en"]
        assert report["results"] == utf8["results"] and report["conforms"] is False


def test_utf16_declared_by_its_charset_is_read_so(live_server):
    """One N-Triples line without a BOM or a line end: only `charset=utf-16le` tells its encoding."""
    triple = f"<{live_server.url}/id/duty/210381121/basic/1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> " \
             "<https://w3id.org/luzhi/def#Duty> ."
    response = requests.post(f"{live_server.url}/validate", data=triple.encode("utf-16-le"), timeout=60,
                             headers={"Content-Type": "application/n-triples; charset=utf-16le",
                                      "Accept": "application/json"})
    assert response.status_code == 200, response.text
    assert response.json()["conforms"] is False and "read-as-utf-16" in {n["code"] for n in response.json()["notices"]}


def test_a_byte_order_mark_alone_is_an_empty_file(live_server):
    response = requests.post(f"{live_server.url}/validate", files={"file": ("bom.ttl", b"\xef\xbb\xbf", "text/turtle")},
                             headers={"Accept": "application/json"}, timeout=60)
    assert response.status_code == 400
    assert response.json()["error"].startswith(requests.post(
        f"{live_server.url}/validate", files={"file": ("empty.ttl", b"", "text/turtle")},
        headers={"Accept": "application/json"}, timeout=60).json()["error"])


def test_oversized_uploads_are_413(small_server):
    big = b"#" * 5_000
    raw = requests.post(f"{small_server}/validate", data=big, headers={"Content-Type": "text/turtle"}, timeout=30)
    assert raw.status_code == 413
    multipart = requests.post(f"{small_server}/validate", files={"file": ("a.ttl", big, "text/turtle")}, timeout=30)
    assert multipart.status_code == 413


def test_a_validation_past_the_timeout_is_stopped(small_server):
    response = requests.post(f"{small_server}/validate", data=b"<http://x/a> <http://x/b> <http://x/c> .",
                             headers={"Content-Type": "application/n-triples", "Accept": "application/json"},
                             timeout=30)
    assert response.status_code == 503
    assert "0.05" in response.json()["error"]
    assert requests.get(f"{small_server}/validate", timeout=30).status_code == 200  # still serving
    page = requests.post(f"{small_server}/validate", data=b"<http://x/a> <http://x/b> <http://x/c> .",
                         headers={"Content-Type": "application/n-triples", "Accept": "text/html"}, timeout=30)
    assert page.status_code == 503
    assert "验证超时" in page.text and "无法读取" not in page.text  # issue 11: it said the file was unreadable


def test_a_submission_never_makes_the_server_fetch_anything(live_server, listener):
    url, accepted = listener
    jsonld = json.dumps({"@context": f"{url}/context.jsonld", "@id": f"{live_server.url}/id/x", "name": "x"})
    response = requests.post(f"{live_server.url}/validate", data=jsonld.encode(), timeout=60,
                             headers={"Content-Type": "application/ld+json", "Accept": "application/json"})
    assert response.status_code == 400
    assert f"{url}/context.jsonld" in response.json()["error"]

    nested = json.dumps({"@context": {"@import": f"{url}/imported.jsonld"}, "@id": "http://x/a"})
    response = requests.post(f"{live_server.url}/validate", data=nested.encode(), timeout=60,
                             headers={"Content-Type": "application/ld+json", "Accept": "application/json"})
    assert response.status_code == 400

    turtle = fixture_for(live_server.url, "Duty-title.pass.ttl") + (
        f"\n<{live_server.url}/id/x> <http://www.w3.org/2002/07/owl#imports> <{url}/ontology.ttl> .\n"
    ).encode()
    response = requests.post(f"{live_server.url}/validate", data=turtle, timeout=60,
                             headers={"Content-Type": "text/turtle", "Accept": "application/json"})
    assert response.status_code == 200
    assert any(n["code"] == "owl-imports-ignored" and url in n["message"]["en"] for n in response.json()["notices"])

    rdfxml = (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY ext SYSTEM "{url}/entity">]>\n'
              '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/">'
              f'<rdf:Description rdf:about="{live_server.url}/id/x"><dct:title>&ext;</dct:title></rdf:Description>'
              '</rdf:RDF>')
    response = requests.post(f"{live_server.url}/validate", data=rdfxml.encode(), timeout=60,
                             headers={"Content-Type": "application/rdf+xml", "Accept": "application/json"})
    assert response.status_code in (200, 400)
    assert accepted == []


def test_nothing_submitted_is_written_to_the_store(live_server):
    before = sorted(OxigraphStore(live_server.store.path, read_only=True).graph_names())
    body = fixture_for(live_server.url, "Duty-title.pass.ttl").replace(b"210381121", b"999999999")
    response = requests.post(f"{live_server.url}/validate", data=body, timeout=60,
                             headers={"Content-Type": "text/turtle", "Accept": "application/json"})
    assert response.status_code == 200
    store = OxigraphStore(live_server.store.path, read_only=True)
    assert sorted(store.graph_names()) == before
    assert not store.ask(f"ASK {{ <{live_server.url}/id/duty/999999999/basic/1> ?p ?o }}")
    assert not re.search("999999999", " ".join(before))


def test_a_submission_with_nothing_under_the_base_says_so(live_server):
    """Cold review: `<urn:a> <urn:b> "c" .` "conformed" with no word that the shapes had checked nothing."""
    def notices(body: bytes) -> list[str]:
        response = requests.post(f"{live_server.url}/validate", data=body, timeout=60,
                                 headers={"Content-Type": "application/n-triples", "Accept": "application/json"})
        assert response.status_code == 200, response.text
        return [n["code"] for n in response.json()["notices"]]

    assert "nothing-under-base" in notices(b'<urn:a> <urn:b> "c" .\n')
    assert "nothing-under-base" not in notices(f'<{live_server.url}/id/x> <urn:b> "c" .\n'.encode())


@pytest.mark.parametrize("code", ["210381121", "230302201"])
def test_a_published_township_graph_validated_alone_conforms(live_server, code):
    """The validator's path: fetch one township's graph as published and post it back. Its categories are
    typed in /graph/shared, not in it; every duty was a Duty-category Violation (cold review 29)."""
    graph = requests.get(f"{live_server.url}/graph/{code}.ttl", timeout=60)
    assert graph.status_code == 200 and "/id/category/" in graph.text
    assert " skos:Concept" not in graph.text and "core#Concept" not in graph.text  # the case in question
    response = requests.post(f"{live_server.url}/validate", data=graph.content, timeout=120,
                             headers={"Content-Type": "text/turtle", "Accept": "application/json"})
    assert response.status_code == 200
    violations = [r for r in response.json()["results"] if r["severity"] == "Violation"]
    assert violations == []


def test_a_category_outside_the_sites_categories_must_be_typed(live_server):
    """The scheme's own IRI is no category of this site: untyped, it is a Violation naming where categories live."""
    body = fixture_for(live_server.url, "Duty-category.fail.ttl")
    response = requests.post(f"{live_server.url}/validate", data=body, timeout=60,
                             headers={"Content-Type": "text/turtle", "Accept": "application/json"})
    (result,) = response.json()["results"]
    assert result["sourceShape"] == "https://w3id.org/luzhi/shapes#Duty-category"
    assert result["message"]["en"] == (f"Category {live_server.url}/id/category is neither a skos:Concept nor a "
                                       f"category IRI of this site ({live_server.url}/id/category/…)")
    assert result["message"]["zh"] == (f"事项类别 {live_server.url}/id/category 不是 skos:Concept，"
                                       f"也不是本站的类别 IRI（{live_server.url}/id/category/…）")


def test_a_category_given_as_text_is_no_category(live_server):
    """Cold review 31: the category IRI's pattern matched a literal spelling it too, so a string passed."""
    body = fixture_for(live_server.url, "Duty-category.pass.ttl").decode("utf-8").replace(
        f"lz:category <{live_server.url}/id/category/dang-de-jian-she> .",
        f'lz:category "{live_server.url}/id/category/dang-de-jian-she" .')
    assert body.count('lz:category "') == 1
    response = requests.post(f"{live_server.url}/validate", data=body.encode(), timeout=120,
                             headers={"Content-Type": "text/turtle", "Accept": "application/json"})
    shapes = {r["sourceShape"].rpartition("#")[2] for r in response.json()["results"]}
    assert "Duty-category" in shapes, response.text
