"""Validation benchmark and second-engine cross-check (issue 4). Writes bench/results/validate.md.

1. pySHACL on one township graph (sample 000 through the ETL) and on 2×, 4×, 8× graphs made by
   copying it under other township codes; median of 3 runs each.
2. The worker-process overhead of the server path (`validate_isolated`) against in-process.
3. pyrudof (a Rust SHACL engine, PyPI) on every fixture in tests/shapes/, compared result by
   result — (shape, focus, path, severity) — with pySHACL's.

Run: python bench/validate_bench.py   (needs `pip install pyrudof` for part 3)
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from luzhi.etl.build import BuildOptions, bundled_documents, process_document
from luzhi.ontology.namespaces import SH
from luzhi.server.validation.worker import Job, validate_isolated, validate_submission
from luzhi.shapes.validate import load_shapes, validate_graph

BASE = "http://127.0.0.1:5000"
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "shapes"
OUT = ROOT / "bench" / "results" / "validate.md"


def timed(fn, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def scaled(graph: Graph, copies: int) -> Graph:
    """`copies` townships: the graph again under codes 210381121, 210381122 … (same county)."""
    text = graph.serialize(format="nt")
    out = Graph()
    for k in range(copies):
        out.parse(data=text.replace("210381121", f"2103811{21 + k:02d}"), format="nt")
    return out


def bench_sizes(lines: list[str]) -> None:
    _, _, graph, _ = process_document(bundled_documents()[0], BuildOptions(base=BASE))
    lines += ["## pySHACL by graph size", "", "| townships | triples | duties | median of 3 (s) | violations |",
              "|---:|---:|---:|---:|---:|"]
    for copies in (1, 2, 4, 8):
        big = scaled(graph, copies)
        report = validate_graph(big, BASE)
        seconds = timed(lambda big=big: validate_graph(big, BASE))
        duties = len(set(big.subjects(RDF.type, URIRef("https://w3id.org/luzhi/def#Duty"))))
        violations = sum(r.severity.value == "Violation" for r in report.results)
        lines.append(f"| {copies} | {len(big)} | {duties} | {seconds:.2f} | {violations} |")
        print(lines[-1], flush=True)
    lines.append("")


def bench_worker(lines: list[str]) -> None:
    job = Job((FIXTURES / "Duty-title.fail.ttl").read_bytes(), "turtle", "fixture", BASE)
    inproc = timed(lambda: validate_submission(job), 5)
    isolated = timed(lambda: validate_isolated(job, 60), 5)
    lines += ["## Worker process overhead (one small fixture, median of 5)", "",
              "| path | seconds |", "|---|---:|",
              f"| in process (`luzhi validate`) | {inproc:.2f} |",
              f"| child process (`POST /validate`, killable) | {isolated:.2f} |",
              f"| overhead | {isolated - inproc:.2f} |", ""]
    print(lines[-4:], flush=True)


def _rudof_results(data: Path, shapes_ttl: str) -> set[tuple]:
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_shacl(shapes_ttl)
    rudof.read_data(str(data))
    rudof.validate_shacl()
    report = Graph().parse(data=rudof.serialize_shacl_validation_results(
        format=pyrudof.ResultShaclValidationFormat.Turtle), format="turtle")
    out = set()
    for node in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(node, SH.resultPath)
        out.add((str(report.value(node, SH.sourceShape)), str(report.value(node, SH.focusNode)),
                 str(path) if isinstance(path, URIRef) else None,
                 str(report.value(node, SH.resultSeverity)).rsplit("#", 1)[1]))
    return out


def _short(result: tuple) -> str:
    shape, focus, _path, severity = result
    return f"{shape.rsplit('#')[-1]} on {'/'.join(focus.rsplit('/', 2)[-2:])} ({severity})"


def crosscheck(lines: list[str]) -> None:
    try:
        import pyrudof
    except ImportError:
        lines += ["## Cross-check", "", "pyrudof is not installed: no cross-check was run.", ""]
        return
    shapes_ttl = load_shapes(BASE).serialize(format="turtle")
    version = getattr(pyrudof, "__version__", "")
    lines += [f"## Cross-check: pySHACL against pyrudof {version}", "",
              "| fixture | pySHACL | pyrudof | same results |", "|---|---:|---:|---|"]
    same = 0
    fixtures = sorted(FIXTURES.glob("*.ttl"))
    for fixture in fixtures:
        ours = {(r.shape, r.focus, r.path, r.severity.value)
                for r in validate_graph(Graph().parse(fixture, format="turtle"), BASE).results}
        try:
            theirs = _rudof_results(fixture, shapes_ttl)
            verdict = "yes" if ours == theirs else "**no**: " + "; ".join(
                [f"only pySHACL {_short(t)}" for t in sorted(ours - theirs, key=str)]
                + [f"only pyrudof {_short(t)}" for t in sorted(theirs - ours, key=str)])
            count = str(len(theirs))
        except Exception as error:  # noqa: BLE001 - record whatever the second engine says
            verdict, count = f"**pyrudof error**: {str(error)[:120]}", "-"
        same += verdict == "yes"
        lines.append(f"| {fixture.name} | {len(ours)} | {count} | {verdict} |")
    lines += ["", f"{same} of {len(fixtures)} fixtures give identical results.", ""]


def main() -> None:
    lines = ["# Validation benchmark (bench/validate_bench.py)", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
             f"load average at start {os.getloadavg()[0]:.1f}. Measured, not estimated; rerun to refresh.", ""]
    bench_sizes(lines)
    bench_worker(lines)
    crosscheck(lines)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print(OUT.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
