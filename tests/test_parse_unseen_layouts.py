"""Layouts not seen in the bundled samples (issue 12): one cell per line, and refusals that say where.

The one-cell-per-line fixtures are made from the bundled samples in the test session
(tests/formats.py `write_cell_lines`: each cell of a row on its own line, as a browser copies a
table), and must give the text version's items, issues and graph, with provenance on the
original lines.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from formats import without_provenance, write_cell_lines
from rdflib.compare import to_isomorphic

from luzhi.etl.build import BuildOptions, process_document
from luzhi.etl.model import ListKind
from luzhi.etl.parse import ParseError, parse_document

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
LAYOUTS = Path(__file__).resolve().parent / "fixtures" / "layouts"


@pytest.fixture(scope="module", params=["001_a7c2025eaec9b519", "004_ae6ba3a08a864098"])
def copied(request, tmp_path_factory) -> tuple[Path, Path]:
    text = SAMPLES / f"{request.param}.txt"
    target = tmp_path_factory.mktemp("cells") / f"{request.param}.txt"
    return text, write_cell_lines(text.read_text(encoding="utf-8"), target)


def test_the_fixture_has_one_cell_per_line(copied):
    _, cells = copied
    lines = cells.read_text(encoding="utf-8").splitlines()
    assert not any("\t" in line for line in lines)
    assert lines.count("序号") == (SAMPLES / cells.name).read_text(encoding="utf-8").count("序号\t")


def test_one_cell_per_line_reads_like_the_text(copied):
    text, cells = copied
    expected, got = parse_document(text), parse_document(cells)
    fields = ("list_kind", "sequence", "title", "category", "department_text", "upper_responsibility")
    assert [tuple(getattr(i, f) for f in fields) for i in got.items] == [
        tuple(getattr(i, f) for f in fields) for i in expected.items
    ]
    assert [(i.code, i.list_kind) for i in got.issues] == [(i.code, i.list_kind) for i in expected.issues]
    graphs = [process_document(path, BuildOptions(base="http://127.0.0.1:5000"))[2] for path in (text, cells)]
    a, b = (without_provenance(graph, squeeze_text=False) for graph in graphs)
    assert to_isomorphic(a) == to_isomorphic(b)


def test_provenance_names_the_original_lines(copied):
    _, cells = copied
    doc = parse_document(cells)
    lines = cells.read_text(encoding="utf-8").split("\n")
    for item in doc.items_of(ListKind.COOPERATIVE):
        assert lines[item.lines.first - 1] == str(item.sequence)  # the row starts at its 序号 line
        assert doc.fragment(item.lines) == item.lines.rfc5147()
        assert item.lines.last - item.lines.first + 1 >= 5  # at least one line per column


def test_an_unreadable_table_is_named_where_it_starts():
    # Regression (issue 12): the header on line 19 is written with spaces, not tabs. The error
    # used to name line 6, the first odd line of the preamble.
    with pytest.raises(ParseError) as caught:
        parse_document(LAYOUTS / "unseen_header_with_spaces.txt")
    assert caught.value.lineno == 19
    assert "序号 事项名称" in caught.value.message and "表头" in caught.value.message
