"""Messages and HTTP details a cold review of the user-facing surface found, each over the real app, CLI or ETL.

1. errors in both languages, Chinese then English after " / ", as the site's others: SPARQL syntax errors
   (the engine's and the checker's), RDF and JSON parse errors of a submission, the ETL's parse errors, and
   the errors Werkzeug raises with its own English words (routing's 405, a Range's 416);
2. a query starting with a byte order mark runs; an IRI holding `"` is called an invalid IRI, not an
   undeclared prefix `http:`;
3. `Accept: application/xhtml+xml` gets the HTML page, not a 406; a 404 at an address that merely ends in
   `.json` is the site's page for a browser; `/source/…` answers `Range`.
(A /sparql timeout's `Retry-After` is asserted in tests/test_sparql_limits.py, which has the runaway query.)
"""

from __future__ import annotations

import http.client
import io
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from openpyxl import Workbook

from luzhi.etl import items, rows
from luzhi.etl.parse import ParseError, parse_bytes
from luzhi.store.service_check import QueryRefused, check_query

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
_CJK = re.compile(r"[\u4e00-\u9fff]")


def in_both_languages(message: str) -> bool:
    """Chinese, then " / " and an English sentence (which may quote the data's Chinese words)."""
    zh, separator, en = message.partition(" / ")
    return bool(separator and _CJK.search(zh) and re.search(r"[A-Za-z]{2,} [a-z]{2,}", en))


# ---- 1. SPARQL syntax errors ---------------------------------------------------------------------------------

def test_a_sparql_syntax_error_is_in_both_languages_with_the_engines_words(live_server):
    response = requests.get(f"{live_server.url}/sparql", params={"query": "SELEKT * WHERE { ?s ?p ?o }"}, timeout=60)
    assert response.status_code == 400
    assert response.text.startswith("SPARQL 语法错误 / SPARQL syntax error: "), response.text
    assert re.search(r"error at 1:\d+", response.text)  # the engine's own position, verbatim


def test_the_checkers_syntax_error_is_in_both_languages():
    with pytest.raises(QueryRefused) as caught:
        check_query("SELECT * WHERE { ?s ?p }")
    assert caught.value.message.startswith("SPARQL 语法错误 / SPARQL syntax error: ")
    assert "(line 1, column" in caught.value.message


def test_an_undeclared_prefix_is_said_in_both_languages(live_server):
    response = requests.get(f"{live_server.url}/sparql", params={"query": "SELECT * WHERE { ?s skos:prefLabel ?o }"},
                            timeout=60)
    first = response.text.splitlines()[0]
    assert response.status_code == 400 and in_both_languages(first) and "skos:" in first.partition(" / ")[0]


# ---- 1. parse errors of a submission ------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "body", "frame"), [
    ("bad.ttl", b"@prefix ex: <http://example.org/> .\nex:a ex:b .\n", "Turtle 语法错误 / Turtle syntax error: "),
    ("bad.nt", b"<http://example.org/a> <http://example.org/b> .\n", "N-Triples 语法错误 / N-Triples syntax error: "),
    ("bad.rdf", b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><foo/></rdf:RDF>",
     "RDF/XML 语法错误 / RDF/XML syntax error: XML namespaces are required"),
    ("bad.jsonld", b'{"@id": 3}', "JSON-LD 语法错误 / JSON-LD syntax error: "),
    ("bad.json", b'{"@id": "http://example.org/a",\n "x": }', "JSON 语法错误 / JSON syntax error: "),
])
def test_a_submission_that_does_not_parse_is_refused_in_both_languages(live_server, name, body, frame):
    response = requests.post(f"{live_server.url}/validate", files={"file": (name, body)},
                             headers={"Accept": "application/json"}, timeout=120)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["error"].startswith(frame), error
    if name.endswith((".ttl", ".json")):
        assert error["line"] == 2 and error["column"]  # the parser's position, kept


# ---- 1. the ETL's parse errors ------------------------------------------------------------------------------

TITLE = "某某乡履行职责事项清单\n"
BASIC = TITLE + "基本履职事项清单\n"
COOPERATIVE_HEADER = "序号\t事项名称\t对应上级部门\t上级部门职责\t配合职责\n"
# One document per `raise ParseError` in etl/rows.py and etl/items.py, and the words that tell them apart; those in
# EXCEL are written as a workbook, one row a line, its cells at the tabs.
UNREADABLE_LAYOUTS = {
    "unknown column": (BASIC + "序号\t事项名称\t完成时限\n1\t甲\t乙\n", "is no known column"),
    "repeated column": (BASIC + "序号\t事项名称\t事项名称\n1\t甲\t乙\n", "repeats an earlier column"),
    "no title column": (BASIC + "序号\t事项类别\n1\t甲\n", "no 事项名称 (title) column"),
    "a list again": (BASIC + "序号\t事项名称\n1\t甲\n配合履职事项清单\n" + COOPERATIVE_HEADER + "1\t乙\t丙\t丁\t戊\n"
                     "基本履职事项清单\n序号\t事项名称\n2\t己\n", "appears again after another list"),
    "a header of no list": (TITLE + "序号\t事项名称\t对应上级部门\n1\t甲\t乙\n", "does not show which list"),
    "a header of another list": (BASIC + COOPERATIVE_HEADER + "1\t乙\t丙\t丁\t戊\n", "but the list title before"),
    "a row before any header": (BASIC + "1\t甲\n", "comes before any header row"),
    "too many cells": (BASIC + "序号\t事项名称\n1\t甲\t乙\n", "has only 2 columns"),
    "a table without its header": (BASIC + "序号 事项名称\n1 甲\n", "no header row was recognised"),
    "no header at all": (TITLE + "随便写的一行\n", "no list header"),
    "a heading not read, an item after it": (BASIC + "序号\t事项名称\n一、甲\n1\t乙\n二、丙（含丁\n2\t戊\n",
                                             "looks like a category heading but cannot be read"),
    "a 序号 too large": (BASIC + "序号\t事项名称\n1\t甲\n999999999\t乙\n", "too large to be an item number"),
    "a table row naming a duty without its 序号": (BASIC + "序号\t事项名称\n1\t甲\n\t乙\n",
                                                 "it is another duty whose number was not read"),
}
EXCEL = {"a table row naming a duty without its 序号"}  # a page break splits a text's rows, never a workbook's


def test_every_parse_error_site_has_a_case():
    raised = sum(Path(module.__file__).read_text(encoding="utf-8").count("raise ParseError(")
                 for module in (rows, items))
    assert raised == len(UNREADABLE_LAYOUTS) == 13


@pytest.mark.parametrize("case", UNREADABLE_LAYOUTS)
def test_the_etls_parse_errors_are_in_both_languages(case):
    text, words = UNREADABLE_LAYOUTS[case]
    data, name = text.encode(), "layout.txt"
    if case in EXCEL:
        workbook, data, name = Workbook(), io.BytesIO(), "layout.xlsx"
        for line in text.splitlines():
            workbook.active.append([cell or None for cell in line.split("\t")])
        workbook.save(data)
        data = data.getvalue()
    with pytest.raises(ParseError) as caught:
        parse_bytes(data, name)
    assert words in caught.value.message and in_both_languages(caught.value.message), caught.value.message


def test_validate_in_english_reads_the_etls_error_in_english_too(live_server):
    document = "辽宁省鞍山市海城市耿庄镇履行职责事项清单\n随便写的一行\n".encode()
    response = requests.post(f"{live_server.url}/validate?lang=en", files={"file": ("list.txt", document)},
                             headers={"Accept": "application/json"}, timeout=120)
    assert response.status_code == 400
    error = response.json()["error"]
    assert "no list header" in error and in_both_languages(error), error
    assert not error.startswith(("ParseError", "list.txt")), error  # the answer names the file and the line once


# ---- 1. Werkzeug's own errors -------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("DELETE", "/sparql", "GET, HEAD, OPTIONS, POST"),
    ("POST", "/", "GET, HEAD, OPTIONS"),
    ("PUT", "/validate", "GET, HEAD, OPTIONS, POST"),
])
def test_a_method_not_allowed_is_the_sites_answer_with_its_allow(live_server, method, path, allowed):
    url = live_server.url + path
    page = requests.request(method, url, headers={"Accept": BROWSER}, timeout=60)
    text = requests.request(method, url, headers={"Accept": "*/*"}, timeout=60)
    as_json = requests.request(method, url, headers={"Accept": "application/json"}, timeout=60)
    for response in (page, text, as_json):
        assert response.status_code == 405
        assert sorted(response.headers["Allow"].split(", ")) == allowed.split(", ")
        assert "The method is not allowed" not in response.text  # Werkzeug's English default
    assert page.headers["Content-Type"].startswith("text/html") and 'name="q"' in page.text  # the site's page
    assert text.headers["Content-Type"].startswith("text/plain")
    for message in (text.text.strip().partition(": ")[2], as_json.json()["error"]):
        assert method in message and in_both_languages(message), message


def test_a_range_past_the_end_is_said_in_both_languages(live_server):
    response = requests.get(f"{live_server.url}/dumps/luzhi.nq.gz", headers={"Range": "bytes=999999999-"},
                            timeout=60)
    assert response.status_code == 416
    assert in_both_languages(response.text.strip().partition(": ")[2]), response.text


# ---- 2. a byte order mark; an IRI holding `"` ---------------------------------------------------------------

def test_a_query_starting_with_a_byte_order_mark_runs(live_server):
    query = "\ufeffASK { ?s ?p ?o }"
    for response in (
        requests.get(f"{live_server.url}/sparql", params={"query": query}, headers={"Accept": "application/json"},
                     timeout=60),
        requests.post(f"{live_server.url}/sparql", data=query.encode("utf-8"), timeout=60,
                      headers={"Content-Type": "application/sparql-query", "Accept": "application/json"}),
    ):
        assert response.status_code == 200, response.text
        assert response.json()["boolean"] is True


def test_luzhi_query_takes_a_byte_order_mark_too(built_store):
    result = subprocess.run([sys.executable, "-m", "luzhi.server.cli", "query", "-", "--store", str(built_store.path)],
                            input="\ufeffASK { ?s ?p ?o }", capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0 and result.stdout.strip() == "true", result.stderr


def test_an_iri_holding_a_quote_is_called_an_invalid_iri(live_server):
    query = 'SELECT * WHERE { BIND(<http://a/#"> AS ?x) }'
    response = requests.get(f"{live_server.url}/sparql", params={"query": query}, timeout=60)
    assert response.status_code == 400
    assert 'invalid IRI <http://a/#"> at 1:23' in response.text and "undeclared prefix" not in response.text
    assert in_both_languages(response.text)


# ---- 3. XHTML; a 404 ending in .json; Range on a source ------------------------------------------------------

@pytest.mark.parametrize("path", ["/def", "/doc/division/140226207", "/doc/list/140226207/basic",
                                  "/.well-known/void", "/", "/sparql"])
def test_xhtml_is_answered_with_the_html_page(live_server, path):
    response = requests.get(live_server.url + path, headers={"Accept": "application/xhtml+xml"}, timeout=60)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/html")


def _raw_get(url: str, path: str, accept: str) -> tuple[int, str]:
    """A GET of `path` exactly as written: requests (urllib3) removes `..` segments before sending."""
    where = urlsplit(url)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=60)
    try:
        connection.request("GET", path, headers={"Accept": accept})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Content-Type")
    finally:
        connection.close()


def test_an_unknown_address_ending_in_json_is_the_404_page_for_a_browser(live_server):
    for path in ("/dumps/../build.json", "/no/such/thing.json", "/dumps/build.json"):
        status, content_type = _raw_get(live_server.url, path, BROWSER)
        assert status == 404 and content_type.startswith("text/html"), (path, content_type)
    # a script asking for an unknown .json with */* still gets JSON (tests/test_web_errors.py)
    assert _raw_get(live_server.url, "/dumps/../build.json", "*/*")[1].startswith("application/json")


def test_a_source_document_answers_range(live_server):
    found = requests.get(f"{live_server.url}/sparql", timeout=60, headers={"Accept": "application/json"}, params={
        "query": "SELECT ?s WHERE { ?s a <https://w3id.org/luzhi/def#SourceDocument> } LIMIT 1"})
    url = found.json()["results"]["bindings"][0]["s"]["value"]
    whole = requests.get(url, timeout=60)
    part = requests.get(url, headers={"Range": "bytes=10-29"}, timeout=60)
    assert whole.status_code == 200 and whole.headers["Accept-Ranges"] == "bytes"
    assert part.status_code == 206 and part.content == whole.content[10:30]
    assert part.headers["Content-Range"] == f"bytes 10-29/{len(whole.content)}"
    past = requests.get(url, headers={"Range": f"bytes={len(whole.content) + 5}-"}, timeout=60)
    assert past.status_code == 416
