"""Every bundled document, published as Word, Excel, PDF, a web page, GB18030 and UTF-16 text,
builds to the graph of its text version (issue 12).

The files are made by the real tools (tests/formats.py: python-docx, openpyxl, LibreOffice for the
PDF, an HTML page of tables), once per test session. The graphs are compared with rdflib's
isomorphism after dropping provenance (prov:* triples and the triples of the source document and
the build activity, whose IRIs and checksums name the file). A PDF does not keep what was at the
end of a full line, a space or a paragraph break: for PDF only, free-text literals are compared
without their white space, and everything else (every IRI, every department, every count) exactly.
"""

from __future__ import annotations

import csv
import re
import shutil
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pdfplumber
import pytest
from docx import Document
from formats import convert_to_pdf, without_provenance, write_csv, write_docx, write_html, write_xlsx
from lxml import html as lxml_html
from rdflib import Graph, Literal
from rdflib.compare import to_isomorphic

from luzhi.etl.build import BuildOptions, process_document
from luzhi.etl.model import ListKind
from luzhi.etl.parse import SourceError, parse_bytes

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "data" / "samples").glob("*.txt"))
BASE = "http://127.0.0.1:5000"
FORMATS = ("docx", "xlsx", "pdf", "html", "csv", "gb18030.csv", "gb18030.txt", "utf16.txt", "utf16le-nobom.txt")
_SPACE = re.compile(r"\s+")


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """(sample stem, format) → the file, every format of every sample; LibreOffice runs once."""
    if shutil.which("soffice") is None:
        pytest.fail("LibreOffice (soffice) is missing: run tests/setup-system.sh")
    folder = tmp_path_factory.mktemp("published")
    files: dict[tuple[str, str], Path] = {}
    for sample in SAMPLES:
        text = sample.read_text(encoding="utf-8")
        stem = sample.stem
        files[stem, "docx"] = write_docx(text, folder / f"{stem}.docx")
        files[stem, "xlsx"] = write_xlsx(text, folder / f"{stem}.xlsx")
        files[stem, "html"] = write_html(text, folder / f"{stem}.html")
        files[stem, "csv"] = write_csv(text, folder / f"{stem}.csv")
        files[stem, "gb18030.csv"] = write_csv(text, folder / f"{stem}.gb18030.csv", "gb18030")
        for name, data in (
            ("gb18030.txt", text.encode("gb18030")),
            ("utf16.txt", text.encode("utf-16")),
            ("utf16le-nobom.txt", text.encode("utf-16-le")),
        ):
            files[stem, name] = folder / f"{stem}.{name}"
            files[stem, name].write_bytes(data)
    pdfs = convert_to_pdf([files[sample.stem, "docx"] for sample in SAMPLES], folder)
    for sample, pdf in zip(SAMPLES, pdfs, strict=True):
        files[sample.stem, "pdf"] = pdf
    return files


@cache  # a PDF takes seconds to read: each file is read once per session, for its graph and its items
def _processed(path: Path):
    return process_document(path, BuildOptions(base=BASE))


def _graph(path: Path) -> Graph:
    return _processed(path)[2]


@pytest.fixture(scope="session")
def text_graphs() -> dict[str, Graph]:
    return {sample.stem: _graph(sample) for sample in SAMPLES}


CASES = [(sample.stem, fmt) for sample in SAMPLES for fmt in FORMATS]


def test_every_sample_in_every_format():
    assert len(SAMPLES) == 5
    assert len(CASES) == 45


@pytest.mark.parametrize(("stem", "fmt"), CASES, ids=[f"{s[:3]}.{f}" for s, f in CASES])
def test_same_graph_as_the_text(published, text_graphs, stem, fmt):
    squeeze = fmt == "pdf"
    expected = without_provenance(text_graphs[stem], squeeze_text=squeeze)
    got = without_provenance(_graph(published[stem, fmt]), squeeze_text=squeeze)
    assert len(got) == len(expected)
    assert to_isomorphic(got) == to_isomorphic(expected)


def _literals(graph: Graph) -> dict[tuple, str]:
    kept = without_provenance(graph, squeeze_text=False)
    return {(s, p): str(o) for s, p, o in kept if isinstance(o, Literal)}


def test_pdf_differs_only_in_white_space_at_full_lines(published, text_graphs):
    """What the squeezing above forgives, measured: literals that differ at all, and only in white space."""
    differing = 0
    for sample in SAMPLES:
        text = _literals(text_graphs[sample.stem])
        pdf = _literals(_graph(published[sample.stem, "pdf"]))
        assert text.keys() == pdf.keys()
        for key, value in text.items():
            if pdf[key] != value:
                differing += 1
                assert _SPACE.sub("", pdf[key]) == _SPACE.sub("", value)
    # measured 23 of 5,636 literals here (LibreOffice 7.4, WenQuanYi Zen Hei 6 pt); the bound catches a
    # reader that starts losing line breaks or spaces everywhere, not one unlucky full line more
    assert differing < 60


# --- provenance points into the original file ------------------------------------------------------


def _item(path: Path, kind: ListKind, sequence: int):
    doc = _processed(path)[0]  # parse_document(path), as process_document reads it (no layout)
    item = next(i for i in doc.items if i.list_kind is kind and i.sequence == sequence)
    return doc, item


def _parts(fragment: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in fragment.split(",")[0].split("&"))


@pytest.mark.parametrize("sequence", [1, 13, 104])
def test_word_provenance_is_table_and_row(published, sequence):
    path = published["004_ae6ba3a08a864098", "docx"]
    doc, item = _item(path, ListKind.COOPERATIVE, sequence)
    where = _parts(doc.fragment(item.lines))
    table = Document(str(path)).tables[int(where["table"]) - 1]
    assert table.rows[int(where["row"]) - 1].cells[0].text == str(sequence)


@pytest.mark.parametrize("sequence", [1, 13, 104])
def test_pdf_provenance_is_page_table_and_row(published, sequence):
    path = published["004_ae6ba3a08a864098", "pdf"]
    doc, item = _item(path, ListKind.COOPERATIVE, sequence)
    where = _parts(doc.fragment(item.lines))
    with pdfplumber.open(path) as pdf:
        table = pdf.pages[int(where["page"]) - 1].find_tables()[int(where["table"]) - 1]
        assert table.extract()[int(where["row"]) - 1][0] == str(sequence)


def test_excel_and_html_provenance(published):
    path = published["004_ae6ba3a08a864098", "xlsx"]
    doc, item = _item(path, ListKind.RECLAIMED, 57)
    where = _parts(doc.fragment(item.lines))
    sheet = openpyxl.load_workbook(path)[unquote(where["sheet"])]
    assert sheet.cell(row=int(where["row"]), column=1).value == 57
    path = published["004_ae6ba3a08a864098", "html"]
    doc, item = _item(path, ListKind.RECLAIMED, 57)
    where = _parts(doc.fragment(item.lines))
    table = lxml_html.parse(str(path)).getroot().findall(".//table")[int(where["table"]) - 1]
    assert table.findall("tr")[int(where["row"]) - 1][0].text_content() == "57"


def test_csv_provenance_is_the_record(published):
    """`row=R` counts records as RFC 7111 does, from 1 with the header: a record of several lines (a quoted cell
    of paragraphs) is one row."""
    path = published["004_ae6ba3a08a864098", "gb18030.csv"]
    doc, item = _item(path, ListKind.RECLAIMED, 57)
    where = _parts(doc.fragment(item.lines))
    with open(path, encoding="gb18030", newline="") as source:
        records = list(csv.reader(source))
    assert records[int(where["row"]) - 1][0] == "57"
    assert sum(record_text.count("\n") for record in records for record_text in record) > 0  # multi-line cells


def test_text_keeps_rfc5147_lines(published):
    doc, item = _item(published["004_ae6ba3a08a864098", "gb18030.txt"], ListKind.COOPERATIVE, 13)
    assert doc.fragment(item.lines) == "line=145,146"
    assert doc.media_type == "text/plain"


def test_a_duty_spanning_two_table_rows_names_both(published):
    # 001 cooperative 68: line 318 and its continuation on line 323 (after a repeated header)
    doc, item = _item(published["001_a7c2025eaec9b519", "docx"], ListKind.COOPERATIVE, 68)
    first, last = doc.fragment(item.lines).split(",")
    assert first.startswith("table=") and last.startswith("table=") and first != last


# --- what is refused ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("broken.docx", b"PK\x03\x04 not really a zip", "Word"),
        ("broken.xlsx", b"not a workbook", "Excel"),
        ("broken.pdf", b"%PDF-1.4\n garbage", "PDF"),
        ("old.doc", b"\xd0\xcf\x11\xe0 an OLE file", "旧版 Word"),
        ("old.xls", b"\xd0\xcf\x11\xe0 an OLE file", "旧版 Excel"),
    ],
)
def test_unreadable_files_are_refused_by_name(name, data, words):
    with pytest.raises(SourceError) as caught:
        parse_bytes(data, name)
    assert caught.value.path == name and words in caught.value.message
