"""A rule the fast engine's compiler refuses is validated with pySHACL, not refused.

A deployment adds its own rule to shapes/core.shapes.ttl in SHACL the compiler does not implement
(here sh:xone, docs/validation.md lists the others). Before, `luzhi validate` and `luzhi build`
stopped with the compiler's refusal (exit 2) and the HTTP service reported a dead worker "probably
out of memory". Now the fast engine (the default) hands the shapes to pySHACL, the reference: the
rule is enforced, the reports are pySHACL's, each report carries a notice and the CLI prints one
warning naming the shape. Run on a copy of the installed package whose shapes file has the rule,
as the deployment's would, through the real CLI in a fresh process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "samples" / "004_ae6ba3a08a864098.txt"
SHAPE = "https://w3id.org/luzhi/shapes#ExactlyOneNameShape"
# Every duty has a title and a township: "exactly one of" fails on each, as a Warning (the build loads it).
RULE = """
lzsh:ExactlyOneNameShape a sh:NodeShape ;
    sh:targetClass lz:Duty ;
    sh:severity sh:Warning ;
    sh:xone ( [ sh:path dct:title ; sh:minCount 1 ] [ sh:path lz:township ; sh:minCount 1 ] ) ;
    sh:message "事项名称与乡镇只应有其一"@zh, "a duty should have a title or a township, not both"@en .
"""


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    """A copy of luzhi with the rule added to its shapes; put its folder on PYTHONPATH."""
    folder = tmp_path_factory.mktemp("deployment")
    shutil.copytree(REPO, folder / "luzhi",
                    ignore=shutil.ignore_patterns(".venv", ".git", "tests", "bench", "__pycache__", "*.egg-info"))
    with (folder / "luzhi" / "shapes" / "core.shapes.ttl").open("a", encoding="utf-8") as shapes:
        shapes.write(RULE)
    return folder


def luzhi(package: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(package)}
    env.pop("LUZHI_DEBUG", None)
    done = subprocess.run([sys.executable, "-m", "luzhi.server.cli", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=600, check=False)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_the_copy_is_the_package_that_runs(package, tmp_path):
    done = subprocess.run([sys.executable, "-c", "import luzhi; print(luzhi.__file__)"], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(package)}, cwd=tmp_path, check=True)
    assert done.stdout.strip() == str(package / "luzhi" / "__init__.py")


def test_validate_falls_back_to_pyshacl_and_enforces_the_rule(package, tmp_path):
    fast = luzhi(package, "validate", "--format", "json", str(SAMPLE), cwd=tmp_path)
    assert fast.returncode == 0, fast.stderr  # the rule's results are Warnings
    (warning,) = fast.stderr.splitlines()  # one line, naming the shape and what it uses
    assert SHAPE in warning and "shacl#xone" in warning and "pySHACL" in warning
    report = json.loads(fast.stdout)["files"][0]
    assert [n["code"] for n in report["notices"]].count("validated-by-pyshacl") == 1
    flagged = [r for r in report["results"] if r["sourceShape"] == SHAPE]
    assert len(flagged) > 100 and all(r["severity"] == "Warning" for r in flagged)
    reference = luzhi(package, "validate", "--format", "json", "--engine", "pyshacl", str(SAMPLE), cwd=tmp_path)
    assert reference.returncode == 0 and SHAPE not in reference.stderr
    expected = json.loads(reference.stdout)["files"][0]
    assert sorted(map(json.dumps, report["results"])) == sorted(map(json.dumps, expected["results"]))


def test_build_warns_once_and_loads(package, tmp_path):
    done = luzhi(package, "build", "--store", "store", "--report", "report.json", str(SAMPLE), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len([line for line in done.stderr.splitlines() if SHAPE in line and "pySHACL" in line]) == 1, done.stderr
    assert "1 documents loaded" in done.stderr
    (document,) = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["documents"]
    # The rule ran: one Warning per duty (the bundled shapes alone give this document one, a numbering gap).
    assert document["validation"]["warning"] > 100 and document["validation"]["violation"] == 0


def test_the_validation_service_falls_back_too(package, tmp_path):
    """POST /validate's isolated worker (a capped child process): the refusal used to kill it, and the
    service answered that the submission "probably needed more memory"."""
    script = ("import json, sys\n"
              "from pathlib import Path\n"
              "from luzhi.server.validation.worker import Job, validate_isolated\n"
              "from luzhi.shapes.report import report_dict\n"
              "job = Job(Path(sys.argv[1]).read_bytes(), 'text', 'sample.txt', sys.argv[2], memory_mb=2048)\n"
              "print(json.dumps(report_dict(validate_isolated(job, 300))))\n")
    done = subprocess.run([sys.executable, "-c", script, str(SAMPLE), "http://127.0.0.1:5000"], cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(package)}, capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert "validated-by-pyshacl" in [n["code"] for n in report["notices"]]
    assert len([r for r in report["results"] if r["sourceShape"] == SHAPE]) > 100
