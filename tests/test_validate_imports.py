"""Validating a list document does not import the duty kinds' machine learning (session 14's cold review).

A document's facts carry its duty records, whose class lived in etl/kinds.py beside scikit-learn and SciPy:
every `luzhi validate` and POST /validate of a document (a fresh interpreter each, worker.py) imported them,
3–21 s of a validation at this machine's load, once past the 60 s limit.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"

PROBE = """
import sys
from pathlib import Path
from luzhi.server.validation.submission import read_submission
path = Path(sys.argv[1])
submission = read_submission(path.read_bytes(), "text", name=path.name, base="https://example.org/luzhi")
print(len(submission.graph), sorted(m for m in ("sklearn", "scipy") if m in sys.modules))
"""


def test_a_document_is_read_for_validation_without_sklearn_or_scipy():
    sample = sorted(SAMPLES.glob("*.txt"))[0]
    result = subprocess.run([sys.executable, "-c", PROBE, str(sample)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    triples, imported = result.stdout.split(" ", 1)
    assert int(triples) > 1000  # the document was really read
    assert imported.strip() == "[]"
