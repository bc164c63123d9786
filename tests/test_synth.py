"""`luzhi synth` (issue 13): real townships, documents that build, counts the parser recovers exactly.

The build test runs the two commands a user runs (`luzhi synth`, then `luzhi build DIR/*.txt
--report`) and compares the report with the manifest, document by document, list by list, category
by category. The parse test does the same for more townships without the store, and checks that
every title resolves to its own township and that no line is left unaccounted for.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from luzhi.etl.departments import split_department_cell
from luzhi.etl.divisions import chain_of, resolve_township
from luzhi.etl.parse import parse_document, unaccounted_lines
from luzhi.etl.source import read_source
from luzhi.etl.synth import SynthError, synthesize
from luzhi.etl.synth.corpus import load_corpus
from luzhi.ontology.types import ListKind

BUILT, PARSED = 20, 150


def luzhi(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "luzhi.server.cli", *args], capture_output=True, text=True)


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def by_category(lists) -> list[dict]:
    """Lists with their categories keyed by name (the report orders them by first mention)."""
    return [
        {
            **{k: v for k, v in lst.items() if k != "categories"},
            "categories": {c["category"]: c for c in lst["categories"]},
        }
        for lst in lists
    ]


@pytest.fixture(scope="module")
def parsed_set(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "docs"
    synthesize(PARSED, 2026, out)
    return out, manifest_of(out)


def test_build_report_matches_manifest(tmp_path):
    out = tmp_path / "synth"
    made = luzhi("synth", "--townships", str(BUILT), "--seed", "7", "--out", str(out))
    assert made.returncode == 0, made.stderr
    files = sorted(str(p) for p in out.glob("*.txt"))
    assert len(files) == BUILT
    report = tmp_path / "report.json"
    built = luzhi("build", *files, "--store", str(tmp_path / "store"), "--report", str(report))
    assert built.returncode == 0, built.stderr
    documents = {d["file"]: d for d in json.loads(report.read_text(encoding="utf-8"))["documents"]}
    manifest = manifest_of(out)
    assert len(manifest["documents"]) == len(documents) == BUILT
    seen = Counter()
    for planned in manifest["documents"]:
        got = documents[planned["files"][0]]
        mess = planned["messiness"]
        assert got["township_code"] == planned["township_code"]
        assert by_category(got["lists"]) == by_category(planned["lists"]), planned["name"]
        assert got["merged_rows"] == mess["extra_rows"], planned["name"]
        assert len(got["duplicate_pages_skipped"]) == mess["duplicate_pages"], planned["name"]
        issues = Counter(issue["code"] for issue in got["issues"])
        assert issues["count-mismatch"] == mess["count_mismatches"], planned["name"]
        assert issues["numbering-gap"] == mess["numbering_gaps"], planned["name"]
        assert got["validation"]["violation"] == 0, planned["name"]
        seen.update({k: v for k, v in mess.items() if v})
        seen[planned["layout"]] += 1
    # This seed's twenty documents use all five layouts and every kind of planned mess at least once.
    assert {name for name in seen if name.endswith(".txt")} == {p.name for p in load_corpus().profiles}
    assert all(
        seen[kind]
        for kind in (
            "multi_row_items",
            "continuation_rows",
            "duplicate_pages",
            "numbering_gaps",
            "count_mismatches",
            "html_cells",
        )
    ), seen


def test_parser_recovers_every_count_and_every_line(parsed_set):
    out, manifest = parsed_set
    assert len(manifest["documents"]) == PARSED
    for planned in manifest["documents"]:
        path = out / planned["files"][0]
        doc = parse_document(path)
        assert resolve_township(doc.title).township.code == planned["township_code"], doc.title
        assert unaccounted_lines(doc, read_source(path)) == [], path
        for lst in planned["lists"]:
            kind = ListKind(lst["kind"])
            items = doc.items_of(kind)
            assert len(items) == lst["parsed"], (path, kind)
            parsed = Counter(item.category for item in items)
            assert parsed == Counter({c["category"]: c["parsed"] for c in lst["categories"]}), (path, kind)
            declared = {c.category: c.declared for c in doc.category_counts if c.list_kind is kind}
            assert declared == {c["category"]: c["declared"] for c in lst["categories"]}, (path, kind)
        assert doc.merged_rows == planned["messiness"]["extra_rows"], path


def test_departments_carry_the_county_prefix(parsed_set):
    """县民政局 in a 县, 区民政局 in a 区, 旗民政局 in a 旗: never another county kind's prefix."""
    out, manifest = parsed_set
    checked = Counter()
    for planned in manifest["documents"]:
        county = chain_of(planned["township_code"]).county
        prefix = county.name[-1] if county and county.name[-1] in "县区旗" else None
        if prefix is None:
            continue
        doc = parse_document(out / planned["files"][0])
        names = [n for i in doc.items_of(ListKind.COOPERATIVE) for n in split_department_cell(i.department_text).names]
        assert any(name.startswith(prefix) for name in names), planned["name"]
        wrong = [n for n in names if n[0] in "县区旗" and n[0] != prefix and len(n) > 2]
        assert wrong == [], (planned["name"], wrong)
        checked[prefix] += 1
    assert set(checked) >= {"县", "区"}, checked


def test_texts_come_from_the_seeds(parsed_set):
    """Categories are the seeds' own; titles are seed titles (light variation) of similar length."""
    out, manifest = parsed_set
    corpus = load_corpus()
    names = [profile.name for profile in corpus.profiles]
    assert len(names) == len(set(names)) == 5  # each real document once, sample or not
    categories = {name for kind in corpus.items.values() for name in kind}
    seed_titles = [item.title for kind in corpus.items.values() for items in kind.values() for item in items]
    titles = []
    for planned in manifest["documents"][:30]:
        doc = parse_document(out / planned["files"][0])
        assert {item.category for item in doc.items} <= categories
        titles += [item.title for item in doc.items]
    mean = sum(map(len, titles)) / len(titles)
    seed_mean = sum(map(len, seed_titles)) / len(seed_titles)
    assert 0.8 < mean / seed_mean < 1.2, (mean, seed_mean)


def test_same_townships_and_seed_same_bytes(tmp_path):
    runs = {}
    for name, args in {
        "a": ("--townships", "12", "--seed", "5"),
        "b": ("--townships", "12", "--seed", "5", "--jobs", "2"),
        "more": ("--townships", "15", "--seed", "5"),
        "other": ("--townships", "12", "--seed", "6"),
    }.items():
        result = luzhi("synth", *args, "--out", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
        runs[name] = {p.name: p.read_bytes() for p in sorted((tmp_path / name).iterdir())}
    assert runs["a"] == runs["b"]
    # The first 12 townships of a 15-township run are the 12 of a 12-township run, byte for byte.
    assert {k: v for k, v in runs["more"].items() if k in runs["a"] and k != "manifest.json"} == {
        k: v for k, v in runs["a"].items() if k != "manifest.json"
    }
    assert len(runs["more"]) == 16
    assert not set(runs["other"]) & set(runs["a"]) - {"manifest.json"}


def test_refusals(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("x", encoding="utf-8")
    cases = {
        ("--townships", "2", "--out", str(tmp_path / "full")): "--out",
        ("--townships", "0", "--out", str(tmp_path / "zero")): "--townships",
        ("--townships", "2", "--formats", "docx", "--out", str(tmp_path / "fmt")): "docx",
        ("--townships", "99999", "--out", str(tmp_path / "many")): "99999",
    }
    for args, named in cases.items():
        result = luzhi("synth", *args)
        assert result.returncode == 2 and named in result.stderr, (args, result.stderr)
    assert not (tmp_path / "fmt").exists() and not (tmp_path / "many").exists()
    with pytest.raises(SynthError, match="--jobs"):
        synthesize(1, 0, tmp_path / "jobs", jobs=0)
