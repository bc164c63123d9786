"""Helpers shared by tests/test_compare.py and the comparison examples' checks in tests/test_sparql_examples.py."""

from __future__ import annotations

import requests

from luzhi.ontology.namespaces import sparql_prologue
from luzhi.server.sparql.examples import EXAMPLES

XIAOJINGZHUANG, XIJIAO, GENGZHUANG = "140226207", "230302201", "210381121"


def _example(key: str) -> str:
    return sparql_prologue() + next(e for e in EXAMPLES if e.key == key).query


def _select(url: str, query: str) -> list[dict[str, str]]:
    response = requests.post(f"{url}/sparql", data={"query": query},
                             headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


def _compare(url: str, *codes: str, ext: str = "json") -> requests.Response:
    return requests.get(f"{url}/compare.{ext}", params=[("t", c) for c in codes], timeout=60)


def _report(built_store, code: str):
    return next(d for d in built_store.result.documents if d.township_code == code)
