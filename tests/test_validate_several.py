"""`luzhi validate` of a township published in several files (one a list) validates them together, as the build
loads them (etl/townships.py), not file by file: each file alone lacks two lists and "does not conform"
(lzsh:DutyList-itemCount), though the three are a whole township. The files are sample 004 (额敏镇) cut at its
list headings; the verdict of the three together must be the verdict of the uncut document.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from build_helpers import NAMES, split_at_list_headings

from luzhi.etl.build import bundled_documents
from luzhi.ontology.types import ListKind

SAMPLE = next(p for p in bundled_documents() if p.name.startswith("004_"))
OTHER = next(p for p in bundled_documents() if p.name.startswith("000_"))


def validate(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "luzhi.server.cli", "validate", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def verdict(report: dict) -> tuple:
    """What a report decides, without where (the uncut document's lines are other lines of other files)."""
    results = sorted((r["severity"], r["sourceShape"], r["focusNode"], r["resultPath"] or "", r["value"] or "")
                     for r in report["results"])
    return report["conforms"], report["counts"], results


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[ListKind, Path]:
    return split_at_list_headings(SAMPLE, tmp_path_factory.mktemp("split") / "额敏镇")


@pytest.fixture(scope="module")
def whole() -> tuple[int, dict]:
    result = validate(SAMPLE, "--format", "json")
    (report,) = json.loads(result.stdout)["files"]
    return result.returncode, report


def test_the_files_together_have_the_verdict_of_the_whole_document(files, whole):
    result = validate(*files.values(), "--format", "json")
    (report,) = json.loads(result.stdout)["files"]
    assert (result.returncode, verdict(report)) == (whole[0], verdict(whole[1]))
    assert report["file"] == " + ".join(str(files[kind]) for kind in ListKind)
    # Each result at its own file's lines.
    sources = {r["source"].rsplit("/", 1)[-1] for r in report["results"] if r["source"]}
    assert sources and sources <= set(NAMES.values())
    # Each file's issues, naming it: the whole document's, no more, no fewer.
    assert sorted(n["code"] for n in report["notices"]) == sorted(n["code"] for n in whole[1]["notices"])
    assert all(n["message"]["en"].split(": ", 1)[0] in NAMES.values() for n in report["notices"])


def test_one_file_alone_still_lacks_its_townships_other_lists(files):
    result = validate(files[ListKind.COOPERATIVE], "--format", "json")
    (report,) = json.loads(result.stdout)["files"]
    assert result.returncode == 1 and not report["conforms"]
    assert {r["focusNode"].rsplit("/", 1)[-1] for r in report["results"] if r["severity"] == "Violation"} == {
        "basic", "reclaimed"}


def test_another_townships_file_beside_them_is_validated_alone_in_the_usual_text(files):
    together = validate(*files.values(), OTHER, "--lang", "en")
    alone = validate(OTHER, "--lang", "en")
    assert together.returncode == alone.returncode == 0
    assert together.stdout.endswith(alone.stdout)  # the single file's report, byte for byte
    assert together.stdout.startswith(" + ".join(str(files[kind]) for kind in ListKind) + ": conforms")


def test_a_second_file_holding_a_list_is_validated_alone_saying_why(files, tmp_path):
    again = tmp_path / "基本履职事项清单.txt"
    shutil.copyfile(files[ListKind.BASIC], again)
    result = validate(*files.values(), again, "--format", "json")
    grouped, alone = json.loads(result.stdout)["files"]
    assert grouped["file"] == " + ".join(str(files[kind]) for kind in ListKind) and grouped["conforms"]
    assert alone["file"] == str(again) and not alone["conforms"] and result.returncode == 1
    (notice,) = [n for n in alone["notices"] if n["code"] == "township-claimed-twice"]
    assert str(files[ListKind.BASIC]) in notice["message"]["zh"] and "basic list" in notice["message"]["en"]
