"""What pages show a sample of at scale (issue 13): a duty page's "same duty elsewhere" comes from the build's
kind samples (read by ~550 lookups per kind it cost 21–60 ms a cold kind at 10,000 townships), and a township
page's "compare with" offers its nearest townships (it read every township of the store: 1.6 s a process).

A store of 30 synthetic townships, so that kinds have more members than a page shows. For every kind,
the sample the build wrote is checked against the store's own triples, asked with SPARQL the way a user
would; each duty page of a large kind is checked over HTTP against the selection the docs describe
(store/kind_samples.py), computed here from SPARQL rows; and the page of a store without the file
(built before it) still shows `SHOWN` others of the kind, read by lookups. A township's choices are
checked against its neighbours found by SPARQL.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections import Counter
from html import unescape
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from sparql_server import serve

from luzhi.etl.build import BuildOptions, build
from luzhi.etl.synth import synthesize
from luzhi.server.config import Config
from luzhi.store.kind_samples import SHOWN, KindSamples
from luzhi.store.snapshots import read_pointer

BASE = "http://127.0.0.1:5000"
LZ = "https://w3id.org/luzhi/def#"
TOWNSHIPS = 30
MEMBERS = f"""
SELECT ?kind ?duty ?town ?townLabel ?type ?title ?score WHERE {{
  ?duty <{LZ}dutyKind> ?kind ; <{LZ}township> ?town ; <{LZ}listType> ?type ;
        <http://purl.org/dc/terms/title> ?title ; <{LZ}matchScore> ?score .
  ?town <http://www.w3.org/2000/01/rdf-schema#label> ?townLabel .
}}"""


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kind-samples")
    synthesize(TOWNSHIPS, 5, root / "docs")
    build(sorted((root / "docs").glob("*.txt")), root / "store", BuildOptions(base=BASE, validate=False))
    return root / "store"


@pytest.fixture(scope="module")
def members(store_dir) -> dict[str, list[dict]]:
    """Every kind's members as the store states them: kind IRI → rows of plain strings."""
    store = ox.Store.read_only(str(read_pointer(store_dir).triples_dir))
    found: dict[str, list[dict]] = {}
    for row in store.query(MEMBERS, use_default_graph_as_union=True):
        found.setdefault(row["kind"].value, []).append({name: row[name].value for name in (
            "duty", "town", "townLabel", "type", "title", "score")})
    del store
    return found


def _order(duty: str) -> bytes:
    """The documented sample order, written here from the docs: a hash of `code/list/sequence`."""
    return hashlib.blake2b(duty.removeprefix(f"{BASE}/id/duty/").encode(), digest_size=8).digest()


def _expected_sample(rows: list[dict]) -> list[dict]:
    """The shortest prefix, in sample order, holding `SHOWN` members outside any one township."""
    taken: list[dict] = []
    for row in sorted(rows, key=lambda r: _order(r["duty"])):
        towns = Counter(r["town"] for r in taken)
        if len(taken) - max(towns.values(), default=0) >= SHOWN:
            break
        taken.append(row)
    return taken


def test_every_kind_sample_is_what_the_store_says(store_dir, members):
    samples = KindSamples.of(read_pointer(store_dir).snapshot)
    assert samples is not None
    assert max(len(rows) for rows in members.values()) > SHOWN + 2  # the sample is a part of the kind
    cut = 0
    for kind, rows in members.items():
        sample = samples.sample(kind)
        assert sample is not None, kind
        assert sample.total == len(rows)
        stored = [{"duty": m.duty, "town": m.township, "townLabel": m.township_label, "type": m.list_type,
                   "title": m.title, "score": m.score} for m in sample.members]
        assert stored == _expected_sample(rows), kind
        cut += len(stored) < len(rows)
    assert cut >= 1  # a kind was cut to a sample


def _elsewhere(html: str) -> list[tuple[str, str]]:
    """(duty path, township label) of each line of the page's "same duty elsewhere"."""
    section = html[html.index('id="elsewhere"'):]
    section = section[: section.index("</section>")]
    return [(path, unescape(town).strip())
            for town, path in re.findall(r'<li>(.*?) · <span class="tag">.*?<a href="([^"]+)"', section)]


def _page(server, duty: str) -> str:
    response = requests.get(server.base + duty.replace(f"{BASE}/id/", "/doc/"), timeout=60)
    assert response.status_code == 200, duty
    return response.text


def test_duty_pages_show_the_samples_others(store_dir, members):
    largest = max(members.values(), key=len)
    sample = _expected_sample(largest)
    duties = [largest[0]] + sample[:3] + [r for r in largest if r not in sample][:3]
    labels = {r["town"]: r["townLabel"] for r in largest}
    with serve(Config(store_path=store_dir, base=BASE)) as server:
        for duty in duties:
            others = [r for r in sample if r["town"] != duty["town"]][:SHOWN]
            expected = sorted((r["town"], r["type"], r["duty"]) for r in others)
            shown = _elsewhere(_page(server, duty["duty"]))
            assert shown == [(d.replace(f"{BASE}/id/", "/doc/"), labels[t]) for t, _type, d in expected]
            assert len(shown) == SHOWN


def test_a_store_without_samples_reads_them_by_lookups(store_dir, members, tmp_path):
    """A store built before the sample file: the page still shows `SHOWN` others of the kind (in the
    store's index order, so not necessarily the same ones), each a member from another township."""
    copy = tmp_path / "store"
    shutil.copytree(store_dir, copy, symlinks=True)
    (read_pointer(copy).snapshot / "kind-samples.sqlite").unlink()
    largest = max(members.values(), key=len)
    by_path = {r["duty"].replace(f"{BASE}/id/", "/doc/"): r for r in largest}
    duty = largest[0]
    with serve(Config(store_path=copy, base=BASE)) as server:
        shown = _elsewhere(_page(server, duty["duty"]))
    assert len(shown) == SHOWN
    for path, town_label in shown:
        assert by_path[path]["town"] != duty["town"] and by_path[path]["townLabel"] == town_label


TOWNSHIPS_AND_PARENTS = f"""
SELECT DISTINCT ?town ?code ?county ?prefecture ?province WHERE {{
  ?list <{LZ}ofTownship> ?town . ?town <http://www.w3.org/2004/02/skos/core#notation> ?code ;
  <{LZ}parentDivision> ?county . ?county <{LZ}parentDivision> ?prefecture .
  OPTIONAL {{ ?prefecture <{LZ}parentDivision> ?province }}
}}"""


def test_a_township_offers_its_nearest_townships_to_compare(store_dir):
    store = ox.Store.read_only(str(read_pointer(store_dir).triples_dir))
    towns = [{name: row[name].value if row[name] is not None else None for name in (
        "town", "code", "county", "prefecture", "province")}
        for row in store.query(TOWNSHIPS_AND_PARENTS, use_default_graph_as_union=True)]
    del store
    by_province = Counter(t["province"] or t["prefecture"] for t in towns)
    here = max(towns, key=lambda t: (by_province[t["province"] or t["prefecture"]], t["code"]))

    def distance(t: dict) -> int | None:
        for level, parent in enumerate(("county", "prefecture", "province")):
            if t[parent] is not None and t[parent] == here[parent]:
                return level
        return None

    near = [t for t in towns if t["town"] != here["town"] and distance(t) is not None]
    far = [t for t in towns if distance(t) is None]  # then the other provinces', in code order
    expected = [t["code"] for t in [*sorted(near, key=lambda t: (distance(t), t["code"])),
                                    *sorted(far, key=lambda t: t["code"])]][:50]
    assert len(near) >= 2 and far  # neighbours, and townships that are not
    with serve(Config(store_path=store_dir, base=BASE)) as server:
        html = _page(server, here["town"])
    offered = re.findall(r'<input type="checkbox" name="t" value="([^"]+)">', html)
    assert offered == expected
