"""What a view may ask of the running app: its settings, its store, its SPARQL executor, its build.

Its own module (not app.py) so views import it without importing the app that imports them:
there was an app ↔ views import cycle (issue 9). `create_app` fills these in, once.

One request, one snapshot (issue 10): a rebuild used to leave pages on old triples and old ETags
while /source served new text. `LiveStore` checks the store's `current` pointer at the start of
each request (one stat, store/snapshots.py) and, when a build has switched it, opens the new
snapshot for the requests that follow; requests already running finish on the snapshot they
started with, which is closed when the last of them ends. The store, the executor, the build's
identity and the source files a view sees all come from that one snapshot.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import TypeVar

from flask import Flask, current_app, g, has_request_context
from rdflib import URIRef
from rdflib.term import Node

from luzhi.ontology.iris import Iris
from luzhi.server.config import Config
from luzhi.server.describe import labels_among, resource_labels
from luzhi.server.lookups import MANY
from luzhi.store.base import Store
from luzhi.store.executor import Executor
from luzhi.store.open import OpenStore, open_store
from luzhi.store.search_index import SearchIndex
from luzhi.store.state import BuildInfo, build_identity

_CONFIG = "LUZHI"
_LIVE = "luzhi.live"
_EXECUTOR = "luzhi.sparql"  # the current snapshot's executor (tests stop its workers through it)
_log = logging.getLogger(__name__)
T = TypeVar("T")
U = TypeVar("U")


@dataclass(eq=False)
class Snapshot:
    """One opened store with its query workers; `users` requests are reading it."""

    opened: OpenStore
    executor: Executor
    pages: Store  # the store as pages read it: every query under `page_timeout` (store/timed.py, issue 13)
    users: int = 0
    retired: bool = False
    _identity: BuildInfo | None = field(default=None, repr=False)
    _search: SearchIndex | None = field(default=None, repr=False)
    # What pages compute once per snapshot (the VoID document, home page figures, the townships):
    # the snapshot is read-only, so they change only with a rebuild, which opens a new Snapshot.
    cache: dict = field(default_factory=dict, repr=False)

    @property
    def identity(self) -> BuildInfo:
        if self._identity is None:
            self._identity = build_identity(self.opened.state_dir)
        return self._identity

    @property
    def search(self) -> SearchIndex:
        """The build's full-text index, beside this snapshot's build.json (store/search_index.py)."""
        if self._search is None:
            self._search = SearchIndex(self.opened.state_dir)
        return self._search

    def close(self) -> None:
        self.executor.close()
        self.pages.close()  # closes the pages' worker pool and, through it, the opened store


class LiveStore:
    """The snapshot the server reads now, following `current` (see the module docstring)."""

    def __init__(self, app: Flask, config: Config) -> None:
        self._app, self._config = app, config
        self._lock = threading.Lock()
        self._current = self._open()

    def _open(self) -> Snapshot:
        config = self._config
        opened = open_store(config.store_spec, state_dir=config.store_path, read_only=True,
                            timeout=config.query_timeout)
        executor = opened.query_executor(
            processes=config.query_processes, timeout=config.query_timeout, queue_wait=config.queue_wait,
            memory_mb=config.query_memory_mb, sandbox=config.sandbox, allow_service=config.allow_service,
            recycle_mb=config.query_recycle_mb,
        )
        pages = opened.page_store(processes=config.page_query_processes, timeout=config.page_timeout,
                                  memory_mb=config.query_memory_mb, recycle_mb=config.query_recycle_mb)
        snapshot = Snapshot(opened, executor, pages)
        self._app.extensions[_EXECUTOR] = snapshot.executor
        return snapshot

    @property
    def current(self) -> Snapshot:
        return self._current

    def acquire(self) -> Snapshot:
        with self._lock:
            old = self._current
            if old.opened.is_stale():
                try:
                    self._current = self._open()
                except Exception:  # noqa: BLE001 (keep serving the old snapshot; the next request retries)
                    _log.exception("could not open the new snapshot of %s", self._config.store_spec)
                else:
                    old.retired = True
                    if old.users == 0:
                        old.close()
            self._current.users += 1
            return self._current

    def hold(self, snapshot: Snapshot) -> None:
        """One more reader of `snapshot` (a download streamed past its request), released by `release`."""
        with self._lock:
            snapshot.users += 1

    def release(self, snapshot: Snapshot) -> None:
        with self._lock:
            snapshot.users -= 1
            done = snapshot.retired and snapshot.users == 0
        if done:
            snapshot.close()


def attach(app: Flask, config: Config) -> None:
    app.config[_CONFIG] = config
    live = app.extensions[_LIVE] = LiveStore(app, config)
    app.before_request(lambda: setattr(g, "luzhi_snapshot", live.acquire()))

    @app.teardown_request
    def _release(_error=None) -> None:
        snapshot = g.pop("luzhi_snapshot", None)
        if snapshot is not None:
            live.release(snapshot)


@contextmanager
def snapshot_of(app: Flask) -> Iterator[Snapshot]:
    """The current snapshot, held for one request outside Flask (server/views/sparql_fast.py), as
    `attach`'s before/teardown hooks hold it for a Flask request."""
    live: LiveStore = app.extensions[_LIVE]
    snapshot = live.acquire()
    try:
        yield snapshot
    finally:
        live.release(snapshot)


def held_stream(produce: Callable[[Store], Iterator[bytes]]) -> Iterable[bytes]:
    """The chunks `produce` makes from this request's store, for a response streamed after the view returns.

    The request's snapshot is held until the last chunk is sent or the server closes the response (a client
    gone, a HEAD, a 304): a rebuild meanwhile neither closes the store under the download nor mixes two builds
    in one file. The first chunk is made here, in the view, so its failure (a page query past `page_timeout`)
    is the request's error status rather than a download cut after a 200.
    """
    live: LiveStore = current_app.extensions[_LIVE]
    snapshot: Snapshot = g.luzhi_snapshot
    live.hold(snapshot)
    held = _Held(live, snapshot, produce(snapshot.pages))
    try:
        first = next(held.chunks, b"")
    except BaseException:
        held.close()
        raise
    held.chunks = chain([first], held.chunks)
    return held


class _Held:
    """A streamed body holding its snapshot (`held_stream`); werkzeug calls `close` once the response is done."""

    def __init__(self, live: LiveStore, snapshot: Snapshot, chunks: Iterator[bytes]) -> None:
        self._live, self._snapshot, self.chunks = live, snapshot, chunks
        self._produced = chunks
        self._lock = threading.Lock()

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self.chunks
        finally:
            self.close()

    def close(self) -> None:
        with self._lock:
            snapshot, self._snapshot = self._snapshot, None
        if snapshot is not None:
            try:
                close = getattr(self._produced, "close", None)
                if close is not None:
                    close()
            finally:
                self._live.release(snapshot)


def _snapshot(app: Flask | None) -> Snapshot:
    if app is None and has_request_context() and "luzhi_snapshot" in g:
        return g.luzhi_snapshot
    return (app or current_app).extensions[_LIVE].current


def get_config(app: Flask | None = None) -> Config:
    return (app or current_app).config[_CONFIG]


def get_opened(app: Flask | None = None) -> OpenStore:
    return _snapshot(app).opened


def get_store(app: Flask | None = None) -> Store:
    """The store as pages read it: every query under `page_timeout` (store/timed.py, issue 13)."""
    return _snapshot(app).pages


def get_search(app: Flask | None = None) -> SearchIndex:
    """The build's full-text index (store/search_index.py); SearchUnavailable if the build made none."""
    return _snapshot(app).search


def per_snapshot(key: object, compute: Callable[[], T]) -> T:
    """`compute()` once per snapshot and per process (issue 13: VoID was rebuilt on every request).

    Two threads may both compute a missing value; both results are equal, the last one is kept.
    """
    cache = _snapshot(None).cache
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def per_snapshot_cached(key: object, size: int, function: Callable[[T], U]) -> Callable[[T], U]:
    """`function` remembering its answers for the `size` most recently used arguments, once per snapshot and
    per process (`per_snapshot`): what a page reads of the store that every page of its kind reads again."""
    return per_snapshot(key, lambda: lru_cache(size)(function))


LABELS_KEPT = 50_000  # resources whose labels a web process keeps per snapshot (a few hundred bytes each)


def label_cache() -> Callable[[URIRef], tuple]:
    """`describe.resource_labels` of this snapshot's store, remembered for the `LABELS_KEPT` most recently
    used resources (server/describe.py `fetch_label_triples`); a place in a source document has none
    (`Iris.is_source_place`), and is neither looked up nor kept (each duty names its own). A division's or
    a duty kind's labels come from its own triples (`own_triples`)."""
    return per_snapshot("labels", _LabelLookup)


class _LabelLookup:
    """The label cache of one snapshot; a place in a source document skips it (each duty names its own)."""

    def __init__(self) -> None:
        self._iris = Iris(get_config().base)
        self._whole = (f"{self._iris.base}/id/division/", f"{self._iris.base}/id/kind/")
        self._cached = lru_cache(LABELS_KEPT)(self._labels)
        self.cache_info = self._cached.cache_info

    def __call__(self, resource: URIRef) -> tuple:
        return () if self._iris.is_source_place(str(resource)) else self._cached(resource)

    def _labels(self, resource: URIRef) -> tuple:
        if str(resource).startswith(self._whole):
            return labels_among(resource, own_triples(resource))
        return resource_labels(get_store(), resource)


OWN_KEPT = 16_384  # divisions and duty kinds whose own triples a process keeps per snapshot (~0.5 KB each)


def own_triples(resource: URIRef) -> tuple[tuple[Node, Node], ...]:
    """The (predicate, object) pairs of a division or a duty kind, in the store's order, by one lookup, kept
    for the `OWN_KEPT` most recently used per snapshot.

    Each has four or five short triples (its types, code, label, parent; a kind's label and scheme): one
    lookup of them all gives its labels (`describe.labels_among`: the same as a lookup per label property)
    and a division's step up its chain (server/views/kinds.py `division_chain`). A duty page of a township
    not seen yet read its labels by three lookups and its code and parents by two more (issue 13).
    """
    return per_snapshot_cached("own triples", OWN_KEPT, _read_own)(resource)


def _read_own(resource: URIRef) -> tuple[tuple[Node, Node], ...]:
    return tuple((p, o) for _s, p, o in get_store().triples(resource, None, None, limit=MANY))


def get_executor(app: Flask | None = None) -> Executor:
    return _snapshot(app).executor


def build_info(app: Flask | None = None) -> BuildInfo:
    """The build's identity (ETag, Last-Modified) of the snapshot this request reads."""
    return _snapshot(app).identity
