"""A dereference reads each label once, and only where there can be one (issue 13, bench/results/deref.md).

At 10,000 townships a duty's first dereference costs its store reads (10-25 blocks, most from disk): the
subject's own labels now come from its outgoing triples, a place in a source document (`…#line=a,b`) is
never looked up, and a township's chain of divisions is read once per snapshot, not on each duty page.
The answers stay the same: the labels equal the lookups', on every subject of the tests' store.
"""

from __future__ import annotations

import requests
from conftest import recording
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDFS, SKOS

from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import LZ
from luzhi.server.describe import LABEL_PROPERTIES, MAX_LABELS, describe, fetch_labels
from luzhi.store.oxigraph import OxigraphStore


def test_a_subject_labels_are_those_its_lookups_give_on_every_subject(store):
    subjects = [row["s"] for row in store.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")]
    assert len(subjects) > 1_000
    labelled = 0
    for subject in subjects:
        expected = fetch_labels(store, [subject]).get(subject, ())
        assert describe(store, str(subject), with_incoming=False).labels.get(subject, ()) == expected, subject
        labelled += bool(expected)
    assert labelled > 1_000


def test_a_subject_labels_keep_the_lookup_order_graphs_and_limit(tmp_path):
    """Labels stated in two graphs come once; per property the index order; at most MAX_LABELS each;
    a label that is not a literal is no label."""
    store = OxigraphStore(tmp_path / "store")
    subject = URIRef("http://example.org/id/a")
    first = [(subject, RDFS.label, Literal("乙", lang="zh")), (subject, RDFS.label, Literal("B", lang="en")),
             (subject, SKOS.prefLabel, Literal("甲", lang="zh")), (subject, DCTERMS.title, URIRef("http://e.org/t"))]
    many = [(subject, DCTERMS.title, Literal(f"题{n}", lang="zh")) for n in range(MAX_LABELS + 10)]
    store.replace_graph("http://example.org/g1", first + many)
    store.replace_graph("http://example.org/g2", first[:1] + [(subject, RDFS.comment, Literal("x"))])
    expected = fetch_labels(store, [subject])[subject]
    assert describe(store, str(subject)).labels[subject] == expected
    assert len([label for label in expected if str(label).startswith("题")]) in (MAX_LABELS - 1, MAX_LABELS)
    assert [label for label in expected if label.language == "zh"][:2] == [Literal("甲", lang="zh"),
                                                                          Literal("乙", lang="zh")]


def test_the_build_says_nothing_about_a_place_in_a_source(store, built_store):
    """Why a place needs no label lookup: every `#…` a duty is derived from is one, and none is a subject."""
    iris = Iris(built_store.base)
    places = {str(row["o"]) for row in store.select(f"SELECT DISTINCT ?o WHERE {{ ?d <{PROV.wasDerivedFrom}> ?o }}")
              if "#" in str(row["o"])}
    assert len(places) > 100 and all(iris.is_source_place(place) for place in places)
    described = store.select(f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "
                             f"'{built_store.base}/source/') && CONTAINS(STR(?s), '#')) }}")
    assert described == []
    assert not iris.is_source_place(f"{built_store.base}/source/a.txt")  # the document itself has a title
    assert not iris.is_source_place(f"{built_store.base}/id/duty/1#x")


def test_duty_pages_skip_the_lookups_whose_answer_they_know(built_store, store):
    """A real app over real HTTP; its store's lookups recorded as they go to the store."""
    row = store.select(f"SELECT ?d ?town WHERE {{ ?d a <{LZ.Duty}> ; <{LZ.township}> ?town ; "
                       f"<{PROV.wasDerivedFrom}> ?place }} LIMIT 1")[0]
    duty, township = row["d"], row["town"]
    other = next(d for d, _p, _o in store.triples(None, LZ.township, township, limit=5) if d != duty)
    with recording(built_store) as (url, lookups):
        for iri, accept in ((duty, "text/turtle"), (duty, "text/html"), (other, "text/html")):
            response = requests.get(url + str(iri)[len(built_store.base + "/id/"):], headers={"Accept": accept},
                                    timeout=60)
            assert response.status_code == 200, (iri, accept, response.text[:300])
    iris = Iris(built_store.base)
    assert lookups and not [s for s, _p, _o in lookups if s is not None and iris.is_source_place(str(s))]
    assert not [(s, p) for s, p, _o in lookups if s in (duty, other) and p in LABEL_PROPERTIES]
    # Each duty page showed its township's chain; its divisions' own triples (labels, code, parents) were read
    # once for both pages and both formats, and nothing else of them.
    assert [lookup for lookup in lookups if lookup[0] == township] == [(township, None, None)]
