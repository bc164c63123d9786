"""Cold review 21's findings on the surfaces, each over real HTTP or the real CLI:

1. `POST /validate` with two `township_code` values used one: a 400 naming it, as other repeated parameters get;
   its `code-overrides-title` notice told web users to check `--township-code`: the form field there;
2. English-only messages: click's refusals of paths, "Address already in use" from `luzhi serve`, the 431 page;
3. `/doc/division/X.json` (and other resources without a table) was a bare 404: it names the `.jsonld`.
"""

from __future__ import annotations

import gzip
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from sparql_server import fill_small_store, gunicorn, raw_answer, serve
from test_review_messages import in_both_languages

from luzhi.server.config import Config

REPO = Path(__file__).resolve().parent.parent
JSON = {"Accept": "application/json"}


def luzhi(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "luzhi.server.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=120, check=False, cwd=cwd)


# ---- 1. POST /validate's township_code ---------------------------------------------------------------------------

def test_a_repeated_township_code_is_a_400_naming_it(live_server):
    url = f"{live_server.url}/validate"
    files = {"file": ("x.txt", "北京市东城区东华门街道履行职责事项清单\n".encode(), "text/plain")}
    twice = requests.post(url, files=files, data=[("township_code", "110101001"), ("township_code", "110101002")],
                          headers=JSON, timeout=60)
    assert twice.status_code == 400, twice.text
    error = twice.json()["error"]
    assert "township_code" in error and in_both_languages(error), error
    mixed = requests.post(f"{url}?township_code=110101001", files=files, data={"township_code": "110101002"},
                          headers=JSON, timeout=60)
    assert mixed.status_code == 400 and "township_code" in mixed.json()["error"]


def test_a_repeated_format_is_a_400_naming_it(live_server):
    """Cold review 29: `format=turtle&format=nt` was read as Turtle, the second value dropped without a word."""
    url = f"{live_server.url}/validate"
    body = b"<http://a.example/s> <http://a.example/p> <http://a.example/o> .\n"
    for query, form in (("?format=turtle&format=nt", None), ("?format=turtle", {"format": "nt"})):
        if form is None:
            twice = requests.post(url + query, data=body, headers={**JSON, "Content-Type": "text/turtle"}, timeout=60)
        else:
            twice = requests.post(url + query, files={"file": ("x.nt", body, "application/n-triples")}, data=form,
                                  headers=JSON, timeout=60)
        assert twice.status_code == 400, twice.text
        error = twice.json()["error"]
        assert "parameter `format` may be given once" in error and "参数 format 只能给一次" in error, error
    once = requests.post(url + "?format=nt", data=body, headers={**JSON, "Content-Type": "text/turtle"}, timeout=60)
    assert once.status_code == 200, once.text  # one value, as before


def test_the_web_notice_of_a_code_over_the_title_names_the_form_field(live_server):
    sample = sorted((REPO / "data" / "samples").glob("003_*.txt"))[0]  # 小京庄乡 (140226207)
    answer = requests.post(f"{live_server.url}/validate", files={"file": (sample.name, sample.read_bytes(),
                                                                          "text/plain")},
                           data={"township_code": "110102010"}, headers=JSON, timeout=120)
    assert answer.status_code == 200, answer.text
    (notice,) = [n for n in answer.json()["notices"] if n["code"] == "code-overrides-title"]
    assert notice["message"]["zh"].endswith("请核对表单字段 township_code"), notice
    assert notice["message"]["en"].endswith("check the form field township_code"), notice


# ---- 2. messages in both languages -------------------------------------------------------------------------------

def test_click_refuses_a_missing_file_and_a_folder_without_documents_in_both_languages(tmp_path):
    missing = luzhi("validate", tmp_path / "nowhere.txt")
    assert missing.returncode == 2
    assert "不存在" in missing.stderr and "does not exist" in missing.stderr, missing.stderr
    folder = luzhi("build", "--store", tmp_path / "store", tmp_path)  # a folder stands for its documents: none here
    assert folder.returncode == 2
    assert "中没有文档" in folder.stderr and "hold no document" in folder.stderr, folder.stderr


def test_serve_on_a_taken_port_says_so_in_both_languages_before_building(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        answer = luzhi("serve", "--store", tmp_path / "store", "--port", port, cwd=tmp_path)
    assert answer.returncode != 0
    assert f"端口 {port}" in answer.stderr and "already in use" in answer.stderr, answer.stderr
    assert not (tmp_path / "store").exists()  # refused before building the bundled documents


@pytest.fixture(scope="module")
def small_store(tmp_path_factory) -> Path:
    return fill_small_store(tmp_path_factory.mktemp("headers") / "store")


def _raw(url: str, head: bytes) -> bytes:
    return raw_answer(url, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + head + b"\r\n")


def _assert_luzhis_431(answer: bytes) -> None:
    head, _sep, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431 "), answer[:300]
    assert b"text/plain; charset=utf-8" in head.lower()
    assert in_both_languages(body.decode("utf-8").strip().removeprefix("431 ")), body


def test_a_request_head_too_large_is_luzhis_431_under_luzhi_serve(small_store):
    with serve(Config(store_path=small_store), luzhi_serve=True) as server:
        _assert_luzhis_431(_raw(server.base, b"X-Long: " + b"a" * 70_000 + b"\r\n"))
        _assert_luzhis_431(_raw(server.base, b"".join(b"X-%d: 1\r\n" % n for n in range(101))))


def test_a_request_head_too_large_is_luzhis_431_under_gunicorn(small_store, tmp_path):
    with gunicorn(small_store, tmp_path, workers=1) as url:
        _assert_luzhis_431(_raw(url, b"X-Long: " + b"a" * 9_000 + b"\r\n"))
        _assert_luzhis_431(_raw(url, b"".join(b"X-%d: 1\r\n" % n for n in range(101))))


def _assert_luzhis_plain(answer: bytes, status: int) -> None:
    head, _sep, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 %d " % status), answer[:300]
    assert b"text/plain; charset=utf-8" in head.lower() and b"<html" not in body.lower()
    assert in_both_languages(body.decode("utf-8").strip().removeprefix(f"{status} ")), body


# Cold review 28: under luzhi serve the first was answered as HTTP/0.9 (no status line), the next two 200; gunicorn
# answered the last with its own HTML page.
MALFORMED_AS_GUNICORN_SEES_THEM = [b"GET /\r\n\r\n", b"GET / HTTP/1.10\r\n\r\n",
                                   b"GET / HTTP/1.1\r\nHost: a\r\nNo colon here\r\n\r\n",
                                   b"GET / HTTP/1.1\r\n: x\r\n\r\n",
                                   b"GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n folded\r\n\r\n",
                                   # Cold review 29: luzhi serve took the body's length from these (request smuggling
                                   # behind a proxy that reads them the other way); gunicorn refuses them.
                                   b"POST /sparql HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                                   b"0\r\n\r\n",
                                   b"POST /sparql HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nASK {}",
                                   b"POST /sparql HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
                                   b"POST /sparql HTTP/1.1\r\nContent-Length: +6\r\n\r\nASK {}",
                                   b"POST /sparql HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
                                   b"POST /sparql HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
                                   b"POST /sparql HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"]
# A transfer coding neither server decodes: 501; an expectation other than 100-continue: 417 (gunicorn's English
# pages before; luzhi serve ignored the expectation).
UNSUPPORTED = [(b"POST /sparql HTTP/1.1\r\nTransfer-Encoding: br, chunked\r\n\r\n0\r\n\r\n", 501),
               (b"GET / HTTP/1.1\r\nExpect: 200-ok\r\n\r\n", 417),
               (b"GET / HTTP/1.1\r\nExpect: 100-continue\r\nExpect: 200-ok\r\n\r\n", 417)]  # cold review 31


def test_a_request_that_is_not_http_is_luzhis_400_under_luzhi_serve(small_store, capsys, caplog):
    """Cold review: http.server's English HTML page answered a malformed request line; cold review 29: each refused
    line logged a traceback (the log line read the request line before it was set)."""
    with serve(Config(store_path=small_store), luzhi_serve=True) as server:
        _assert_luzhis_plain(raw_answer(server.base, b"GARBAGE\r\n\r\n"), 400)
        _assert_luzhis_plain(raw_answer(server.base, b"GET / FOO/1.1\r\n\r\n"), 400)
        _assert_luzhis_plain(raw_answer(server.base, b"GET / HTTP/2.0\r\n\r\n"), 505)
        for malformed in MALFORMED_AS_GUNICORN_SEES_THEM:
            _assert_luzhis_plain(raw_answer(server.base, malformed), 400)
        for unsupported, status in UNSUPPORTED:
            _assert_luzhis_plain(raw_answer(server.base, unsupported), status)
        assert requests.get(f"{server.base}/health", timeout=60).status_code == 200
    assert "Traceback" not in capsys.readouterr().err  # socketserver's print of an error in the handler
    assert any("GET / HTTP/1.10" in record.getMessage() for record in caplog.records), caplog.text  # logged


def test_a_request_that_is_not_http_is_luzhis_400_under_gunicorn(small_store, tmp_path):
    with gunicorn(small_store, tmp_path, workers=1) as url:
        _assert_luzhis_plain(raw_answer(url, b"GARBAGE\r\n\r\n"), 400)
        _assert_luzhis_plain(raw_answer(url, b"GET / FOO/1.1\r\n\r\n"), 400)
        _assert_luzhis_plain(raw_answer(url, b"GET / HTTP/1.1\r\nBad Header Name: x\r\n\r\n"), 400)
        _assert_luzhis_plain(raw_answer(url, b"GET / HTTP/2.0\r\n\r\n"), 505)  # 400 before, 505 under luzhi serve
        # A body the app did not read, read by gunicorn after the answer: its error was its own HTML page.
        answer = raw_answer(url, b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 200 "), answer[:300]
        _assert_luzhis_plain(answer[answer.index(b"HTTP/1.1 400 "):], 400)
        for malformed in MALFORMED_AS_GUNICORN_SEES_THEM:
            _assert_luzhis_plain(raw_answer(url, malformed), 400)
        for unsupported, status in UNSUPPORTED:
            _assert_luzhis_plain(raw_answer(url, unsupported), status)
        # gunicorn itself takes `gzip, chunked` and passed the body on still compressed: the app refuses it
        packed = gzip.compress(b"query=ASK%7B%7D")
        answer = raw_answer(url, b"POST /sparql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n"
                                 b"Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\r\n"
                                 + b"%x\r\n%s\r\n0\r\n\r\n" % (len(packed), packed))
        assert answer.startswith(b"HTTP/1.1 501 ") and "only chunked" in answer.decode("utf-8", "replace"), answer[:400]
        assert requests.get(f"{url}/health", timeout=60).status_code == 200


# ---- 3. .json of a resource without a table ----------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/doc/division/140226207", "/doc/category/ping-an-fa-zhi"])
def test_a_json_a_resource_has_not_names_its_jsonld(live_server, path):
    answer = requests.get(f"{live_server.url}{path}.json", timeout=60)
    assert answer.status_code == 404 and answer.headers["Content-Type"].startswith("application/json")
    error = answer.json()["error"]
    assert in_both_languages(error), error
    jsonld = f"{live_server.url}{path}.jsonld"
    assert jsonld in error, error
    assert requests.get(jsonld, timeout=60).status_code == 200


@pytest.mark.parametrize(("lengths", "codings", "version", "status"), [
    (["6 "], [], "HTTP/1.1", 0),  # white space around a value is no part of it (RFC 9110 §5.5)
    ([], ["Chunked"], "HTTP/1.1", 0),  # codings are case-insensitive
    ([], ["gzip", "chunked"], "HTTP/1.1", 501),  # two header lines are one list
    ([" +6"], [], "HTTP/1.1", 400),
    (["6", "6"], [], "HTTP/1.1", 400),
    ([], ["chunked"], "HTTP/1.0", 400),
])
def test_body_framing_as_gunicorn_reads_it(lengths, codings, version, status):
    from luzhi.server.http_servers import body_framing_problem

    assert body_framing_problem(lengths, codings, version)[0] == status


def test_luzhi_serve_invites_a_body_once_and_never_one_it_refuses(small_store):
    """Cold review 31: under luzhi serve `Expect: 100-continue` got two `100 Continue` lines (http.server's and
    Werkzeug's), and one before the 400 of a body framed wrong: the client was invited to send what was refused."""
    with serve(Config(store_path=small_store), luzhi_serve=True) as server:
        refused = raw_answer(server.base, b"POST /sparql HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: -1\r\n"
                                          b"Connection: close\r\n\r\n")
        _assert_luzhis_plain(refused, 400)
        body = b"query=ASK%7B%7D"
        taken = raw_answer(server.base, b"POST /sparql HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                                        b"Content-Type: application/x-www-form-urlencoded\r\n"
                                        b"Accept: application/json\r\nContent-Length: %d\r\n"
                                        b"Connection: close\r\n\r\n%s" % (len(body), body))
        assert taken.count(b"100 Continue") == 1 and b"HTTP/1.1 200 " in taken, taken[:300]
        old = raw_answer(server.base, b"POST /sparql HTTP/1.0\r\nExpect: 100-continue\r\n"
                                      b"Content-Type: application/x-www-form-urlencoded\r\n"
                                      b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        assert b"100 Continue" not in old and b" 200 " in old.partition(b"\r\n")[0], old[:300]  # HTTP/1.0: ignored
