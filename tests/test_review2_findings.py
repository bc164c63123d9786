"""Findings of a second cold review, each over the real CLI or real HTTP against the real app and store.

1. a list whose title names an ambiguous township (`西郊乡`: 230302201 and 410505200) could be built with
   `--township-code` but not validated: `luzhi validate` had no such option, and POST /validate pointed
   at it;
… (numbered as in the review; see each section).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "samples" / "001_a7c2025eaec9b519.txt"
XIJIAO = ("230302201", "410505200")  # the two townships named 西郊乡


# ---- 1. an ambiguous township can be validated -----------------------------------------------------------------

@pytest.fixture(scope="module")
def ambiguous(tmp_path_factory) -> Path:
    """Sample 001 with its title and every mention cut to `西郊乡` (the review's sed)."""
    text = SAMPLE.read_text(encoding="utf-8")
    for full in ("黑龙江省鸡西市鸡冠区西郊乡", "鸡西市鸡冠区西郊乡", "鸡冠区西郊乡"):
        text = text.replace(full, "西郊乡")
    path = tmp_path_factory.mktemp("ambiguous") / "xijiao.txt"
    path.write_text(text, encoding="utf-8")
    return path


def luzhi(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "luzhi.server.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=300, check=False)


def test_validate_takes_the_township_code_as_build_does(ambiguous):
    refused = luzhi("validate", ambiguous)
    assert refused.returncode == 2
    assert all(code in refused.stderr for code in XIJIAO)
    assert "--township-code FILE=CODE" in refused.stderr and "names several townships" in refused.stderr
    given = luzhi("validate", "--format", "json", "--township-code", f"{ambiguous.name}={XIJIAO[0]}", ambiguous)
    assert given.returncode in (0, 1), given.stderr
    report = json.loads(given.stdout)["files"][0]
    assert report["conforms"] is True
    assert f"/{XIJIAO[0]}/" in given.stdout and f"/{XIJIAO[1]}/" not in given.stdout
    bad = luzhi("validate", "--township-code", f"{ambiguous.name}=2303", ambiguous)
    assert bad.returncode == 2 and "--township-code" in bad.stderr and "FILE=9-digit-code" in bad.stderr


def test_post_validate_takes_a_township_code_field(live_server, ambiguous):
    url = f"{live_server.url}/validate"
    files = {"file": (ambiguous.name, ambiguous.read_bytes(), "text/plain")}
    refused = requests.post(url, files=files, headers={"Accept": "application/json"}, timeout=120)
    assert refused.status_code == 400
    message = refused.json()["error"]
    assert "township_code" in message and "--township-code" not in message
    assert "对应多个乡镇" in message and "names several townships" in message
    given = requests.post(url, files=files, data={"township_code": XIJIAO[1]}, timeout=120,
                          headers={"Accept": "application/json"})
    assert given.status_code == 200, given.text
    assert f"/{XIJIAO[1]}/" in given.text and f"/{XIJIAO[0]}/" not in given.text
    raw = requests.post(f"{url}?township_code={XIJIAO[0]}", data=ambiguous.read_bytes(), timeout=120,
                        headers={"Accept": "application/json", "Content-Type": "text/plain"})
    assert raw.status_code == 200, raw.text
    bad = requests.post(url, files=files, data={"township_code": "41050520x"}, timeout=120,
                        headers={"Accept": "application/json"})
    assert bad.status_code == 400 and "township_code" in bad.json()["error"]


def test_the_validate_form_has_the_township_code_field(live_server):
    page = requests.get(f"{live_server.url}/validate", timeout=30).text
    assert 'name="township_code"' in page


# ---- 8. small ones ---------------------------------------------------------------------------------------------

def test_a_file_and_pasted_text_together_are_refused(live_server):
    files = {"file": ("a.ttl", b"<http://x/a> <http://x/b> <http://x/c> .", "text/turtle")}
    response = requests.post(f"{live_server.url}/validate", files=files, data={"text": "<a> <b> <c> ."},
                             headers={"Accept": "application/json"}, timeout=120)
    assert response.status_code == 400
    assert "file" in response.json()["error"] and "text" in response.json()["error"]


def test_validate_help_names_every_document_format_it_reads():
    help_text = luzhi("validate", "--help").stdout
    assert all(ext in help_text for ext in (".docx", ".xlsx", ".pdf", ".html")) and "--township-code" in help_text


# ---- 2. a page past the last is a 404: a township's HTML page, search -----------------------------------------

HYDRA_TOTAL = "http://www.w3.org/ns/hydra/core#totalItems"


def _total_items(url: str) -> int:
    from rdflib import Graph, URIRef

    graph = Graph().parse(data=requests.get(url, headers={"Accept": "text/turtle"}, timeout=60).text, format="turtle")
    return max(int(o) for o in graph.objects(None, URIRef(HYDRA_TOTAL)))


def test_a_townships_page_past_its_rdf_twins_last_page_is_404(live_server):
    doc = f"{live_server.url}/doc/division/140226207"
    last = -(-_total_items(doc) // live_server.config.page_size)
    assert requests.get(f"{doc}.ttl?page={last + 1}", timeout=60).status_code == 404  # the twin, as documented
    assert requests.get(f"{doc}?page={last}", headers={"Accept": "text/html"}, timeout=60).status_code == 200
    for page in (last + 1, 99):
        assert requests.get(f"{doc}?page={page}", headers={"Accept": "text/html"}, timeout=60).status_code == 404


@pytest.mark.parametrize("path", ["/doc/division/140226207", "/doc/category/dang-de-jian-she"])
@pytest.mark.parametrize("accept", ["text/html", "text/turtle"])
def test_a_page_past_the_last_names_page_and_the_last_page(live_server, path, accept):
    """Cold review 29: a township's or a category's page past the last was the site's bare 404 ("nothing is
    published at this address"), where a list's names `page` and its last page."""
    past = requests.get(f"{live_server.url}{path}?page=999", headers={"Accept": accept}, timeout=60)
    assert past.status_code == 404
    assert "parameter `page` is past the last page" in past.text and "参数 page 超出范围" in past.text, past.text[:600]


def test_a_duty_page_past_the_last_is_404(live_server):
    doc = f"{live_server.url}/doc/duty/140226207/basic/1"
    assert requests.get(doc, headers={"Accept": "text/html"}, timeout=60).status_code == 200
    assert requests.get(f"{doc}?page=99", headers={"Accept": "text/html"}, timeout=60).status_code == 404


def test_a_search_page_past_the_last_is_404_and_an_empty_first_page_200(live_server):
    found = requests.get(f"{live_server.url}/search.json", params={"q": "林"}, timeout=60).json()
    assert found["total"] > 0 and found["total_is_exact"]
    last = -(-found["total"] // found["page_size"])
    for path in ("/search", "/search.json"):
        assert requests.get(live_server.url + path, params={"q": "林", "page": last}, timeout=60).status_code == 200
        past = requests.get(live_server.url + path, params={"q": "林", "page": last + 1}, timeout=60)
        assert past.status_code == 404, past.text[:200]
        empty = requests.get(live_server.url + path, params={"q": "履职不存在的词语", "page": 1}, timeout=60)
        assert empty.status_code == 200


# ---- 3. a count that cannot be exact does not say it is -------------------------------------------------------

def test_a_word_searched_in_part_makes_the_total_inexact(live_server):
    found = requests.get(f"{live_server.url}/search.json", params={"q": "的"}, timeout=60).json()
    assert [note["reason"] for note in found["word_notes"]] == ["partial"], "的 must be searched in part here"
    assert found["total_is_exact"] is False
    page = requests.get(f"{live_server.url}/search", params={"q": "的"}, timeout=60).text
    assert f"{found['total']}+" in page


# ---- 4. a list's filters: what is not a category or department of ours is a 400 ------------------------------

LIST = "140226207/cooperative"


def _rows(url: str, **params) -> requests.Response:
    return requests.get(f"{url}/doc/list/{LIST}.json", params=params, timeout=60)


def test_list_filters_take_a_category_by_iri_path_or_slug(live_server):
    from compare_helpers import _select

    rows = _select(live_server.url, "PREFIX lz: <https://w3id.org/luzhi/def#> SELECT ?c ?o WHERE { ?d lz:inList "
                   f"<{live_server.url}/id/list/{LIST}> ; lz:category ?c ; lz:upperDepartment ?o }} LIMIT 1")
    category, department = rows[0]["c"], rows[0]["o"]
    slug = category.rsplit("/", 1)[-1]
    by_iri = _rows(live_server.url, category=category)
    assert by_iri.status_code == 200 and by_iri.json()["rows"] and by_iri.json()["filters"] == {"category": category}
    for value in (slug, category[len(live_server.url):]):
        same = _rows(live_server.url, category=value)
        # The same rows, filtered by the same category; its links keep the value as given.
        assert same.status_code == 200
        assert (same.json()["rows"], same.json()["filters"]) == (by_iri.json()["rows"], by_iri.json()["filters"])
    assert _rows(live_server.url, department=department[len(live_server.url):]).json()["rows"]


@pytest.mark.parametrize(("name", "value"), [
    ("category", "javascript:alert(1)"), ("category", "no-such-category"), ("department", "x"),
    ("department", "/id/category/ping-an-fa-zhi"), ("category", "/id/division/140226207"),
])
def test_a_filter_naming_nothing_of_ours_is_a_400_naming_it(live_server, name, value):
    response = _rows(live_server.url, **{name: value})
    assert response.status_code == 400
    assert f"`{name}`" in response.json()["error"] and "takes" in response.json()["error"]


def test_a_repeated_filter_is_a_400(live_server):
    response = requests.get(f"{live_server.url}/doc/list/{LIST}.json?category=ping-an-fa-zhi&category=x", timeout=60)
    assert response.status_code == 400 and "`category`" in response.json()["error"]


# ---- 5. errors for programs are plain text, as docs/sparql.md says ----------------------------------------------

@pytest.mark.parametrize(("method", "path", "accept", "status"), [
    ("DELETE", "/sparql", "*/*", 405),
    ("GET", "/graph/kinds", "application/ld+json", 406),
])
def test_a_programs_error_is_plain_text(live_server, method, path, accept, status):
    response = requests.request(method, live_server.url + path, headers={"Accept": accept}, timeout=60)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/plain"), response.text[:200]
    assert response.text.startswith(f"{status} ") and "<" not in response.text.split("\n")[0][:5]
    if status == 405:
        assert "POST" in response.headers["Allow"]


def test_a_browsers_405_is_still_the_sites_page(live_server):
    response = requests.delete(f"{live_server.url}/sparql", headers={"Accept": "text/html"}, timeout=60)
    assert response.status_code == 405 and response.headers["Content-Type"].startswith("text/html")


# ---- 6. an IRI with a space is an invalid IRI, not an undeclared prefix `http:` ---------------------------------

def test_an_iri_with_a_space_is_called_an_invalid_iri(live_server):
    response = requests.get(f"{live_server.url}/sparql", params={"query": "SELECT * WHERE { <http://x/ y> ?p ?o }"},
                            timeout=60)
    assert response.status_code == 400
    assert "invalid IRI <http://x/ y>" in response.text and "undeclared prefix" not in response.text
    # an undeclared prefix is still said as before
    missing = requests.get(f"{live_server.url}/sparql", timeout=60,
                           params={"query": "SELECT * WHERE { ?s skos:prefLabel ?o }"})
    assert missing.status_code == 400 and "undeclared prefix skos:" in missing.text


# ---- 7. a preflight offers only what the answer allows ---------------------------------------------------------

def test_the_validate_preflight_does_not_offer_post(live_server):
    origin = {"Origin": "https://elsewhere.example"}
    preflight = requests.options(f"{live_server.url}/validate", timeout=60,
                                 headers={**origin, "Access-Control-Request-Method": "POST"})
    offered = {m.strip() for m in preflight.headers.get("Access-Control-Allow-Methods", "").split(",")}
    post = requests.post(f"{live_server.url}/validate", headers=origin, timeout=60,
                         files={"file": ("x.ttl", b"<http://x/a> <http://x/b> <http://x/c> .", "text/turtle")})
    assert "Access-Control-Allow-Origin" not in post.headers  # not a read route (docs/linked-data.md)
    assert "POST" not in offered and "GET" in offered
    sparql = requests.options(f"{live_server.url}/sparql", timeout=60,
                              headers={**origin, "Access-Control-Request-Method": "POST"})
    assert "POST" in sparql.headers["Access-Control-Allow-Methods"]  # a read route keeps its POST


# ---- 8. small ones (the file+text and --help ones are above) ----------------------------------------------------

def test_an_if_modified_since_in_the_future_is_ignored(live_server):
    from email.utils import formatdate

    url = f"{live_server.url}/doc/division/140226207.ttl"
    first = requests.get(url, timeout=60)
    assert first.status_code == 200 and first.headers["Last-Modified"]
    assert requests.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]},
                        timeout=60).status_code == 304  # a real date still revalidates
    future = formatdate(timeval=2 ** 31 - 1, usegmt=True)  # 2038
    answer = requests.get(url, headers={"If-Modified-Since": future}, timeout=60)
    assert answer.status_code == 200 and answer.content == first.content


def test_a_term_iris_303_keeps_the_query_string(live_server):
    response = requests.get(f"{live_server.url}/def/Duty?lang=en", allow_redirects=False, timeout=60)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/def?lang=en#Duty")


def test_export_into_a_closed_pipe_exits_quietly(built_store):
    command = [sys.executable, "-m", "luzhi.server.cli", "export", "--store", str(built_store.path)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as export:
        assert export.stdout.readline()  # `| head -1`: one line read, then the reader leaves
        export.stdout.close()
        stderr = export.stderr.read().decode()
        status = export.wait(timeout=120)
    assert status == 141 and stderr == ""  # as `cat` there: killed by SIGPIPE (128 + 13), nothing said
