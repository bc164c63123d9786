"""Malformed Word, Excel and PDF files get one bilingual refusal, never a Python exception's text (cold review 23:
a .docx whose `[Content_Types].xml` is `<Types/>` answered "AttributeError: 'lxml.etree._Element' object has no
attribute 'overrides'" from `luzhi validate` and POST /validate)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile

import pytest
import requests
from formats import write_docx, write_xlsx
from test_reader_inputs import _pdf

from luzhi.etl.parse import SourceError, parse_bytes

TEXT = "某某镇履职事项清单\n一、党的建设\n序号\t事项名称\t责任部门\n1\t加强党的政治建设\t党政办\n"
WORD = "不是可读的 Word（.docx）文件 / not a readable Word (.docx) file"
EXCEL = "不是可读的 Excel（.xlsx）文件 / not a readable Excel (.xlsx) file"
PDF = "不是可读的 PDF 文件 / not a readable PDF file"
# What a Python exception's text looks like: its class, or an internal's words.
PYTHON = re.compile(r"Error\b|Exception|has no attribute|_Element|range\(|int\(\)|index out of|literal for")


def _swap(package: bytes, member: str, body: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, body if info.filename == member else source.read(info))
    return out.getvalue()


@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("packages")
    return {"docx": write_docx(TEXT, folder / "a.docx").read_bytes(),
            "xlsx": write_xlsx(TEXT, folder / "a.xlsx").read_bytes()}


def _types_only(packages: dict[str, bytes], kind: str) -> bytes:
    return _swap(packages[kind], "[Content_Types].xml", b"<Types/>")


def _sheet_cell(packages: dict[str, bytes], cell: str) -> bytes:
    sheet = zipfile.ZipFile(io.BytesIO(packages["xlsx"])).read("xl/worksheets/sheet1.xml").decode()
    return _swap(packages["xlsx"], "xl/worksheets/sheet1.xml",
                 re.sub(r'<c r="A1".*?</c>', cell, sheet, count=1).encode())


_PAGE = b"BT /F1 12 Tf 72 700 Td (hello) Tj ET"
# The standard security handler with an owner and a user password not empty (whatever they are): a reader needs
# the user password to open the file.
_ENCRYPT = (b"/Encrypt << /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >> "
            b"/ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]")
CASES = {
    "docx, <Types/>": ("x.docx", lambda p: _types_only(p, "docx"), WORD),
    "docx, truncated zip": ("x.docx", lambda p: p["docx"][: len(p["docx"]) // 2], WORD),
    "docx, main part not a document": ("x.docx", lambda p: _swap(p["docx"], "word/document.xml", b"<foo/>"), WORD),
    "docx, <Relationships/>": ("x.docx", lambda p: _swap(p["docx"], "_rels/.rels", b"<Relationships/>"), WORD),
    "xlsx, <Types/>": ("x.xlsx", lambda p: _types_only(p, "xlsx"), EXCEL),
    "xlsx, truncated zip": ("x.xlsx", lambda p: p["xlsx"][: len(p["xlsx"]) // 2], EXCEL),
    "xlsx, a number abc": ("x.xlsx", lambda p: _sheet_cell(p, '<c r="A1" t="n"><v>abc</v></c>'), EXCEL),
    "xlsx, a shared string past the table": ("x.xlsx", lambda p: _sheet_cell(p, '<c r="A1" t="s"><v>99</v></c>'),
                                             EXCEL),
    "pdf, truncated (no xref)": ("x.pdf", lambda p: _pdf(_PAGE)[: len(_pdf(_PAGE)) * 2 // 3], PDF),
    # PDFium (since session 24) draws a page whose content it cannot decode as nothing, as a PDF viewer does: the
    # refusal is the one of a file with no text (pdfminer raised on it).
    "pdf, broken stream filter": ("x.pdf", lambda p: _pdf(_PAGE).replace(
        b"/FlateDecode", b"/FlateDecode /DecodeParms << /Predictor 99 /Columns -1 >>"),
                                  "文件中没有任何文字（扫描件或空文档？） / the file holds no text"),
    # A password to open it: said as such (it was "not a readable PDF file: … Incorrect password error"; cold review).
    "pdf, password-protected": ("x.pdf", lambda p: _pdf(_PAGE).replace(b"/Root 1 0 R >>", b"/Root 1 0 R " + _ENCRYPT
                                                                       + b" >>"), "这份 PDF 设有打开密码，无法读取"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_malformed_file_is_refused_as_unreadable_in_both_languages(packages, case):
    name, make, message = CASES[case]
    with pytest.raises(SourceError) as refused:
        list(parse_bytes(make(packages), name))
    assert refused.value.path == name
    assert refused.value.message.startswith(message), refused.value.message
    detail = refused.value.message[len(message):]
    assert not PYTHON.search(detail), refused.value.message


def test_every_case_ran():
    assert len(CASES) == 11


def test_a_docx_of_types_without_namespace_is_refused_by_cli_and_http(packages, live_server, tmp_path):
    """The review's own two commands: `luzhi validate x.docx` and `curl -F file=@x.docx /validate`."""
    path = tmp_path / "x.docx"
    path.write_bytes(_types_only(packages, "docx"))
    cli = subprocess.run([sys.executable, "-m", "luzhi.server.cli", "validate", str(path), "--format", "json"],
                         capture_output=True, text=True, timeout=300, check=False)
    http = requests.post(f"{live_server.url}/validate", files={"file": ("x.docx", path.read_bytes())},
                         headers={"Accept": "application/json"}, timeout=60)
    assert cli.returncode == 2 and http.status_code == 400, cli.stdout + cli.stderr + http.text
    (error,) = json.loads(cli.stdout)["files"]
    assert error["error"] == http.json()["error"] == WORD, (error, http.text)
    assert http.json()["file"] == "x.docx"
