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
from luzhi.store.state import BuildInfo, build_identity

_CONFIG = "LUZHI"
_OPENED = "luzhi.store"
_EXECUTOR = "luzhi.sparql"
_BUILD = "luzhi.build_info"


def attach(app: Flask, config: Config, opened: OpenStore, executor: Executor) -> None:
    app.config[_CONFIG] = config
    app.extensions[_OPENED] = opened
    app.extensions[_EXECUTOR] = executor


def get_config(app: Flask | None = None) -> Config:
    return (app or current_app).config[_CONFIG]


def get_opened(app: Flask | None = None) -> OpenStore:
    return (app or current_app).extensions[_OPENED]


def get_store(app: Flask | None = None) -> Store:
    return get_opened(app).store


def get_executor(app: Flask | None = None) -> Executor:
    return (app or current_app).extensions[_EXECUTOR]


def build_info(app: Flask | None = None) -> BuildInfo:
    """The build's identity (ETag, Last-Modified), read once per app from the state directory."""
    app = app or current_app
    cached = app.extensions.get(_BUILD)
    if cached is None:
        cached = app.extensions[_BUILD] = build_identity(get_config(app).store_path)
    return cached
