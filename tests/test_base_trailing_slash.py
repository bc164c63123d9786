"""Regression (issue 9): `luzhi build --base https://host/` (a trailing slash) made every /id and /doc page 404.

The IRIs were minted without the slash (`Iris` stripped it) while build.json kept it raw and the server
built `f"{base}/id/…"` from it, so no request path ever named an IRI of the store. The base is now
normalised once (`ontology.iris.normalise_base`): in build.json and in every `Config`.
"""

from __future__ import annotations

import json
import threading

import pytest
import requests
from conftest import DeferredApp
from werkzeug.serving import make_server

from luzhi.etl.build import BuildOptions, build, bundled_documents
from luzhi.server.app import create_app
from luzhi.server.config import Config
from luzhi.server.wsgi import config_from_environment
from luzhi.store.snapshots import state_dir_of


@pytest.fixture(scope="module")
def slash_site(tmp_path_factory):
    """One bundled document built with `--base http://127.0.0.1:PORT/`, served as `luzhi serve` and gunicorn do."""
    deferred = DeferredApp()
    server = make_server("127.0.0.1", 0, deferred, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}/"
    store = tmp_path_factory.mktemp("slash-store")
    build(bundled_documents()[:1], store, BuildOptions(base=base, validate=False))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield deferred, base, store
    server.shutdown()


def _township(base: str, store) -> str:
    info = json.loads((state_dir_of(store) / "build.json").read_text(encoding="utf-8"))
    return info["documents"][0]["township_code"]


@pytest.mark.parametrize("how", ["build.json", "LUZHI_BASE with a slash", "Config with a slash"])
def test_pages_dereference_with_a_trailing_slash_base(slash_site, how):
    deferred, base, store = slash_site
    if how == "build.json":  # `luzhi serve` and gunicorn without LUZHI_BASE take the base from build.json
        config = config_from_environment({"LUZHI_STORE": str(store)})
    elif how == "LUZHI_BASE with a slash":
        config = config_from_environment({"LUZHI_STORE": str(store), "LUZHI_BASE": base})
    else:
        config = Config(store_path=store, base=base)
    deferred.app = create_app(config)
    origin = base.rstrip("/")
    code = _township(base, store)
    thing = requests.get(f"{origin}/id/division/{code}", allow_redirects=False, timeout=30)
    assert thing.status_code == 303, thing.text
    assert thing.headers["Location"].endswith(f"/doc/division/{code}")
    page = requests.get(f"{origin}/doc/division/{code}", headers={"Accept": "text/turtle"}, timeout=30)
    assert page.status_code == 200, page.text
    assert f"<{origin}/id/division/{code}>" in page.text
    html = requests.get(f"{origin}/doc/division/{code}", headers={"Accept": "text/html"}, timeout=30)
    assert html.status_code == 200
    assert f'href="/doc/division/{code}' in html.text or f"/doc/division/{code}" in html.text
    deferred.app.extensions["luzhi.sparql"].close()


def test_build_json_records_the_normalised_base(slash_site):
    _, base, store = slash_site
    info = json.loads((state_dir_of(store) / "build.json").read_text(encoding="utf-8"))
    assert info["base"] == base.rstrip("/")
