"""Which valid SPARQL 1.1 queries the /sparql checker refuses while the engine runs them (rdflib grammar gaps).

Integrators expect any valid query to run, as on Fuseki or Virtuoso, but every query first passes
rdflib's grammar (store/service_check.py, the SERVICE wall), and what it cannot parse is refused. This
reads the W3C SPARQL test suite from a checkout of github.com/w3c/rdf-tests (not copied into luzhi) and
puts every query of its query manifests through the checker (`check_query`) and through pyoxigraph (an
empty in-memory store; a `SyntaxError` is a refusal): positive and negative syntax tests, and the queries
of the evaluation tests, which are valid too. Update tests are left out (the endpoint is read-only).

pyoxigraph starts a SERVICE call inside `query()` itself, so the process confines itself first as a
query worker does (store/sandbox.py: no network).

    python bench/sparql_syntax_suite.py RDF_TESTS/sparql [--list]

Prints, per kind of test, how many each side accepts, and every query that pyoxigraph accepts and the
checker refuses (with the checker's message); with --list, the other disagreements too.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, Graph, Namespace

from luzhi.store.sandbox import confine
from luzhi.store.service_check import QueryRefused, check_query

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
_KINDS = {
    MF.PositiveSyntaxTest: "positive syntax", MF.PositiveSyntaxTest11: "positive syntax",
    MF.NegativeSyntaxTest: "negative syntax", MF.NegativeSyntaxTest11: "negative syntax",
    MF.QueryEvaluationTest: "evaluation",
}


@dataclass(frozen=True)
class Outcome:
    path: Path
    kind: str
    engine: str | None  # None: pyoxigraph parsed it; else its syntax error
    checker: str | None  # None: the checker accepted it; else its refusal


def queries(root: Path) -> dict[Path, str]:
    """Every query file of the suite's query manifests, with the kind of test that names it."""
    found: dict[Path, str] = {}
    for manifest in sorted(root.glob("sparql1[01]/**/manifest.ttl")):
        graph = Graph().parse(manifest, format="turtle", publicID=manifest.resolve().as_uri())
        for test_type, kind in _KINDS.items():
            for test in graph.subjects(RDF.type, test_type):
                action = graph.value(test, MF.action)
                target = graph.value(action, QT.query) if kind == "evaluation" else action
                if target is not None and str(target).endswith((".rq", ".rql", ".sparql")):
                    path = Path(str(target).removeprefix("file://"))
                    found.setdefault(path, f"{path.relative_to(root).parts[0]} {kind}")
    return found


def outcome(path: Path, kind: str) -> Outcome:
    text = path.read_bytes().decode("utf-8", errors="replace")
    try:
        ox.Store().query(text, base_iri=path.as_uri())
        engine = None
    except SyntaxError as error:
        engine = str(error)
    except (OSError, ValueError, RuntimeError):
        engine = None  # parsed, refused later (an unknown function, a SERVICE that cannot connect)
    try:
        check_query(text)
        checker = None
    except QueryRefused as refusal:
        checker = refusal.message
    return Outcome(path, kind, engine, checker)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite", type=Path, help="the sparql/ folder of a w3c/rdf-tests checkout")
    parser.add_argument("--list", action="store_true", help="list every disagreement, not only our refusals")
    args = parser.parse_args()
    confinement = confine(None)
    root = args.suite.resolve()
    outcomes = [outcome(path, kind) for path, kind in sorted(queries(root).items())]
    print(f"network: {confinement.network}; {len(outcomes)} queries under {root}\n")
    print("| tests | queries | engine accepts | checker accepts | engine only | checker only |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind in sorted({o.kind for o in outcomes}):
        mine = [o for o in outcomes if o.kind == kind]
        counts = Counter((o.engine is None, o.checker is None) for o in mine)
        print(f"| {kind} | {len(mine)} | {counts[True, True] + counts[True, False]} | "
              f"{counts[True, True] + counts[False, True]} | {counts[True, False]} | {counts[False, True]} |")
    print("\nAccepted by the engine, refused by the checker:\n")
    for o in outcomes:
        if o.engine is None and o.checker is not None:
            print(f"- {o.kind}: {o.path.relative_to(root)}: {o.checker}")
    if args.list:
        print("\nRefused by the engine, accepted by the checker:\n")
        for o in outcomes:
            if o.engine is not None and o.checker is None:
                print(f"- {o.kind}: {o.path.relative_to(root)}: {o.engine.splitlines()[0]}")


if __name__ == "__main__":
    main()
