"""The duty page names the place in a Word or PDF source (第 3 页 表 1 第 12 行), not only text lines.

A text source's duty page quotes its lines; a Word, Excel, PDF or HTML source's provenance is a
`page=P&table=T&row=R` location (docs/parsing.md), which the page used to drop, leaving a bare file
name. The files here are made by the real tools (tests/formats.py: python-docx, LibreOffice for the
PDF), built through the pipeline into a store on disk and served by the real app over HTTP; each
place the page names is checked against the file itself.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import pdfplumber
import pytest
import requests
from docx import Document
from formats import convert_to_pdf, write_docx
from sparql_server import serve

from luzhi.etl.build import BuildOptions, build
from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import sparql_prologue
from luzhi.ontology.places import describe_lines, describe_place
from luzhi.ontology.types import LineSpan
from luzhi.server.config import Config
from luzhi.shapes.validate import Severity, ValidationResult

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
BASE = "http://127.0.0.1:5000"
QUERY = sparql_prologue() + """SELECT ?duty ?title ?source WHERE {
  ?duty a lz:Duty ; dct:title ?title ; prov:wasDerivedFrom ?source }"""


@pytest.mark.parametrize(("fragment", "zh", "en"), [
    ("page=3&table=1&row=12", "第 3 页 表 1 第 12 行", "page 3, table 1, row 12"),
    ("table=5&row=9,table=6&row=2", "表 5 第 9 行 至 表 6 第 2 行", "table 5, row 9 to table 6, row 2"),
    ("sheet=%E6%B8%85%E5%8D%95&row=4", "工作表“清单” 第 4 行", "sheet “清单”, row 4"),
    ("page=2&line=7", "第 2 页 第 7 行", "page 2, line 7"),
    ("paragraph=3", "第 3 段", "paragraph 3"),
    ("block=8", "第 8 段", "block 8"),
])
def test_each_location_the_readers_write_reads_as_words(fragment, zh, en):
    assert (describe_place(fragment, "zh"), describe_place(fragment, "en")) == (zh, en)


@pytest.mark.parametrize(("first", "last", "zh", "en"), [
    (162, 162, "第 162 行", "line 162"),
    (160, 170, "第 160–170 行", "lines 160–170"),
])
def test_text_lines_read_as_words(first, last, zh, en):
    assert (describe_lines(first, last, "zh"), describe_lines(first, last, "en")) == (zh, en)


@pytest.mark.parametrize("fragment", ["line=2,5", "page=", "xywh=1,2,3,4", "a=1,b=2,c=3", ""])
def test_a_fragment_we_do_not_write_is_not_put_in_words(fragment):
    assert describe_place(fragment, "zh") is None


@pytest.mark.parametrize(("source", "lines", "place"), [
    (f"{BASE}/source/a.docx#table=14&row=4", None, "table=14&row=4"),
    (f"{BASE}/source/a.docx#xywh=1,2,3,4", None, None),  # a fragment that is no place we write
    (f"{BASE}/source/a.txt", LineSpan(3, 5), None),  # a text's lines, not a place
    (f"{BASE}/source/a.docx", None, None),
    (None, None, None),
])
def test_a_validation_result_gives_its_place_once_for_the_report_and_the_build(source, lines, place):
    """shapes/report.py and etl/stage.py each read the place out of a result's source IRI (duplicates)."""
    result = ValidationResult(focus=f"{BASE}/id/duty/1", severity=Severity.VIOLATION, shape="s", component="c",
                              source=source, lines=lines)
    assert result.place == place


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Sample 000 as Word and sample 001 as PDF (LibreOffice's conversion of its Word file), one store."""
    if shutil.which("soffice") is None:
        pytest.fail("LibreOffice (soffice) is missing: run tests/setup-system.sh")
    folder = tmp_path_factory.mktemp("places")
    docx = write_docx((SAMPLES / "000_d4a0698a49e5e74d.txt").read_text(encoding="utf-8"), folder / "000.docx")
    pdf_source = write_docx((SAMPLES / "001_a7c2025eaec9b519.txt").read_text(encoding="utf-8"), folder / "001.docx")
    pdf_folder = folder / "pdf"
    pdf_folder.mkdir()
    (pdf,) = convert_to_pdf([pdf_source], pdf_folder)
    build([docx, pdf], folder / "store", BuildOptions(base=BASE))
    with serve(Config(store_path=folder / "store", base=BASE, query_processes=1, page_query_processes=1)) as server:
        yield server, {"000.docx": docx, "001.pdf": pdf}


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _docx_row(path: Path, place: dict[str, str]) -> str:
    table = Document(str(path)).tables[int(place["table"]) - 1]
    return "".join(cell.text for cell in table.rows[int(place["row"]) - 1].cells)


def _pdf_row(path: Path, place: dict[str, str]) -> str:
    with pdfplumber.open(path) as pdf:
        table = pdf.pages[int(place["page"]) - 1].extract_tables()[int(place["table"]) - 1]
    return "".join(cell or "" for cell in table[int(place["row"]) - 1])


def test_the_duty_page_names_the_place_in_a_word_or_pdf_source(served):
    server, files = served
    answer = requests.post(server.endpoint, data={"query": QUERY}, timeout=60,
                           headers={"Accept": "application/sparql-results+json"})
    rows = answer.json()["results"]["bindings"]
    by_file: dict[str, list[dict]] = {}
    for row in rows:
        by_file.setdefault(unquote(row["source"]["value"].split("#")[0].rsplit("/", 1)[1]), []).append(row)
    assert sorted(by_file) == ["000.docx", "001.pdf"]
    iris = Iris(BASE)
    checked = 0
    for name, duties in sorted(by_file.items()):
        # The first and the last duty of each file: the far end of a PDF is on a later page.
        for row in (duties[0], duties[-1]):
            fragment = row["source"]["value"].split("#", 1)[1]
            first = dict(part.split("=", 1) for part in fragment.split(",")[0].split("&"))
            assert ("page" in first) == name.endswith(".pdf")
            page = requests.get(server.base + str(iris.page_of(row["duty"]["value"])).removeprefix(BASE), timeout=60)
            assert page.status_code == 200
            words = describe_place(fragment, "zh")
            link = re.search(rf'<a href="(/source/\d{{9}}/{re.escape(name)})#{re.escape(html.escape(fragment))}">'
                             rf'{re.escape(name)}，{re.escape(words)}</a>', page.text)
            assert link, f"{name}#{fragment}: no {words!r} on the duty page"
            source = requests.get(server.base + link.group(1), timeout=60)
            assert source.status_code == 200 and source.content == files[name].read_bytes()
            english = requests.get(page.url, params={"lang": "en"}, timeout=60).text
            assert f"{name}, {describe_place(fragment, 'en')}</a>" in english
            # The place named is where the duty is: its row holds the duty's title.
            cells = _pdf_row(files[name], first) if name.endswith(".pdf") else _docx_row(files[name], first)
            assert _compact(row["title"]["value"])[:12] in _compact(cells), (fragment, row["title"]["value"], cells)
            checked += 1
    assert checked == 4
