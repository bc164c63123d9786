"""The `luzhi` command: build, remove, serve, validate, query, export, synth. Each command's docstring is its help.

Over 400 lines: every command with its options and help in one file, read top to bottom as `luzhi --help`
lists them; the validate and synth commands already live beside what they run.

Each command imports the layers it runs inside its own function, on purpose: with every import at the
top, `python -c "import luzhi.server.cli"` (what every `luzhi --help` pays) took 0.59 s instead of
0.17-0.28 s (medians of 5, 2 shared cores; issue 9): Flask, the ETL and the remote store's HTTP clients, which most
commands never use. tests/test_layers.py reads these imports too.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

import click
import pyoxigraph as ox
from rich.console import Console

from luzhi.ontology.iris import DEFAULT_BASE, normalise_base
from luzhi.server.cli_paths import (
    BilingualPath,
    OutputPath,
    check_base,
    check_distinct_files,
    check_port,
    check_port_free,
    files_in_folders,
)
from luzhi.server.cli_usage import bilingual
from luzhi.server.sparql.formats import format_names
from luzhi.server.township_option import check_codes_name_files, township_code_option
from luzhi.server.validation.cli import validate as validate_command
from luzhi.shapes.engines import DEFAULT_ENGINE, ENGINES, fallback_warning, validator
from luzhi.store.formats import DUMP_FORMATS
from luzhi.store.snapshots import StoreLayoutError
from luzhi.store.state import StateError

DEFAULT_STORE = "luzhi-store"
DEFAULT_STATE = "luzhi-state"
store_option = click.option(
    "--store",
    "store_path",
    default=lambda: os.environ.get("LUZHI_STORE", DEFAULT_STORE),
    show_default="$LUZHI_STORE or ./luzhi-store",
    help="Store directory (pyoxigraph on disk), or a remote SPARQL endpoint URL such as "
    "http://127.0.0.1:8890/sparql (Virtuoso; docs/remote-store.md).",
)
state_option = click.option(
    "--state",
    "state_dir",
    type=BilingualPath(file_okay=False, path_type=Path),
    default=lambda: os.environ.get("LUZHI_STATE", DEFAULT_STATE),
    show_default="$LUZHI_STATE or ./luzhi-state",
    help="With a remote --store: the local directory for build.json, source texts and dumps.",
)


# A log or a pipe has no right edge: rich assumes 80 columns when its stream is not a terminal and cut
# the build's summary table to `辽宁省 …` and `cooperat…` (issue 11). Wide enough for any row we print.
LOG_WIDTH = 1000


def _console(*, stderr: bool = False) -> Console:
    """A rich console: the terminal's width on a terminal, LOG_WIDTH in a log or pipe."""
    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, width=None if stream.isatty() else LOG_WIDTH)




class _OneLineErrors(click.Group):
    """Every CLI error is one line with its cause and exit status 2 (issue 10 found nine that printed
    a traceback: a bad --store, an unreadable file, a corrupt build.json, a locked store …).
    `LUZHI_DEBUG=1` shows the traceback again."""

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as error:  # `luzhi --nope`: the group's own options
            raise bilingual(error) from None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.UsageError as error:  # a subcommand's arguments, or no such command
            raise bilingual(error) from None
        except BrokenPipeError:
            _quiet_broken_pipe()
        except Exception as error:
            # The remote backend's errors, when it was used (importing it here would cost every command).
            remote = sys.modules.get("luzhi.store.remote")
            remote_errors = (remote.RemoteStoreError,) if remote else ()
            derive = sys.modules.get("luzhi.etl.derive")  # a build's derive process (etl/derive.py)
            derive_errors = (derive.DerivedGraphsError,) if derive else ()
            expected = (OSError, ValueError, StoreLayoutError, StateError, *remote_errors, *derive_errors)
            if os.environ.get("LUZHI_DEBUG") or not isinstance(error, expected):
                raise
            name = ctx.invoked_subcommand or ctx.info_name
            raise _Error(f"luzhi {name}: {_cause(error)}") from None


def _quiet_broken_pipe() -> NoReturn:
    """`luzhi export | head`: the reader left. Exit as `cat` does there (killed by SIGPIPE: status 141 in the
    shell), saying nothing; it printed "[Errno 32] Broken pipe" (cold review). stdout is pointed at
    /dev/null first so the interpreter's last flush cannot fail again (the Python docs' recipe, `signal`)."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(128 + signal.SIGPIPE)


def _cause(error: BaseException) -> str:
    if isinstance(error, OSError) and error.filename and error.strerror:
        return f"{error.filename}: {error.strerror}"
    return " ".join(str(error).split()) or type(error).__name__


class _Error(click.ClickException):
    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(self.message, err=True)


@click.group(cls=_OneLineErrors)
@click.version_option(package_name="luzhi")
def main() -> None:
    """luzhi (履职): publish China's township duty lists as linked data."""


def _load_layout(ctx, param, value):
    """--layout FILE → a Layout; a profile that cannot be used is a usage error naming the key."""
    if value is None:
        return None
    from luzhi.etl.layout import LayoutError, load_layout

    try:
        return load_layout(value)
    except LayoutError as error:
        raise click.BadParameter(str(error), param_hint="--layout") from None


layout_option = click.option(
    "--layout", type=BilingualPath(exists=True, dir_okay=False, path_type=Path), callback=_load_layout,
    help="A layout profile (TOML) for documents whose layout the parser cannot guess (docs/parsing.md).")


def run_build(files, store_path, base: str, report: Path | None, codes=None, console: Console | None = None,
              engine: str = DEFAULT_ENGINE, **options):
    """Shared by `build` and `serve` (which builds the bundled data when its store is missing)."""
    from luzhi.etl.build import BuildOptions, bundled_documents
    from luzhi.etl.build import build as build_store
    from luzhi.etl.kinds_rdf import kinds_report
    from luzhi.etl.progress import PhaseLog, RichProgress
    from luzhi.etl.report import render_summary, report_json
    from luzhi.ontology.iris import Iris

    console = console or _console(stderr=True)
    paths = [Path(f) for f in files] or bundled_documents()
    check_distinct_files(paths)
    check_codes_name_files(codes or {}, paths)
    build_options = BuildOptions(base=base, township_codes=codes or {}, **options)
    validate_graph = validator(engine) if build_options.validate else None
    # A relative default store (./luzhi-store) run from another directory silently makes a new store there (cold
    # review 18): the summary names it absolutely, and says when it is new.
    where = getattr(store_path, "spec", store_path)
    if isinstance(where, Path):
        where = f"{where.resolve()}{'' if where.exists() else ' (a new store)'}"
    if validate_graph is not None and (warning := fallback_warning(engine, base)):
        console.print(warning, markup=False, highlight=False, soft_wrap=True)
    # A bar only on a terminal; in a log, one line per phase with its time (issue 13).
    with RichProgress(console) if console.is_terminal else PhaseLog(console) as progress:
        result = build_store(paths, store_path, build_options, validate_graph=validate_graph, progress=progress)
    render_summary(result.documents, console)
    for refusal in result.quarantined:
        console.print(f"quarantined {refusal.file}: {refusal.text()}", markup=False, highlight=False, soft_wrap=True)
    if report:
        kinds = kinds_report(result.kinds, Iris(base)) if result.kinds else None
        document = report_json(result.documents, kinds) | {"quarantined": [r.__dict__ for r in result.quarantined]}
        report.write_text(json.dumps(document, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        console.print(f"report written to {report}")
    resumed = (f" ({result.restaged} parsed and {result.resumed} loaded by an interrupted build)"
               if result.restaged or result.resumed else "")
    if result.kinds is None:
        summary = "store unchanged"
    else:
        summary = f"{len(result.kinds.slugs)} duty kinds, {result.kinds.unmatched_count} duties unmatched"
        if result.kinds.sampled:
            summary += f" ({result.kinds.sampled})"
    console.print(f"{len(result.documents)} documents loaded{resumed}, {len(result.quarantined)} quarantined, "
                  f"{result.triples} quads in {where}; {summary}", soft_wrap=True)
    return result


def _store_base(target) -> str | None:
    """The base recorded in the store's build.json, if it has one."""
    from luzhi.store.snapshots import state_dir_of
    from luzhi.store.state import read_build_info

    state = target.state if target.remote else state_dir_of(Path(target.spec))
    return read_build_info(state).get("base") if Path(state).is_dir() else None


@main.command()
@click.argument("files", nargs=-1, type=BilingualPath(exists=True, path_type=Path),
                callback=files_in_folders())
@store_option
@click.option("--base", default=None, callback=check_base, show_default=f"the store's own, else {DEFAULT_BASE}",
              help="Base of every minted IRI.")
@click.option("--report", type=OutputPath(),
              help="Write the JSON data-quality report here.")
@click.option("--force", is_flag=True, help="Load documents even when they have SHACL Violations.")
@township_code_option
@click.option("--replace", is_flag=True, help="Let a document take a township's list that another file of that "
              "township holds in the store; without it such a claim is refused, naming both files.")
@click.option("--keep-going", is_flag=True, help="Load every document that passes; list each refused one "
              "(file, line, rule) as quarantined instead of refusing the whole build.")
@click.option("--strict-exit", is_flag=True, help="With --keep-going: exit 1 when any document was quarantined.")
@click.option("--fresh", is_flag=True, help="Start from an empty store instead of the current one (also the "
              "repair for an unreadable build.json).")
@click.option("--jobs", type=click.IntRange(min=1), default=lambda: os.cpu_count() or 1,
              show_default="the number of cores", help="Processes that parse and validate documents.")
@state_option
@click.option("--store-user", envvar="LUZHI_STORE_USER", help="Remote store: user for its write endpoints "
              "(or $LUZHI_STORE_USER).")
@click.option("--store-password", envvar="LUZHI_STORE_PASSWORD", help="Remote store: that user's password "
              "(or $LUZHI_STORE_PASSWORD, which keeps it out of the process list).")
@click.option("--engine", type=click.Choice(sorted(ENGINES)), default=DEFAULT_ENGINE, show_default=True,
              help="SHACL validator: the shapes compiled to SPARQL in pyoxigraph (fast) or pySHACL (the reference); "
              "docs/validation.md.")
@layout_option
def build(files, store_path, base, report, force, codes, replace, keep_going, strict_exit, fresh, jobs, state_dir,
          store_user, store_password, engine, layout):
    """Parse, validate and load documents (default: the bundled samples) into the store.

    A FOLDER among FILES stands for the documents in it and its subfolders (docs/build.md).

    Every document is parsed, resolved and validated before anything is written; if one fails,
    the store is left exactly as it was (with --keep-going, the others are loaded and the failed
    ones listed). A directory store switches to the new build in one step, even if the build is
    killed (docs/build.md); an interrupted build resumes where it stopped when run again.
    On a remote store each graph is replaced atomically (docs/remote-store.md).
    """
    with _interruptible():
        result = _build(files, store_path, base, report, force, codes, replace, keep_going, fresh, jobs, state_dir,
                        store_user, store_password, engine, layout, strict_exit)
    if strict_exit and result.quarantined:
        sys.exit(1)


def _build(files, store_path, base, report, force, codes, replace, keep_going, fresh, jobs, state_dir, store_user,
           store_password, engine, layout, strict_exit):
    """`luzhi build` itself (its Ctrl-C is handled by the command, whatever it was doing)."""
    from luzhi.etl.build import BuildError
    from luzhi.store.open import StoreTarget

    target = StoreTarget.of(store_path, state_dir, store_user, store_password)
    if target.state_dir is not None and store_user is None:
        raise click.UsageError(f"writing to the remote store {store_path} needs --store-user/--store-password "
                               "(or LUZHI_STORE_USER/LUZHI_STORE_PASSWORD)")
    if strict_exit and not keep_going:
        raise click.UsageError("--strict-exit only means something with --keep-going")
    # Documents added to a store keep its base: `luzhi serve --port 5077` builds under :5077, and the
    # README's `luzhi build --store ./luzhi-store FILE` that follows must not mint :5000 IRIs beside them.
    base = base or _store_base(target) or DEFAULT_BASE
    try:
        return run_build(files, target, base, report, codes, engine=engine, layout=layout, force=force,
                         replace=replace, keep_going=keep_going, fresh=fresh, jobs=jobs)
    except BuildError as error:
        click.echo(str(error), err=True)
        sys.exit(1)


def _township_code(ctx, param, value: str) -> str:
    if not value.isascii() or not value.isdigit() or len(value) != 9:
        raise click.BadParameter(f"需要 9 位乡镇代码 / a 9-digit township code, got {value!r}",
                                 param_hint="--township-code")
    return value


@main.command()
@click.option("--township-code", "code", required=True, callback=_township_code, metavar="CODE",
              help="The 9-digit code of the township to remove, as build.json and /graph/{code} give it.")
@store_option
def remove(code, store_path):
    """Remove one township from the store: its graph, duties, source copies and build state.

    For a file loaded as the wrong township, instead of a --fresh rebuild. The search index, statistics, duty
    kinds, shared graph and dumps are made again over the townships that stay, in a new snapshot the store
    switches to in one step, as a build does (docs/build.md): interrupted, the store is unchanged and the same
    command finishes the removal. A code the store does not hold is an error (exit 2), nothing changed.
    """
    from luzhi.etl.progress import PhaseLog, RichProgress
    from luzhi.etl.remove import remove_township
    from luzhi.store.base import is_remote

    if is_remote(store_path):
        raise click.UsageError(f"luzhi remove 只能修改存储目录，不能修改远程存储 {store_path} / luzhi remove works "
                               f"on a store directory, not on the remote store {store_path} (docs/remote-store.md)")
    console = _console(stderr=True)
    with _interruptible(removal=True), RichProgress(console) if console.is_terminal else PhaseLog(console) as progress:
        removal = remove_township(Path(store_path), code, progress=progress)
    name = f" {removal.name}" if removal.name else ""
    files, plural = ", ".join(removal.sources), "s" if len(removal.sources) != 1 else ""
    click.echo(f"已从 {store_path} 删除乡镇 {code}{name}：图 {removal.graph}（{removal.quads} 个四元组）、"
               f"{removal.duties} 个履职事项、{len(removal.sources)} 个源文件（{files}） / removed township "
               f"{code}{name} from {store_path}: graph {removal.graph} ({removal.quads} quads), {removal.duties} "
               f"duties, {len(removal.sources)} source file{plural} ({files}); the store now holds "
               f"{removal.result.triples} quads")


@main.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int, callback=check_port)
@click.option("--base", default=None, callback=check_base,
              help="IRI base when the store must be built (default http://HOST:PORT).")
@state_option
def serve(store_path, host, port, base, state_dir):
    """Serve the store over HTTP (pages, /sparql, /validate …); builds the bundled data first if there is no store.

    This is Flask's development server; for production run gunicorn (see README).
    A remote --store is only read (anonymously); its build.json and sources come from --state.
    """
    from luzhi.server.app import create_app
    from luzhi.server.config import log_to_stderr
    from luzhi.server.http_servers import TimedRequestHandler
    from luzhi.store.open import StoreTarget
    from luzhi.store.snapshots import is_flat, is_ours, state_dir_of
    from luzhi.store.state import read_build_info

    log_to_stderr()
    check_port_free(host, port)
    signal.signal(signal.SIGTERM, _stop_serving)
    target = StoreTarget.of(store_path, state_dir)
    if target.state_dir is not None:  # remote: never built from here (serving needs no write access)
        info = read_build_info(target.state_dir)
        if not info:
            raise click.UsageError(f"no build.json in {target.state_dir}: run `luzhi build --store {store_path} "
                                   f"--state {target.state_dir}` or copy the state directory of the build")
        if base and normalise_base(base) != normalise_base(info["base"]):
            raise click.UsageError(f"the store was built with base {info['base']}; rebuild it to serve {base}")
        with _store_errors(store_path):
            app = create_app(_config(store_path=target.state_dir, store_url=store_path, base=info["base"]))
        app.run(host=host, port=port, threaded=True, request_handler=TimedRequestHandler)
        return
    store_path = Path(store_path)
    if store_path.exists() and not store_path.is_dir():
        _store_error(store_path, "not a directory (a store is a directory: give a new or a built one)")
    info = read_build_info(state_dir_of(store_path))
    if not info and not is_ours(store_path) and not is_flat(store_path):
        # issue 10: this used to build the samples INTO whatever the directory held. A build's own unfinished
        # work is resumed (cold review: the same command, interrupted, then refused the directory it had made).
        raise click.UsageError(f"{store_path} holds files but no luzhi build: give an empty or new directory, "
                               f"or build it with `luzhi build --store {store_path} FILES…`")
    if not info and not is_flat(store_path):
        base = base or f"http://{host}:{port}"
        click.echo(f"no store at {store_path}: building the bundled documents with base {base}", err=True)
        with _interruptible():
            run_build((), store_path, base, None)
        info = read_build_info(state_dir_of(store_path))
    elif base and info and normalise_base(base) != normalise_base(info["base"]):
        raise click.UsageError(f"the store was built with base {info['base']}; rebuild it to serve {base}")
    _note_other_port(store_path, info.get("base"), host, port)
    with _store_errors(store_path):
        app = create_app(_config(store_path=store_path, base=info.get("base") or normalise_base(base or DEFAULT_BASE)))
    app.run(host=host, port=port, threaded=True, request_handler=TimedRequestHandler)


@contextmanager
def _interruptible(removal: bool = False):
    """Ctrl-C during a build (`luzhi build`, or `luzhi serve` building the samples): one line, not click's
    "Aborted!" (exit 1) after the workers' tracebacks (cold review); 130 is the shell's code for SIGINT.
    SIGTERM the same way, exit 143 (128 + 15, what a shell reports for it): it ended the process at once, and
    multiprocessing's resource tracker warned of leaked semaphores (cold review; etl/stage.py Terminated).
    Nothing was switched (docs/build.md); what was staged and loaded is reused by the same command. `removal`:
    `luzhi remove` says it of itself (it said "build interrupted")."""
    from luzhi.etl.pool import Terminated, raise_terminated

    zh, en = ("删除", "removal") if removal else ("构建", "build")
    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    except Terminated:
        click.echo(f"\n{zh}已被终止（SIGTERM）；再次运行同一命令即可从中断处继续 / {en} terminated (SIGTERM); run the "
                   "same command again to resume", err=True)
        sys.exit(143)
    except KeyboardInterrupt:
        click.echo(f"\n{zh}已中断；再次运行同一命令即可从中断处继续 / {en} interrupted; run the same command again "
                   "to resume", err=True)
        sys.exit(130)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stop_serving(signum, frame) -> NoReturn:
    """SIGTERM (`kill`, systemd, `docker stop`) stops the server as Ctrl-C does: Werkzeug's loop ends on
    KeyboardInterrupt, closes its socket, and the query workers are stopped at exit. Python's default for
    SIGTERM ended the process at once, and SIGINT is ignored by a server started in the background of a
    script (POSIX shells set it so), which `kill -INT` then could not stop (the CI hang of session 12)."""
    raise KeyboardInterrupt


def _note_other_port(store_path, built_base: str | None, host: str, port: int) -> None:
    """A store built for this machine under another port mints IRIs that point to that port, not to this
    server (cold review: a newcomer told "use a different port" by Werkzeug got links to the other server).
    A public base behind a proxy is expected to differ, so only a loopback base is noted."""
    built = urlsplit(built_base or "")
    if built.hostname in ("127.0.0.1", "localhost", "::1") and (built.port or 80) != port:
        click.echo(f"注意：{store_path} 以 --base {built_base} 构建，其 IRI 指向该端口而非本服务 / note: "
                   f"{store_path} was built with --base {built_base}: its IRIs and RDF links point there, not to "
                   f"this server on port "
                   f"{port}; serve it with --port {built.port or 80}, or rebuild it with --fresh --base "
                   f"http://{host}:{port}", err=True)


@contextmanager
def _store_errors(store_path):
    """A store that cannot be opened is one line naming it, exit 2, not a traceback (issue 11)."""
    from luzhi.store.remote import RemoteStoreError

    try:
        yield
    except (OSError, RemoteStoreError) as error:
        _store_error(store_path, error)


def _store_error(store_path, error) -> NoReturn:
    click.echo(f"Error: --store {store_path}: {error}", err=True)
    sys.exit(2)


def _config(**settings):
    """The server's Config, with the publisher's and the limits' LUZHI_* settings (README, Settings) from the
    environment, as gunicorn's (server/wsgi.py)."""
    from luzhi.server.config import Config, limit_settings, publication_settings

    try:
        return Config(**settings, **limit_settings(dict(os.environ)), **publication_settings(dict(os.environ)))
    except ValueError as error:
        raise click.UsageError(str(error)) from None


@main.command()
@click.argument("sparql")
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", *format_names()]), default="table", show_default=True,
              help="table, or a name /sparql's format= takes: json csv tsv xml for SELECT and ASK, ttl nt jsonld rdf "
                   "for CONSTRUCT and DESCRIBE …")
@click.option("--timeout", type=float, default=300.0, show_default=True,
              help="seconds before the query is stopped")
@click.option("--memory-mb", type=int, default=2048, show_default=True,
              help="the query process's memory cap in MiB (0: none)")
@click.option("--max-rows", type=int, default=1_000_000, show_default=True,
              help="a larger result is refused, never cut")
def query(sparql, store_path, fmt, timeout, memory_mb, max_rows):
    """Run a SPARQL query on the store and print the results.

    SELECT prints a table (or json/csv/tsv); CONSTRUCT/DESCRIBE print Turtle (or nt); ASK prints true/false.
    The default graph is the union of all documents' graphs. The query runs as /sparql runs it: checked by
    the endpoint's parser (an update or a SERVICE is refused before anything is sent), in a worker process
    that is stopped after --timeout seconds and may use at most --memory-mb (docs/security.md).
    """
    from rich.table import Table

    from luzhi.server.config import Config
    from luzhi.server.sparql.protocol import ProtocolError, SparqlRequest
    from luzhi.server.sparql.query_text import without_bom
    from luzhi.server.views.sparql import answer
    from luzhi.store.open import open_store

    if sparql == "-":
        sparql = sys.stdin.read()
    # As /sparql answers: a query with no limits took 19 GB and the machine's OOM killer (cold review, session 16).
    # Ranges checked by Config, as the server's: click's FloatRange let inf and nan through, in English (cold review 29)
    try:
        config = Config(store_path=Path(store_path), query_timeout=timeout, query_memory_mb=memory_mb,
                        max_result_rows=max_rows)
    except ValueError as error:
        raise click.UsageError(_with_options(str(error))) from None
    # A table of a SELECT, and Turtle for CONSTRUCT and DESCRIBE, as --help says (`json` would be JSON-LD there).
    formats = {"table": ("srj", "ttl")}.get(fmt, (fmt,))
    with _store_errors(store_path):
        opened = open_store(store_path, read_only=True)
    executor = opened.query_executor(processes=1, timeout=timeout, memory_mb=memory_mb, sandbox=config.sandbox)
    try:
        response = answer(SparqlRequest(without_bom(sparql), (), (), formats), None, config, executor)
    except ProtocolError as error:  # the query's fault (syntax, SERVICE, too many rows): a usage error, exit 2
        message = _with_options(error.message.replace("parameter `format`", "--format"))
        raise (click.UsageError if error.status < 500 else click.ClickException)(message) from None
    finally:
        executor.close()
        opened.close()
    body = response.get_data()
    if fmt != "table" or not response.mimetype.startswith("application/sparql-results"):
        # pyoxigraph's JSON ends without a newline; a shell prompt then starts on its last line (cold review).
        sys.stdout.buffer.write(body if body.endswith(b"\n") else body + b"\n")
        return
    result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    if isinstance(result, ox.QueryBoolean):
        click.echo("true" if result else "false")
        return
    names = [v.value for v in result.variables]
    table = Table(*names)
    for row in result:
        table.add_row(*["" if row[n] is None else _term_text(row[n]) for n in names])
    _console().print(table)


def _with_options(message: str) -> str:
    """A server setting named in `message` as the `luzhi query` option that sets it."""
    for setting, option in (("query_memory_mb", "--memory-mb"), ("query_timeout", "--timeout"),
                            ("max_result_rows", "--max-rows")):
        message = message.replace(f"({setting})", f"({option})").replace(f"（{setting}）", f"（{option}）")
        message = re.sub(rf"设置 {setting}（\w+）", f"{option} ", message)  # config.out_of_range
        message = re.sub(rf"setting {setting} \(\w+\)", option, message)
    return message


def _term_text(term) -> str:
    if isinstance(term, ox.Literal):
        return term.value + (f"@{term.language}" if term.language else "")
    return term.value if isinstance(term, ox.NamedNode) else str(term)


@main.command()
@store_option
@click.option("--format", "fmt", type=click.Choice(sorted(DUMP_FORMATS)), default="nquads", show_default=True)
@click.option("-o", "--output", type=OutputPath(),
              help="File to write (default stdout).")
def export(store_path, fmt, output):
    """Export the whole store: N-Quads or TriG (keeping each document's graph), Turtle (the union), JSON-LD."""
    from luzhi.store.dump import write_dump
    from luzhi.store.open import open_store

    with _store_errors(store_path):
        store = open_store(store_path, read_only=True).store
    # click.open_file leaves stdout open when the output is "-" (closing it broke callers that go on writing).
    with click.open_file(str(output) if output else "-", "wb") as out:
        write_dump(store, fmt, out)


@main.command()
@click.option("--townships", "count", type=click.IntRange(min=1), required=True, help="How many townships.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same townships and seed → the same bytes.")
@click.option("--out", type=BilingualPath(file_okay=False, path_type=Path), required=True,
              help="Directory to create (or an empty one); synth never overwrites files.")
@click.option("--formats", default="txt", show_default=True,
              help="Comma-separated file formats to write; txt is the layout `luzhi build` reads.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes; the output does not depend on it.")
def synth(count, seed, out, formats, jobs):
    """Write realistic duty-list documents for N real townships, and manifest.json.

    The townships are drawn from the official division table in an order fixed by --seed; each
    document's title resolves to its township alone. Lists, categories, item texts, department
    names (县/区/市/旗 X局 as the county requires) and the mess (multi-row items, page-break
    continuations, repeated headers, count mismatches, HTML cells …) come from the five real
    documents. manifest.json holds, per document, the counts `luzhi build --report` must show.
    See docs/synth.md.
    """
    import time

    from luzhi.etl.synth import SynthError, synthesize

    started = time.perf_counter()
    console = Console(stderr=True)
    try:
        with console.status("synthesizing…") as status:
            result = synthesize(count, seed, out, tuple(f.strip() for f in formats.split(",") if f.strip()), jobs,
                                progress=lambda n: status.update(f"synthesizing… {n}/{count}"))
    except SynthError as error:
        raise click.UsageError(str(error)) from None
    seconds = time.perf_counter() - started
    console.print(f"{result.documents} documents ({result.files} files, {result.bytes / 1e6:.1f} MB) and "
                  f"{result.manifest} in {seconds:.1f} s; {result.skipped} namesake townships skipped")


# `luzhi validate` lives with the validation service (issue 4): server/validation/cli.py.
main.add_command(validate_command)


if __name__ == "__main__":
    main()
