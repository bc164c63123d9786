"""A duty page quotes the source lines its `#line=a,b` names, as the build numbered them (issue 13).

The page's quote is read through a per-snapshot index of where each line of a source text starts
(server/source_lines.py). These tests hold it to the build's own reader (etl/source.py `read_source`): at
the start, the middle and the end of a text, with CRLF, with and without a final newline, a BOM, GB18030
and UTF-16, a form feed and U+2028 (which `str.splitlines`, the page's old split, counted as line ends:
a GB18030 text made its duty pages a 500, a form feed shifted every later quote); after a rebuild that
changed the text; for a file replaced in place; and the index's bound.
"""

from __future__ import annotations

import codecs
import html
import os
import re
import shutil
import threading

import pytest
import requests
from conftest import DeferredApp
from werkzeug.serving import make_server

from luzhi.etl.build import BuildOptions, build, bundled_documents
from luzhi.etl.source import read_source
from luzhi.server.app import create_app
from luzhi.server.config import Config
from luzhi.server.source_lines import SourceLines

_EXCERPT = re.compile(r'<pre class="excerpt" lang="zh">(.*?)</pre>', re.S)
_LINES = re.compile(r"#line=(\d+),(\d+)$")
_QUERY = ("SELECT ?d ?src WHERE { ?d a <https://w3id.org/luzhi/def#Duty> ; "
          "<http://www.w3.org/ns/prov#wasDerivedFrom> ?src }")


def _pdf_like(text: str) -> str:
    """The text as pdftotext writes one: a form feed before each "page" (every 40 lines), a U+2028 in one line."""
    lines = text.split("\n")
    lines = [("\f" + line if n and n % 40 == 0 else line) for n, line in enumerate(lines)]
    lines[60] = lines[60] + "\u2028"
    return "\n".join(lines)


def _documents(folder):
    """Three bundled documents as publishers send them: GB18030 with CRLF and no final newline; UTF-8 with a
    BOM, form feeds and a U+2028; UTF-16 (little-endian, with its BOM)."""
    samples = [path.read_text(encoding="utf-8") for path in bundled_documents()[:3]]
    written = {
        "gb18030-crlf.txt": samples[0].rstrip("\n").replace("\n", "\r\n").encode("gb18030"),
        "bom-formfeed.txt": codecs.BOM_UTF8 + _pdf_like(samples[1]).encode("utf-8"),
        "utf16.txt": samples[2].encode("utf-16"),
    }
    for name, data in written.items():
        (folder / name).write_bytes(data)
    return [folder / name for name in written]


class Site:
    def __init__(self, folder, documents) -> None:
        self.folder, self.documents = folder, documents
        self._deferred = DeferredApp()
        self._server = make_server("127.0.0.1", 0, self._deferred, threaded=True)
        self.base = f"http://127.0.0.1:{self._server.server_port}"
        self.store = folder / "store"

    def build(self, paths) -> None:
        result = build(paths, self.store, BuildOptions(base=self.base, jobs=1, validate=False))
        assert not result.quarantined and result.documents
        self.codes = {report.file: report.township_code for report in result.documents}

    def serve(self) -> None:
        self._deferred.app = create_app(Config(store_path=self.store, base=self.base))
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._deferred.app.extensions["luzhi.live"].current.close()

    def fragments(self) -> dict[str, list[tuple[str, int, int]]]:
        """Each source file's duties, as (duty IRI, a, b) of their `#line=a,b`, in line order."""
        answer = requests.post(f"{self.base}/sparql", data={"query": _QUERY}, timeout=120,
                               headers={"Accept": "application/sparql-results+json"})
        answer.raise_for_status()
        found: dict[str, list[tuple[str, int, int]]] = {}
        for row in answer.json()["results"]["bindings"]:
            source = row["src"]["value"]
            match = _LINES.search(source)
            if match:
                name = requests.utils.unquote(source.partition("#")[0].rsplit("/", 1)[-1])
                found.setdefault(name, []).append((row["d"]["value"], int(match[1]), int(match[2])))
        return {name: sorted(duties, key=lambda d: (d[1], d[2])) for name, duties in found.items()}

    def quote(self, duty: str) -> str:
        response = requests.get(duty, headers={"Accept": "text/html"}, timeout=60)
        assert response.status_code == 200, (duty, response.status_code)
        excerpts = _EXCERPT.findall(response.text)
        assert len(excerpts) == 1, duty
        return html.unescape(excerpts[0])


def _build_lines(path) -> list[str]:
    """The text's lines as the build numbered them."""
    return [line.text for line in read_source(path)]


def _spread(duties: list) -> list:
    """The first, some in the middle and the last of a file's duties."""
    picks = {0, len(duties) // 3, len(duties) // 2, 2 * len(duties) // 3, len(duties) - 1}
    return [duties[n] for n in sorted(picks)]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quotes")
    served = Site(folder, _documents(folder))
    served.build(served.documents)
    served.serve()
    yield served
    served.close()


@pytest.mark.parametrize("name", ["gb18030-crlf.txt", "bom-formfeed.txt", "utf16.txt"])
def test_duty_pages_quote_the_lines_the_build_numbered(site, name):
    lines = _build_lines(site.folder / name)
    duties = site.fragments()[name]
    assert len(duties) > 50
    picks = _spread(duties)
    if name == "bom-formfeed.txt":  # past the form feeds and the U+2028, where the old split drifted
        picks += [d for d in duties if d[1] > 200][:3]
    for duty, a, b in picks:
        assert site.quote(duty) == "\n".join(lines[a:b]), (name, duty, a, b)


@pytest.mark.parametrize(("name", "charset"), [("gb18030-crlf.txt", "gb18030"), ("bom-formfeed.txt", "utf-8"),
                                               ("utf16.txt", "utf-16")])
def test_a_source_is_served_in_the_charset_the_build_read_it_in(site, name, charset):
    """A source link opens the text as the build read it: a GB18030 source labelled UTF-8 was mojibake in a
    browser (cold review)."""
    response = requests.get(f"{site.base}/source/{site.codes[name]}/{name}", timeout=60)
    assert response.headers["Content-Type"] == f"text/plain; charset={charset}"
    text = response.content.decode(charset).removeprefix("\ufeff")
    assert text.replace("\r\n", "\n").split("\n")[:40] == _build_lines(site.folder / name)[:40]


def test_the_quote_follows_a_rebuild_that_changed_the_text(site):
    """A rebuild replaces the text under the same name: the pages quote the new text's lines at their new
    numbers, never an index of the old text."""
    name = "bom-formfeed.txt"
    path = site.folder / name
    duty, a, b = _spread(site.fragments()[name])[2]
    before = site.quote(duty)
    text = path.read_bytes().decode("utf-8-sig").split("\n")
    text[a] = text[a] + "（已修订）"  # the duty's first line grows; two lines before it are added
    text[1:1] = ["", ""]
    path.write_bytes(codecs.BOM_UTF8 + "\n".join(text).encode("utf-8"))
    site.build([path])
    lines = _build_lines(path)
    moved = {d: (a2, b2) for d, a2, b2 in site.fragments()[name]}
    assert moved[duty] == (a + 2, b + 2)
    after = site.quote(duty)
    assert after == "\n".join(lines[a + 2 : b + 2]) != before
    assert "（已修订）" in after
    for other, a2, b2 in _spread(site.fragments()[name]):
        assert site.quote(other) == "\n".join(lines[a2:b2])


# The index itself, on files as publishers write them (the server's own reader, no HTTP).
TEXTS = {
    "lf, final newline": "第一行\n第二行 text\n\n第四行\n最后一行\n",
    "lf, no final newline": "第一行\n第二行\n最后一行",
    "crlf": "第一行\r\n第二行\r\n\r\n最后一行\r\n",
    "crlf, no final newline": "第一行\r\n第二行\r\n最后一行",
    "lone cr and form feed inside lines": "第一\r行\n\f第二行\n第三\u2028行\u2029\n最后一行",
    "one line": "只有一行",
}
ENCODINGS = {"utf-8": lambda t: t.encode("utf-8"), "utf-8 bom": lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
             "gb18030": lambda t: t.encode("gb18030"), "utf-16 bom": lambda t: t.encode("utf-16"),
             "utf-16-be bom": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be")}


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("kind", TEXTS)
def test_index_quotes_every_span_as_the_build_reads_the_text(tmp_path, kind, encoding):
    path = tmp_path / "text.txt"
    path.write_bytes(ENCODINGS[encoding](TEXTS[kind]))
    lines = _build_lines(path)
    quotes = SourceLines(kept=4)
    for a in range(len(lines) + 2):
        for b in range(a, len(lines) + 3):
            assert quotes.quote(path, a + 1, b) == "\n".join(lines[a:b]), (a, b)


def test_utf16_without_a_bom(tmp_path):
    """Windows "Unicode" text: told by its NULs (etl/source.py), mostly ASCII for that."""
    path = tmp_path / "text.txt"
    path.write_bytes("line one\r\nline two 第二\r\n\r\nline four, the last".encode("utf-16-le"))
    lines = _build_lines(path)
    assert len(lines) == 4
    for a in range(5):
        for b in range(a, 6):
            assert SourceLines(kept=1).quote(path, a + 1, b) == "\n".join(lines[a:b])


def test_a_file_replaced_in_place_is_quoted_anew(tmp_path):
    """A remote store's state directory is not a snapshot: a build replaces its sources where they are."""
    path = tmp_path / "text.txt"
    quotes = SourceLines(kept=4)
    path.write_bytes("甲\n乙\n丙\n".encode())
    assert quotes.quote(path, 2, 3) == "乙\n丙"
    replacement = tmp_path / "new.txt"
    replacement.write_bytes("一二三四\n五六七八九\n十\n".encode())
    os.replace(replacement, path)
    assert quotes.quote(path, 2, 3) == "五六七八九\n十"


def test_the_index_keeps_at_most_its_bound(tmp_path):
    quotes = SourceLines(kept=2)
    for n in range(3):
        shutil.copyfile(bundled_documents()[n], tmp_path / f"{n}.txt")
        quotes.quote(tmp_path / f"{n}.txt", 1, 2)
    assert len(quotes) == 2
