"""A table that lost a whole column still parses, so the header must say what is gone (cold review 2026-11-30)."""

from __future__ import annotations

from pathlib import Path

import pytest

from luzhi.etl.parse import parse_bytes

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "000_d4a0698a49e5e74d.txt"


def _without_column(name: str) -> tuple[bytes, int]:
    """Sample 000 with the cooperative table's `name` column cut from every row: (document, first header line)."""
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    first = next(i for i, line in enumerate(lines) if name in line.split("\t"))
    index = lines[first].split("\t").index(name)
    width = len(lines[first].split("\t"))
    out = [
        "\t".join(c for j, c in enumerate(cells) if j != index) if i >= first and len(cells) == width else line
        for i, line in enumerate(lines)
        for cells in [line.split("\t")]
    ]
    return "\n".join(out).encode("utf-8"), first + 1


@pytest.mark.parametrize("name", ["上级部门职责", "对应上级部门"])
def test_a_missing_column_is_reported_at_its_header(name):
    data, header_line = _without_column(name)
    doc = parse_bytes(data, "missing.txt")
    found = [issue for issue in doc.issues if issue.code == "header-column-missing"]
    assert found, [issue.code for issue in doc.issues]
    assert found[0].lines.first == header_line and f"「{name}」" in found[0].message


def test_the_bundled_samples_have_every_column():
    for path in sorted(SAMPLE.parent.glob("*.txt")):
        doc = parse_bytes(path.read_bytes(), path.name)
        assert not [issue for issue in doc.issues if issue.code == "header-column-missing"], path.name
