"""File → `SourceLine`s: decode a source document and number its lines as an editor does.

The documents are text extractions of Word/PDF files. We accept UTF-8 (with or without a BOM),
GB18030 (the superset of GBK/GB2312 that Chinese government systems still emit) and UTF-16 (with
a BOM, or without one when its NUL bytes say so: Windows "Unicode" text), and refuse everything
else with a `SourceError` that names the file and says why, instead of guessing: a wrongly decoded
document would parse into plausible-looking garbage.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

from luzhi.etl.model import SourceLine

# Every message is Chinese, then English after " / ", as the validator's own (server/validation/submission.py):
# `luzhi validate --lang en` and `POST /validate?lang=en` users read the English half.
EMPTY_FILE = "文件为空（0 字节） / the file is empty (0 bytes)"
_ENCODING_EN = {"UTF-16（有 BOM）": "UTF-16 (with a BOM)", "UTF-16（无 BOM）": "UTF-16 (without a BOM)"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")  # C0/C1 controls but \t \n \f \r
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff\U000f0000-\U0010ffff]")


class SourceError(Exception):
    """The file cannot be read as a text document (wrong encoding, binary, empty)."""

    def __init__(self, path: str | Path, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.message = message
        self.line = line  # the 1-based line at fault, when there is one (reports show it)
        super().__init__(f"{self.path}: {message}")


def read_source(path: str | Path) -> list[SourceLine]:
    """Read and decode one document into numbered lines (1-based, without line terminators)."""
    return decode_source(read_bytes(path), path)


# The largest document file luzhi reads, of any format. A list is a few hundred kB (the samples as text: 130–190 kB;
# as .docx under 1 MB); a PDF carrying a seal's image or embedded fonts some MB. Without a cap, `luzhi build
# /dev/zero` grew to 24 GB before anything said why, and a 300 MB .txt was read whole (cold review 21).
MAX_FILE_BYTES = 64 * 2**20
_TOO_LARGE = ("文件超过 {limit} MB 的上限（一份清单的文件通常只有几百 KB 到几 MB）：请确认选对了文件，"
              "或把文档拆成几个文件后再试 / the file is larger than the {limit} MB limit (a list's file is a few "
              "hundred kB to a few MB): check that this is the right file, or split the document into several "
              "files, and try again")
_NOT_REGULAR = {stat.S_IFDIR: ("目录", "a directory"), stat.S_IFCHR: ("字符设备", "a character device"),
                stat.S_IFBLK: ("块设备", "a block device"), stat.S_IFIFO: ("命名管道（FIFO）", "a named pipe (FIFO)"),
                stat.S_IFSOCK: ("套接字", "a socket")}


def too_large(limit: int) -> str:
    """The refusal of a document past `limit` bytes, in both languages (the readers refuse smaller limits so)."""
    return _TOO_LARGE.format(limit=limit // 2**20)


def read_bytes(path: str | Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """A document file's bytes, refused past `limit` without reading further, and refused unread when it is no
    regular file: a device or a pipe has no end to read to (/dev/zero) or blocks (a FIFO with no writer).

    Opened without blocking (a FIFO's open waits for a writer otherwise), then asked what it is: a path checked
    before it is opened may be another file by then."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise SourceError(path, f"无法打开文件：{error.strerror} / cannot open the file: {error.strerror}") from None
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            zh, en = _NOT_REGULAR.get(stat.S_IFMT(status.st_mode), ("特殊文件", "a special file"))
            raise SourceError(path, f"不是普通文件，而是{zh}，无法作为清单读取 / not a regular file but {en}, which "
                                    "cannot be read as a list")
        # The size said first spares reading a huge file; the bytes read decide (a file may grow, /proc's say 0).
        data = b"" if status.st_size > limit else handle.read(limit + 1)
    if status.st_size > limit or len(data) > limit:
        raise SourceError(path, too_large(limit))
    return data


def decode_source(data: bytes, path: str | Path) -> list[SourceLine]:
    """Decode the bytes of a document; see the module docstring for what is accepted."""
    text = decode_text(data, path)
    return list(_split_lines(text, str(path)))


def source_codec(data: bytes) -> str | None:
    """The codec the build reads a text with: "utf-8" (a BOM or none) when the whole text is UTF-8, else
    "gb18030"; "utf-16" (a BOM), "utf-16-le" or "utf-16-be" (none: told by its NULs); None for bytes with NULs
    that are no UTF-16 (`decode_source` refuses them as binary). The one place this choice is made: a duty page
    quotes its source lines by it (server/source_lines.py) and /source/ names it as the charset; a page that
    decoded otherwise than the build quoted the wrong text or failed. Whether the text really is GB18030 is
    `decode_source`'s to say (it refuses what is not)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in data:
        return _utf16_without_bom(data)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def decode_text(data: bytes, path: str | Path) -> str:
    """The text of a document's bytes, unsplit (a CSV reader splits its own records); refused as `decode_source`."""
    if not data:
        raise SourceError(path, EMPTY_FILE)
    for bom in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE):
        if data.startswith(bom):
            raise SourceError(path, "不支持 UTF-32 编码，请转换为 UTF-8、GB18030 或 UTF-16 / UTF-32 is not supported: "
                                    "convert the file to UTF-8, GB18030 or UTF-16")
    codec = source_codec(data)
    if codec is None or codec.startswith("utf-16"):
        return _decode_utf16_source(data, path)
    if codec == "utf-8":
        text = data.decode("utf-8-sig")
        _refuse_suspicious(text, path, "UTF-8", private_use_too=False)
        return text
    _refuse_cut(data, path, "UTF-8")
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as gb_error:
        _refuse_cut(data, path, "GB18030")  # here, not before: a GB18030 file was decoded twice to find it whole
        _refuse_big5(data, path)
        # Name the place where the likelier encoding (the one that read further) broke: a GB18030
        # file with one bad byte at line 30 fails as UTF-8 at its first Chinese character (cold review).
        utf8_at = _utf8_error_at(data)
        further = gb_error.start > utf8_at
        codec, at = ("GB18030", gb_error.start) if further else ("UTF-8", utf8_at)
        line = data.count(b"\n", 0, at) + 1
        raise SourceError(
            path, f"第 {line} 行（字节偏移 {at}）有无法解码的字节：既不是合法的 UTF-8 也不是合法的 GB18030"
                  f"（按 {codec} 读到这里出错）；{_RESAVE[0].format(name=Path(path).name)} / line {line} (byte "
                  f"offset {at}) holds bytes that are neither UTF-8 nor GB18030 (read as {codec}, it fails "
                  f"here); {_RESAVE[1].format(name=Path(path).name)}", line=line,
        ) from None
    if _PRIVATE_USE.search(text):  # GB18030 reads Big5 bytes as private-use characters (cold review)
        _refuse_big5(data, path)
    _refuse_suspicious(text, path, "GB18030", private_use_too=True)
    return text


_CUT_SHORT = ("unexpected end of data", "incomplete multibyte sequence")  # the UTF-8 and GB18030 codecs' words


def _refuse_cut(data: bytes, path: str | Path, name: str) -> None:
    """Refuse a text in the encoding `name` ("UTF-8", "GB18030") that ends inside a character, white space after it
    or not: a copy or download cut short. Every byte before that character reads in that encoding; such a file was
    told it was "neither UTF-8 nor GB18030" (cold reviews 29 and 31)."""
    text = data.rstrip(b" \t\r\n")
    try:
        text.decode(name.lower())
    except UnicodeDecodeError as error:
        if error.end != len(text) or error.reason not in _CUT_SHORT:
            return
        line, kept = data.count(b"\n", 0, error.start) + 1, len(text) - error.start
        raise SourceError(
            path, f"文件在第 {line} 行的一个字符中间结束（最后 {kept} 个字节只是一个 {name} 字符的开头）："
                  f"文件被截断了，请对照原件补全 / the file ends inside a character on line {line} ("
                  f"{'its last byte begins' if kept == 1 else f'its last {kept} bytes begin'} a {name} character "
                  "that stops there): it was cut short; complete it from the original", line=line,
        ) from None


def _utf8_error_at(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start
    return len(data)


def _decode_utf16_source(data: bytes, path: str | Path) -> str:
    """A text `source_codec` found UTF-16 by its BOM or NULs: decoded, or refused as binary (NULs, no UTF-16)."""
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return _decode_utf16(data[len(bom) :], codec, path, "UTF-16（有 BOM）")
    codec = _utf16_without_bom(data)
    if codec is not None:
        return _decode_utf16(data, codec, path, "UTF-16（无 BOM）")
    line = data.count(b"\n", 0, data.index(b"\x00")) + 1
    raise SourceError(path, f"第 {line} 行含有 NUL 字节：不是 UTF-16 文本，可能是二进制文件 / line {line} holds a "
                            "NUL byte and the file is not UTF-16 text: perhaps a binary file", line=line)


# The way out of an encoding luzhi does not read: the document's own file name, and the two encodings that keep
# every Chinese character (traditional ones included).
_RESAVE = ("请用文本编辑器把 {name} 另存为 UTF-8（或 GB18030）编码后重试",
           "re-save {name} as UTF-8 (or GB18030) in a text editor, then try again")
_BIG5 = ("big5", "cp950", "big5hkscs")
# Traditional forms, common in duty lists, whose simplified forms differ: a short GB18030 file with a user-defined
# character (`序号` + 0xAAA1) also decodes as Big5, but to none of these.
_TRADITIONAL = re.compile("[職責項鄉鎮門縣區與務會發關業農衛導組織檢機構條規劃建設環護險負監處辦應]")


def _refuse_big5(data: bytes, path: str | Path) -> None:
    """Refuse a Big5 (traditional Chinese, Taiwan and Hong Kong) document by its name: read as GB18030 its
    bytes either fail or give private-use characters, and the message said "the encoding cannot be trusted"
    without saying which encoding it was or what to do (cold review)."""
    for codec in _BIG5:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if len(_TRADITIONAL.findall(text)) >= 2 and not _PRIVATE_USE.search(text):
            name = Path(path).name
            raise SourceError(path, f"{name} 似乎是 Big5（繁体中文）编码，luzhi 只读 UTF-8、GB18030 和 UTF-16："
                                    f"{_RESAVE[0].format(name=name)} / {name} looks Big5-encoded (traditional "
                                    f"Chinese), and luzhi reads UTF-8, GB18030 and UTF-16 only: "
                                    f"{_RESAVE[1].format(name=name)}")


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM shows itself by where its NUL bytes fall: the high byte of every ASCII
    character (tabs, digits, line ends: every duty list has them) is NUL, at odd offsets in
    little-endian, even offsets in big-endian; the other side has a NUL only for the rare character
    U+xx00 (一 is U+4E00). Binary data has NULs anywhere, or an odd length. The decode that follows
    must still succeed and give no control or private-use character."""
    if len(data) % 2:
        return None
    odd, even = data[1::2].count(0), data[0::2].count(0)
    if odd > 4 * even and b"\n\x00" in data:
        return "utf-16-le"
    if even > 4 * odd and b"\x00\n" in data:
        return "utf-16-be"
    return None


def _decode_utf16(data: bytes, codec: str, path: str | Path, name: str) -> str:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        line = data.decode(codec, errors="replace").count("\n", 0, error.start // 2) + 1
        raise SourceError(path, f"第 {line} 行不是合法的 {name} 文本（字节偏移 {error.start}） / line {line} is not "
                                f"valid {_ENCODING_EN.get(name, name)} text (byte offset {error.start})",
                          line=line) from None
    _refuse_suspicious(text, path, name, private_use_too=True)
    return text


def _refuse_suspicious(text: str, path: str | Path, encoding: str, *, private_use_too: bool) -> None:
    if not text.strip():
        raise SourceError(path, "文件只有空白，没有任何文字 / the file holds only white space, no text")
    bad = _CONTROL.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        code = f"U+{ord(bad.group()):04X}"
        raise SourceError(
            path, f"第 {line} 行含有控制字符 {code}：不像文本文件（按 {encoding} 解码） / line {line} holds the "
                  f"control character {code}: not a text file (decoded as {_ENCODING_EN.get(encoding, encoding)})",
            line=line,
        )
    # GB18030 maps almost every byte pair to *some* character; private-use code points are
    # the tell-tale of bytes that were never GB18030 text in the first place.
    odd = _PRIVATE_USE.search(text) if private_use_too else None
    if odd is not None:
        line = text.count("\n", 0, odd.start()) + 1
        code = f"U+{ord(odd.group()):04X}"
        name = Path(path).name
        raise SourceError(path, f"第 {line} 行按 {encoding} 解码出私用区字符 {code}：编码不可信；"
                                f"{_RESAVE[0].format(name=name)} / line {line} decodes as "
                                f"{_ENCODING_EN.get(encoding, encoding)} to the private-use character {code}: the "
                                f"encoding cannot be trusted; {_RESAVE[1].format(name=name)}", line=line)


def _split_lines(text: str, path: str) -> Iterator[SourceLine]:
    # Only \n (with an optional \r before it) ends a line. str.splitlines() would also break on
    # \x0c, \x1c…\x1e, \x85, \u2028 and \u2029, which editors do not count, so line numbers (and
    # the RFC 5147 provenance fragments built from them) would drift.
    parts = text.split("\n")
    if parts and parts[-1] == "":
        parts.pop()  # a final line terminator ends the last line; it does not start a new one
    for number, raw in enumerate(parts, start=1):
        yield SourceLine(path=path, lineno=number, text=raw.removesuffix("\r"))
