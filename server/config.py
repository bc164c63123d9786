"""Settings of one luzhi server, passed to `create_app` (nothing is read at import time)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from luzhi.ontology.iris import DEFAULT_BASE, normalise_base


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
    # Validation service (issue 4)
    max_upload_bytes: int = 5_000_000
    validation_timeout: float = 20.0
    # Pages (issue 6)
    page_size: int = 100
    # Page queries run in their own killable processes (issue 13): past `page_timeout` seconds the
    # page answers 503 with Retry-After instead of holding a web worker.
    page_timeout: float = 10.0
    page_query_processes: int = 2
    # A remote SPARQL 1.1 query endpoint (Virtuoso's …/sparql) holding the triples; None = embedded pyoxigraph.
    # The server only reads, anonymously: no credentials here.
    store_url: str | None = None

    def __post_init__(self) -> None:
        # The server builds IRIs as f"{base}{path}": a trailing slash 404'd every page (issue 9).
        object.__setattr__(self, "base", normalise_base(self.base))

    @property
    def store_spec(self) -> str | Path:
        """What `open_store` takes: the remote URL, or the embedded store's directory."""
        return self.store_url or self.store_path
