"""What the command line says when something is wrong, as a user in a terminal or a log sees it (issue 11).

Regressions: a wrong `--store` printed a 25-line traceback; an undeclared SPARQL prefix drowned
"Prefix not found" in six lines of Unicode ranges; the build table was cut at 80 columns in logs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests

from luzhi.etl.build import bundled_documents
from luzhi.store.oxigraph import OxigraphStore


def luzhi(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    # stdout and stderr are pipes, as in a log: not a terminal.
    return subprocess.run([sys.executable, "-m", "luzhi.server.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


@pytest.mark.parametrize("command", [["query", "ASK {}"], ["export"]])
def test_a_missing_store_is_one_line_and_exit_2(tmp_path, command):
    missing = tmp_path / "no-such-store"
    result = luzhi(*command, "--store", str(missing))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: --store {missing}: {missing} 处没有 luzhi 存储（请先运行 luzhi build --store {missing}） / no luzhi "
        f"store at {missing} (run `luzhi build --store {missing}`)"]  # in both languages (cold review 29)
    assert "Traceback" not in result.stderr


def test_serve_on_a_file_is_one_line_and_exit_2(tmp_path):
    a_file = tmp_path / "store.ttl"
    a_file.write_text("", encoding="utf-8")
    result = luzhi("serve", "--store", str(a_file), "--port", "0")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "not a directory" in result.stderr


PROLOGUE_LINE = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"


def test_an_undeclared_prefix_says_which_and_the_line_to_add(live_server):
    response = requests.get(live_server.url + "/sparql",
                            params={"query": "SELECT ?c WHERE { ?c skos:prefLabel ?l ; ex:x ?y } LIMIT 1"})
    assert response.status_code == 400
    lines = response.text.strip().splitlines()
    assert lines == ["SPARQL 语法错误：前缀 skos:, ex: 未声明，请在查询开头加上 / SPARQL syntax error: "
                     "undeclared prefix skos:, ex: — add at the top of the query:",
                     PROLOGUE_LINE, "PREFIX ex: <…namespace IRI…>"]


def test_a_declared_prefix_is_not_blamed(live_server):
    response = requests.get(live_server.url + "/sparql", params={"query": f"{PROLOGUE_LINE} SELECT ?c WHERE {{ ?c"})
    assert response.status_code == 400 and "undeclared" not in response.text


def test_luzhi_query_says_the_same(built_store):
    result = luzhi("query", "SELECT ?c WHERE { ?c skos:prefLabel ?l } LIMIT 1", "--store", str(built_store.path))
    assert result.returncode == 2
    assert "undeclared prefix skos:" in result.stderr and PROLOGUE_LINE in result.stderr
    assert "\\u{" not in result.stderr


def test_build_table_is_whole_in_a_log(tmp_path):
    document = bundled_documents()[1]
    result = luzhi("build", str(document), "--store", str(tmp_path / "store"))
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stderr  # rich's ellipsis: a cut cell
    assert document.name in result.stderr and "cooperative" in result.stderr
    table = [line for line in result.stderr.splitlines() if line.startswith(("┃", "│"))]
    assert table and max(len(line) for line in table) > 80
    # No progress bar in a log, but one line per phase with its time, so a slow build says where it was slow.
    phases = [line.split(":")[0] for line in result.stderr.splitlines() if line.rstrip().endswith(" s")]
    assert phases == ["parse", "load", "ontology", "derived graphs (their own process since the load)",
                      "shared graph", "duty kinds", "statistics",
                      "search index (its own process since the load)", "dumps"]
    assert "parse: 1 documents, " in result.stderr
    # The load line counts what was loaded: the township graph's quads, not the shared resources' triples
    # (cold review: it counted every triple of the document).
    store = OxigraphStore(tmp_path / "store", read_only=True)
    try:
        township_graphs = [g for g in store.graph_names() if g.rsplit("/", 1)[-1].isdigit()]
        loaded = sum(1 for graph in township_graphs for _ in store.graph_quads(graph))
    finally:
        store.close()
    assert f"load: 1 documents, {loaded:,} triples" in result.stderr


def test_the_default_store_is_named_absolutely_and_a_new_one_said_so(tmp_path):
    """Cold review 18: `luzhi build FILE` run from another directory silently made a store there, and the
    summary said only "quads in luzhi-store"."""
    document = str(bundled_documents()[3])
    first, again = (luzhi("build", document, cwd=tmp_path) for _ in range(2))
    assert first.returncode == again.returncode == 0, first.stderr + again.stderr
    assert f"quads in {tmp_path / 'luzhi-store'} (a new store);" in first.stderr, first.stderr
    assert f"quads in {tmp_path / 'luzhi-store'};" in again.stderr, again.stderr


def test_a_large_build_is_summed_up_not_listed():
    """Past SUMMARY_ROWS documents the terminal gets one row per list kind and the issue counts (a national
    build printed 116,000 table rows); the per-document rows stay in --report."""
    from dataclasses import replace

    from rich.console import Console

    from luzhi.etl.build import BuildOptions, process_document
    from luzhi.etl.report import SUMMARY_ROWS, render_summary

    options = BuildOptions(base="http://127.0.0.1:5000")
    reports = [process_document(path, options)[3] for path in bundled_documents()]
    many = [replace(reports[i % len(reports)], file=f"copy-{i}.txt") for i in range(SUMMARY_ROWS + 1)]
    console = Console(record=True, width=200)
    render_summary(many, console)
    text = console.export_text()
    assert "copy-0.txt" not in text and f"{SUMMARY_ROWS + 1} documents" in text
    lists = {kind: [lst for r in many for lst in r.lists if lst.kind == kind]
             for kind in ("basic", "cooperative", "reclaimed")}
    rows = {cells[0]: cells[1:] for line in text.splitlines() if line.startswith("│")
            for cells in [[cell.strip() for cell in line.strip("│").split("│")]]}
    for kind, of_kind in lists.items():
        declaring = [lst for lst in of_kind if lst.declared is not None]
        # declared and parsed over the same lists, so they compare; parsed over all in the last column
        assert rows[kind] == [str(len(of_kind)), str(len(declaring)), str(sum(lst.declared for lst in declaring)),
                              str(sum(lst.parsed for lst in declaring)),
                              str(sum(lst.declared != lst.parsed for lst in declaring)),
                              str(sum(lst.parsed for lst in of_kind))]
    assert any(lst.declared is None for of_kind in lists.values() for lst in of_kind)  # the case that misled
    issues = sum(len(r.issues) for r in many)
    assert issues and sum(int(part.rsplit("×", 1)[1]) for part in text.split("issues: ")[1].split(", ")) == issues


def test_a_lists_issues_show_on_that_lists_row():
    """Cold review: sample 001's count-mismatch (its cooperative list declares 145, 144 are parsed) showed on
    the basic row of the build table."""
    from rich.console import Console

    from luzhi.etl.build import BuildOptions, process_document
    from luzhi.etl.report import render_summary

    report = process_document(bundled_documents()[1], BuildOptions(base="http://127.0.0.1:5000"))[3]
    assert any(i["code"] == "count-mismatch" and i["list"] == "cooperative" for i in report.issues)
    console = Console(width=400, record=True)
    render_summary([report], console)
    rows = {line.split("│")[4].strip(): line for line in console.export_text().splitlines() if line.count("│") > 6}
    assert "count-mismatch" in rows["cooperative"] and "count-mismatch" not in rows["basic"]
    assert "全文 document" not in rows  # no issue of the whole document: no row for it


def test_a_documents_own_issues_show_on_a_row_of_their_own():
    """Polish 22: department-type-unknown, an issue of no list, showed on the basic row as if the basic list had
    it; it has a row of its own (清单: 全文 document), and each list's issues stay on their list's row."""
    from dataclasses import replace

    from rich.console import Console

    from luzhi.etl.build import BuildOptions, process_document
    from luzhi.etl.report import render_summary

    report = process_document(bundled_documents()[1], BuildOptions(base="http://127.0.0.1:5000"))[3]
    unknown = {"code": "department-type-unknown", "message": "无法判断部门类型：县某某中心",
               "message_en": "the department 「县某某中心」 matches no known department type", "list": None,
               "lines": None, "place": None}
    console = Console(width=400, record=True)
    render_summary([replace(report, issues=(*report.issues, unknown))], console)
    lines = [line for line in console.export_text().splitlines() if line.count("│") > 6]
    rows = {line.split("│")[4].strip(): line for line in lines}
    assert list(rows) == ["basic", "cooperative", "reclaimed", "全文 document"]
    assert "department-type-unknown×1" in rows["全文 document"]
    assert all("department-type-unknown" not in rows[kind] for kind in ("basic", "cooperative", "reclaimed"))
    assert "count-mismatch" in rows["cooperative"] and "count-mismatch" not in rows["全文 document"]
    assert report.file in rows["basic"] and report.file not in rows["全文 document"]  # the file named once


def test_the_table_names_the_township_a_code_gave(tmp_path):
    """Cold review: a document without a title, loaded with `--township-code`, showed an empty 乡镇 column; the
    column names the township the document was loaded as, from the division table."""
    from dataclasses import replace

    from rich.console import Console

    from luzhi.etl.build import BuildOptions, process_document
    from luzhi.etl.report import render_summary

    source = bundled_documents()[1]
    lines = source.read_text(encoding="utf-8").splitlines()
    untitled = tmp_path / "untitled.txt"
    untitled.write_text("\n".join(line for line in lines if "履行职责事项清单" not in line or "（" in line),
                        encoding="utf-8")
    titled = process_document(source, BuildOptions(base="http://127.0.0.1:5000"))[3]
    options = BuildOptions(base="http://127.0.0.1:5000", township_codes={"untitled.txt": titled.township_code})
    report = process_document(untitled, options)[3]
    assert report.title == "" and report.township_code == titled.township_code
    console = Console(width=400, record=True)
    render_summary([replace(report, file="untitled.txt")], console)
    first = next(line for line in console.export_text().splitlines() if "untitled.txt" in line)
    assert first.split("│")[2].strip() == "黑龙江省鸡西市鸡冠区西郊乡"
