"""What a reader is given: its size, what kind of file it is, what its cells carry (cold review 21).

- No cap: `luzhi build /dev/zero` grew to 24 GB; a 300 MB .txt was read whole. Every input is now read at most
  `MAX_FILE_BYTES` (text, CSV and web pages `MAX_TEXT_BYTES`), and a device or a pipe is refused unread.
- Formats were taken from the name: an old .doc, a .docx named .xlsx, an .xlsx named .csv failed with the
  wrong reader's words. The bytes now say what a file is (etl/readers/sniff.py).
- A refusal repeated the file name: "a.docx: [SourceError] a.docx: …".
- U+FEFF and U+200B inside a cell were kept: a category `\\ufeff党的建设` of its own, a title no search found.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from docx import Document
from formats import write_csv, write_docx, write_html, write_xlsx

from luzhi.etl.model import ListKind
from luzhi.etl.parse import SourceError, parse_bytes, parse_document
from luzhi.etl.readers import MAX_LINES, MAX_TEXT_BYTES
from luzhi.etl.readers.sniff import OLE_MAGIC
from luzhi.etl.source import MAX_FILE_BYTES
from luzhi.etl.stage import BuildOptions, stage_key, stage_one
from luzhi.server.validation.submission import SubmissionError, read_submission

LIST = textwrap.dedent("""\
    浙江省嘉兴市嘉善县西塘镇履行职责事项清单
    基本履职事项清单
    序号\t事项类别\t事项名称
    1\t党的建设\t加强党的政治建设
    2\t党的建设\t落实全面从严治党主体责任
    3\t经济发展\t开展招商引资工作
    配合履职事项清单
    序号\t事项名称\t对应上级部门\t上级部门职责\t乡镇配合职责
    1\t开展矛盾纠纷排查化解\t县公安局\t负责治安纠纷处置。\t组织排查，及时上报。
    """)


def _items(doc) -> list[tuple]:
    return [(item.list_kind, item.sequence, item.category, item.title, item.department_text) for item in doc.items]


CLEAN = parse_bytes(LIST.encode(), "list.txt")
EXPECTED = _items(CLEAN)


def _capped(limit_bytes: int = 2**30):
    """A child process limited to `limit_bytes` of address space: a reader that regressed to reading /dev/zero
    dies there instead of taking the machine's memory (the review's run reached 24 GB)."""
    return lambda: resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))


# --- size ----------------------------------------------------------------------------------------------------


def _sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as out:
        out.truncate(size)  # a hole: no disk, no time
    return path


@pytest.mark.parametrize(("name", "size", "limit"), [
    ("huge.txt", 300 * 2**20, MAX_FILE_BYTES),  # the review's 300 MB .txt: refused by its size, unread
    ("big.pdf", MAX_FILE_BYTES + 1, MAX_FILE_BYTES),
    ("big.txt", MAX_TEXT_BYTES + 1, MAX_TEXT_BYTES),  # text: the smaller cap, before any decoding
    ("big.csv", MAX_TEXT_BYTES + 1, MAX_TEXT_BYTES),
    ("big.html", MAX_TEXT_BYTES + 1, MAX_TEXT_BYTES),
])
def test_a_file_past_its_cap_is_refused_naming_the_limit(tmp_path, name, size, limit):
    path = _sparse(tmp_path / name, size)
    with pytest.raises(SourceError) as refused:
        parse_document(path)
    assert refused.value.path == str(path)
    message = refused.value.message
    assert f"超过 {limit // 2**20} MB 的上限" in message and f"larger than the {limit // 2**20} MB limit" in message


def test_a_text_of_more_lines_than_any_list_is_refused(tmp_path):
    """The line cap of the other formats holds for text too: 100,001 lines under 1 MB were read and parsed."""
    path = tmp_path / "lines.txt"
    path.write_text(LIST + "\n" * MAX_LINES, encoding="utf-8")
    with pytest.raises(SourceError) as refused:
        parse_document(path)
    assert f"超过 {MAX_LINES} 行" in refused.value.message and f"more than {MAX_LINES:,} lines" in refused.value.message


def test_a_list_just_under_the_text_cap_still_reads(tmp_path):
    path = tmp_path / "padded.txt"
    path.write_text(LIST + " " * (MAX_TEXT_BYTES - len(LIST.encode()) - 1) + "\n", encoding="utf-8")
    assert path.stat().st_size == MAX_TEXT_BYTES
    assert _items(parse_document(path)) == EXPECTED


def test_devices_and_pipes_are_refused_unread(tmp_path):
    """`luzhi validate` of /dev/zero and of a FIFO no one writes to: refused at once (was: read until the
    memory ran out, or blocked for ever), exit 2, each named once."""
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    answer = subprocess.run([sys.executable, "-m", "luzhi.server.cli", "validate", "/dev/zero", fifo],
                            capture_output=True, text=True, timeout=120, preexec_fn=_capped())
    assert answer.returncode == 2, answer.stderr
    zero, pipe = answer.stderr.splitlines()
    # `FILE: message`: with no line to give, no `-:-` (cold review 21)
    assert zero.startswith("/dev/zero: 不是普通文件，而是字符设备") and "a character device" in zero
    assert pipe.startswith(f"{fifo}: 不是普通文件，而是命名管道（FIFO）") and "a named pipe" in pipe
    assert pipe.count(str(fifo)) == 1


@pytest.mark.parametrize(("name", "data", "start"), [
    ("no-header.txt", "浙江省嘉兴市嘉善县西塘镇履行职责事项清单\n这里没有表格\n".encode(),
     "no-header.txt:2: 全文没有找到"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "broken.docx: 不是可读的 Word（.docx）文件"),
])
def test_validate_names_an_unreadable_file_once(name, data, start):
    """`luzhi validate` and `POST /validate` said "no-header.txt:2:-: ParseError: no-header.txt:2: …"."""
    with pytest.raises(SubmissionError) as refused:
        read_submission(data, "text", name=name, base="http://127.0.0.1:5000")
    assert str(refused.value).startswith(start) and str(refused.value).count(name) == 1, str(refused.value)
    assert refused.value.line == (2 if name.endswith(".txt") else None)


def test_a_build_refuses_a_device_naming_it_once(tmp_path):
    """The build's own path: the stage key (a hash of the file) read the device before the parse did, and the
    refusal said "a.docx: [SourceError] a.docx: …". /dev/null, which a regression reads harmlessly (as empty)."""
    (tmp_path / "a.docx").write_bytes(b"PK\x03\x04 not really a zip")
    options = BuildOptions(base="http://127.0.0.1:5000", validate=False)
    (tmp_path / "staging").mkdir()
    texts = []
    for path in (Path("/dev/null"), tmp_path / "a.docx"):
        staged = stage_one(path, stage_key(path, options), options, tmp_path / "staging", None)
        texts.append(staged.refusal.text())
    device, docx = texts
    assert device.startswith("[SourceError] 不是普通文件，而是字符设备") and "/dev/null" not in device, device
    assert docx.startswith("[SourceError] 不是可读的 Word（.docx）文件") and "a.docx" not in docx, docx


# --- what a file really is -----------------------------------------------------------------------------------


def _ole(*streams: str) -> bytes:
    """An OLE compound file ([MS-CFB], version 3: 512-byte sectors) whose directory holds `streams` (empty),
    as Office 97-2003 (and WPS) write their documents: the header, one FAT sector, one directory sector."""
    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = OLE_MAGIC
    header[24:26], header[26:28], header[28:30] = (0x3E).to_bytes(2, "little"), (3).to_bytes(2, "little"), b"\xfe\xff"
    header[30:32], header[32:34] = (9).to_bytes(2, "little"), (6).to_bytes(2, "little")
    header[44:48], header[48:52] = (1).to_bytes(4, "little"), (1).to_bytes(4, "little")  # 1 FAT sector; dir at 1
    header[56:60], header[60:64], header[68:72] = (4096).to_bytes(4, "little"), end.to_bytes(4, "little"), \
        end.to_bytes(4, "little")
    header[76:512] = (0).to_bytes(4, "little") + free.to_bytes(4, "little") * 108  # the FAT is sector 0
    fat = fat_sector.to_bytes(4, "little") + end.to_bytes(4, "little") + free.to_bytes(4, "little") * 126
    directory = bytearray()
    for kind, name in [(5, "Root Entry"), *((2, stream) for stream in streams)]:
        entry = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        entry[: len(encoded)], entry[64:66], entry[66] = encoded, len(encoded).to_bytes(2, "little"), kind
        entry[68:80] = free.to_bytes(4, "little") * 3  # no siblings, no child
        directory += entry
    return bytes(header + fat + directory.ljust(512, b"\0"))


@pytest.mark.parametrize(("name", "data", "words"), [
    ("清单.xlsx", _ole("WordDocument", "1Table"), ("内容其实是旧版 Word（.doc）", "really old Word (.doc)", ".xlsx")),
    ("清单.csv", _ole("Workbook"), ("内容其实是旧版 Excel（.xls）", "really old Excel (.xls)", ".csv")),
    ("清单.txt", _ole("Book"), ("旧版 Excel（.xls）", "old Excel (.xls)", ".txt")),  # was: "line 1 holds a NUL"
    ("清单.docx", _ole("EncryptionInfo", "EncryptedPackage"),
     ("受密码保护", "password-protected", "remove the password")),
    ("清单.xls", _ole("Workbook"), ("不支持旧版 Excel（.xls）", "old Excel (.xls) is not supported", "save the file")),
    ("清单.wps", _ole("WordDocument"), ("不支持WPS 文字（.wps）", "WPS Writer (.wps) is not supported", ".docx")),
    ("清单", _ole("PowerPoint Document"), ("PowerPoint", "PowerPoint", "no extension")),
    ("清单.doc", "{\\rtf1\\ansi 加强党的政治建设}".encode("gb18030"), ("内容其实是RTF 文档", "really RTF", ".doc")),
    # was: pdfminer searching 4 MB of it for a PDF's objects for 6 s (64 MB: half an hour) before "No /Root object"
    ("清单.pdf", b"\0" * 2**22, ("不是 PDF 文件", "does not start with the %PDF- marker")),
])
def test_a_file_no_reader_reads_is_named_for_what_it_really_is(name, data, words):
    with pytest.raises(SourceError) as refused:
        parse_bytes(data, name)
    assert refused.value.path == name
    assert all(word in refused.value.message for word in words), refused.value.message


def test_archives_that_are_no_office_document_are_named(tmp_path):
    odt, archive = tmp_path / "清单.docx", tmp_path / "清单.txt"
    with zipfile.ZipFile(odt, "w") as out:  # stored first, as OpenDocument requires
        out.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        out.writestr("content.xml", "<office:document-content/>")
    with zipfile.ZipFile(archive, "w") as out:  # a download of several lists, named .txt
        out.writestr("a.docx", b"...")
        out.writestr("b.docx", b"...")
    for path, zh, en in ((odt, "OpenDocument 文本（.odt）", "really OpenDocument text (.odt)"),
                         (archive, "ZIP 压缩包", "unpack it")):
        with pytest.raises(SourceError) as refused:
            parse_document(path)
        assert zh in refused.value.message and en in refused.value.message, refused.value.message


@pytest.mark.parametrize(("write", "name", "media"), [
    (write_docx, "清单.xlsx", "wordprocessingml"),  # a .docx named .xlsx (was: "not a readable Excel file")
    (write_xlsx, "清单.csv", "spreadsheetml"),  # an .xlsx named .csv (was: a CSV decoding error)
    (write_html, "清单.xls", "text/html"),  # a portal's "export to Excel": an HTML table named .xls (was: refused)
    (write_docx, "清单.doc", "wordprocessingml"),  # a .docx named .doc (was: refused as an old Word file)
])
def test_a_readable_format_under_another_name_is_read_as_what_it_is(tmp_path, write, name, media):
    path = write(LIST, tmp_path / name)
    doc = parse_document(path)
    assert _items(doc) == EXPECTED and media in doc.media_type


# --- invisible characters ------------------------------------------------------------------------------------

# A BOM pasted inside a cell and zero-width spaces, in the title, a category, a title and a department
DIRTY = (LIST.replace("嘉善县", "嘉善县\u200b").replace("\t党的建设", "\t\ufeff党的建设")
         .replace("开展招商引资工作", "开展\u200b招商引资\u2060工作\ufeff").replace("县公安局", "\u200e县公安局\u200b"))


@pytest.mark.parametrize("write", [write_docx, write_xlsx, write_csv, write_html, None],
                         ids=["docx", "xlsx", "csv", "html", "txt"])
def test_invisible_format_characters_are_dropped_from_every_format(tmp_path, write):
    assert DIRTY != LIST
    if write is None:
        path = tmp_path / "list.txt"
        path.write_text(DIRTY, encoding="utf-8")
    else:
        path = write(DIRTY, tmp_path / f"list.{write.__name__.removeprefix('write_')}")
    doc = parse_document(path)
    assert _items(doc) == EXPECTED  # was: a category "\ufeff党的建设" beside 党的建设, a title with U+200B in it
    assert doc.title == CLEAN.title == "浙江省嘉兴市嘉善县西塘镇"
    assert [item.category for item in doc.items if item.list_kind is ListKind.BASIC] == ["党的建设"] * 2 + ["经济发展"]


def test_a_word_cell_of_a_bom_only_reads_empty(tmp_path):
    document = Document()
    document.add_paragraph("\ufeff")
    path = tmp_path / "bom.docx"
    document.save(path)
    with pytest.raises(SourceError) as refused:
        parse_document(path)
    assert "没有任何文字" in refused.value.message  # no text at all: the BOM is none


# ---- a PDF that takes too long to read -------------------------------------------------------------------------

def _pdf(*contents: bytes) -> bytes:
    """A PDF of one page per content stream (each FlateDecode: `q Q ` four million times is 16 MB, 16 kB stored)."""
    import zlib

    pages = len(contents)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(pages)),
                                                           pages)]
    for i, content in enumerate(contents):
        stream = zlib.compress(content, 9)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R >>" % (4 + 2 * i))
        objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream))
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


_CHARACTERS = b"BT /F1 6 Tf " + b"(a) Tj " * 1_000_000 + b"ET"  # a million characters on one page: 30 kB stored


def test_a_pdf_of_millions_of_operators_is_read_at_once():
    """`%PDF-` and then a page of four million operators (16 kB on disk) kept pdfminer, the reader before PDFium,
    busy for about two minutes here. PDFium reads it in a fraction of a second: a page of nothing."""
    from luzhi.etl.readers.pdf import read_pdf

    assert list(read_pdf(_pdf(b"q Q " * 4_000_000), "hostile.pdf", seconds=60)) == []


def test_a_pdf_that_takes_too_long_to_read_is_refused_naming_it():
    """A page of a million characters (30 kB on disk) takes seconds to read. The reader stops at the limit (here
    0.5 s, or 1.5 s a page once the pages are counted; `PDF_SECONDS` and `PAGE_SECONDS` in a build): a refusal
    naming the file, in both languages, nothing read. It was once "not a readable PDF file" under load: a timer's
    exception raised while ctypes converted an argument became ctypes' own error (etl/readers/time_limit.py)."""
    import time

    from luzhi.etl.readers.pdf import read_pdf

    hostile = _pdf(_CHARACTERS)
    assert len(hostile) < 64_000
    for _ in range(3):  # where the limit falls differs from run to run
        started = time.monotonic()
        with pytest.raises(SourceError) as caught:
            list(read_pdf(hostile, "hostile.pdf", seconds=0.5, page_seconds=1.5))
        assert time.monotonic() - started >= 1.5  # the page's allowance, not the 0.5 s before the pages were known
        assert str(caught.value).startswith("hostile.pdf: 读取这份 PDF 超过了 1.5 秒的时限，已停止，没有载入任何内容")
        assert "took longer than the 1.5-second limit and was stopped; nothing was loaded" in caught.value.message
    # an ordinary PDF under the same limit reads as before
    assert list(read_pdf(_pdf(b"q Q " * 100, b"q Q"), "plain.pdf", seconds=1)) == []


def _grid(lines: int, step: float) -> bytes:
    """A page ruled `lines` times each way, `step` pt apart: every line crosses every other."""
    end = lines * step
    ruled = [b"%.1f 0 m %.1f %.1f l S" % (i * step, i * step, end) for i in range(lines)]
    ruled += [b"0 %.1f m %.1f %.1f l S" % (i * step, end, i * step) for i in range(lines)]
    return _pdf(b"\n".join(ruled))


@pytest.mark.parametrize(("grid", "says"), [
    ((1500, 4.0), " 1,500 条竖线、1,500 条横线，要两两比对 2,250,000 次（上限 250,000 次）"),  # the cold review's page
    ((110, 4.0), " 12,100 处表格线交叉（上限 10,000 处）"),  # 12,100 pairs, each a crossing
])
def test_a_page_of_too_many_ruling_lines_is_refused_at_once(grid, says):
    """pdfplumber's table finder takes time with the square of a page's crossings: 1,500 lines each way held a
    validation for its whole minute (a 503; the build would have read it for longer), 200 each way took 46 s.
    Refused now, naming the page, before the finder starts. Run apart, with a limit, as a hang detector."""
    script = f"""
import sys
sys.path.insert(0, "tests")
from test_reader_inputs import _grid
from luzhi.etl.readers.pdf import read_pdf
from luzhi.etl.source import SourceError
try:
    list(read_pdf(_grid{grid}, "grid.pdf", seconds=600, page_seconds=600))
except SourceError as error:
    print(error.message)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=90, check=False)
    assert done.stdout.startswith(f"第 1 页画有{says}"), (done.stdout, done.stderr[-1000:])
    assert "far more than a list's tables have" in done.stdout


def test_a_pdf_read_on_a_thread_stops_at_its_limit_too():
    """The limit is the reader's own checks, so it holds on any thread (three slow pages, 0.2 s)."""
    import threading

    from luzhi.etl.readers.pdf import read_pdf

    slow = _pdf(*[b"BT /F1 6 Tf " + b"(a) Tj " * 100_000 + b"ET"] * 3)
    caught: list[BaseException] = []

    def read() -> None:
        try:
            list(read_pdf(slow, "slow.pdf", seconds=0.2, page_seconds=0.01))
        except SourceError as error:
            caught.append(error)

    thread = threading.Thread(target=read)
    thread.start()
    thread.join(30)
    assert [type(error) for error in caught] == [SourceError] and "0.2 秒的时限" in str(caught[0])
