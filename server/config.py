"""Settings of one luzhi server, passed to `create_app` (nothing is read at import time)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from luzhi.ontology.iris import DEFAULT_BASE, normalise_base
from luzhi.store.executor import RECYCLE_MB
from luzhi.store.sandbox import MODES as SANDBOX_MODES

_ABSOLUTE_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")

# The publisher's settings and the LUZHI_* variable of each (server/wsgi.py; `luzhi serve` reads them too).
PUBLICATION_VARIABLES = {
    "licence": "LUZHI_LICENCE",
    "publisher": "LUZHI_PUBLISHER",
    "publisher_url": "LUZHI_PUBLISHER_URL",
    "contact_email": "LUZHI_CONTACT_EMAIL",
    "contact_url": "LUZHI_CONTACT_URL",
    "issued": "LUZHI_ISSUED",
}


def publication_settings(env: dict[str, str]) -> dict[str, str]:
    """The publisher's settings given in the environment, as `Config` keyword arguments."""
    return {name: env[variable] for name, variable in PUBLICATION_VARIABLES.items() if env.get(variable)}


# The endpoint's limits: the LUZHI_* variable of each and how it is read (server/wsgi.py and `luzhi serve`:
# serve once ignored them all, so `LUZHI_SANDBOX=off luzhi serve` still logged sandbox=auto; cold review).
LIMIT_VARIABLES = {
    "query_timeout": ("LUZHI_QUERY_TIMEOUT", float),
    "max_result_rows": ("LUZHI_MAX_RESULT_ROWS", int),
    "max_request_bytes": ("LUZHI_MAX_REQUEST_BYTES", int),
    "query_processes": ("LUZHI_QUERY_PROCESSES", int),
    "page_timeout": ("LUZHI_PAGE_TIMEOUT", float),
    "page_query_processes": ("LUZHI_PAGE_QUERY_PROCESSES", int),
    "allow_service": ("LUZHI_ALLOW_SERVICE", lambda text: tuple(text.split())),
    # Issue 10 (docs/security.md): caps of the processes that run user input, and the queue.
    "queue_wait": ("LUZHI_QUEUE_WAIT", float),
    "query_memory_mb": ("LUZHI_QUERY_MEMORY_MB", int),
    "query_recycle_mb": ("LUZHI_QUERY_RECYCLE_MB", int),
    "sandbox": ("LUZHI_SANDBOX", str),
    "max_upload_bytes": ("LUZHI_MAX_UPLOAD_BYTES", int),
    "validation_timeout": ("LUZHI_VALIDATION_TIMEOUT", float),
    "validation_memory_mb": ("LUZHI_VALIDATION_MEMORY_MB", int),
    "max_validations": ("LUZHI_MAX_VALIDATIONS", int),
}


_KINDS = {float: ("数字", "a number"), int: ("整数", "a whole number")}

# The range of each limit (lowest, highest; None: no bound), seconds, rows, bytes, processes or MiB: past it a
# limit breaks what it bounds (cold review 29: a query_timeout of inf answered every query 500, nan every page 500,
# -5 stopped every query at once, a max_upload_bytes of -5 refused every upload). A cap of 0 MiB is no cap.
DAY = 86_400.0
LIMIT_RANGES: dict[str, tuple[float, float | None]] = {
    "query_timeout": (0.001, DAY), "page_timeout": (0.001, DAY), "validation_timeout": (0.001, DAY),
    "queue_wait": (0, DAY),
    "max_result_rows": (1, None), "max_request_bytes": (1, None), "max_upload_bytes": (1, None),
    # Processes start on demand, one a waiting request: a huge count let a burst start as many (cold review 30).
    "query_processes": (1, 64), "page_query_processes": (1, 64), "max_validations": (1, 64),
    # Past a TiB the cap overflowed the C long setrlimit takes, and every worker failed to start (cold review 30).
    "query_memory_mb": (0, 2**20), "validation_memory_mb": (0, 2**20), "query_recycle_mb": (0, 2**20),
}


def limit_settings(env: dict[str, str]) -> dict[str, object]:
    """The endpoint's limits given in the environment, as `Config` keyword arguments; ValueError names the
    variable of a value that cannot be read (Config names one out of its range)."""
    settings: dict[str, object] = {}
    for name, (variable, read) in LIMIT_VARIABLES.items():
        if variable in env:
            try:
                settings[name] = read(env[variable])
            except ValueError:
                zh, en = _KINDS.get(read, ("文本", "text"))
                raise ValueError(f"{variable}={env[variable]!r}：须为{zh} / expected {en}") from None
    if settings.get("sandbox", "auto") not in SANDBOX_MODES:
        raise ValueError(f"LUZHI_SANDBOX={settings['sandbox']!r}：须为 {'、'.join(SANDBOX_MODES)} 之一 / expected one "
                         f"of {', '.join(SANDBOX_MODES)}")
    return settings


def checked_limits(env) -> dict[str, object]:
    """The limits in `env` for gunicorn.conf.py, before it forks: an unreadable or out-of-range value ends gunicorn
    with the reason on one line. Its config file printed a traceback (`int(float('inf'))`), and every worker one
    of its own on a bad LUZHI_QUERY_PROCESSES (cold reviews 29, 30)."""
    try:
        settings = limit_settings(env)
        problem = range_problem({name: value for name, value in settings.items() if name in LIMIT_RANGES})
    except ValueError as error:
        problem = str(error)
    if problem:
        raise SystemExit(f"luzhi: {problem}")
    return settings


def count_setting(env, variable: str, default: int) -> int:
    """A gunicorn.conf.py count (LUZHI_WORKERS, LUZHI_THREADS), at least 1, or gunicorn ends saying why."""
    text = env.get(variable, str(default))
    if not text.strip().isdecimal() or int(text) < 1:
        raise SystemExit(f"luzhi: {variable}={text!r}：须为不小于 1 的整数 / expected a whole number of at least 1")
    return int(text)


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"  # 1048576, not 1.04858e+06


def range_problem(limits: dict[str, float]) -> str | None:
    """Why the first of `limits` (by name) out of its range cannot be what it is (`out_of_range`), or None."""
    return next(filter(None, (out_of_range(name, value) for name, value in limits.items())), None)


def out_of_range(name: str, value: float) -> str | None:
    """Why the limit `name` cannot be `value`, in both languages, naming its LUZHI_* variable; None if it can."""
    lowest, highest = LIMIT_RANGES[name]
    if lowest <= value and (highest is None or value <= highest):  # NaN is neither, and refused
        return None
    variable = LIMIT_VARIABLES[name][0]
    low, high = _plain(lowest), _plain(highest) if highest is not None else None
    zh, en = ((f"须在 {low}–{high} 之间", f"must be from {low} to {high}") if high is not None
              else (f"须不小于 {low}", f"must be at least {low}"))
    return f"设置 {name}（{variable}）{zh}，收到 {value!r} / setting {name} ({variable}) {en}, got {value!r}"


@dataclass(frozen=True)
class Config:
    # The embedded store's pyoxigraph directory; with `store_url`, the local state directory instead
    # (build.json, sources/, dumps/): a remote SPARQL server keeps only triples (docs/remote-store.md).
    store_path: Path
    base: str = DEFAULT_BASE
    # SPARQL endpoint limits (issue 5): a query past `query_timeout` seconds is stopped;
    # a result over `max_result_rows` rows is refused with an explicit error, never cut.
    query_timeout: float = 30.0
    max_result_rows: int = 100_000
    max_request_bytes: int = 1_000_000
    allow_service: tuple[str, ...] = ()  # SERVICE endpoints a query may call; none by default
    # Worker processes that run queries (per web worker); a runaway query is killed, not waited for.
    query_processes: int = 2
    # Issue 10 (docs/security.md): a request waits at most `queue_wait` s for a free query worker, then 503 +
    # Retry-After. Every worker that runs user input has its address space capped (RLIMIT_AS, MiB; 0 = no cap)
    # and, per `sandbox` (auto|netns|seccomp|off), no network.
    queue_wait: float = 2.0
    query_memory_mb: int = 2048
    # A query worker whose resident memory passed this (MiB) after a query is replaced by a fresh one (0 = never):
    # the engine keeps what a query grew it to (store/executor.py).
    query_recycle_mb: int = RECYCLE_MB
    sandbox: str = "auto"
    # Validation service (issue 4)
    max_upload_bytes: int = 5_000_000
    validation_timeout: float = 60.0  # a 133 KB list took 9.6 s at load 5.5 (cold review): 20 s left no headroom
    validation_memory_mb: int = 2048
    # Validations running at once per web process (each is a child process); more wait `queue_wait`, then 503.
    max_validations: int = 2
    # Pages (issue 6)
    page_size: int = 100
    # A list's page (HTML, its JSON and its RDF twin) shows this many duties a page: a whole real list (at most
    # ~150 items) on one, as it was shown before lists were paged; a list of 60,000 took 12–36 s whole.
    list_page_size: int = 200
    # Page queries run in their own killable processes (issue 13): past `page_timeout` seconds the
    # page answers 503 with Retry-After instead of holding a web worker.
    page_timeout: float = 10.0
    page_query_processes: int = 2
    # A remote SPARQL 1.1 query endpoint (Virtuoso's …/sparql) holding the triples; None = embedded pyoxigraph.
    # The server only reads, anonymously: no credentials here.
    store_url: str | None = None
    # Who publishes the data, under which licence, and how to reach them: what /.well-known/void (DCAT-AP 3)
    # and the pages' schema.org JSON-LD say to data portals (issue 11; docs/linked-data.md).
    licence: str = "https://creativecommons.org/licenses/by/4.0/"  # the data's licence, an IRI
    publisher: str = "履职项目"  # the publisher's name (foaf:name, schema.org publisher)
    publisher_url: str | None = None  # the publisher's own IRI; None: an IRI in the VoID document
    contact_email: str | None = None  # the contact point's e-mail (vcard:hasEmail)
    contact_url: str | None = None  # the contact point's web page (vcard:hasURL); None: the home page
    issued: str | None = None  # ISO 8601 date of first publication (dct:issued); None: the build's date

    def __post_init__(self) -> None:
        # Absolute once, here: Flask's send_file resolves a relative path against the application's
        # package, so the README's own `luzhi serve` (default ./luzhi-store) answered 500 on every
        # /source/… and /dumps/… (issue 11, finding 1).
        object.__setattr__(self, "store_path", Path(self.store_path).absolute())
        # The server builds IRIs as f"{base}{path}": a trailing slash 404'd every page (issue 9).
        object.__setattr__(self, "base", normalise_base(self.base))
        if problem := range_problem({name: getattr(self, name) for name in LIMIT_RANGES}):
            raise ValueError(problem)
        for name in ("page_size", "list_page_size"):  # a page of none would divide by zero
            if getattr(self, name) < 1:
                raise ValueError(f"setting {name} must be at least 1, got {getattr(self, name)!r}")
        # Refused here, with the setting's name, rather than published as a broken description.
        for name in ("licence", "publisher_url", "contact_url"):
            value = getattr(self, name)
            if value is not None and not _ABSOLUTE_IRI.match(value):
                raise ValueError(f"setting {name} must be an absolute IRI such as https://…, got {value!r}")
        if self.contact_email is not None and not _EMAIL.match(self.contact_email):
            raise ValueError(f"setting contact_email must be an e-mail address, got {self.contact_email!r}")
        if self.issued is not None:
            try:
                date.fromisoformat(self.issued)
            except ValueError:
                raise ValueError(f"setting issued must be an ISO 8601 date (2025-06-30), got {self.issued!r}") from None

    @property
    def store_spec(self) -> str | Path:
        """What `open_store` takes: the remote URL, or the embedded store's directory."""
        return self.store_url or self.store_path

    @property
    def sandbox_settings(self) -> str:
        """The limits of the processes that run user input, in one line for the operator's log: `/health`
        published them to anyone (cold review), so `create_app` logs them at startup instead."""
        return (f"sandbox={self.sandbox} query_processes={self.query_processes} "
                f"query_memory_mb={self.query_memory_mb} query_recycle_mb={self.query_recycle_mb} "
                f"query_timeout={self.query_timeout:g} "
                f"queue_wait={self.queue_wait:g} max_result_rows={self.max_result_rows} "
                f"page_query_processes={self.page_query_processes} page_timeout={self.page_timeout:g} "
                f"validation_memory_mb={self.validation_memory_mb} validation_timeout={self.validation_timeout:g} "
                f"max_validations={self.max_validations} allow_service={' '.join(self.allow_service) or 'none'}")


def log_to_stderr() -> None:
    """luzhi's INFO log lines on stderr: the query sandbox's settings and what its workers report, which
    `/health` no longer publishes (docs/security.md). `luzhi serve` and gunicorn.conf.py call it."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s: %(message)s"))
    logger = logging.getLogger("luzhi")
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
