"""A duty's HTML page reads each thing once (issue 13, bench/results/deref.md): what the duty states itself
(its participations, kind, township, score) comes from the one lookup of its own triples; a resource's labels
from one lookup of its own triples (not one per label property); a division's code and parents are read once
per snapshot.

At 10,000 townships each lookup of a disk-cold duty is a disk read or more, so their number is the page's
steady cost: counted here over real HTTP, against the real store, as the requests make them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
from conftest import make_config
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS
from werkzeug.serving import make_server

from luzhi.ontology.namespaces import LZ
from luzhi.server.app import create_app
from luzhi.server.describe import FEW_OWN, LABEL_PROPERTIES, MAX_LABELS, resource_labels
from luzhi.store.oxigraph import OxigraphStore


@contextmanager
def recording(built_store) -> Iterator[tuple[str, list[tuple]]]:
    """A fresh app (empty caches) over real HTTP: its `/doc/` URL, and the lookups its pages make, in order."""
    app = create_app(make_config(built_store))
    pages = app.extensions["luzhi.live"].current.pages
    lookups: list[tuple] = []
    read = pages.triples

    def recorded(subject=None, predicate=None, obj=None, *, limit):
        lookups.append((subject, predicate, obj))
        return read(subject, predicate, obj, limit=limit)

    pages.triples = recorded
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/doc/", lookups
    finally:
        server.shutdown()
        app.extensions["luzhi.live"].current.close()


def _get(url: str, built_store, iri, accept: str = "text/html") -> str:
    response = requests.get(url + str(iri)[len(built_store.base + "/id/"):], headers={"Accept": accept}, timeout=60)
    assert response.status_code == 200, (iri, response.text[:300])
    return response.text


@pytest.fixture(scope="module")
def cooperative_duty(store):
    """A duty with several departments' parts, each with a responsibility text, and a kind."""
    rows = store.select(f"""SELECT ?d (COUNT(?pa) AS ?n) WHERE {{
        ?d <{LZ.participation}> ?pa ; <{LZ.dutyKind}> ?kind . ?pa <{LZ.department}> ?dept ;
           <{LZ.responsibility}> ?resp }} GROUP BY ?d HAVING (COUNT(?pa) >= 2) ORDER BY ?d LIMIT 1""")
    assert rows, "the bundled documents have cooperative duties with several departments"
    return rows[0]["d"]


def test_a_duty_page_reads_the_duty_once_and_each_participation_once(built_store, store, cooperative_duty):
    duty = cooperative_duty
    participations = [o for _s, _p, o in store.triples(duty, LZ.participation, None, limit=100)]
    with recording(built_store) as (url, lookups):
        html = _get(url, built_store, duty)
    # Fails before: (duty, lz:participation), (duty, lz:dutyKind), (duty, lz:township), (duty, lz:matchScore)
    # were each looked up again, and each participation twice (its department, its responsibility).
    assert [lookup for lookup in lookups if duty in lookup] == [(duty, None, None)]
    for participation in participations:
        # Its own triples: once for its labels (the label cache's `resource_labels`), once for its department
        # and responsibility (fails before: 3 label lookups, then one each for its department and text).
        assert [lookup for lookup in lookups if lookup[0] == participation] == [(participation, None, None)] * 2
        # What the page shows of each part is what the store says of it.
        responsibility = store.triples(participation, LZ.responsibility, None, limit=1)[0][2]
        assert str(responsibility) in html
    kind = store.triples(duty, LZ.dutyKind, None, limit=1)[0][2]
    assert f'/doc/{str(kind)[len(built_store.base + "/id/"):]}"' in html  # its kind, still linked


def test_a_division_code_and_parents_are_read_once_for_all_its_descendants(built_store, store, cooperative_duty):
    """The county's page reads its chain; a duty page of one of its townships then reads the township's own
    code and parents only (fails before: the whole chain of each new township, 8 lookups, was read again)."""
    township = store.triples(cooperative_duty, LZ.township, None, limit=1)[0][2]
    county = store.triples(township, LZ.parentDivision, None, limit=1)[0][2]
    with recording(built_store) as (url, lookups):
        _get(url, built_store, county)
        read_for_county = len(lookups)
        _get(url, built_store, cooperative_duty)
    after = lookups[read_for_county:]
    chain = [(s, p) for s, p, _o in after if p in (SKOS.notation, LZ.parentDivision)]
    assert sorted(chain) == sorted([(township, SKOS.notation), (township, LZ.parentDivision)])


def _labels_by_property(store, resource) -> tuple:
    """The labels as a lookup per label property gives them: what `resource_labels` answered before."""
    return tuple((resource, prop, label) for prop in LABEL_PROPERTIES
                 for _s, _p, label in store.triples(resource, prop, None, limit=MAX_LABELS)
                 if isinstance(label, Literal))


def test_labels_read_by_one_lookup_are_those_of_a_lookup_per_property(store, tmp_path):
    """On every subject of the tests' store, and on crafted ones: labels in two graphs, a label that is no
    literal, more than MAX_LABELS of one property, and a resource with FEW_OWN triples or more (read per
    property)."""
    subjects = [row["s"] for row in store.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")]
    assert len(subjects) > 1_000
    assert all(resource_labels(store, subject) == _labels_by_property(store, subject) for subject in subjects)
    crafted = OxigraphStore(tmp_path / "store")
    few, many = URIRef("http://example.org/id/few"), URIRef("http://example.org/id/many")
    for subject, extra in ((few, 3), (many, FEW_OWN)):
        triples = [(subject, RDFS.label, Literal("乙", lang="zh")), (subject, SKOS.prefLabel, Literal("甲", lang="zh")),
                   (subject, DCTERMS.title, URIRef("http://e.org/t")), (subject, RDFS.label, Literal("B", lang="en"))]
        triples += [(subject, RDFS.comment, Literal(f"注{n}")) for n in range(extra)]
        triples += [(subject, DCTERMS.title, Literal(f"题{n}", lang="zh")) for n in range(MAX_LABELS + 5)]
        crafted.replace_graph(f"{subject}/g1", triples)
        crafted.replace_graph(f"{subject}/g2", triples[:2])  # the same labels stated in a second graph
    assert len(crafted.triples(many, None, None, limit=10_000)) >= FEW_OWN
    for subject in (few, many):
        labels = resource_labels(crafted, subject)
        assert labels == _labels_by_property(crafted, subject)
        assert labels[0] == (subject, SKOS.prefLabel, Literal("甲", lang="zh"))
    crafted.close()
