"""A submission's bytes → an rdflib Graph, without ever fetching anything (issue 4).

RDF is parsed with pyoxigraph: its errors carry line and column, and it has no way to load
anything (no XML external entities; JSON-LD remote contexts need a loader we never give it).
JSON-LD `@context`/`@import` URLs are refused *before* parsing with a message naming them,
because rdflib's own JSON-LD parser would fetch them. `owl:imports` are kept as data but
never followed (pySHACL runs with do_owl_imports=False); the report says so.

RDF/XML may not declare a DTD or entities (issue 10): pyoxigraph expands internal entities, and a
973-byte "billion laughs" document took a worker past 6 GB. Nothing in RDF needs a DTD, so any
`<!DOCTYPE` is refused, as defusedxml does (forbid_dtd), before pyoxigraph sees the bytes. JSON
nested deeper than Python's parser allows is refused too (a 100,000-deep JSON-LD answered 500).

Raw list documents (the text layout of data/samples) go through the ETL in memory, so
results can point back at source lines.
"""

from __future__ import annotations

import codecs
import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath
from xml.parsers import expat

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import OWL

from luzhi.ontology.iris import normalise_base
from luzhi.ontology.types import LineSpan
from luzhi.shapes.validate import Notice, Severity
from luzhi.store.oxigraph import to_rdflib

# Format names accepted by `--format` and the form's `format` field → pyoxigraph format (None: text document).
FORMATS: dict[str, ox.RdfFormat | None] = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "text": None,
}
# RDF by its file name. Any other file is a list document, read as `luzhi build` reads it: etl.readers.read_document
# chooses the reader (by extension, .docx .xlsx .csv .pdf .html; else by the file's first bytes; else as text), so
# `luzhi validate` takes every file the build takes (it refused `list.dat`, which the build read; cold review).
_RDF_EXTENSIONS = {
    ".ttl": "turtle", ".turtle": "turtle", ".nt": "nt", ".jsonld": "jsonld", ".json": "jsonld",
    ".rdf": "rdfxml", ".xml": "rdfxml", ".owl": "rdfxml",
}
# The RDF files a folder given to `luzhi validate` stands for: not .json, which a folder of downloads holds for
# other things (a manifest), though a .json named on its own is read as JSON-LD.
RDF_SUFFIXES = frozenset(_RDF_EXTENSIONS) - {".json"}
# Upload media types. text/plain is a list document (that is how the samples are published), not N-Triples.
MEDIA_TYPES = {
    "text/turtle": "turtle", "application/x-turtle": "turtle", "application/n-triples": "nt",
    "application/ld+json": "jsonld", "application/json": "jsonld", "application/rdf+xml": "rdfxml",
    "application/xml": "rdfxml", "text/xml": "rdfxml", "text/plain": "text",
}


class SubmissionError(Exception):
    """The submission cannot be read; `line`/`column` are 1-based when the parser knows them."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None, name: str = "") -> None:
        self.message = message
        self.line = line
        self.column = column
        self.name = name
        where = f"{name}:" if name else ""
        if line is not None:
            where += f"{line}:" + (f"{column}:" if column is not None else "")
        super().__init__(f"{where} {message}".strip())

    def as_dict(self) -> dict:
        return {"error": self.message, "file": self.name or None, "line": self.line, "column": self.column}


@dataclass(frozen=True)
class Submission:
    graph: Graph
    notices: tuple[Notice, ...]
    name: str
    format: str


def guess_format(name: str = "", media_type: str = "") -> str | None:
    """The format of a submission: from its file name when that has an extension (an RDF one, or any other: a list
    document, "text"), else from its media type when that names one, else "text" for a name, None with neither (a
    body of an unknown type). The name first, as `luzhi validate` reads it and docs/validation.md says: browsers
    and curl label an uploaded .ttl text/plain, a .txt anything (cold reviews 27, 28)."""
    suffix = PurePath(name).suffix.lower()
    if suffix:
        return _RDF_EXTENSIONS.get(suffix, "text")
    media = media_type.split(";", 1)[0].strip().lower()
    if media in MEDIA_TYPES:
        return MEDIA_TYPES[media]
    return "text" if name else None


def empty_file_message() -> str:
    """What `luzhi validate`, `POST /validate` and `luzhi build` say of an empty file, whatever its format:
    the ETL's message (an empty .ttl said "no triples", an empty upload "nothing was submitted", an empty
    .txt "文件为空", cold review). Imported when needed: the ETL's modules add ~26 ms to a validation
    worker's start (python -X importtime), and RDF submissions never need them."""
    from luzhi.etl.source import EMPTY_FILE

    return EMPTY_FILE


def read_submission(data: bytes, fmt: str, *, name: str = "upload", base: str, layout: str | None = None,
                    township_code: str | None = None, code_hint: tuple[str, str] | None = None,
                    code_field: tuple[str, str] | None = None, charset: str | None = None) -> Submission:
    """Parse one submission; raises SubmissionError with the position of the first problem.

    A list document's township comes from its title, else from `township_code`; `code_hint` says how to
    give that code where the submission came from (default: the command line's --township-code), `code_field`
    names where it was given (the same default), as a notice that it overrides the title says it. `charset`
    is its Content-Type's, when it came with one (only UTF-16 is heeded: `_as_utf8`).
    """
    if not data:
        raise SubmissionError(empty_file_message(), name=name)
    if fmt not in FORMATS:
        raise SubmissionError(f"未知格式 {fmt!r}（可用：{', '.join(FORMATS)}） / unknown format", name=name)
    if FORMATS[fmt] is None:
        return _read_document(data, name=name, base=base, layout=layout, township_code=township_code,
                              code_hint=code_hint, code_field=code_field)
    data, encoding_notices = _as_utf8(data, charset, fmt, name)
    # A UTF-8 byte order mark, as Windows editors (Notepad, Excel's "CSV UTF-8") write one: RDF's formats are
    # UTF-8 without one, and pyoxigraph read it as a character of the first term ("﻿ is not a valid
    # subject", cold review). It is no part of the data: dropped, in every format.
    data = data.removeprefix(codecs.BOM_UTF8)
    if not data:
        raise SubmissionError(empty_file_message(), name=name)
    if fmt == "jsonld":
        _refuse_remote_contexts(data, name)
    if fmt == "rdfxml":
        _refuse_doctype(data, name)
    try:
        quads = list(ox.parse(data, format=FORMATS[fmt]))
    except SyntaxError as error:
        raise SubmissionError(_syntax_message(error, fmt, data), line=error.lineno, column=error.offset,
                              name=name) from None
    except ValueError as error:  # e.g. bytes that are not UTF-8
        raise SubmissionError(f"无法按 {FORMATS[fmt].name} 读取 / cannot be read as {FORMATS[fmt].name}: {error}",
                              name=name) from None
    graph = Graph()
    for quad in quads:  # named graphs are flattened: shapes apply to the whole submission
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    if not graph:
        # Nothing to check is not "conforms": an empty or comment-only upload is a mistake (issue 11, finding 6).
        raise SubmissionError("提交的内容没有任何三元组，无从验证 / the submission holds no triples: nothing to "
                              "validate", name=name)
    notices = encoding_notices + tuple(
        Notice("owl-imports-ignored", f"owl:imports <{target}> 未加载（提交的数据不会引用外部文件）",
               f"owl:imports <{target}> was not loaded (a submission never makes the server fetch anything)")
        for target in sorted(set(graph.objects(None, OWL.imports)))
    )
    prefix = normalise_base(base) + "/"
    if not any(isinstance(subject, URIRef) and str(subject).startswith(prefix) for subject in graph.subjects()):
        # The shapes target luzhi's classes, so data about other IRIs "conforms" by checking nothing; a
        # validator must hear that nothing of theirs was checked (cold review 2026-11-30).
        notices += (Notice("nothing-under-base", f"没有任何主语 IRI 在 {prefix} 之下：这份数据可能不是按 luzhi 的 IRI "
                                                 "规则写的，规则检查不到它（可用 --base 指定你的 IRI 前缀）",
                           f"no subject IRI is under {prefix}: the shapes may have checked nothing of this "
                           "submission (give your IRI base with --base)"),)
    return Submission(graph, notices, name, fmt)


_UTF16_CHARSETS = {"utf-16le": "utf-16-le", "utf-16be": "utf-16-be"}
_XML_ENCODING = re.compile(r"""^(<\?xml[^>]*?\bencoding\s*=\s*["'])[^"']*""")


def _as_utf8(data: bytes, charset: str | None, fmt: str, name: str) -> tuple[bytes, tuple[Notice, ...]]:
    """The submission as UTF-8, which every RDF format is: a UTF-16 file (Windows Notepad's "Unicode") is read as
    the build reads a UTF-16 list (etl/source.py `source_codec`: its BOM, or where its NUL bytes fall), or as its
    Content-Type's `charset=utf-16` (`utf-16le`, `utf-16be`) says, and a notice asks for UTF-8 before it is
    published: pyoxigraph read only UTF-8 ("invalid utf-8 sequence", cold review). Other charsets are not heeded."""
    declared = (charset or "").strip().lower()
    codec = _UTF16_CHARSETS.get(declared)
    if codec is None and (declared == "utf-16" or b"\x00" in data
                          or data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))):
        # source_codec names UTF-16 only by a BOM or NULs, so it is not asked without them: its module costs a
        # validation worker ~13 ms to import (python -X importtime), and RDF rarely needs it.
        from luzhi.etl.source import source_codec

        found = source_codec(data) or ""
        # RFC 2781 §4.3: UTF-16 declared, with neither a BOM nor NULs to tell its byte order, is big-endian.
        codec = found if found.startswith("utf-16") else "utf-16-be" if declared == "utf-16" else None
    if codec is None:
        return data, ()
    try:
        text = data.decode(codec).removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise SubmissionError(f"按 UTF-16 读取时第 {error.start} 字节出错：请用 UTF-8 编码提交 / the submission is not "
                              f"valid UTF-16 at byte {error.start}: send it as UTF-8", name=name) from None
    if fmt == "rdfxml":  # its declaration says UTF-16, which these bytes no longer are
        text = _XML_ENCODING.sub(r"\1UTF-8", text, count=1)
    notice = Notice("read-as-utf-16", "提交的内容是 UTF-16 编码，已按 UTF-16 读取；RDF 的各种格式都用 UTF-8 编码，"
                                      "发布前请另存为 UTF-8",
                    "the submission is UTF-16 and was read as such; RDF's formats are UTF-8: save it as UTF-8 "
                    "before publishing it")
    return text.encode("utf-8"), (notice,)


def _syntax_message(error: SyntaxError, fmt: str, data: bytes) -> str:
    """The parser's words in the site's two languages (`Turtle 语法错误 / Turtle syntax error: …`; they were
    English only, cold review). pyoxigraph prefixes "Parser error between line 2 column 9 and …:" (the
    position is reported apart, as `line` and `column`) and its RDF/XML errors "syntax error: "."""
    format_name = FORMATS[fmt].name
    detail = re.sub(r"^(Parser error (at|between) [^:]*: |syntax error: )", "", str(error.msg))
    if _NO_SCHEME in detail:  # the parser's words named no IRI and no way out (cold review)
        zh, en = _RELATIVE_ADVICE.get(fmt, _RELATIVE_ADVICE["turtle"])
        quoted = _relative_iri(detail, data, error.lineno, error.offset)
        return (f"{format_name} 语法错误：相对 IRI {quoted}没有可依据的基准 IRI，{zh} / {format_name} syntax error: "
                f"the relative IRI {quoted}has no base IRI to resolve against; {en}")
    return f"{format_name} 语法错误 / {format_name} syntax error: {detail}"


_NO_SCHEME = "No scheme found in an absolute IRI"
# What to do about a relative IRI, by format: submissions are parsed without a base IRI (nothing of the server's
# own address may leak into a submitter's data), so the file must give its own, or write IRIs in full.
_RELATIVE_ADVICE = {
    "turtle": ("请在文件开头加上 @base <https://你的域名/> .，或改用绝对 IRI",
               "add `@base <https://your.domain/> .` at the top of the file, or write absolute IRIs"),
    "nt": ("N-Triples 只能用绝对 IRI：请写出完整的 IRI（或改用 Turtle 并加上 @base）",
           "N-Triples takes absolute IRIs only: write each IRI in full (or use Turtle with an @base)"),
    "rdfxml": ("请在 rdf:RDF 元素上加上 xml:base=\"https://你的域名/\"，或改用绝对 IRI",
               "add xml:base=\"https://your.domain/\" to the rdf:RDF element, or write absolute IRIs"),
}


def _relative_iri(detail: str, data: bytes, line: int | None, column: int | None) -> str:
    """The relative IRI the parser refused, quoted, with a space after it; "" when it cannot be found."""
    named = re.search(r"IRI '([^']*)'", detail)  # RDF/XML names it
    if named is not None:
        return f"'{named[1]}' "
    if line is None or column is None:
        return ""
    lines = data.decode("utf-8", "replace").split("\n")
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    found = re.match(r"<[^<>\s]*>", source[column - 1 :])
    return f"{found[0]} " if found else ""


def _refuse_doctype(data: bytes, name: str) -> None:
    """Refuse any DTD (hence any entity declaration) with expat, which reads no further than the prolog's end."""
    parser = expat.ParserCreate()

    def refuse(*_args) -> None:
        raise SubmissionError("RDF/XML 不允许 DOCTYPE 或实体声明 / DOCTYPE and entity declarations are refused "
                              "(RDF needs none; they allow entity-expansion bombs)",
                              line=parser.CurrentLineNumber, column=parser.CurrentColumnNumber + 1, name=name)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise SubmissionError(f"XML 语法错误 / XML syntax error: {expat.ErrorString(error.code)}",
                              line=error.lineno, column=error.offset + 1, name=name) from None


def _refuse_remote_contexts(data: bytes, name: str) -> None:
    try:
        document = json.loads(data.decode("utf-8-sig"))
        remote = sorted(set(_remote_contexts(document)))
    except UnicodeDecodeError as error:
        raise SubmissionError(f"JSON-LD 必须是 UTF-8 / JSON-LD must be UTF-8: {error}", name=name) from None
    except json.JSONDecodeError as error:
        raise SubmissionError(f"JSON 语法错误 / JSON syntax error: {error.msg}", line=error.lineno, column=error.colno,
                              name=name) from None
    except RecursionError:
        raise SubmissionError("JSON 嵌套过深 / JSON nested too deeply", name=name) from None
    if remote:
        raise SubmissionError(
            "JSON-LD 引用了远程 @context，服务器不会下载任何内容，请把上下文内嵌到文档中："
            f"{', '.join(remote)} / remote JSON-LD contexts are refused (the server never fetches "
            "anything): inline the context",
            name=name,
        )


def _remote_contexts(node) -> list[str]:
    """Every string-valued @context (a URL, absolute or relative) and every @import, at any depth."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                contexts = value if isinstance(value, list) else [value]
                found += [c for c in contexts if isinstance(c, str)]
                found += [c["@import"] for c in contexts if isinstance(c, dict) and isinstance(c.get("@import"), str)]
            found += _remote_contexts(value)
    elif isinstance(node, list):
        for item in node:
            found += _remote_contexts(item)
    return found


def _read_document(data: bytes, *, name: str, base: str, layout: str | None = None, township_code: str | None = None,
                   code_hint: tuple[str, str] | None = None, code_field: tuple[str, str] | None = None
                   ) -> Submission:
    """A raw list document: the ETL's parse → divisions → RDF, in memory (no store)."""
    # Imported here: each submission runs in a fresh interpreter (worker.py), and the ETL's imports made
    # `import luzhi.server.validation.worker` take 0.36 s instead of 0.14 s (median of 5, issue 9);
    # RDF submissions never need the ETL.
    from luzhi.etl.divisions import DivisionError
    from luzhi.etl.layout import LayoutError, load_layout
    from luzhi.etl.rows import ParseError
    from luzhi.etl.source import SourceError
    from luzhi.etl.stage import BuildOptions, process_document

    try:
        profile = load_layout(layout) if layout is not None else None
    except LayoutError as error:
        raise SubmissionError(str(error), name=name) from None

    filename = re.sub(r"[^A-Za-z0-9._-]", "_", PurePath(name).name) or "upload.txt"
    with tempfile.TemporaryDirectory(prefix="luzhi-validate-") as folder:
        path = Path(folder) / filename
        path.write_bytes(data)
        try:
            codes = {filename: township_code} if township_code else {}
            options = BuildOptions(base=base, layout=profile, township_codes=codes,
                                   **({"code_field": code_field} if code_field else {}))
            _doc, _chain, graph, report = process_document(path, options)
        except DivisionError as error:
            message = error.message(code_hint) if code_hint else str(error)
            # at the title's line in a text; a Word, Excel, PDF or HTML file's place is in the message's words
            line = error.lineno if not error.place else None
            raise SubmissionError(message.replace(filename, PurePath(name).name), line=line, name=name) from None
        except (SourceError, ParseError) as error:  # the message without the file: the answer names it once
            message = error.message
            if filename != PurePath(name).name:  # its words name the file: the submitter's name, not the copy's
                message = message.replace(filename, PurePath(name).name)
            # a Word/Excel/PDF/HTML file's place is in the message, and its line number would mean nothing
            line = None if getattr(error, "place", None) else getattr(error, "line", getattr(error, "lineno", None))
            raise SubmissionError(_hide(message, folder, name), line=line, name=name) from None
        except MemoryError:  # the worker's memory cap, said as such by its caller (server/validation/worker.py)
            raise
        except Exception as error:  # any other failure is this submission's, said with its type
            raise SubmissionError(_hide(f"{type(error).__name__}: {error}", folder, name), name=name) from None
    # The build report's issues, not the parsed document's alone: those found while making the RDF
    # (section-department-not-listed, unread departments …) were missing from `luzhi validate` (polish 22).
    notices = tuple(issue_notice(issue) for issue in report.issues)
    return Submission(graph, notices, name, "text")


def issue_notice(issue: dict) -> Notice:
    """A build report's issue (etl/report.py) as a notice: at its lines in a text, at its place in a Word, Excel,
    PDF or HTML file (whose extracted lines, numbered by the reader, are in no file the submitter has)."""
    severity = Severity(issue.get("severity", Severity.INFO))
    if issue["place"]:
        return Notice(issue["code"], issue["message"], issue["message_en"], place=issue["place"], severity=severity)
    lines = LineSpan(*issue["lines"]) if issue["lines"] else None
    return Notice(issue["code"], issue["message"], issue["message_en"], lines, severity=severity)


def _hide(message: str, folder: str, name: str) -> str:
    """The submitter's own file name instead of the server's temporary path (issue 10: it leaked)."""
    return re.sub(re.escape(folder) + r"/[^\s:'\"]*", name, message).replace(folder, name)
