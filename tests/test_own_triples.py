"""A division's and a duty kind's own triples, read by one lookup and kept per snapshot (server/context.py
`own_triples`, issue 13), give what their lookups per property gave: their labels and a division's code and
parents; the cache is bounded. (Per snapshot as the chains and labels before it: a rebuild opens a new
snapshot with empty caches, tests/test_rebuild_while_serving.py.)
"""

from __future__ import annotations

from conftest import make_config
from rdflib import URIRef
from rdflib.namespace import RDF, SKOS

from luzhi.ontology.namespaces import LZ
from luzhi.server import lookups as lk
from luzhi.server.app import create_app
from luzhi.server.describe import labels_among, resource_labels
from luzhi.server.page_queries import step_among


def division_step(store, division):
    """A division's code and parents by a lookup of each property: what the duty page read before `own_triples`."""
    return (lk.value(store, division, SKOS.notation),
            [p for p in lk.objects(store, division, LZ.parentDivision) if isinstance(p, URIRef)])


def test_own_triples_give_the_labels_code_and_parents_the_lookups_give(built_store, store):
    """Every division and duty kind of the bundled store: the same labels, code and parents, in the same order."""
    from luzhi.server.context import OWN_KEPT, label_cache, own_triples

    app = create_app(make_config(built_store))
    resources = [s for s, _p, _o in store.triples(None, RDF.type, LZ.AdministrativeDivision, limit=10_000)]
    kinds = [s for s, _p, _o in store.triples(None, RDF.type, LZ.DutyKind, limit=10_000)]
    assert len(resources) > 10 and len(kinds) > 10
    try:
        with app.test_request_context("/"):
            for resource in resources + kinds:
                pairs = own_triples(resource)
                assert labels_among(resource, pairs) == resource_labels(store, resource) != ()
                assert label_cache()(resource) == resource_labels(store, resource)
                if resource in resources:
                    assert step_among(pairs) == division_step(store, resource)
            assert own_triples(resources[0]) is own_triples(resources[0])  # kept, not read again
        kept = app.extensions["luzhi.live"].current.cache["own triples"].cache_info()
        assert kept.maxsize == OWN_KEPT and kept.currsize == len(resources) + len(kinds)
    finally:
        app.extensions["luzhi.live"].current.close()
