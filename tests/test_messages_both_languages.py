"""Messages that were still in one language, each now Chinese then English after " / " (or, in the reports,
one field per language), over the real app, the real CLI or the ETL's own records.

1. every refusal of /sparql (no query, 413, 414, 415, 406, a bad `format=`, updates, limits …): they were
   English only; the statuses are the SPARQL 1.1 Protocol's and stay what they were;
2. the data-quality issues of `luzhi build --report` and `luzhi validate` (numbering-gap, count-mismatch …):
   Chinese only, and `--lang en` showed `code: <the Chinese>`;
3. the error page's heading: Werkzeug's English status name ("405 Method Not Allowed").
(The 503s of a full pool, a dead worker and a timeout are asserted where those are made to happen:
tests/test_hardening_http.py, tests/test_worker_death.py, tests/test_sparql_limits.py.)
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from sparql_server import FILLER_GRAPH, fill_small_store, serve
from test_review_messages import BROWSER, in_both_languages
from werkzeug.exceptions import default_exceptions
from werkzeug.http import HTTP_STATUS_CODES

from luzhi.server.config import Config
from luzhi.server.views.common import status_name

REPO = Path(__file__).resolve().parent.parent
_CJK = re.compile(r"[\u4e00-\u9fff]")
LIMIT = 4096  # max_request_bytes of the server below: small, so 413 and 414 need no megabytes
ROWS = 10  # max_result_rows

# ---- 1. /sparql refusals ---------------------------------------------------------------------------------------

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}
# name: (method, path and query parameters, headers, body, the status the protocol gives it)
REFUSALS = {
    "no query in a form": ("POST", {"default-graph-uri": "http://example.org/g"}, FORM, b"", 400),
    "an empty query": ("GET", {"query": " "}, {}, None, 400),
    "an empty body": ("POST", {}, DIRECT, b"  ", 400),
    "two queries": ("GET", [("query", "ASK {}"), ("query", "ASK {}")], {}, None, 400),
    "a query in the body and the URL": ("POST", {"query": "ASK {}"}, DIRECT, b"ASK {}", 400),
    "a body over the limit": ("POST", {}, DIRECT, b"ASK {} #" + b"x" * LIMIT, 413),
    "a URL over the limit": ("GET", {"query": "ASK {} #" + "x" * LIMIT}, {}, None, 414),
    "no Content-Type": ("POST", {}, {"Content-Type": ""}, b"ASK {}", 415),
    "an unsupported Content-Type": ("POST", {}, {"Content-Type": "text/plain"}, b"ASK {}", 415),
    "a charset other than UTF-8": ("POST", {}, {"Content-Type": "application/sparql-query; charset=latin-1"},
                                   b"ASK {}", 415),
    "a body not in UTF-8": ("POST", {}, DIRECT, b"ASK { \xff }", 400),
    "a form not in UTF-8": ("POST", {}, FORM, b"query=ASK%20%7B%7D%FF", 400),
    "an Accept nothing fits": ("GET", {"query": "ASK {}"}, {"Accept": "image/png"}, None, 406),
    "a service description nobody accepts": ("GET", {}, {"Accept": "image/png"}, None, 406),
    "an unknown format=": ("GET", {"query": "ASK {}", "format": "nope"}, {}, None, 400),
    "a format= of the other query form": ("GET", {"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "csv"}, {},
                                          None, 400),
    "update=": ("GET", {"update": "CLEAR ALL"}, {}, None, 403),
    "application/sparql-update": ("POST", {}, {"Content-Type": "application/sparql-update"}, b"CLEAR ALL", 403),
    "an update as the query": ("GET", {"query": "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }"}, {}, None,
                               403),
    # Cold review 29: a prologue or a comment alone was refused as an update ("read-only", 403).
    "a prologue without a query": ("GET", {"query": "PREFIX lz: <https://w3id.org/luzhi/def#>"}, {}, None, 400),
    "a commented-out query": ("POST", {}, DIRECT, b"# SELECT * { ?s ?p ?o }", 400),
    "a graph IRI that is no IRI": ("GET", {"query": "ASK {}", "named-graph-uri": "no iri"}, {}, None, 400),
    "brackets nested too deeply": ("POST", {}, DIRECT, b"ASK { FILTER(" + b"(" * 1100 + b"1" + b")" * 1100 + b") }",
                                   400),
    "a function the engine has not": ("GET", {"query": "SELECT (<http://example.org/f>(1) AS ?x) {}"}, {}, None, 400),
    "SERVICE": ("GET", {"query": "SELECT * { SERVICE <http://example.org/s> { ?s ?p ?o } }"}, {}, None, 403),
    "a control character in XML": ("GET", {"query": 'SELECT ?o { VALUES ?o { "a\\u0001b" } }'},
                                   {"Accept": "application/sparql-results+xml"}, None, 406),
    "a predicate RDF/XML cannot write": ("GET", {"query": 'CONSTRUCT { <http://x/a> <http://x/1> "v" } WHERE {}'},
                                         {"Accept": "application/rdf+xml"}, None, 406),
    "more rows than max_result_rows": ("GET", {"query": f"SELECT * {{ GRAPH <{FILLER_GRAPH}> {{ ?s ?p ?o }} }}"}, {},
                                       None, 400),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = fill_small_store(tmp_path_factory.mktemp("messages") / "store")
    with serve(Config(store_path=store, max_request_bytes=LIMIT, max_result_rows=ROWS)) as running:
        yield running


@pytest.mark.parametrize("case", REFUSALS)
def test_every_sparql_refusal_is_in_both_languages_with_its_protocol_status(server, case):
    method, params, headers, body, status = REFUSALS[case]
    response = requests.request(method, server.endpoint, params=params, headers=headers, data=body, timeout=120)
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    first = response.text.splitlines()[0]
    assert in_both_languages(first), first


# Where /sparql's refusals are written: each literal message must be Chinese, then English after " / ".
REFUSAL_SOURCES = ("server/sparql/protocol.py", "server/views/sparql.py", "store/service_check.py",
                   "store/query_worker.py", "store/executor.py")
REFUSAL_CALLS = {"ProtocolError", "QueryRefused", "WorkerFailed", "Answer"}


def _literal_text(node: ast.expr, constants: dict[str, str] | None = None) -> str | None:
    """The constant text of a string literal or f-string, else None. A placeholder naming one of the module's
    string `constants` is that text (`f"{SYNTAX_ERROR}: …"`, store/service_check.py); others are dropped."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        constants = constants or {}
        return "".join(part.value if isinstance(part, ast.Constant) else
                       constants.get(getattr(part.value, "id", ""), "") for part in node.values)
    return None


def _string_constants(tree: ast.Module) -> dict[str, str]:
    return {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
            for target in node.targets if isinstance(target, ast.Name)}


def _refusal_messages() -> list[tuple[str, int, str]]:
    found = []
    for source in REFUSAL_SOURCES:
        tree = ast.parse((REPO / source).read_text(encoding="utf-8"))
        constants = _string_constants(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in REFUSAL_CALLS):
                continue
            if node.func.id == "Answer":  # only what the client reads: a refusal's or a failed start's message
                status = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
                candidates = [k.value for k in node.keywords if k.arg == "message" and status in ("refused", "error")]
            else:
                candidates = [arg for arg in node.args if not isinstance(arg, ast.Constant) or
                              isinstance(arg.value, str)]
            for candidate in candidates:
                text = _literal_text(candidate, constants)
                if text is not None:
                    found.append((source, node.lineno, text))
    return found


def test_every_refusal_written_for_sparql_is_in_both_languages():
    messages = _refusal_messages()
    assert len(messages) >= 35, len(messages)  # the count when this was written: the walk must not go blind
    # An error that only passes the engine's words on (`{type}: {error}`) has no sentence of ours to translate.
    ours = [(source, line, text) for source, line, text in messages if re.search(r"[A-Za-z]{3}", text)]
    wrong = [(source, line, text) for source, line, text in ours
             if not (" / " in text and _CJK.search(text.partition(" / ")[0]))]
    assert not wrong, wrong


# ---- 2. the data-quality issues of the build and validation reports ------------------------------------------

def _message_makers() -> dict[str, ast.Tuple]:
    """The `(Chinese, English)` tuple each function of etl/ returns, by the function's name: an issue whose
    messages a helper writes (`zh, en = wrapped_line_message(…)`) is checked at that helper's literals."""
    makers = {}
    for source in (REPO / "etl").glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                returned = [r.value for r in ast.walk(node) if isinstance(r, ast.Return)]
                if len(returned) == 1 and isinstance(returned[0], ast.Tuple) and len(returned[0].elts) == 2:
                    makers[node.name] = returned[0]
    return makers


def _made_by(function: ast.FunctionDef, chinese: ast.expr, english: ast.expr) -> tuple[ast.expr, ast.expr]:
    """`chinese`, `english` as literals: themselves, or the tuple of the helper they were unpacked from in
    `function` (`zh, en = helper(…)`), or the literals they were assigned in it (`zh = f"…"`)."""
    if not (isinstance(chinese, ast.Name) and isinstance(english, ast.Name)):
        return chinese, english
    assigned = {node.targets[0].id: node.value for node in ast.walk(function)
                if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)}
    if chinese.id in assigned and english.id in assigned:
        return assigned[chinese.id], assigned[english.id]
    for node in ast.walk(function):
        if (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple)
                and [getattr(t, "id", None) for t in node.targets[0].elts] == [chinese.id, english.id]
                and isinstance(node.value, ast.Call)):
            made = _message_makers().get(getattr(node.value.func, "id", ""))
            if made is not None:
                return made.elts[0], made.elts[1]
    return chinese, english


def _issue_sites() -> list[tuple[int, ast.expr, ast.expr]]:
    """(line, Chinese message, English message) of every issue the ETL makes: `self._issue(code, zh, en, …)` in
    etl/items.py, `Issue(code, zh, …, message_en=en)` in etl/to_rdf.py, etl/numbering.py, etl/readers/excel.py
    (a hidden sheet) and etl/readers/hidden.py (hidden rows of Excel, Word and HTML, cold review 21)."""
    sites = []
    for source in ("etl/items.py", "etl/to_rdf.py", "etl/numbering.py", "etl/truncation.py", "etl/readers/excel.py",
                   "etl/readers/hidden.py"):
        tree = ast.parse((REPO / source).read_text(encoding="utf-8"))
        functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in ("_issue", "Issue") or (name == "Issue" and source == "etl/items.py"):
                continue  # items.py's `Issue` is `_issue` itself
            within = next(f for f in functions if f.lineno <= node.lineno <= f.end_lineno
                          and not any(g is not f and f.lineno < g.lineno <= node.lineno <= g.end_lineno
                                      for g in functions))
            english = node.args[2] if name == "_issue" else next(k.value for k in node.keywords
                                                                 if k.arg == "message_en")
            sites.append((node.lineno, *_made_by(within, node.args[1], english)))
    return sites


def test_every_issue_the_etl_makes_has_a_chinese_and_an_english_message():
    sites = _issue_sites()
    # etl/items.py 35 (outline-subpoints, the Warning of a row whose 序号 cannot be read, a list starting past 1,
    # a 序号 sharing its title's cell, a 序号 in Chinese numerals and a total row added), etl/to_rdf.py 3,
    # etl/numbering.py 6, etl/truncation.py 1, etl/readers/excel.py 1, etl/readers/hidden.py 1: a new site must be
    # counted here
    assert len(sites) == 47
    for line, chinese, english in sites:
        zh, en = _literal_text(chinese), _literal_text(english)
        assert zh is not None and _CJK.search(zh), line
        # English words; the data's Chinese (序号, a quoted name) may stand in it, as in the ParseErrors.
        assert en is not None and re.search(r"[A-Za-z]{2,} [a-z]{2,}", en), line


# 耿庄镇 (tests/test_review_messages.py): a real township, so the document builds. Its issues: a list title
# declaring 4 items over 3 rows (count-mismatch), 序号 1, 2, 4 (numbering-gap), a 序号 that is no number
# (unparsed-line), no take-back list (list-missing).
DOCUMENT = """辽宁省鞍山市海城市耿庄镇履行职责事项清单
基本履职事项清单（4项）
序号\t事项名称
1\t加强党的政治建设
2\t落实全面从严治党主体责任
4\t抓好党委自身建设
第五\t不是数字的序号
配合履职事项清单
序号\t事项名称\t对应上级部门\t上级部门职责\t镇配合职责
1\t开展禁毒工作\t县公安局\t负责禁毒宣传教育\t组织禁毒宣传
"""
EXPECTED_CODES = {"count-mismatch", "numbering-gap", "unparsed-line", "list-missing"}


def luzhi(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "luzhi.server.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def document(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("issues") / "gengzhuang.txt"
    path.write_text(DOCUMENT, encoding="utf-8")
    return path


def test_the_build_report_gives_each_issue_in_english_too(document):
    folder = document.parent
    # --force: the document lacks its reclaimed list (one of the issues shown), a Violation since session 17
    built = luzhi("build", document.name, "--store", "store", "--report", "report.json", "--force", cwd=folder)
    assert built.returncode == 0, built.stderr
    (report,) = json.loads((folder / "report.json").read_text(encoding="utf-8"))["documents"]
    assert {issue["code"] for issue in report["issues"]} >= EXPECTED_CODES, report["issues"]
    for issue in report["issues"]:
        assert _CJK.search(issue["message"]), issue  # the Chinese string the report always had, kept
        assert re.search(r"[A-Za-z]{2,} [a-z]{2,}", issue["message_en"]), issue
    gap = next(issue for issue in report["issues"] if issue["code"] == "numbering-gap")
    assert gap["message_en"] == "序号 jumps from 2 to 4; 3 missing" and gap["lines"] == [6, 6]
    # 第五: a duty's row whose 序号 cannot be read is a Warning, the only one, named with its file and line
    warnings = [(i["code"], i["lines"]) for i in report["issues"] if i["severity"] == "Warning"]
    assert warnings == [("unparsed-line", [7, 7])]
    assert gap["severity"] == "Info"
    assert ("警告 Warning · gengzhuang.txt:7: unparsed-line: 序号「第五」无法读作数字："
            "这一行（「不是数字的序号」）没有作为事项读入") in built.stderr, built.stderr
    assert "was not read as a duty and the list may be short of it" in built.stderr


def test_validate_in_english_prints_the_issues_in_english(document):
    text = luzhi("validate", document.name, "--lang", "en", cwd=document.parent)
    assert text.returncode in (0, 1), text.stderr
    assert "序号 jumps from 2 to 4; 3 missing" in text.stdout
    assert "the basic list declares 4 items; 3 were parsed" in text.stdout
    assert "the document has no reclaimed list" in text.stdout
    assert "numbering-gap:" not in text.stdout  # the code before the Chinese was its "English" (cold review)
    as_json = luzhi("validate", document.name, "--format", "json", cwd=document.parent)
    (report,) = json.loads(as_json.stdout)["files"]
    notices = {notice["code"]: notice["message"] for notice in report["notices"]}
    assert set(notices) >= EXPECTED_CODES
    assert notices["numbering-gap"] == {"zh": "序号从 2 跳到 4，缺少 3", "en": "序号 jumps from 2 to 4; 3 missing"}
    levels = {notice["code"]: notice["severity"] for notice in report["notices"]}
    assert levels["unparsed-line"] == "Warning" and levels["numbering-gap"] == "Info"
    assert ("  - Warning · the 序号 「第五」 cannot be read as a number, so this row (「不是数字的序号」) was not "
            "read as a duty") in text.stdout and "[line 7]" in text.stdout
    chinese = luzhi("validate", document.name, cwd=document.parent)
    assert "  - 警告 · 序号「第五」无法读作数字" in chinese.stdout and "（第 7 行）" in chinese.stdout


def test_validate_pages_show_a_duty_row_not_read_as_a_warning(live_server, document):
    """POST /validate's HTML report marks the row whose 序号 cannot be read as a Warning (警告), in each language; the
    other issues stay plain notices."""
    upload = {"file": (document.name, document.read_bytes())}
    for query, word, text in (("", "警告", "序号「第五」无法读作数字"),
                              ("?lang=en", "Warning", "cannot be read as a number")):
        page = requests.post(f"{live_server.url}/validate{query}", files=upload, headers={"Accept": "text/html"},
                             timeout=120)
        assert page.status_code in (200, 422), page.text[:500]
        notices = page.text.split("<h3>说明</h3>" if not query else "<h3>Notices</h3>", 1)[1]
        (warning,) = re.findall(r'<li class="warning">(.*?)</li>', notices)
        assert f"<strong>{word}</strong> · " in warning and text in warning
        assert '<li class="info">' in notices  # numbering-gap and the rest


# ---- 3. the error page's heading -------------------------------------------------------------------------------

def test_the_error_pages_heading_names_the_status_in_both_languages(server):
    response = requests.delete(server.endpoint, headers={"Accept": BROWSER}, timeout=60)
    assert response.status_code == 405 and response.headers["Allow"]  # the protocol's answer, unchanged
    assert "<h1>405 不允许的请求方法 / Method Not Allowed</h1>" in response.text, response.text
    assert "<title>405 不允许的请求方法 / Method Not Allowed" in response.text


@pytest.mark.parametrize("status", sorted(default_exceptions))
def test_every_status_werkzeug_can_raise_has_a_chinese_name(status):
    zh, separator, en = status_name(status).partition(" / ")
    assert separator and _CJK.search(zh) and en == HTTP_STATUS_CODES[status]


def test_a_status_without_a_chinese_name_keeps_its_english_one():
    """The error page must not fail on a status the table lacks (a KeyError there would be a 500)."""
    assert status_name(207) == HTTP_STATUS_CODES[207]
    assert status_name(599) == "Error"
