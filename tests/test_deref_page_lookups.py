"""A duty's HTML page reads each thing once (issue 13, bench/results/deref.md): what the duty states itself
(its participations, kind, township, score) comes from the one lookup of its own triples; each participation
is one lookup of its own; a division's code and parents are read once per snapshot.

At 10,000 townships each lookup of a disk-cold duty is a disk read or more, so their number is the page's
steady cost: counted here over real HTTP, against the real store, as the requests make them.
"""

from __future__ import annotations

import pytest
import requests
from conftest import recording
from rdflib.namespace import SKOS

from luzhi.ontology.namespaces import LZ


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
        # Its own triples once, for its labels, department and responsibility (fails before: a lookup per label
        # property, as for any linked resource, then its own triples).
        assert [lookup for lookup in lookups if lookup[0] == participation] == [(participation, None, None)]
        # What the page shows of each part is what the store says of it.
        responsibility = store.triples(participation, LZ.responsibility, None, limit=1)[0][2]
        assert str(responsibility) in html
    kind = store.triples(duty, LZ.dutyKind, None, limit=1)[0][2]
    assert f'/doc/{str(kind)[len(built_store.base + "/id/"):]}"' in html  # its kind, still linked


def test_a_division_code_and_parents_are_read_once_for_all_its_descendants(built_store, store, cooperative_duty):
    """The county's page reads its chain and its townships' labels, from their own triples; a duty page of one
    of its townships then reads nothing of its divisions (fails before: the township's code and parents by a
    lookup each; before that, the whole chain of each new township, 8 lookups, was read again)."""
    township = store.triples(cooperative_duty, LZ.township, None, limit=1)[0][2]
    county = store.triples(township, LZ.parentDivision, None, limit=1)[0][2]
    with recording(built_store) as (url, lookups):
        _get(url, built_store, county)
        read_for_county = len(lookups)
        _get(url, built_store, cooperative_duty)
    after = lookups[read_for_county:]
    chain = [(s, p) for s, p, _o in after if p in (SKOS.notation, LZ.parentDivision)]
    assert chain == []
    assert [lookup for lookup in after if lookup[0] in (township, county)] == []

