"""Rows of sample 000 that must not pass as whole (cold review): a duty whose 事项名称 is empty (line 21 `7<TAB>`)
was published with `dct:title ""@zh`, and a row whose 序号 cannot be read (line 25 `9a<TAB>…`) was only a Warning
notice while the build loaded 310 of 311 duties. Both are now Violations at their line, through `luzhi validate`
(both engines) and a real `luzhi build`, which refuses the document unless --force (docs/validation.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from build_helpers import nquads
from sparql_server import serve

from luzhi.etl.build import bundled_documents
from luzhi.server.config import Config

SAMPLE = bundled_documents()[0]
BASE = "http://127.0.0.1:5000"
CLI = [sys.executable, "-m", "luzhi.server.cli"]


def _changed(tmp_path: Path, line: int, edit) -> Path:
    """Sample 000 with its line `line` (1-based) replaced by `edit(old)`, named like the sample."""
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    lines[line - 1] = edit(lines[line - 1])
    path = tmp_path / SAMPLE.name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _empty_title(tmp_path: Path) -> Path:
    return _changed(tmp_path, 21, lambda old: "7\t")


def _unread_number(tmp_path: Path) -> Path:
    return _changed(tmp_path, 25, lambda old: "9a" + old.removeprefix("9"))


def _violations(path: Path, engine: str) -> tuple[subprocess.CompletedProcess, list[dict]]:
    run = subprocess.run([*CLI, "validate", "--format", "json", "--engine", engine, str(path)],
                         capture_output=True, text=True, timeout=300)
    results = json.loads(run.stdout)["files"][0]["results"]
    return run, [r for r in results if r["severity"] == "Violation"]


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_duty_with_an_empty_title_is_a_violation_at_its_line(tmp_path, engine):
    run, violations = _violations(_empty_title(tmp_path), engine)
    assert run.returncode == 1, run.stdout + run.stderr
    assert [(r["sourceShape"].rsplit("#", 1)[1], r["focusNode"], r["lines"]) for r in violations] \
        == [("Duty-title", f"{BASE}/id/duty/210381121/basic/7", [21, 21])]
    assert "写上事项名称" in violations[0]["message"]["zh"]
    assert "write its 事项名称" in violations[0]["message"]["en"]


def test_an_empty_title_is_not_published_as_an_empty_literal(tmp_path):
    """Built anyway (--force), the duty has no dct:title and no rdfs:label rather than `""@zh`."""
    store = tmp_path / "store"
    run = subprocess.run([*CLI, "build", "--base", BASE, "--force", "--store", str(store),
                          str(_empty_title(tmp_path))], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    quads = nquads(store)
    duty = f"<{BASE}/id/duty/210381121/basic/7>".encode()
    assert duty in quads
    assert b'""@zh' not in quads
    # Its pages say the title is empty, rather than heading the duty with its path and listing it as an empty link.
    with serve(Config(store_path=store, base=BASE, query_processes=1, page_query_processes=1)) as running:
        page = requests.get(f"{running.base}/doc/duty/210381121/basic/7", timeout=60)
        listed = requests.get(f"{running.base}/doc/list/210381121/basic", timeout=60)
        english = requests.get(f"{running.base}/doc/duty/210381121/basic/7?lang=en", timeout=60)
    assert page.status_code == listed.status_code == english.status_code == 200
    assert '<h1 class="duty-title">（事项名称为空）</h1>' in page.text
    assert '<h1 class="duty-title">(no 事项名称)</h1>' in english.text
    assert '<a href="/doc/duty/210381121/basic/7"></a>' not in listed.text
    assert '<a href="/doc/duty/210381121/basic/7">（事项名称为空）</a>' in listed.text


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_row_whose_number_cannot_be_read_fails_validation_at_its_line(tmp_path, engine):
    path = _unread_number(tmp_path)
    run, violations = _violations(path, engine)
    assert run.returncode == 1, run.stdout + run.stderr
    assert [(r["sourceShape"].rsplit("#", 1)[1], r["focusNode"], r["lines"]) for r in violations] \
        == [("UnreadRowShape", f"{BASE}/id/list/210381121/basic", [25, 25])]
    # The file validated, which the user can open; not the {base}/source/… URL of a document never loaded.
    assert violations[0]["value"] == f"{path.resolve().as_uri()}#line=24,25"
    assert violations[0]["source"] == path.resolve().as_uri()
    assert "改正这一行的序号" in violations[0]["message"]["zh"]
    assert "correct the 序号 on this line" in violations[0]["message"]["en"]


def test_the_build_refuses_a_row_whose_number_cannot_be_read_unless_forced(tmp_path):
    path = _unread_number(tmp_path)
    command = [*CLI, "build", "--base", BASE]
    refused = subprocess.run([*command, "--store", str(tmp_path / "refused"), str(path)],
                             capture_output=True, text=True, timeout=600)
    said = refused.stdout + refused.stderr
    assert refused.returncode != 0, said
    assert "line 25 [UnreadRowShape]" in said and SAMPLE.name in said, said
    forced = subprocess.run([*command, "--force", "--store", str(tmp_path / "forced"), str(path)],
                            capture_output=True, text=True, timeout=600)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert f"<{BASE}/source/210381121/{SAMPLE.name}#line=24,25>".encode() in nquads(tmp_path / "forced")


def test_the_text_report_gives_each_result_its_line_in_the_reports_language(tmp_path):
    """The unread row's Violation names its line and no `…#line=` URL; zh punctuation in zh, English plurals in en
    (cold reviews 23 and 24: `[第 14 行]`, `清单有一行序号无法读取: `, `1 violations`)."""
    path = _unread_number(tmp_path)
    zh, en = (subprocess.run([*CLI, "validate", "--lang", lang, str(path)], capture_output=True, text=True,
                             timeout=300).stdout for lang in ("zh", "en"))
    violation = next(line for line in zh.splitlines() if line.startswith("  违规"))
    assert violation.startswith("  违规 · 清单有一行序号缺失或无法读取：")
    assert violation.endswith("照常载入（第 25 行）")
    assert "/dang-de-jian-she  （第 14 行）" in zh and "[" not in zh and "#line=" not in zh and ": " not in zh
    assert "does not conform — 1 violation, 3 warnings, 0 infos (" in en and "/dang-de-jian-she  [line 14]" in en
    assert "#line=" not in en
