"""A document cut short must not pass as whole (cold review: sample 000 cut in half conformed with two count
Warnings, and its half row loaded as a duty). The document's own structure shows the cut: a list its table of
contents names and its body lacks, and a row missing a cell its list fills everywhere else (docs/validation.md).
Both engines, through `luzhi validate` and a real `luzhi build`, on sample 000 cut as a download would be.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from build_helpers import nquads

from luzhi.etl.build import bundled_documents

SAMPLE = bundled_documents()[0]  # 耿庄镇: its contents (line 9) name the reclaimed list, which starts at line 396
BASE = "http://127.0.0.1:5000"
COOPERATIVE = f"{BASE}/id/list/210381121/cooperative"
RECLAIMED = f"{BASE}/id/list/210381121/reclaimed"


def _cut(tmp_path, keep: str) -> str:
    """Sample 000 up to the first occurrence of `keep`'s end, as a file named like the sample."""
    text = SAMPLE.read_text(encoding="utf-8")
    path = tmp_path / SAMPLE.name
    path.write_text(text[: text.index(keep) + len(keep)], encoding="utf-8")
    return str(path)


def _validate(path: str, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "luzhi.server.cli", "validate", *options, path],
                          capture_output=True, text=True, timeout=300)


def _violations(path: str, engine: str) -> tuple[set, list]:
    run = _validate(path, "--format", "json", "--engine", engine)
    assert run.returncode == 1, run.stdout + run.stderr  # a Violation
    report = json.loads(run.stdout)["files"][0]
    found = {(r["sourceShape"].rsplit("#", 1)[1], r["focusNode"], r["value"], tuple(r["lines"] or ()))
             for r in report["results"] if r["severity"] == "Violation"}
    return found, report["notices"]


# The body ends after the cooperative list's last row (line 394), before 上级部门收回事项清单 (line 396).
BEFORE_RECLAIMED = "相关证明材料，及时上报。</p>\n"


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_list_the_contents_name_but_the_body_lacks_refuses_the_document(tmp_path, engine):
    path = _cut(tmp_path, BEFORE_RECLAIMED)
    found, notices = _violations(path, engine)
    assert found == {("DutyList-itemCount", RECLAIMED, "0", ())}
    missing = [n for n in notices if n["code"] == "list-missing"]
    assert [(n["lines"], "目录第 9 行" in n["message"]["zh"], "cut short" in n["message"]["en"]) for n in missing] \
        == [([9, 9], True, True)]


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_document_without_contents_cut_before_its_last_list_refuses_it(tmp_path, engine):
    """Sample 003 has no table of contents to name its lists: cut before its reclaimed list, it conformed and
    loaded (cold review). Every township's document has all three lists: the missing one is a Violation."""
    sample = bundled_documents()[3]
    text = sample.read_text(encoding="utf-8")
    path = tmp_path / sample.name
    path.write_text(text[: text.index("上级部门收回事项清单")], encoding="utf-8")
    found, notices = _violations(str(path), engine)
    assert found == {("DutyList-itemCount", f"{BASE}/id/list/140226207/reclaimed", "0", ())}
    assert [n["message"]["en"] for n in notices if n["code"] == "list-missing"] \
        == ["the document has no reclaimed list (上级部门收回事项清单)"]


# Row 75 of the cooperative list (line 286) cut inside its 上级部门职责: its 镇配合职责 cell never comes.
MID_ROW = "确定违法名单，对违法行为进"


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_row_cut_short_is_a_violation_at_its_line(tmp_path, engine):
    path = _cut(tmp_path, MID_ROW)
    found, _notices = _violations(path, engine)
    assert found == {
        ("CooperativeCellsShape", COOPERATIVE, f"{BASE}/id/duty/210381121/cooperative/75", (286, 286)),
        ("DutyList-itemCount", RECLAIMED, "0", ()),
    }


def test_the_text_report_gives_each_result_of_a_list_its_own_line(tmp_path):
    run = _validate(_cut(tmp_path, MID_ROW), "--lang", "en")
    cells = next(line for line in run.stdout.splitlines() if "cooperative duty missing a responsibility cell" in line)
    assert "(line 286; path https://w3id.org/luzhi/def#townshipResponsibility;" in cells, run.stdout
    declared = next(line for line in run.stdout.splitlines() if "list declared count disagrees" in line)
    assert "line" not in declared.split("(path")[-1]  # the list's own count has no line of its own
    assert "summed over its category headings" in declared  # the 89 is no count the document wrote


def test_a_build_loads_none_of_a_cut_document(tmp_path):
    """With --keep-going the cut document is quarantined and the whole one beside it loads; the store holds
    exactly what a build of the whole one alone holds (no half row, no half list)."""
    cut = _cut(tmp_path, MID_ROW)
    whole = str(bundled_documents()[1])
    command = [sys.executable, "-m", "luzhi.server.cli", "build", "--base", BASE, "--keep-going"]
    both = subprocess.run([*command, "--store", str(tmp_path / "both"), cut, whole],
                          capture_output=True, text=True, timeout=600)
    assert both.returncode == 0, both.stderr
    assert "1 documents loaded, 1 quarantined" in both.stdout + both.stderr, both.stdout + both.stderr
    assert "CooperativeCellsShape" in both.stdout + both.stderr
    alone = subprocess.run([*command, "--store", str(tmp_path / "alone"), whole],
                           capture_output=True, text=True, timeout=600)
    assert alone.returncode == 0, alone.stderr
    assert b"/id/duty/210381121/" not in nquads(tmp_path / "both")
    assert nquads(tmp_path / "both").count(b"\n") == nquads(tmp_path / "alone").count(b"\n")


def test_a_row_cut_short_in_a_csv_is_named_by_its_record(tmp_path):
    """Outside a text source the place is the file's own (docs/parsing.md): the duty's record, also where the
    focus is its list, whose provenance names the whole file (it hid the duty's place)."""
    text = Path(_cut(tmp_path, MID_ROW)).read_text(encoding="utf-8")
    path = tmp_path / "cut.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(line.split("\t") for line in text.split("\n"))
    run = _validate(str(path), "--format", "json")
    assert run.returncode == 1, run.stdout + run.stderr
    cells = [r for r in json.loads(run.stdout)["files"][0]["results"]
             if r["sourceShape"].endswith("#CooperativeCellsShape")]
    assert [(r["value"], r["place"]["fragment"], r["place"]["en"]) for r in cells] \
        == [(f"{BASE}/id/duty/210381121/cooperative/75", "row=286", "row 286")]
