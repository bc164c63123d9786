"""Search finds words of responsibility texts and says where it found them; badges are labelled in Chinese (issue 11).

Regressions: the Chinese kind badge was an empty <span> (a dict looked up by an rdflib Literal, which is
never equal to the plain string key), and a phrase of 上级部门职责/乡镇配合职责 found nothing.
"""

from __future__ import annotations

import re

import pytest
import requests

from luzhi.store.oxigraph import OxigraphStore

LZ = "https://w3id.org/luzhi/def#"
BADGES = {"duty": "事项", "department": "部门", "division": "区划"}


@pytest.mark.parametrize(("kind", "text"), [("duty", "森林"), ("department", "局"), ("division", "乡")])
def test_chinese_badges_are_labelled(live_server, kind, text):
    html = requests.get(live_server.url + "/search", params={"q": text, "kind": kind}).text
    badges = re.findall(r'<li class="result (\w+)"><span class="kind">([^<]*)</span>', html)
    assert badges, f"no {kind} found for {text}"
    assert {badge for _kind, badge in badges} == {BADGES[kind]}
    english = requests.get(live_server.url + "/search", params={"q": text, "kind": kind, "lang": "en"}).text
    assert set(re.findall(r'<span class="kind">([^<]*)</span>', english)) == {kind}


@pytest.fixture(scope="module")
def responsibility_phrase(built_store) -> tuple[str, str]:
    """A phrase that occurs in some duty's responsibility text and in no title: (phrase, that duty's IRI)."""
    store = OxigraphStore(built_store.path, read_only=True)
    try:
        titles = [str(row["t"]) for row in store.select("SELECT ?t WHERE { ?d <http://purl.org/dc/terms/title> ?t }")]
        rows = store.select(f"SELECT ?d ?text WHERE {{ ?d a <{LZ}Duty> ; <{LZ}townshipResponsibility> ?text }} "
                            "ORDER BY ?d")
    finally:
        store.close()
    for row in rows:
        text = str(row["text"])
        for start in range(0, max(1, len(text) - 8)):
            phrase = text[start:start + 8]
            if len(phrase) == 8 and phrase.strip() == phrase and not any(phrase in title for title in titles):
                return phrase, str(row["d"])
    raise AssertionError("the bundled data has no responsibility text")


def test_search_finds_words_of_responsibility_texts(live_server, responsibility_phrase):
    phrase, duty = responsibility_phrase
    body = requests.get(live_server.url + "/search.json", params={"q": phrase}).json()
    hits = {hit["iri"]: hit for hit in body["results"]}
    assert duty in hits, f"{phrase!r} (from {duty}) not found"
    assert hits[duty]["matched_in"] == ["responsibility"]
    assert phrase in hits[duty]["excerpt"]
    assert body["total"] == len(body["results"])  # one page; each duty once
    html = requests.get(live_server.url + "/search", params={"q": phrase}).text
    assert "见于职责" in html


def test_a_title_match_says_so(live_server):
    body = requests.get(live_server.url + "/search.json", params={"q": "森林防火", "kind": "duty"}).json()
    assert body["results"] and all("title" in hit["matched_in"] for hit in body["results"]
                                   if "森林防火" in hit["label"])
    assert all(hit["excerpt"] is None for hit in body["results"] if "森林防火" in hit["label"])
