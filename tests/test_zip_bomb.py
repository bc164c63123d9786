"""A Word/Excel file that unpacks past the limit is refused before unpacking, naming the file (cold review 2026-11-30:
a 900 KB .docx that unpacked to 800 MB answered 'MemoryError: Unable to allocate output buffer')."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import requests
from formats import write_docx, write_xlsx

from luzhi.etl.parse import parse_document
from luzhi.etl.readers import MAX_UNPACKED_BYTES
from luzhi.etl.source import SourceError

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "000_d4a0698a49e5e74d.txt"


def _with_padding(real: Path, target: Path, unpacked: int) -> Path:
    """The real document plus one highly compressible member of `unpacked` bytes (zeros deflate ~1000:1)."""
    with zipfile.ZipFile(real) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            out.writestr(item, source.read(item))
        with out.open("customXml/padding.xml", "w") as pad:
            block = b"\0" * 2**20
            for _ in range(unpacked // len(block)):
                pad.write(block)
    return target


@pytest.mark.parametrize(("write", "suffix"), [(write_docx, ".docx"), (write_xlsx, ".xlsx")])
def test_an_archive_that_unpacks_past_the_limit_is_refused(tmp_path, write, suffix):
    real = write(SAMPLE.read_text(encoding="utf-8"), tmp_path / f"real{suffix}")
    bomb = _with_padding(real, tmp_path / f"bomb{real.suffix}", MAX_UNPACKED_BYTES + 2**20)
    assert bomb.stat().st_size < 2 * 2**20  # small on disk, as a bomb is
    with pytest.raises(SourceError) as refused:
        parse_document(bomb)
    assert str(bomb) in str(refused.value) and "压缩炸弹" in str(refused.value)
    cli = subprocess.run([sys.executable, "-m", "luzhi.server.cli", "validate", str(bomb)],
                         capture_output=True, text=True, timeout=300)
    assert cli.returncode == 2 and "MemoryError" not in cli.stderr and "MB" in cli.stderr


def test_padding_under_the_limit_still_reads(tmp_path):
    real = write_docx(SAMPLE.read_text(encoding="utf-8"), tmp_path / "real.docx")
    padded = _with_padding(real, tmp_path / "padded.docx", 4 * 2**20)
    assert len(parse_document(padded).items) == len(parse_document(real).items)


def test_a_member_that_lies_about_its_size_is_refused_before_unpacking(tmp_path):
    """Cold review: a member declaring 1,000 bytes that inflated to 1.5 GB: zipfile inflated it whole before cutting
    it to the declared size (2.2 GB of memory), and /validate answered 'MemoryError'. Its real size is counted."""
    real = write_docx(SAMPLE.read_text(encoding="utf-8"), tmp_path / "real.docx")
    bomb = _with_padding(real, tmp_path / "bomb.docx", MAX_UNPACKED_BYTES + 2**20)
    data = bytearray(bomb.read_bytes())
    member = zipfile.ZipFile(bomb).getinfo("customXml/padding.xml")
    name = member.filename.encode()
    # The declared size: at offset 22 of the member's local header, at 24 of its central directory entry.
    central = data.index(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.index(b"PK\x01\x02", central + 4)
    for at in (member.header_offset + 22, central + 24):
        assert int.from_bytes(data[at : at + 4], "little") == member.file_size
        data[at : at + 4] = (1000).to_bytes(4, "little")
    liar = tmp_path / "liar.docx"
    liar.write_bytes(bytes(data))
    assert zipfile.ZipFile(liar).getinfo("customXml/padding.xml").file_size == 1000
    with pytest.raises(SourceError) as refused:
        parse_document(liar)
    assert str(liar) in str(refused.value) and "压缩炸弹" in str(refused.value) and "zip bomb" in str(refused.value)


def _empty_paragraphs(target: Path, count: int) -> Path:
    """A Word file of a title and `count` empty paragraphs (`<w:p/>`, as Word and python-docx write them)."""
    from docx import Document

    document = Document()
    document.add_paragraph("某某镇履行职责事项清单")
    document.save(target)
    with zipfile.ZipFile(target) as source:
        parts = {item.filename: source.read(item) for item in source.infolist()}
    body = parts["word/document.xml"].decode("utf-8")
    at = body.index("<w:sectPr")
    parts["word/document.xml"] = (body[:at] + "<w:p/>" * count + body[at:]).encode("utf-8")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return target


def test_a_word_part_past_its_limit_is_refused_naming_file_part_and_limit(tmp_path, live_server):
    """Cold review: a .docx of ~186 MB of empty paragraphs (320 KB on disk, under the 200 MB archive limit) made
    lxml's tree ~23 bytes a byte; under /validate's memory cap the answer was "XMLSyntaxError: unknown error".
    The limit that trips is one part's size, so a part just past it (33 MB, ~60 KB on disk) takes that path."""
    from luzhi.etl.readers.word import MAX_PART_BYTES

    big = _empty_paragraphs(tmp_path / "空段落.docx", (MAX_PART_BYTES + 2**20) // len("<w:p/>"))
    assert big.stat().st_size < 2**20
    with pytest.raises(SourceError) as refused:
        parse_document(big)
    message = str(refused.value)
    limit = f"{MAX_PART_BYTES // 2**20} MB"
    assert str(big) in message and "word/document.xml" in message and limit in message, message
    assert "请删去多余的空段落" in message and "delete the surplus empty paragraphs" in message, message
    with big.open("rb") as upload:
        answer = requests.post(f"{live_server.url}/validate", files={"file": (big.name, upload)},
                               headers={"Accept": "application/json"}, timeout=300)
    assert answer.status_code == 400, answer.text
    assert limit in answer.json()["error"] and answer.json()["file"] == big.name, answer.text
    assert "XMLSyntaxError" not in answer.text and "unknown error" not in answer.text


def test_a_file_of_more_lines_than_any_list_is_refused(tmp_path):
    """Under the part limit, 20 MB of empty paragraphs (3.5 million lines, 35 KB on disk) took 124 s and 2 GB
    before saying "no text": past MAX_LINES the reader stops, saying why."""
    from luzhi.etl.readers import MAX_LINES

    many = _empty_paragraphs(tmp_path / "many.docx", MAX_LINES + 1)
    with pytest.raises(SourceError) as refused:
        parse_document(many)
    message = str(refused.value)
    assert str(many) in message and f"{MAX_LINES:,} lines" in message and f"超过 {MAX_LINES} 行" in message, message


def _with_doctype(real: Path, target: Path, part: str, *, before: str = "", rename: str = "") -> Path:
    """`real` with a DTD whose entity stands for 党的建设 wherever `part` says it, `before` the DTD (a long
    comment), and `part` renamed to `rename` (its content type and relationships following it)."""
    with zipfile.ZipFile(real) as source:
        parts = {item.filename: source.read(item) for item in source.infolist()}
    referenced = "".join(f"&#{ord(c)};" for c in "党的建设")  # as openpyxl writes it
    xml = parts.pop(part).decode("utf-8").replace("党的建设", "&t;").replace(referenced, "&t;")
    assert "&t;" in xml
    root = xml.index("<", xml.index("?>") if xml.startswith("<?xml") else 0)  # after the XML declaration, if any
    parts[rename or part] = (xml[:root] + before + '<!DOCTYPE r [<!ENTITY t "党的建设">]>' + xml[root:]).encode()
    if rename:
        for name in ("[Content_Types].xml", "word/_rels/document.xml.rels", "_rels/.rels"):
            if name in parts:
                parts[name] = parts[name].replace(f"/{part}".encode(), f"/{rename}".encode()).replace(
                    part.split("/", 1)[-1].encode(), rename.split("/", 1)[-1].encode())
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return target


@pytest.mark.parametrize(("before", "rename"), [("", ""), ("<!--" + "x" * 70_000 + "-->", ""),
                                                ("", "word/main.bin")])
def test_a_word_part_declaring_a_dtd_is_refused_naming_it(tmp_path, before, rename):
    """Cold review 29: the entities are not expanded (no entity bomb), so their text went missing and a .docx
    holding its text in them was said to hold no text at all. Word never writes a DTD. Cold review 31: a check of
    the parts' first 64 KB, of .xml parts only, let a long comment or a renamed part through: the trees are asked."""
    real = write_docx(SAMPLE.read_text(encoding="utf-8"), tmp_path / "real.docx")
    with_dtd = _with_doctype(real, tmp_path / "dtd.docx", "word/document.xml", before=before, rename=rename)
    with pytest.raises(SourceError) as refused:
        parse_document(with_dtd)
    message = str(refused.value)
    assert str(with_dtd) in message and f"/{rename or 'word/document.xml'}" in message and "<!DOCTYPE" in message
    assert "save it again" in message


def test_an_excel_part_declaring_a_dtd_is_read_whole(tmp_path):
    """openpyxl expands a sheet's entities (expat, bounded against entity bombs), so no text is lost: read."""
    real = write_xlsx(SAMPLE.read_text(encoding="utf-8"), tmp_path / "real.xlsx")
    with_dtd = _with_doctype(real, tmp_path / "dtd.xlsx", "xl/worksheets/sheet1.xml")
    assert [(i.title, i.category) for i in parse_document(with_dtd).items] == [
        (i.title, i.category) for i in parse_document(real).items]


def test_an_excel_entity_from_outside_the_file_is_refused_saying_so(tmp_path):
    """An entity the sheet's DTD takes from another file (`SYSTEM`) is never read (no file read, no network); the
    refusal said only "not a readable Excel file" (cold review 31): the parser's words now say which entity, where."""
    real = write_xlsx(SAMPLE.read_text(encoding="utf-8"), tmp_path / "real.xlsx")
    with_dtd = _with_doctype(real, tmp_path / "external.xlsx", "xl/worksheets/sheet1.xml")
    with zipfile.ZipFile(with_dtd) as source:
        parts = {item.filename: source.read(item) for item in source.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b'<!ENTITY t "\xe5\x85\x9a\xe7\x9a\x84\xe5\xbb\xba\xe8\xae\xbe">',
                                                      b'<!ENTITY t SYSTEM "file:///etc/hostname">')
    assert parts["xl/worksheets/sheet1.xml"] != sheet
    with zipfile.ZipFile(with_dtd, "w") as out:
        for name, data in parts.items():
            out.writestr(name, data)
    with pytest.raises(SourceError) as refused:
        parse_document(with_dtd)
    message = str(refused.value)
    assert str(with_dtd) in message and "not a readable Excel (.xlsx) file" in message, message
    assert "undefined entity &t;" in message and "line 1" in message, message
