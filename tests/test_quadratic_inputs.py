"""Inputs that made a regular expression quadratic (a code review of session 21 found them): each now ends in
well under a second, where the old patterns took minutes at these sizes.

Each case runs in its own interpreter with a generous time limit, as a hang detector rather than a timing: the
sizes are chosen so that the quadratic versions needed 5–10 minutes on this machine (measured at a quarter to a
tenth of the size: 35 s, 20 s, 13 s and 17 s), while the linear ones take a few milliseconds.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

_SETUP = """
from pathlib import Path
from luzhi.etl.parse import parse_bytes
doc = Path("tests/fixtures/documents/extra_columns.txt").read_text(encoding="utf-8")
"""

CASES = {
    # A category cell ending in a run of U+2000 spaces (headings: patterns that open with \\s* searched everywhere).
    "a category cell with a long run of spaces": _SETUP + """
parsed = parse_bytes(doc.replace("1\\t党的建设\\t", "1\\t党的建设" + "\\u2000" * 40_000 + "x\\t", 1).encode(), "x.txt")
""",
    # `<` and a run of spaces in any cell (the HTML tag pattern in etl/text.py).
    "a cell with '<' and a long run of spaces": _SETUP + """
cell = "做好项目洽谈<" + " " * 200_000 + "和落地服务。"
parsed = parse_bytes(doc.replace("做好项目洽谈和落地服务。", cell, 1).encode(), "x.txt")
assert any("和落地服务" in item.description for item in parsed.items)
""",
    # A 承接部门 cell of receiver verbs (each longer head split again).
    "a reclaimed cell of repeated receiver verbs": """
from luzhi.etl.departments import parse_reclaimed_cell
parse_reclaimed_cell("移交" + "办理" * 20_000)
""",
    # A valid query with a long hyphenated language tag (a name lexed again from each of its letters).
    "SELECT * with a long hyphenated token": """
from luzhi.store.star_order import star_order
query = 'SELECT * WHERE { VALUES ?o { "x"@x' + "-a" * 60_000 + " } ?s ?p ?o }"
assert star_order(query, ["o", "p", "s"]) == [0, 2, 1]  # ?o, then ?s ?p
""",
}


@pytest.mark.parametrize("case", CASES)
def test_the_input_is_read_in_linear_time(case):
    done = subprocess.run([sys.executable, "-c", CASES[case]], capture_output=True, text=True, timeout=90,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
