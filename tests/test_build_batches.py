"""Batches that keep going (issue 12), parallel and resumable builds (issue 13)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from build_helpers import BASE, assert_state_matches_triples, nquads, township_copies

from luzhi.etl.build import BuildOptions, build
from luzhi.store.snapshots import state_dir_of, work_in_progress
from luzhi.store.state import read_build_info


def _break(path, line_text: str) -> None:
    """Make one document unreadable at a known place: its first table header becomes nonsense."""
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("序号"))
    lines[index] = line_text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_keep_going_loads_the_rest_and_reports_both_broken_documents(tmp_path):
    paths, codes = township_copies(tmp_path / "docs", 6)
    _break(paths[1], "甲\t乙\t丙")
    paths[4].write_text("这不是清单\n", encoding="utf-8")
    report = tmp_path / "report.json"
    args = [*map(str, paths), "--store", str(tmp_path / "s"), "--base", BASE, "--keep-going", "--report", str(report),
            *[f"--township-code={name}={code}" for name, code in codes.items()]]
    env = {k: v for k, v in os.environ.items() if k != "LUZHI_DEBUG"}
    result = subprocess.run([sys.executable, "-m", "luzhi.server.cli", "build", *args], capture_output=True,
                            text=True, env=env, timeout=900)
    assert result.returncode == 0, result.stderr
    loaded = read_build_info(state_dir_of(tmp_path / "s"))["documents"]
    assert sorted(d["file"] for d in loaded) == sorted(p.name for i, p in enumerate(paths) if i not in (1, 4))
    assert_state_matches_triples(tmp_path / "s")
    quarantined = {q["file"]: q["reasons"] for q in json.loads(report.read_text(encoding="utf-8"))["quarantined"]}
    assert sorted(quarantined) == sorted([str(paths[1]), str(paths[4])])
    header = quarantined[str(paths[1])][0]
    assert header["rule"] == "ParseError" and isinstance(header["line"], int) and header["message"]
    assert all(reason["rule"] and reason["message"] for reasons in quarantined.values() for reason in reasons)
    for broken in (paths[1], paths[4]):
        assert f"quarantined {broken}" in result.stderr
    strict = subprocess.run([sys.executable, "-m", "luzhi.server.cli", "build", *args, "--strict-exit"],
                            capture_output=True, text=True, env=env, timeout=900)
    assert strict.returncode == 1, strict.stderr


def test_parallel_build_equals_serial_build(tmp_path):
    paths, codes = township_copies(tmp_path / "docs", 6)
    build(paths, tmp_path / "one", BuildOptions(base=BASE, validate=False, township_codes=codes, jobs=1))
    build(paths, tmp_path / "two", BuildOptions(base=BASE, validate=False, township_codes=codes, jobs=2))
    assert nquads(tmp_path / "one") == nquads(tmp_path / "two")


def test_interrupted_build_resumes_without_redoing_and_ends_equal(tmp_path):
    """issue 13: a killed build, run again, skips the documents it had done and ends with the same N-Quads."""
    paths, codes = township_copies(tmp_path / "docs", 8)
    reference = tmp_path / "reference"
    build(paths, reference, BuildOptions(base=BASE, validate=False, township_codes=codes))
    store = tmp_path / "store"
    script = (
        "import json, os, signal, sys\n"
        "from pathlib import Path\n"
        "from luzhi.etl.build import BuildOptions, build\n"
        "class KillAfterFiveLoads:\n"
        "    phase_name = None\n"
        "    count = 0\n"
        "    def phase(self, name, total):\n"
        "        self.phase_name, self.count = name, 0\n"
        "    def advance(self, triples):\n"
        "        self.count += 1\n"
        "        if self.phase_name == 'load' and self.count == 5:\n"
        "            os.kill(os.getpid(), signal.SIGKILL)\n"
        "a = json.loads(sys.argv[1])\n"
        "build([Path(p) for p in a['paths']], a['store'], BuildOptions(base=a['base'], validate=False,"
        " township_codes=a['codes']), progress=KillAfterFiveLoads())\n"
    )
    args = json.dumps({"paths": [str(p) for p in paths], "store": str(store), "base": BASE, "codes": codes})
    killed = subprocess.run([sys.executable, "-c", script, args], timeout=600)
    assert killed.returncode == -9
    assert len(work_in_progress(store)) == 1 and not (store / "current").exists()
    result = build(paths, store, BuildOptions(base=BASE, validate=False, township_codes=codes))
    assert result.restaged == 8  # pass 1 of every document was reused
    assert nquads(store) == nquads(reference)
    assert work_in_progress(store) == []
    assert_state_matches_triples(store)
