"""/.well-known/void validates against shapes/void.shapes.ttl; dumps, sitemaps, robots.txt, /graph (issue 6)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import xml.etree.ElementTree as ET
from importlib import resources

import pyoxigraph as ox
import pyshacl
import pytest
import requests
from rdf_parsing import parse_rdf
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, VOID

from luzhi.ontology.iris import Iris
from luzhi.store.oxigraph import OxigraphStore
from luzhi.store.snapshots import state_dir_of
from luzhi.store.state import source_keys


def _shapes() -> Graph:
    text = (resources.files("luzhi") / "shapes" / "void.shapes.ttl").read_text(encoding="utf-8")
    return Graph().parse(data=text, format="turtle")


@pytest.fixture(scope="module")
def void(live_server) -> Graph:
    response = requests.get(live_server.url + "/.well-known/void")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    return Graph().parse(data=response.text, format="turtle")


def test_void_conforms_to_its_shapes(void):
    conforms, _graph, text = pyshacl.validate(void, shacl_graph=_shapes())
    assert conforms, text


@pytest.mark.parametrize("drop", [DCTERMS.license, VOID.triples, DCAT.service, DCTERMS.publisher])
def test_shapes_catch_a_missing_part(void, live_server, drop):
    broken = Graph()
    for triple in void:
        broken.add(triple)
    dataset = URIRef(live_server.url + "/id/dataset")
    assert (dataset, drop, None) in broken
    broken.remove((dataset, drop, None))
    conforms, _graph, _text = pyshacl.validate(broken, shacl_graph=_shapes())
    assert not conforms


def test_statistics_are_measured(void, live_server, built_store):
    store = OxigraphStore(built_store.path, read_only=True)
    try:
        # The statistics graph describes the data (it holds these very figures) and is not counted in them.
        statistics = str(Iris(built_store.base).statistics_graph())
        distinct = {(q.subject, q.predicate, q.object) for q in store.quads() if q.graph_name.value != statistics}
        lists = store.select("SELECT DISTINCT ?l WHERE { ?l a <https://w3id.org/luzhi/def#DutyList> }")
    finally:
        store.close()
    dataset = URIRef(live_server.url + "/id/dataset")
    assert void.value(dataset, VOID.triples) == Literal(len(distinct))
    assert int(void.value(dataset, VOID.entities)) > 1000
    # One dataset per township list, each with a landing page that answers.
    listed = set(void.objects(dataset, DCAT.dataset))
    assert listed == {row["l"] for row in lists}
    some = sorted(listed)[0]
    page = void.value(some, DCAT.landingPage)
    assert requests.get(str(page)).status_code == 200
    for distribution in void.objects(some, DCAT.distribution):
        assert requests.get(str(void.value(distribution, DCAT.downloadURL))).status_code == 200


def test_void_by_conneg_and_id_dataset(live_server):
    html = requests.get(live_server.url + "/.well-known/void", headers={"Accept": "text/html"})
    assert html.status_code == 200 and html.headers["Content-Type"].startswith("text/html")
    jsonld = requests.get(live_server.url + "/.well-known/void", headers={"Accept": "application/ld+json"})
    assert jsonld.headers["Content-Type"] == "application/ld+json"
    assert len(parse_rdf(jsonld.content, "application/ld+json")) > 100
    redirect = requests.get(live_server.url + "/id/dataset", allow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["Location"].endswith("/.well-known/void")


def test_dumps_match_their_checksums_and_the_store(live_server, built_store, void):
    sums = dict(
        reversed(line.split("  ")) for line in requests.get(live_server.url + "/dumps/SHA256SUMS").text.splitlines()
    )
    assert set(sums) == {"luzhi.nq.gz", "luzhi.ttl.gz"}
    store = OxigraphStore(built_store.path, read_only=True)
    try:
        quads = len(store)
        distinct = {(q.subject, q.predicate, q.object) for q in store.quads()}
    finally:
        store.close()
    for name, digest in sums.items():
        response = requests.get(f"{live_server.url}/dumps/{name}")
        body = response.content
        assert hashlib.sha256(body).hexdigest() == digest
        # RFC 3230/5843: the Digest header is base64 of the same digest, as clients that check it expect.
        assert response.headers["Digest"] == "sha-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
        text = gzip.decompress(body)
        fmt = ox.RdfFormat.N_QUADS if name.endswith(".nq.gz") else ox.RdfFormat.TURTLE
        parsed = list(ox.parse(io.BytesIO(text), format=fmt))
        if fmt == ox.RdfFormat.N_QUADS:
            assert len(parsed) == quads
        else:
            assert {(t.subject, t.predicate, t.object) for t in parsed} == distinct
        # The VoID description publishes the same checksum.
        url = URIRef(f"{live_server.url}/dumps/{name}")
        assert str(digest) in {str(o) for o in void.objects(None, None) if isinstance(o, Literal)}
        assert (URIRef(live_server.url + "/id/dataset"), VOID.dataDump, url) in void
    index = requests.get(live_server.url + "/dumps/", headers={"Accept": "application/json"}).json()
    assert {entry["name"]: entry["sha256"] for entry in index} == sums


def test_a_cut_dump_download_resumes_with_range(live_server):
    """A ~1 GB national dump must resume where a download stopped (cold review: Range was ignored)."""
    url = f"{live_server.url}/dumps/luzhi.nq.gz"
    whole = requests.get(url)
    assert whole.headers["Accept-Ranges"] == "bytes"
    size = len(whole.content)
    rest = requests.get(url, headers={"Range": "bytes=1000-"})
    assert rest.status_code == 206 and rest.headers["Content-Range"] == f"bytes 1000-{size - 1}/{size}"
    assert whole.content[:1000] + rest.content == whole.content
    same = requests.get(url, headers={"Range": "bytes=0-99", "If-Range": whole.headers["ETag"]})
    assert same.status_code == 206 and same.content == whole.content[:100]
    changed = requests.get(url, headers={"Range": "bytes=0-99", "If-Range": '"another-build"'})
    assert changed.status_code == 200 and changed.content == whole.content  # If-Range failed: the whole file
    beyond = requests.get(url, headers={"Range": f"bytes={size}-"})
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == f"bytes */{size}"
    for odd in ("bytes=0-10,20-30", "items=0-10", "bytes=abc"):  # RFC 9110 §14.2: ignored, whole file
        ignored = requests.get(url, headers={"Range": odd})
        assert ignored.status_code == 200 and ignored.content == whole.content, odd


def test_suffix_ranges_follow_rfc_9110(live_server):
    """RFC 9110 §14.1.2 on the dumps and the sources: `bytes=-0` answered 200 with the whole body where the last zero
    bytes are unsatisfiable (416, `Content-Range: bytes */LEN`), and a suffix longer than the file answered 416 where
    it means the whole file (206). A stale If-Range still gets the whole file (cold review)."""
    source = source_keys(state_dir_of(live_server.store.path))[0]
    for url in (f"{live_server.url}/dumps/luzhi.nq.gz", f"{live_server.url}/source/{source}"):
        whole = requests.get(url)
        size = len(whole.content)
        zero = requests.get(url, headers={"Range": "bytes=-0"})
        assert zero.status_code == 416 and zero.headers["Content-Range"] == f"bytes */{size}", url
        longer = requests.get(url, headers={"Range": f"bytes=-{size + 10}"})
        assert longer.status_code == 206 and longer.headers["Content-Range"] == f"bytes 0-{size - 1}/{size}", url
        assert longer.content == whole.content
        tail = requests.get(url, headers={"Range": "bytes = -5"})
        assert tail.status_code == 206 and tail.content == whole.content[-5:]
        stale = requests.get(url, headers={"Range": "bytes=-0", "If-Range": '"another-build"'})
        assert stale.status_code == 200 and stale.content == whole.content


def test_named_graph_download(live_server, built_store):
    store = OxigraphStore(built_store.path, read_only=True)
    try:
        graph_iri = next(g for g in store.graph_names() if g.startswith(built_store.base + "/graph/"))
        size = sum(1 for quad in store.quads() if quad.graph_name == ox.NamedNode(graph_iri))
    finally:
        store.close()
    response = requests.get(graph_iri + ".nt")
    assert response.status_code == 200
    assert len(Graph().parse(data=response.text, format="nt")) == size
    assert requests.get(live_server.url + "/graph/000000000").status_code == 404


def test_sitemaps_and_robots(live_server):
    robots = requests.get(live_server.url + "/robots.txt")
    assert f"Sitemap: {live_server.url}/sitemap.xml" in robots.text
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    index = ET.fromstring(requests.get(live_server.url + "/sitemap.xml").content)
    sitemaps = [loc.text for loc in index.findall("s:sitemap/s:loc", ns)]
    assert len(sitemaps) >= 2
    urls = []
    for sitemap in sitemaps:
        urls += [loc.text for loc in ET.fromstring(requests.get(sitemap).content).findall("s:url/s:loc", ns)]
    for kind in ("/doc/duty/", "/doc/org/", "/doc/kind/", "/doc/category/"):  # every kind of page a crawler should find
        assert any(kind in url for url in urls), kind
    for url in urls[:: max(1, len(urls) // 25)]:  # a spread sample: every page is walked in test_deref_walk
        assert requests.get(url).status_code == 200, url


def test_store_wide_graphs_are_catalogue_distributions(void, live_server, built_store):
    """/graph/shared, /graph/kinds and /graph/statistics were served but listed nowhere in the catalogue
    (cold review): a crawler following DCAT found only the townships' graphs and the dumps."""
    dataset = URIRef(built_store.base + "/id/dataset")
    listed = {str(url) for url in void.objects(dataset, DCAT.distribution)}
    for stem in ("shared", "kinds", "statistics"):
        for extension in ("ttl", "nt"):
            url = f"{built_store.base}/graph/{stem}.{extension}"
            assert url in listed, url
            response = requests.get(url, timeout=60)
            assert response.status_code == 200, url
            assert len(Graph().parse(data=response.text, format="turtle" if extension == "ttl" else "nt")) > 0
