"""A remote build whose store caps result rows below the data's size (issue 13).

Virtuoso answers at most `ResultSetMaxRows` rows (10,000 by default) and a remote build of 100
townships failed there: the build read every duty back (kinds, statistics, search index) in one
query. It now reads nothing back; this Virtuoso caps rows at 500, below the bundled documents'
1,125 duties, and the build must succeed and write the same kinds, statistics and search rows as
the embedded build of the same documents.
"""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner
from virtuoso import start_virtuoso, stop_virtuoso

from luzhi.ontology.iris import Iris
from luzhi.store.open import open_store
from luzhi.store.oxigraph import OxigraphStore
from luzhi.store.search_index import index_path
from luzhi.store.snapshots import state_dir_of

MAX_ROWS = 500


@pytest.fixture(scope="module")
def capped(tmp_path_factory):
    process, server = start_virtuoso(tmp_path_factory.mktemp("virtuoso-capped"), max_rows=MAX_ROWS)
    try:
        yield server
    finally:
        stop_virtuoso(process)


def _graph_size(store, graph: str) -> int:
    rows = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(rows[0]["n"])


def _index_rows(state) -> int:
    db = sqlite3.connect(index_path(state))
    try:
        return db.execute("SELECT COUNT(*) FROM resources").fetchone()[0]
    finally:
        db.close()


def test_remote_build_past_the_row_cap(capped, built_store, tmp_path):
    from luzhi.server.cli import main

    embedded = OxigraphStore(built_store.path, read_only=True)
    duties = int(embedded.select("SELECT (COUNT(*) AS ?n) WHERE { ?d a <https://w3id.org/luzhi/def#Duty> }")[0]["n"])
    assert duties > MAX_ROWS  # the cap is really below what the build handles
    state = tmp_path / "state"
    result = CliRunner().invoke(
        main,
        ["build", "--store", capped.sparql_url, "--state", str(state), "--base", built_store.base],
        env={"LUZHI_STORE_USER": capped.user, "LUZHI_STORE_PASSWORD": capped.password},
    )
    assert result.exit_code == 0, result.output
    iris = Iris(built_store.base)
    remote = open_store(capped.sparql_url, state_dir=state, user=capped.user, password=capped.password)
    try:
        for graph in (iris.kinds_graph(), iris.statistics_graph(), iris.shared_graph()):
            assert _graph_size(remote.store, str(graph)) == _graph_size(embedded, str(graph)), graph
    finally:
        remote.close()
    assert _index_rows(state) == _index_rows(state_dir_of(built_store.path)) > MAX_ROWS
