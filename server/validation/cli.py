"""`luzhi validate`: the command-line face of the validation service (wired into server/cli.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from luzhi.etl.township_codes import code_for
from luzhi.ontology.iris import DEFAULT_BASE
from luzhi.server.cli_paths import BilingualPath, check_base, check_distinct_files, files_in_folders
from luzhi.server.township_option import check_codes_name_files, township_code_option
from luzhi.server.validation.submission import FORMATS, RDF_SUFFIXES, SubmissionError, guess_format
from luzhi.server.validation.worker import Job, validate_submission
from luzhi.shapes.engines import DEFAULT_ENGINE, ENGINES, fallback_warning
from luzhi.shapes.report import render_text, report_dict, report_graph

EXIT_CONFORMS, EXIT_VIOLATIONS, EXIT_UNREADABLE = 0, 1, 2


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=BilingualPath(exists=True, path_type=Path),
                callback=files_in_folders(RDF_SUFFIXES))
@click.option("--input-format", "input_format", type=click.Choice(sorted(FORMATS)),
              help="Format of every FILE (default: RDF by its extension, .ttl .nt .jsonld .rdf …; any other "
                   "file is a raw list document, read as `luzhi build` reads it).")
@click.option("--format", "output", type=click.Choice(["text", "json", "ttl"]), default="text", show_default=True,
              help="Report format: readable text, JSON, or a standard sh:ValidationReport in Turtle.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the text report.")
@click.option("--base", default=DEFAULT_BASE, show_default=True, callback=check_base,
              help="IRI base the submission's IRIs must be under.")
@click.option("--engine", type=click.Choice(sorted(ENGINES)), default=DEFAULT_ENGINE, show_default=True,
              help="Validator: the shapes compiled to SPARQL (fast) or pySHACL (the reference).")
@click.option("--layout", type=BilingualPath(exists=True, dir_okay=False),
              help="A layout profile (TOML) for list documents the parser cannot read alone (docs/parsing.md).")
@township_code_option
def validate(files: tuple[Path, ...], input_format: str | None, output: str, lang: str, base: str,
             engine: str, layout: str | None, codes: dict[str, str]) -> None:
    """Check RDF files or raw list documents against the luzhi SHACL shapes.

    RDF: Turtle, N-Triples, JSON-LD, RDF/XML. Raw list documents (text as in the bundled samples,
    UTF-8 or GB18030; .docx, .xlsx, .csv, .pdf, .html as published) are run through the ETL first so
    results name source lines. A title whose township is ambiguous needs --township-code. A township's several
    files (one a list) are validated together, as `luzhi build` loads them: one report for them. A FOLDER among
    FILES stands for the documents and RDF files in it and its subfolders.
    Exit status: 0 when every file conforms, 1 when any has a Violation, 2 when any cannot be read.
    """
    check_distinct_files(files)
    check_codes_name_files(codes, files)
    if warning := fallback_warning(engine, base):
        click.echo(warning, err=True)
    reports, errors = [], []
    grouping = _grouping(files, input_format, base, layout, codes)
    done = set()
    for path in files:
        fmt = input_format or guess_format(path.name)
        group = grouping.group_of(path) if grouping else None
        if path in done:
            continue
        try:
            if group:  # a township published in several files: validated together, as the build loads it
                from luzhi.server.validation.several import validate_group

                done.update(member.path for member in group)
                reports.append(validate_group(group, base, layout, codes, engine))
                continue
            # A document validated here is not loaded: its source is the file itself, which the user can open,
            # not the `{base}/source/…` URL the ETL mints for a loaded one (a 404 there, cold review 24).
            job = Job(_read(path, fmt), fmt, str(path), base, engine=engine, layout=layout,
                      township_code=code_for(codes, path), source_iri=path.resolve().as_uri())
            report = validate_submission(job)
            if grouping and path in grouping.refused:
                from luzhi.server.validation.several import claim_notice

                report = report.with_notices(claim_notice(grouping.refused[path]), report.label)
            reports.append(report)
        except SubmissionError as error:
            error.name = error.name if group else str(path)
            errors.append(error)
            # `FILE:LINE:COLUMN:` as far as known: `FILE:-:-:` said nothing (cold review 21)
            where = ":".join(str(part) for part in (error.name, error.line, error.column) if part is not None)
            click.echo(f"{where}: {error.message}", err=True)
    if output == "json":
        document = {"conforms": not errors and all(r.conforms for r in reports),
                    "files": [report_dict(r) for r in reports] + [e.as_dict() for e in errors]}
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    elif output == "ttl":
        graph = report_graph(reports[0]) if reports else None
        for report in reports[1:]:
            graph += report_graph(report)
        if graph is not None:
            sys.stdout.write(graph.serialize(format="turtle"))
    else:
        for report in reports:
            click.echo(render_text(report, lang))
    if errors:
        sys.exit(EXIT_UNREADABLE)
    sys.exit(EXIT_CONFORMS if all(r.conforms for r in reports) else EXIT_VIOLATIONS)


def _grouping(files: tuple[Path, ...], input_format: str | None, base: str, layout: str | None,
              codes: dict[str, str]):
    """The list documents among `files` that are one township's several files (server/validation/several.py), or
    None for fewer than two list documents: then nothing of the ETL is imported here (RDF needs none of it)."""
    documents = [path for path in files if (input_format or guess_format(path.name)) == "text"]
    if len(documents) < 2:
        return None
    from luzhi.server.validation.several import group_files

    return group_files(documents, base, layout, codes)


def _read(path: Path, fmt: str) -> bytes:
    """A list document's bytes as `luzhi build` reads them (capped, never a device or a pipe: /dev/zero grew to
    24 GB, cold review 21); an RDF file's whole."""
    if fmt != "text":
        return path.read_bytes()
    from luzhi.etl.source import SourceError, read_bytes

    try:
        return read_bytes(path)
    except SourceError as error:
        raise SubmissionError(error.message, name=str(path)) from None
