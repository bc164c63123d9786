"""`/validate`: a form for people and a POST endpoint for programs, answering a SHACL report (issue 4).

The submission is validated in a child process killed after `Config.validation_timeout`
(luzhi.server.validation.worker); the store is never opened for writing, nor even read, here. The body is
capped at `Config.max_upload_bytes` (server/limits.py `read_body`: 413 however it is sent, chunked
included). At most `Config.max_validations` run at once per web process; another waits
`Config.queue_wait` seconds, then gets 503 + Retry-After, so uploads cannot take every thread
that serves pages (issue 10: /health went unanswered 30 s during 10 concurrent uploads).
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
from dataclasses import dataclass

from flask import Response, current_app, render_template, request

from luzhi.etl.readers import FORMATS as DOCUMENT_FORMATS
from luzhi.etl.readers import suffix_for
from luzhi.server.conneg import choose, negotiate
from luzhi.server.context import get_config
from luzhi.server.i18n import lang
from luzhi.server.limits import RETRY_AFTER, BadBody, BodyTooLarge, Busy, Slots, read_body
from luzhi.server.validation.submission import FORMATS, MEDIA_TYPES, SubmissionError, guess_format
from luzhi.server.validation.worker import Job, ValidationFailed, ValidationTimeout, validate_isolated
from luzhi.server.views.arguments import repeated_message
from luzhi.shapes.report import grouped, places, render_turtle, report_dict, shape_label, shown_value, where
from luzhi.shapes.validate import ValidationReport

OFFERS = ("text/html", "application/json", "text/turtle")
# How this surface takes a list document's township code when its title cannot tell (etl.divisions).
CODE_HINT = ("请用表单字段 township_code 指定 9 位乡镇代码", "give the 9-digit township code in the form field "
             "(or query parameter) township_code")
# Where this surface took the code, as a notice that it overrides the document's title names it.
CODE_FIELD = ("表单字段 township_code", "the form field township_code")
_SLOTS = "luzhi.validation_slots"


def _slots() -> Slots:
    """This app's validation slots, made on first use (one set per app, so per gunicorn worker)."""
    config = get_config()
    return current_app.extensions.setdefault(_SLOTS, Slots(config.max_validations, config.queue_wait))


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class ValidatePage:
    """What validate.html shows: the form, and a report or an error after a POST."""

    formats: tuple[str, ...]
    max_upload_bytes: int
    timeout: float
    report: ValidationReport | None = None
    error: dict | None = None


def form():
    return render_template("validate.html", page=_page(), title="SHACL", alternates=[])


def submit():
    config = get_config()
    negotiate(OFFERS)  # a report nobody accepts is a 406 before the work, not an HTML page after it
    try:
        read_body(request, config.max_upload_bytes)
        data, name, fmt, uploaded, charset = _submission()
        code = _township_code()
    except BodyTooLarge:
        return _error(413, f"提交超过 {config.max_upload_bytes} 字节的上限 / the submission exceeds the limit of "
                           f"{config.max_upload_bytes} bytes")
    except BadBody as error:  # cut short, stalled (408), a bad Content-Length, chunks or form
        return _error(error.status, error.message)
    except _Refused as refusal:
        return _error(refusal.status, refusal.message)
    if not data and not uploaded:  # an empty file goes on: the worker says of it what `luzhi validate` says
        return _error(400, "没有提交任何内容 / nothing was submitted (send a file, or the body with its Content-Type)")
    if fmt is None or fmt not in FORMATS:
        return _error(415, _unknown_format(fmt))
    job = Job(data, fmt, name, config.base, memory_mb=config.validation_memory_mb, sandbox=config.sandbox,
              township_code=code, code_hint=CODE_HINT, code_field=CODE_FIELD, charset=charset,
              source_iri=f"urn:luzhi:submission:{hashlib.sha256(data).hexdigest()}")  # not stored: no URL
    try:
        with _slots().hold():
            report = validate_isolated(job, config.validation_timeout)
    except Busy:
        response = _error(503, f"正在进行的验证已达上限，请稍后重试 / {config.max_validations} validations are "
                               "already running (max_validations); retry shortly", heading=_BUSY, name=name)
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response
    except SubmissionError as error:
        return _error(400, error.message, line=error.line, column=error.column, name=name)
    except ValidationTimeout:
        # What to do next (cold review: the message stopped at "stopped"): the command line has not this limit (a
        # PDF's reading has its own, there as here: etl/readers/pdf.py, so "no time limit" was not true; cold review).
        command = f"luzhi validate {shlex.quote(name) if uploaded else 'FILE'}"
        return _error(503, f"验证超过 {config.validation_timeout:g} 秒，已终止：请把文件拆成几个较小的文件分别提交，"
                           f"或在本机运行 {command}（不受本服务的时间限制） / validation stopped after "
                           f"{config.validation_timeout:g} s: split the document into smaller ones and submit each, "
                           f"or run `{command}` on your own machine (without this server's time limit)",
                      heading=_TIMED_OUT, name=name)
    except ValidationFailed as failure:  # its memory cap, or it died: named, and not headed as a timeout (review 26)
        return _error(503, failure.message, heading=_FAILED, name=name)
    return _report(report)


def _submission() -> tuple[bytes, str, str | None, bool, str | None]:
    """(bytes, name, format, whether a file was uploaded, the charset its Content-Type declares) from a multipart
    form (file or pasted text) or from a raw body."""
    chosen = _one_field("format") or None
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        # One submission per request: an extra file was silently ignored before (issue 10).
        names = sorted({key for key, upload in request.files.items(multi=True) if upload.filename} - {"file"})
        uploads = [upload for upload in request.files.getlist("file") if upload.filename]
        if names or len(uploads) > 1:
            extra = ", ".join(names) or f"{len(uploads)} files"
            raise _Refused(400, f"一次只能提交一个文件（字段 file） / one file per request, in the field `file`; "
                                f"got also: {extra}")
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            if request.form.get("text", "").strip():  # one was silently dropped before (cold review)
                raise _Refused(400, "请只提交 file 或 text 之一 / send either `file` or `text`, not both")
            data = upload.read()
            fmt = chosen or guess_format(upload.filename, upload.mimetype or "")  # its name's extension first
            return data, upload.filename, fmt, True, upload.mimetype_params.get("charset")
        text = request.form.get("text", "")
        return text.encode("utf-8"), "form", chosen, False, None
    # A raw body is read as the file its Content-Type names would be (`text/csv` → upload.csv: the ETL's CSV
    # reader, etl/readers), as the same file uploaded; only RDF types and text/plain were taken (cold review).
    suffix = suffix_for(request.mimetype)
    fmt = chosen or guess_format("", request.mimetype) or ("text" if suffix else None)
    return request.get_data(cache=False), f"upload{suffix or ''}", fmt, False, request.mimetype_params.get("charset")


def _unknown_format(fmt: str | None) -> str:
    """The 415's message: the format or Content-Type that is unknown, and what is taken instead."""
    names = ", ".join(FORMATS)
    if fmt is not None:
        return f"未知的格式 format={fmt!r}（可用：{names}） / unknown format={fmt!r}; it takes {names}"
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return (f"粘贴的内容需要指定格式：请选择 format（{names}） / pasted text needs its format: choose format "
                f"({names})")
    media = request.mimetype or "（无 / none）"
    firsts: dict[str, str] = {}  # each format's own media type, not its aliases
    for mime, name in MEDIA_TYPES.items():
        firsts.setdefault(name, mime)
    types = ", ".join(dict.fromkeys([*firsts.values(), *(mime for mime, _reader in DOCUMENT_FORMATS.values())]))
    return (f"无法判断提交的格式：Content-Type {media} 不是可验证的类型；请用以下类型之一发送，或用 format 参数指定"
            f"（{names}）：{types} / cannot tell the submission's format from its Content-Type {media}: send it "
            f"as one of {types}, or give format= ({names})")


def _one_field(name: str) -> str:
    """The field `name` of the form or the query, "" when absent or empty; given twice, a 400 naming it with its
    values (the first won silently: `format=turtle&format=nt` was read as Turtle, cold review 29)."""
    values = [value for value in request.form.getlist(name) + request.args.getlist(name) if value]
    if len(values) > 1:
        raise _Refused(400, repeated_message(name, values))
    return values[0] if values else ""


def _township_code() -> str | None:
    """The `township_code` field (form or query): 9 digits, or absent/empty; given twice, a 400 naming it (the
    second was silently dropped, cold review 21), as other repeated parameters are (server/views/arguments.py)."""
    code = _one_field("township_code").strip()
    if code and not re.fullmatch(r"\d{9}", code):
        raise _Refused(400, f"township_code 应为 9 位数字（民政部区划代码），收到 {code[:40]!r} / township_code "
                            "must be the 9-digit township code")
    return code or None


def _page(**values) -> ValidatePage:
    config = get_config()
    return ValidatePage(tuple(FORMATS), config.max_upload_bytes, config.validation_timeout, **values)


def _report(report: ValidationReport) -> Response:
    mime = choose(request.headers.get("Accept"), OFFERS) or OFFERS[0]
    if mime == "application/json":
        response = Response(_json(report_dict(report)), mimetype="application/json")
    elif mime == "text/turtle":
        response = Response(render_turtle(report), mimetype="text/turtle")
    else:
        html = render_template("validate.html", page=_page(report=report), title="SHACL", alternates=[],
                               grouped=grouped, places=places, shape_label=shape_label, shown_value=shown_value,
                               where=where, lang_code=lang())
        response = Response(html, mimetype="text/html")
    response.headers["Vary"] = "Accept"
    response.headers["Luzhi-Conforms"] = "true" if report.conforms else "false"
    return response


# What the HTML page says happened: a timeout is not an unreadable file (issue 11, finding 6), nor is a worker out
# of memory a timeout (cold review 26: every 503 was headed "timed out").
_HEADINGS = {
    413: ("提交的内容超过大小上限", "The submission is too large"),
    415: ("无法判断提交的格式", "The submission's format is unknown"),
}
_UNREADABLE = ("无法读取提交的内容", "The submission cannot be read")
_TIMED_OUT = ("验证超时，已终止", "Validation timed out and was stopped")
_FAILED = ("验证进程未能完成", "The validation could not finish")
_BUSY = ("验证繁忙", "Validation is busy")


def _error(status: int, message: str, *, line: int | None = None, column: int | None = None,
           name: str = "", heading: tuple[str, str] | None = None) -> Response:
    error = {"error": message, "file": name or None, "line": line, "column": column}
    mime = choose(request.headers.get("Accept"), OFFERS) or OFFERS[0]
    if mime == "application/json":
        response = Response(_json(error), status=status, mimetype="application/json")
    elif mime == "text/html":
        said = (heading or _HEADINGS.get(status, _UNREADABLE))[1 if lang() == "en" else 0]
        response = Response(render_template("validate.html", page=_page(error=error), title="SHACL", alternates=[],
                                            heading=said), status=status, mimetype="text/html")
    else:
        where_text = f"{line}:{column}: " if line is not None else ""
        response = Response(f"{where_text}{message}\n", status=status, mimetype="text/plain")
    response.headers["Vary"] = "Accept"
    return response


def _json(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
