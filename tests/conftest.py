"""Shared fixtures: the store is built from the bundled documents once per test run, and the real app
is served over real HTTP on 127.0.0.1 (STYLE.md, Tests).

The server socket is bound first so the store can be built with the server's own address as its
IRI base: every IRI in the test graph then really dereferences against the test server.

The suite runs in two pytest-xdist workers (pyproject's addopts; timings in docs/testing.md). A test
module is the unit of work, so its module fixtures (a store, a server, a browser) are made once, in one
worker; session fixtures such as `built_store` are made once per worker.
"""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server
from xdist.scheduler import LoadScopeScheduling

from luzhi.server.config import Config

# Modules that share a costly session resource run in one worker, so it is started once. Not xdist's
# `xdist_group` marks: `--dist loadgroup` does not group under pytest 9.2 (xdist 3.8 renames
# `item._nodeid`, which pytest 9.2 no longer reads), and the scheduler sees node ids, not marks.
SHARED_WORKER = {
    "tests/test_remote_store.py": "virtuoso",  # the session fixture tests/virtuoso.py:virtuoso
    "tests/test_remote_end_to_end.py": "virtuoso",
}
BROWSER_TESTS = "tests/browser/"  # every module there shares the session's one Chromium (`browser`)


class _ModuleScheduling(LoadScopeScheduling):
    """xdist's `loadfile` (one test module, one unit of work), with the shared-resource groups."""

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        return "chromium" if module.startswith(BROWSER_TESTS) else SHARED_WORKER.get(module, module)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    return _ModuleScheduling(config, log)


@dataclass(frozen=True)
class BuiltStore:
    path: Path
    base: str
    result: object  # luzhi.etl.build.BuildResult


@dataclass(frozen=True)
class LiveServer:
    url: str  # == the IRI base of the store it serves
    store: BuiltStore
    config: Config


class DeferredApp:
    """WSGI app that forwards to an app set after the socket is bound (see module docstring)."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@pytest.fixture(scope="session")
def _server_socket():
    deferred = DeferredApp()
    server = make_server("127.0.0.1", 0, deferred, threaded=True)
    yield server, deferred
    if deferred.app is not None:  # serving was started (live_server); shutdown() would wait forever otherwise
        server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def built_store(tmp_path_factory, _server_socket) -> BuiltStore:
    """The bundled documents, parsed, validated and loaded into a real on-disk pyoxigraph store."""
    # Imported here so test modules that need no store run even while a stage is being rewritten.
    from luzhi.etl.build import BuildOptions, build, bundled_documents
    from luzhi.shapes.engines import validator

    server, _ = _server_socket
    base = f"http://127.0.0.1:{server.server_port}"
    path = tmp_path_factory.mktemp("store")
    result = build(bundled_documents(), path, BuildOptions(base=base), validate_graph=validator())
    return BuiltStore(path, base, result)


@pytest.fixture(scope="module")
def store(built_store):
    """The built store opened read-only, for tests that query it directly (a module may define its own `store`)."""
    from luzhi.store.oxigraph import OxigraphStore

    handle = OxigraphStore(built_store.path, read_only=True)
    yield handle
    handle.close()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through Playwright, headless, for tests/browser/ (skipped without Playwright);
    one per session, as every browser test opens its own page (and closes it).

    Here rather than in tests/browser/conftest.py: a second `conftest` module would shadow this one for
    the tests that `from conftest import make_config`.
    """
    playwright = pytest.importorskip("playwright.sync_api")
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"]
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=args)
        yield browser
        browser.close()


# Time limits for tests that are not about time limits: CI's two cores run two test workers, and a
# validation or a 16 MB answer that takes 3 s idle took past the production defaults (20/30 s) under
# load. Tests of the limits themselves pass their own values.
GENEROUS_LIMITS = {"query_timeout": 120.0, "validation_timeout": 120.0, "page_timeout": 60.0, "queue_wait": 30.0}


def make_config(store: BuiltStore, **overrides) -> Config:
    return Config(store_path=store.path, base=store.base, **(GENEROUS_LIMITS | overrides))


@pytest.fixture(scope="session")
def live_server(_server_socket, built_store) -> LiveServer:
    """The real Flask app over real HTTP, serving the built store; its URL is the store's IRI base."""
    from luzhi.server.app import create_app

    server, deferred = _server_socket
    config = make_config(built_store)
    deferred.app = create_app(config)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return LiveServer(built_store.base, built_store, config)


@contextmanager
def recording(built_store) -> Iterator[tuple[str, list[tuple]]]:
    """A fresh app (empty caches) over real HTTP: its `/doc/` URL, and the lookups its pages make, in order
    (tests/test_deref_*.py count them)."""
    from luzhi.server.app import create_app

    app = create_app(make_config(built_store))
    pages = app.extensions["luzhi.live"].current.pages
    lookups: list[tuple] = []
    read = pages.triples

    def recorded(subject=None, predicate=None, obj=None, *, limit):
        lookups.append((subject, predicate, obj))
        return read(subject, predicate, obj, limit=limit)

    pages.triples = recorded
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Polled every 0.05 s, not 0.5 s: shutdown() waits for the poll, once per test using this.
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/doc/", lookups
    finally:
        server.shutdown()
        app.extensions["luzhi.live"].current.close()


@pytest.fixture
def listener():
    """A TCP listener on 127.0.0.1 counting every connection made to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.2)
    accepted: list[tuple] = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, address = sock.accept()
            except TimeoutError:
                continue
            accepted.append(address)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", accepted
    stop.set()
    thread.join()
    sock.close()
