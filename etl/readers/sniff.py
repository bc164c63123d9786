"""What a document file really is, by its first bytes, whatever its name says.

A file's name is what someone typed: portals serve an old `.xls` as `清单.xlsx`, a `.docx` is renamed `.xlsx`, a
workbook is saved as `.csv`, Word writes RTF under `.doc`. Read by its name, such a file failed with the wrong
reader's words ("not a readable Excel file: File is not a zip file"), or an OLE file named .txt as "line 1 holds a
NUL byte" (cold review 21). So the bytes decide:

- `%PDF-` → PDF (after at most 1024 bytes of anything in a .pdf, as PDF readers allow); `{\\rtf` → RTF;
- a ZIP (`PK\\x03\\x04`): an Office Open XML package (`[Content_Types].xml`) is Word by `word/document.xml`, Excel
  by `xl/workbook.xml`, PowerPoint by `ppt/presentation.xml`; an OpenDocument file says its type in its
  `mimetype` member; an OFD file has `OFD.xml`; any other ZIP is an archive of files, not a document;
- an OLE compound file (`D0 CF 11 E0 A1 B1 1A E1`, the container of Office 97–2003 and of WPS): its directory's
  stream names say what it holds (`WordDocument`: Word; `Workbook` or `Book`: Excel; `PowerPoint Document`;
  `EncryptedPackage`: a .docx or .xlsx saved with a password, which Office wraps in OLE);
- `<!DOCTYPE html` or `<html` (after a BOM and white space) → a web page (Word's "save as web page", portals'
  "export to Excel" that writes an HTML table under .xls).

Anything else is text, or a damaged file whose name's reader says what is wrong with it.
"""

from __future__ import annotations

import codecs
import zipfile
from io import BytesIO

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# kind → (what it is called in Chinese, in English); the kinds no reader reads
UNREADABLE = {
    ".doc": ("旧版 Word（.doc）", "old Word (.doc)"),
    ".xls": ("旧版 Excel（.xls）", "old Excel (.xls)"),
    ".wps": ("WPS 文字（.wps）", "WPS Writer (.wps)"),
    ".et": ("WPS 表格（.et）", "WPS Spreadsheets (.et)"),
    ".ofd": ("OFD 版式文件", "OFD"),
    ".ppt": ("旧版 PowerPoint 演示文稿（.ppt）", "an old PowerPoint presentation (.ppt)"),
    ".pptx": ("PowerPoint 演示文稿（.pptx）", "a PowerPoint presentation (.pptx)"),
    ".rtf": ("RTF 文档", "RTF"),
    ".odt": ("OpenDocument 文本（.odt）", "OpenDocument text (.odt)"),
    ".ods": ("OpenDocument 表格（.ods）", "an OpenDocument spreadsheet (.ods)"),
    ".odf": ("OpenDocument 文件", "an OpenDocument file"),
    "ole": ("旧版 Office（OLE 复合文档）", "an old Office file (OLE compound document)"),
    "zip": ("ZIP 压缩包", "a ZIP archive"),
    "encrypted": ("受密码保护（已加密）的 Office 文件", "a password-protected (encrypted) Office file"),
}
_SAVE_AS = ("请另存为 .docx、.xlsx、.csv、.pdf、.html 或文本文件",
            "save the file as .docx, .xlsx, .csv, .pdf, .html or text")
_WAY_OUT = {
    "zip": ("请解压后逐个提交其中的文档", "unpack it and give the documents inside one by one"),
    "encrypted": ("请在 Office 或 WPS 中去掉密码后另存为 .docx 或 .xlsx",
                  "remove the password in Office or WPS and save the file as .docx or .xlsx"),
}


def unreadable_message(kind: str, suffix: str) -> str:
    """Why a file of `kind` (a key of UNREADABLE) named with `suffix` is refused, and what to do, zh / en."""
    zh, en = UNREADABLE[kind]
    way_zh, way_en = _WAY_OUT.get(kind, _SAVE_AS)
    if kind == suffix:
        return f"不支持{zh}，{way_zh} / {en} is not supported: {way_en}"
    named = suffix or "（无扩展名）"
    named_en = f"its name ends in {suffix}" if suffix else "its name has no extension"
    return (f"文件名是 {named}，内容其实是{zh}，不支持这种格式：{way_zh} / the file is really {en} ({named_en}), "
            f"which is not supported: {way_en}")


def sniff(data: bytes, suffix: str) -> str | None:
    """The file's real kind: a suffix a reader reads (`.docx`, `.xlsx`, `.pdf`, `.html`), a key of UNREADABLE, or
    None when the first bytes say nothing (text, or a damaged file its name's reader names). `suffix` (lower case)
    only names which of two formats sharing a container it is (`.wps` and `.doc` are both OLE with a WordDocument)."""
    # PDF readers look for the marker in the first 1024 bytes (Acrobat's implementation notes); in a file whose name
    # does not say PDF, only at the start
    if data.startswith(b"%PDF-") or (suffix == ".pdf" and b"%PDF-" in data[:1024]):
        return ".pdf"
    if data.startswith(b"{\\rtf"):
        return ".rtf"
    if data.startswith(OLE_MAGIC):
        return _ole_kind(data, suffix)
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data, suffix)
    return ".html" if _starts_html(data) else None


def _starts_html(data: bytes) -> bool:
    head = data[:1024]
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            head = head[len(bom) : len(bom) + 1022].decode(codec, errors="ignore").encode("ascii", errors="ignore")
    start = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html"))


def _zip_kind(data: bytes, suffix: str) -> str | None:
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None  # its reader names the damage
    if "[Content_Types].xml" in names:
        for member, kind in (("word/document.xml", ".docx"), ("xl/workbook.xml", ".xlsx"),
                             ("ppt/presentation.xml", ".pptx")):
            if member in names:
                return kind
    if "mimetype" in names:
        try:
            with archive.open("mimetype") as member:
                mimetype = member.read(100)  # "application/vnd.oasis.opendocument.text": a few dozen bytes
        except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError):
            mimetype = b""
        if mimetype.startswith(b"application/vnd.oasis.opendocument."):
            kind = mimetype.removeprefix(b"application/vnd.oasis.opendocument.")
            return {b"text": ".odt", b"spreadsheet": ".ods"}.get(kind, ".odf")
    if "OFD.xml" in names:
        return ".ofd"
    # A .docx or .xlsx without its parts is a damaged one: its reader says what is missing.
    return None if suffix in (".docx", ".xlsx") else "zip"


_FREE_SECTOR = 0xFFFFFFFA  # sector numbers from here up mark ends of chains, free and special sectors
_MAX_DIRECTORY_SECTORS = 4096  # a real directory has a few; a chain that loops or runs on is not followed


def _ole_kind(data: bytes, suffix: str) -> str:
    names = _ole_streams(data)
    if "EncryptedPackage" in names:
        return "encrypted"
    if "WordDocument" in names:
        return ".wps" if suffix == ".wps" else ".doc"
    if names & {"Workbook", "Book"}:
        return ".et" if suffix == ".et" else ".xls"
    if "PowerPoint Document" in names:
        return ".ppt"
    return suffix if suffix in (".doc", ".xls", ".wps", ".et") else "ole"


def _ole_streams(data: bytes) -> set[str]:
    """The names in an OLE compound file's directory ([MS-CFB] 2.2, 2.6): the header's sector size and first
    directory sector, the FAT sectors the header lists (the first 109, which cover the first ~7 MB where Office
    writes the directory), and the directory's chain through them, 128 bytes an entry. Empty when it is damaged."""
    if len(data) < 512:
        return set()
    shift = int.from_bytes(data[30:32], "little")
    if shift not in (9, 12):
        return set()
    size = 1 << shift

    def sector(number: int) -> bytes:
        return data[(number + 1) * size : (number + 2) * size]

    fat: list[int] = []
    for at in range(76, 512, 4):
        number = int.from_bytes(data[at : at + 4], "little")
        if number >= _FREE_SECTOR:
            break
        block = sector(number)
        fat.extend(int.from_bytes(block[i : i + 4], "little") for i in range(0, len(block) - 3, 4))
    names: set[str] = set()
    number, seen = int.from_bytes(data[48:52], "little"), set()
    while number < _FREE_SECTOR and number not in seen and len(seen) < _MAX_DIRECTORY_SECTORS:
        seen.add(number)
        block = sector(number)
        for at in range(0, len(block) - 127, 128):
            entry = block[at : at + 128]
            length = int.from_bytes(entry[64:66], "little")
            if entry[66] in (1, 2) and 2 <= length <= 64 and length % 2 == 0:  # a storage or a stream
                names.add(entry[: length - 2].decode("utf-16-le", errors="replace"))
        number = fat[number] if number < len(fat) else _FREE_SECTOR
    return names
