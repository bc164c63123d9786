"""Source documents as a browser meets them (cold review): a text opens in the page at its `#line=`, an HTML
original is a download that never runs on our origin, a Word original's places read as tables and rows.

One store built through the pipeline from sample 000 as text, sample 001 as an HTML page carrying a script
(as a hostile or careless publisher's page might) and sample 002 as a Word file (tests/formats.py), served by
the real app over HTTP and read by the session's Chromium.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import requests
from formats import write_docx, write_html
from sparql_server import serve

from luzhi.etl.build import BuildOptions, build
from luzhi.server.config import Config

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
BASE = "http://127.0.0.1:5000"
# Ran, it would rename the page: what the browser test looks for.
# Where each is served: under its township's code (Iris.source).
TEXT, PAGE = "/source/210381121/000.txt", "/source/230302201/001.html"
SCRIPT = "<script>document.title = 'ran'; document.body && document.body.setAttribute('data-ran', '1')</script>"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sources")
    text = folder / "000.txt"
    shutil.copy(SAMPLES / "000_d4a0698a49e5e74d.txt", text)
    page = write_html((SAMPLES / "001_a7c2025eaec9b519.txt").read_text(encoding="utf-8"), folder / "001.html")
    page.write_text(page.read_text(encoding="utf-8").replace("</head>", SCRIPT + "</head>", 1), encoding="utf-8")
    word = write_docx((SAMPLES / "002_abfaf3bcc1fa4131.txt").read_text(encoding="utf-8"), folder / "002.docx")
    build([text, page, word], folder / "store", BuildOptions(base=BASE))
    with serve(Config(store_path=folder / "store", base=BASE, query_processes=1, page_query_processes=1)) as server:
        yield server.base


def test_an_html_source_is_a_sandboxed_download(served):
    response = requests.get(f"{served}{PAGE}", timeout=60)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"].split(";")[0]
    assert "charset" not in response.headers["Content-Type"]  # its own encoding is in its <meta charset>
    assert SCRIPT.encode() in response.content  # the file as published, byte for byte


def test_a_text_source_stays_inline_and_sandboxed(served):
    response = requests.get(f"{served}{TEXT}", timeout=60)
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_a_browser_never_runs_an_html_source(browser, served):
    page = browser.new_page()
    try:
        with page.expect_download() as download:
            with pytest.raises(Exception, match="Download is starting"):
                page.goto(f"{served}{PAGE}")
        assert download.value.suggested_filename == "001.html"
        assert page.title() != "ran"
    finally:
        page.close()


def test_a_browser_shows_a_text_source_at_its_lines(browser, served):
    lines = (SAMPLES / "000_d4a0698a49e5e74d.txt").read_text(encoding="utf-8").split("\n")
    page = browser.new_page()
    try:
        response = page.goto(f"{served}{TEXT}#line=14,16")
        assert response is not None and response.ok
        shown = page.locator("body").inner_text()
        assert lines[15].strip() and lines[15].strip() in shown  # line 16, as the duty page quotes it
    finally:
        page.close()
