"""What a view may ask of the running app: its settings, its store, its SPARQL executor, its build.

Its own module (not app.py) so views import it without importing the app that imports them:
there was an app ↔ views import cycle (issue 9). `create_app` fills these in, once.
"""

from __future__ import annotations

from flask import Flask, current_app

from luzhi.server.config import Config
from luzhi.store.base import Store
from luzhi.store.executor import Executor
from luzhi.store.open import OpenStore
from luzhi.store.search_index import SearchIndex
from luzhi.store.state import BuildInfo, build_identity

_CONFIG = "LUZHI"
_OPENED = "luzhi.store"
_EXECUTOR = "luzhi.sparql"
_BUILD = "luzhi.build_info"
_PAGES = "luzhi.pages"
_SEARCH = "luzhi.search"


def attach(app: Flask, config: Config, opened: OpenStore, executor: Executor, pages: Store) -> None:
    app.config[_CONFIG] = config
    app.extensions[_OPENED] = opened
    app.extensions[_EXECUTOR] = executor
    app.extensions[_PAGES] = pages


def get_config(app: Flask | None = None) -> Config:
    return (app or current_app).config[_CONFIG]


def get_opened(app: Flask | None = None) -> OpenStore:
    return (app or current_app).extensions[_OPENED]


def get_store(app: Flask | None = None) -> Store:
    """The store as pages read it: every query under `page_timeout` (store/timed.py, issue 13)."""
    return (app or current_app).extensions[_PAGES]


def get_search(app: Flask | None = None) -> SearchIndex:
    """The build's full-text index (store/search_index.py); SearchUnavailable if the build made none."""
    app = app or current_app
    index = app.extensions.get(_SEARCH)
    if index is None:
        index = app.extensions[_SEARCH] = SearchIndex(get_config(app).store_path)
    return index


def get_executor(app: Flask | None = None) -> Executor:
    return (app or current_app).extensions[_EXECUTOR]


def build_info(app: Flask | None = None) -> BuildInfo:
    """The build's identity (ETag, Last-Modified), read once per app from the state directory."""
    app = app or current_app
    cached = app.extensions.get(_BUILD)
    if cached is None:
        cached = app.extensions[_BUILD] = build_identity(get_config(app).store_path)
    return cached
