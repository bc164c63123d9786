"""Decoding: UTF-8 (BOM or not), GB18030 and UTF-16 are read; anything else is a SourceError, never a guess."""

from __future__ import annotations

import codecs
import hashlib
import re
from pathlib import Path

import pytest

from luzhi.etl.parse import SourceError, parse_document, read_source
from luzhi.etl.readers import read_document
from luzhi.etl.source import decode_source, source_codec

LAYOUT = Path(__file__).resolve().parent / "fixtures" / "layouts" / "heading_rows.txt"
TEXT = LAYOUT.read_text(encoding="utf-8")


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def summary(path: Path) -> list[tuple]:
    doc = parse_document(path)
    return [(i.list_kind, i.sequence, i.title, i.category, i.lines) for i in doc.items] + [(doc.title, doc.title_lines)]


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("bom.txt", lambda text: b"\xef\xbb\xbf" + text.encode("utf-8")),
        ("gb18030.txt", lambda text: text.encode("gb18030")),
        ("crlf.txt", lambda text: text.replace("\n", "\r\n").encode("utf-8")),
        ("no-final-newline.txt", lambda text: text.rstrip("\n").encode("utf-8")),
        ("utf16.txt", lambda text: text.encode("utf-16")),  # BOM, little-endian on this machine
        ("utf16be.txt", lambda text: b"\xfe\xff" + text.encode("utf-16-be")),
        ("utf16-nobom.txt", lambda text: text.encode("utf-16-le")),
        ("utf16be-nobom.txt", lambda text: text.encode("utf-16-be")),
    ],
)
def test_accepted_encodings_give_the_same_document(tmp_path: Path, name: str, encode) -> None:
    data = encode(TEXT)
    path = write(tmp_path, name, data)
    assert summary(path) == summary(LAYOUT)
    assert parse_document(path).sha256 == hashlib.sha256(data).hexdigest()
    lines = read_source(path)
    assert [line.text for line in lines] == TEXT.rstrip("\n").split("\n")
    assert [line.lineno for line in lines] == list(range(1, len(lines) + 1))


def test_gb18030_is_really_decoded(tmp_path: Path) -> None:
    path = write(tmp_path, "gbk.txt", "序号\t事项名称\n1\t加强党的政治建设\n".encode("gb18030"))
    assert [line.text for line in read_source(path)] == ["序号\t事项名称", "1\t加强党的政治建设"]


def test_only_newline_ends_a_line(tmp_path: Path) -> None:
    # a form feed or U+2028 inside a line must not shift the numbering used for provenance
    path = write(tmp_path, "ff.txt", "甲\x0c乙\n丙\u2028丁\n戊\n".encode())
    assert [(line.lineno, line.text) for line in read_source(path)] == [(1, "甲\x0c乙"), (2, "丙\u2028丁"), (3, "戊")]


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("utf16-odd.txt", TEXT.encode("utf-16") + b"\x00", "UTF-16"),  # a BOM, then a broken last byte
        ("utf16-pua.txt", "序号\n\ue000\n".encode("utf-16"), "私用区字符 U+E000"),
        ("utf32.txt", TEXT.encode("utf-32"), "UTF-32"),
        ("empty.txt", b"", "为空"),
        ("blank.txt", b" \n\t\r\n", "只有空白"),
        ("binary.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "NUL"),
        ("latin1.txt", "序号\n".encode() + "café\n".encode("latin-1"), "第 2 行"),
        ("control.txt", "序号\n事项\x07名称\n".encode(), "控制字符 U+0007"),
        # a UTF-8 file cut inside its last character (cold review: "neither UTF-8 nor GB18030")
        ("cut.txt", "序号\n事项名称\n".encode()[:-2], "第 2 行的一个字符中间结束（最后 2 个字节只是一个 UTF-8"),
        # cold review 31: a line end after the cut, and a GB18030 file cut so
        ("cut-nl.txt", "序号\n事项名称".encode()[:-1] + b"\r\n", "中间结束（最后 2 个字节只是一个 UTF-8"),
        ("cut-gb.txt", "序号\n事项名称".encode("gb18030")[:-1], "中间结束（最后 1 个字节只是一个 GB18030"),
    ],
)
def test_refused(tmp_path: Path, name: str, data: bytes, words: str) -> None:
    path = write(tmp_path, name, data)
    with pytest.raises(SourceError) as caught:
        read_source(path)
    assert caught.value.path == str(path)
    assert words in caught.value.message
    assert_bilingual(caught.value.message)
    with pytest.raises(SourceError):
        parse_document(path)


def assert_bilingual(message: str) -> None:
    """Chinese, then " / " and English, as every validator message (`luzhi validate --lang en` users read it)."""
    zh, separator, en = message.partition(" / ")
    assert separator and re.search(r"[\u4e00-\u9fff]", zh), message
    assert re.search(r"[A-Za-z]{3} [a-z]{2,}", en) and not re.search(r"[\u4e00-\u9fff]", en), message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("old.doc", b"\xd0\xcf\x11\xe0 an old Word file"),
        ("broken.docx", b"PK not really a zip"),
        ("broken.xlsx", b"PK not really a zip"),
        ("broken.pdf", b"%PDF-1.4 cut short"),
        ("scan.html", b"<html><body><img src='scan.png'></body></html>"),
    ],
)
def test_a_document_no_reader_can_read_is_refused_in_both_languages(name: str, data: bytes) -> None:
    with pytest.raises(SourceError) as caught:
        read_document(data, name)
    assert caught.value.path == name
    assert_bilingual(caught.value.message)


def test_gb18030_private_use_is_refused(tmp_path: Path) -> None:
    # 0xAAA1 is a user-defined area of GB18030: decodable, but never real document text
    path = write(tmp_path, "pua.txt", "序号\n".encode("gb18030") + b"\xaa\xa1\n")
    with pytest.raises(SourceError) as caught:
        read_source(path)
    assert "第 2 行" in caught.value.message and "私用区字符 U+E000" in caught.value.message


def test_a_bad_byte_in_a_gb18030_file_is_placed_where_gb18030_broke(tmp_path: Path) -> None:
    """Cold review: a GB18030 file with a bad byte on line 30 was reported at line 3, where UTF-8 gave up."""
    lines = [f"{n}\t乡镇履职事项第 {n} 项" for n in range(1, 41)]
    data = "\n".join(lines[:29]).encode("gb18030") + b"\n30\t\x81\x20\n" + "\n".join(lines[30:]).encode("gb18030")
    path = write(tmp_path, "gb-bad.txt", data)
    with pytest.raises(SourceError) as caught:
        read_source(path)
    assert caught.value.line == 30 and "第 30 行" in caught.value.message and "GB18030" in caught.value.message


def test_source_codec_is_the_build_s_choice():
    """One choice for the build and for the page quoting its lines (server/source_lines.py): the text each
    codec gives is the text `decode_source` numbered."""
    text = "序号\t事项名称\n1\t加强党的建设\n"
    for data, codec in ((text.encode("utf-8"), "utf-8"), (codecs.BOM_UTF8 + text.encode("utf-8"), "utf-8"),
                        (text.encode("gb18030"), "gb18030"), (text.encode("utf-16"), "utf-16"),
                        (text.encode("utf-16-le"), "utf-16-le"), (b"\x00\x01\x02binary", None)):
        assert source_codec(data) == codec
        if codec is not None:
            lines = data.removeprefix(codecs.BOM_UTF8).decode(codec).removeprefix("\ufeff").splitlines()
            assert lines == [line.text for line in decode_source(data, "x.txt")]


def test_a_web_page_nested_past_the_parsers_depth_is_refused_saying_so(tmp_path: Path) -> None:
    """Cold review 29: libxml2 drops what lies past 256 nested elements, and such a page was said to hold no text."""
    html = "<html><body>\n" + "<div>" * 300 + "1\t加强党的政治建设" + "</div>" * 300 + "\n</body></html>\n"
    with pytest.raises(SourceError) as caught:
        parse_document(write(tmp_path, "deep.html", html.encode()))
    assert caught.value.line == 2 and "嵌套超过 256 层" in caught.value.message
    assert "nest more than 256 deep" in caught.value.message
    assert_bilingual(caught.value.message)


def test_a_web_page_past_the_parsers_text_limit_is_refused_saying_so(tmp_path: Path) -> None:
    """Cold review 31: libxml2's 10 MB limit on one text node was told as "nest more than ? deep"."""
    html = "<html><body>\n<p>" + "字" * 3_600_000 + "</p>\n</body></html>\n"
    with pytest.raises(SourceError) as caught:
        parse_document(write(tmp_path, "huge.html", html.encode()))
    assert "一段文字或一个标记超过 10 MB" in caught.value.message and "longer than 10 MB" in caught.value.message
    assert_bilingual(caught.value.message)
