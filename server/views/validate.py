"""`/validate`: a form for people and a POST endpoint for programs, answering a SHACL report (issue 4).

The submission is validated in a child process killed after `Config.validation_timeout`
(luzhi.server.validation.worker); the store is never opened for writing, nor even read, here. The body is
capped at `Config.max_upload_bytes` through Flask's per-request `max_content_length`, so an
oversized upload is refused (413) before it is read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Response, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from luzhi.server.conneg import choose
from luzhi.server.context import get_config
from luzhi.server.i18n import lang
from luzhi.server.validation.submission import FORMATS, SubmissionError, guess_format
from luzhi.server.validation.worker import Job, ValidationTimeout, validate_isolated
from luzhi.shapes.report import grouped, render_turtle, report_dict, shape_label, where
from luzhi.shapes.validate import ValidationReport

OFFERS = ("text/html", "application/json", "text/turtle")


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
    request.max_content_length = config.max_upload_bytes
    request.max_form_memory_size = config.max_upload_bytes  # the form's textarea, not only files
    try:
        data, name, fmt = _submission()
    except RequestEntityTooLarge:
        return _error(413, f"提交超过 {config.max_upload_bytes} 字节的上限 / the submission exceeds the limit of "
                           f"{config.max_upload_bytes} bytes")
    if not data:
        return _error(400, "没有提交任何内容 / nothing was submitted (send a file, or the body with its Content-Type)")
    if fmt is None or fmt not in FORMATS:
        return _error(415, f"无法判断提交的格式 {fmt or request.mimetype!r}：请用 format 参数指定"
                           f"（{', '.join(FORMATS)}） / unknown submission format: give format=…")
    try:
        report = validate_isolated(Job(data, fmt, name, config.base), config.validation_timeout)
    except SubmissionError as error:
        return _error(400, error.message, line=error.line, column=error.column, name=name)
    except ValidationTimeout:
        return _error(503, f"验证超过 {config.validation_timeout:g} 秒，已终止 / validation stopped after "
                           f"{config.validation_timeout:g} s")
    return _report(report)


def _submission() -> tuple[bytes, str, str | None]:
    """(bytes, name, format) from a multipart form (file or pasted text) or from a raw body."""
    chosen = request.args.get("format") or None
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        chosen = request.form.get("format") or chosen
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            data = upload.read()
            return data, upload.filename, chosen or guess_format(upload.filename, upload.mimetype or "")
        text = request.form.get("text", "")
        return text.encode("utf-8"), "form", chosen
    return request.get_data(cache=False), "upload", chosen or guess_format("", request.mimetype)


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
                               grouped=grouped, shape_label=shape_label, where=where, lang_code=lang())
        response = Response(html, mimetype="text/html")
    response.headers["Vary"] = "Accept"
    response.headers["Luzhi-Conforms"] = "true" if report.conforms else "false"
    return response


def _error(status: int, message: str, *, line: int | None = None, column: int | None = None,
           name: str = "") -> Response:
    error = {"error": message, "file": name or None, "line": line, "column": column}
    mime = choose(request.headers.get("Accept"), OFFERS) or OFFERS[0]
    if mime == "application/json":
        response = Response(_json(error), status=status, mimetype="application/json")
    elif mime == "text/html":
        response = Response(render_template("validate.html", page=_page(error=error), title="SHACL", alternates=[]),
                            status=status, mimetype="text/html")
    else:
        where_text = f"{line}:{column}: " if line is not None else ""
        response = Response(f"{where_text}{message}\n", status=status, mimetype="text/plain")
    response.headers["Vary"] = "Accept"
    return response


def _json(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
