"""The one post-load step of a build: what is derived from the whole store once its graphs are loaded.

`refresh_derived` recounts the statistics graph (store/statistics.py) and rebuilds the search
index (store/search_index.py), both from the store's triples as they now are, so a build of some
documents into an existing store still gets counts and an index for all of them (issue 13).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from luzhi.ontology.iris import Iris
from luzhi.store.base import Store
from luzhi.store.search_index import build_search_index
from luzhi.store.statistics import write_statistics


@dataclass(frozen=True)
class Derived:
    statistics_triples: int
    search_rows: int


def township_graphs(store: Store, iris: Iris) -> list[str]:
    """The per-document named graphs (`{base}/graph/{code}`), in code order."""
    prefix = f"{iris.base}/graph/"
    return [g for g in store.graph_names() if g.startswith(prefix) and g[len(prefix):].isdigit()]


def refresh_derived(store: Store, iris: Iris, state_dir: Path) -> Derived:
    statistics = write_statistics(store, iris)
    rows = build_search_index(store, state_dir, township_graphs(store, iris))
    return Derived(statistics, rows)
