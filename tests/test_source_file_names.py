"""A document's file name becomes part of IRIs (`/source/{file}`): any name a user has must build and serve.

Cold review: `list#3?.txt` (or a space) stopped the whole build, even with --keep-going, with an invalid
IRI and no file named; a Chinese name (额敏镇履职清单.txt, the usual case) had 256 violations of the
ASCII-only rule for instance IRIs. Iris.source now percent-encodes the name.
"""

from __future__ import annotations

import shutil
import threading

import pytest
import requests
from conftest import DeferredApp
from werkzeug.serving import make_server

from luzhi.etl.build import BuildOptions, build, bundled_documents
from luzhi.server.app import create_app
from luzhi.server.config import Config
from luzhi.shapes.engines import validator

NAMES = ["list#3? 清单.txt", "额敏镇履职清单.txt"]



@pytest.fixture(scope="module")
def odd_site(tmp_path_factory):
    deferred = DeferredApp()
    server = make_server("127.0.0.1", 0, deferred, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    folder = tmp_path_factory.mktemp("odd-names")
    samples = bundled_documents()
    paths = []
    for name, sample in zip(NAMES, samples[1:3], strict=True):
        paths.append(folder / name)
        shutil.copyfile(sample, paths[-1])
    store = folder / "store"
    result = build(paths, store, BuildOptions(base=base, jobs=1), validate_graph=validator("fast"))
    assert not result.quarantined and len(result.documents) == 2  # validated, and nothing refused
    deferred.app = create_app(Config(store_path=store, base=base))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base, paths
    server.shutdown()


@pytest.mark.parametrize("index", range(len(NAMES)))
def test_a_source_with_any_file_name_is_served_and_quoted_on_its_duties(odd_site, index):
    base, paths = odd_site
    path = paths[index]
    query = ("SELECT ?src WHERE { GRAPH ?g { ?d a <https://w3id.org/luzhi/def#Duty> ; "
             "<http://www.w3.org/ns/prov#wasDerivedFrom> ?src } } ORDER BY ?src")
    rows = requests.post(f"{base}/sparql", data={"query": query}, timeout=60,
                         headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    sources = {row["src"]["value"].partition("#")[0] for row in rows}
    encoded = [s for s in sources if requests.utils.unquote(s.rsplit("/", 1)[-1]) == path.name]
    assert len(encoded) == 1 and encoded[0].isascii()
    served = requests.get(encoded[0], timeout=60)
    assert served.status_code == 200 and served.content == path.read_bytes()
    # The duty page quotes the lines it came from, read from that file.
    duty_source = next(row["src"]["value"] for row in rows if row["src"]["value"].startswith(encoded[0] + "#line="))
    page_query = (f"SELECT ?d WHERE {{ GRAPH ?g {{ ?d <http://www.w3.org/ns/prov#wasDerivedFrom> <{duty_source}> }} }}"
                  " LIMIT 1")
    iri = requests.post(f"{base}/sparql", data={"query": page_query}, timeout=60,
                        headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"][0]
    page = requests.get(iri["d"]["value"], timeout=60)
    first, last = (int(n) for n in duty_source.rsplit("=", 1)[1].split(","))
    line = path.read_text(encoding="utf-8").splitlines()[first].strip()
    assert page.status_code == 200 and line[:20] in page.text
    # Its 来源 line shows the name as written, linking to the encoded address (it showed %E9%A2%9D…, cold review).
    assert f">{path.name}" in page.text and f'href="{encoded[0][len(base):]}#line=' in page.text
