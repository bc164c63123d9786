"""The CSV reader (etl/readers/delimited.py) on what a cold review found it misread: quoting is Excel's (RFC 4180),
whatever the file's start looks like, and a file cut inside a quoted cell is refused. The whole samples as CSV
are tests/test_formats.py's."""

from __future__ import annotations

import pytest

from luzhi.etl.readers.delimited import read_csv
from luzhi.etl.source import SourceError


def _cells(text: str) -> list[tuple[str, ...]]:
    return [cells for cells, _where in read_csv(text.encode("utf-8"), "x.csv")]


def test_a_doubled_quote_in_a_cell_of_several_lines_is_one_quote():
    # csv.Sniffer guessed "no doubled quotes" from such a file and cut the cell at its first line break.
    text = '序号,事项名称,承接部门\n1,"做好第一项\n含有 ""引号"" 的第二行",市应急局\n2,另一项,市农业农村局\n'
    assert _cells(text) == [("序号", "事项名称", "承接部门"), ("1", '做好第一项\n含有 "引号" 的第二行', "市应急局"),
                            ("2", "另一项", "市农业农村局")]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_the_one_that_splits_the_records(delimiter):
    text = f'序号{delimiter}事项名称\n1{delimiter}"甲，乙；丙"\n2{delimiter}丁\n'
    assert _cells(text) == [("序号", "事项名称"), ("1", "甲，乙；丙"), ("2", "丁")]


def test_a_file_cut_inside_a_quoted_cell_is_refused_at_its_line():
    # The lenient reader returned the cell's first half, and the document conformed (cold review).
    with pytest.raises(SourceError) as refused:
        _cells('序号,事项名称\n1,"做好第一项\n还没写完')
    assert refused.value.line == 3 and "cut short" in str(refused.value) and "被截断" in str(refused.value)
