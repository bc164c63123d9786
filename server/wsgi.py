"""WSGI entry point for production servers: `gunicorn -c gunicorn.conf.py` (see docs/sparql.md).

Settings come from LUZHI_* environment variables, read when gunicorn calls the factory (not
at import), so every worker builds its app, opens the store read-only and starts its own
query processes after the fork.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from luzhi.ontology.iris import DEFAULT_BASE
from luzhi.server.app import create_app
from luzhi.server.config import Config, limit_settings, publication_settings
from luzhi.store.open import StoreTarget
from luzhi.store.snapshots import state_dir_of
from luzhi.store.state import read_build_info


def config_from_environment(env: dict[str, str] | None = None) -> Config:
    """A `Config` from LUZHI_STORE (required), LUZHI_STATE, LUZHI_BASE and the endpoint's limits.

    LUZHI_STORE is a store directory, or a remote SPARQL endpoint URL; then LUZHI_STATE (default
    ./luzhi-state) is the local directory holding that build's build.json and source texts.
    """
    env = dict(os.environ if env is None else env)
    if not env.get("LUZHI_STORE"):
        raise RuntimeError("set LUZHI_STORE to the store directory (built with `luzhi build --store DIR`) "
                           "or to a remote SPARQL endpoint URL")
    target = StoreTarget.of(env["LUZHI_STORE"], Path(env.get("LUZHI_STATE") or "luzhi-state"))
    url = str(target.spec) if target.remote else None
    store = target.state
    if url and not store.is_dir():
        raise RuntimeError(f"LUZHI_STATE={store}: no such directory; a remote store needs the state directory "
                           f"its build wrote (`luzhi build --store {url} --state DIR`)")
    base = env.get("LUZHI_BASE")
    if not base:
        base = read_build_info(store if url else state_dir_of(store)).get("base")
    try:
        return Config(store_path=store, store_url=url, base=base or DEFAULT_BASE, **limit_settings(env),
                      **publication_settings(env))
    except ValueError as error:
        raise RuntimeError(f"bad LUZHI_* setting: {error}") from None


def app_from_environment() -> Flask:
    """gunicorn's app factory: `luzhi.server.wsgi:app_from_environment()`."""
    return create_app(config_from_environment())
