"""WSGI entry point for production servers: `gunicorn -c gunicorn.conf.py` (see docs/sparql.md).

Settings come from LUZHI_* environment variables, read when gunicorn calls the factory (not
at import), so every worker builds its app, opens the store read-only and starts its own
query processes after the fork.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from luzhi.server.app import create_app
from luzhi.server.config import Config, publication_settings
from luzhi.store.open import StoreTarget
from luzhi.store.sandbox import MODES
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
    defaults = Config(store_path=store)
    try:
        return Config(
            store_path=store,
            store_url=url,
            base=base or defaults.base,
            query_timeout=float(env.get("LUZHI_QUERY_TIMEOUT", defaults.query_timeout)),
            max_result_rows=int(env.get("LUZHI_MAX_RESULT_ROWS", defaults.max_result_rows)),
            max_request_bytes=int(env.get("LUZHI_MAX_REQUEST_BYTES", defaults.max_request_bytes)),
            query_processes=int(env.get("LUZHI_QUERY_PROCESSES", defaults.query_processes)),
            allow_service=tuple(env.get("LUZHI_ALLOW_SERVICE", "").split()),
            # Issue 10 (docs/security.md): caps of the processes that run user input, and the queue.
            queue_wait=float(env.get("LUZHI_QUEUE_WAIT", defaults.queue_wait)),
            query_memory_mb=int(env.get("LUZHI_QUERY_MEMORY_MB", defaults.query_memory_mb)),
            sandbox=_choice(env.get("LUZHI_SANDBOX", defaults.sandbox), MODES, "LUZHI_SANDBOX"),
            max_upload_bytes=int(env.get("LUZHI_MAX_UPLOAD_BYTES", defaults.max_upload_bytes)),
            validation_timeout=float(env.get("LUZHI_VALIDATION_TIMEOUT", defaults.validation_timeout)),
            validation_memory_mb=int(env.get("LUZHI_VALIDATION_MEMORY_MB", defaults.validation_memory_mb)),
            max_validations=int(env.get("LUZHI_MAX_VALIDATIONS", defaults.max_validations)),
            **publication_settings(env),
        )
    except ValueError as error:
        raise RuntimeError(f"bad LUZHI_* setting: {error}") from None


def _choice(value: str, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise ValueError(f"{name}={value!r}: expected one of {', '.join(allowed)}")
    return value


def app_from_environment() -> Flask:
    """gunicorn's app factory: `luzhi.server.wsgi:app_from_environment()`."""
    return create_app(config_from_environment())
