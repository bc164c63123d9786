"""Every IRI luzhi mints has an rdfs:label@zh, so every page has a heading and generic RDF tools
show a name (issue 11, finding 4: 843 of 2,159 had none: participations, list sections, builds)."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urldefrag

from luzhi.store.oxigraph import OxigraphStore


def test_every_minted_iri_has_a_chinese_rdfs_label(built_store):
    store = OxigraphStore(built_store.path, read_only=True)
    try:
        rows = store.select("SELECT DISTINCT ?x WHERE { { ?x ?p ?o } UNION { ?s ?p ?x } FILTER(isIRI(?x)) }")
        labelled = {str(row["x"]) for row in store.select(
            "SELECT DISTINCT ?x WHERE { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?l "
            "FILTER(LANGMATCHES(LANG(?l), 'zh')) }")}
    finally:
        store.close()
    minted = {urldefrag(str(row["x"]))[0] for row in rows if str(row["x"]).startswith(built_store.base + "/")}
    kinds = Counter(iri[len(built_store.base):].split("/")[2] if "/id/" in iri else "source" for iri in minted)
    # Every kind the ETL mints is walked (a participation is a duty IRI with one more segment).
    assert {"division", "duty", "list", "org", "category", "build", "source"} <= set(kinds), kinds
    unlabelled = sorted(minted - labelled)
    assert not unlabelled, f"{len(unlabelled)} of {len(minted)} minted IRIs have no rdfs:label@zh: {unlabelled[:10]}"
