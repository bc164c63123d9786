"""Virtuoso: its bulk loader (`ld_dir` + `rdf_loader_run`) against luzhi's Graph Store Protocol path (issue 13).

On the same N synthetic townships:
1. `luzhi build` into a local pyoxigraph store (the reference: parse + validate + load), then
   `luzhi export --format nquads`;
2. a fresh Virtuoso (tests/virtuoso.py: our own instance and ports) bulk-loads that N-Quads file through
   isql: `ld_dir` registers it, `rdf_loader_run()` loads it, `checkpoint` makes it durable
   (the procedure of docs/remote-store.md);
3. another fresh Virtuoso gets the same dump through luzhi's own write path, graph by graph
   (`RemoteStore.replace_graph`: a Graph Store Protocol PUT of a staging graph, then one SPARQL Update
   that swaps it in), timing the writes alone;
4. a third gets the user's path whole: `luzhi build --store http://…/sparql` (parse, validate, write).
Every Virtuoso store must hold as many quads of luzhi's graphs as the local one.
Results: bench/results/virtuoso-load.md.

    python bench/virtuoso_load_bench.py --townships 100 [--seed 1] [--docs DIR]
    python bench/virtuoso_load_bench.py --store DIR [--gsp-graphs 500]

`--store` takes a store built already (e.g. by bench/scale_bench.py --keep at 10,000 townships) and its
build-written N-Quads dump instead of steps 1 and 4; `--gsp-graphs` writes only the first N graphs
through the Graph Store Protocol (read one at a time from the store) and extrapolates its rate, saying so:
at 10,000 townships the whole GSP path would take most of an hour.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from virtuoso import start_virtuoso, stop_virtuoso  # noqa: E402  (the tests' helper, found through sys.path)

from luzhi.ontology.namespaces import ONTOLOGY_GRAPH  # noqa: E402
from luzhi.store.open import open_store  # noqa: E402
from luzhi.store.oxigraph import to_rdflib  # noqa: E402

LUZHI = Path(sys.executable).with_name("luzhi")
RESULTS = Path(__file__).parent / "results" / "virtuoso-load.md"
BASE = "http://127.0.0.1:5000"
# luzhi's graphs: the data under BASE and the ontology (Virtuoso keeps system graphs of its own beside them).
OURS = f"STRSTARTS(STR(?g), '{BASE}/') || ?g = <{ONTOLOGY_GRAPH}>"
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({OURS}) }}"


def timed(cmd: list[str], **kwargs) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd[:4])} … failed ({done.returncode}):\n{done.stdout[-2000:]}"
                           f"\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def isql(server, statements: str) -> list[str]:
    """Run SQL through isql-vt on the instance's SQL port; Virtuoso errors come back on stdout."""
    done = subprocess.run(["isql-vt", f"127.0.0.1:{server.sql_port}", server.user, server.password],
                          input=statements, capture_output=True, text=True, timeout=3600)
    errors = [line for line in done.stdout.splitlines() if "*** Error" in line]
    if done.returncode or errors:
        raise RuntimeError(f"isql failed: {errors or done.stderr[-2000:]}")
    return done.stdout.splitlines()


def count_quads(server) -> int:
    """Count luzhi's quads through isql: over HTTP the count of a 56 M-quad store passed the endpoint's
    MaxQueryExecutionTime (tests/virtuoso.py) and answered 500, losing the 10,000-township load (session 12)."""
    lines = isql(server, f"SPARQL {COUNT};\n")
    rule = next(i for i, line in enumerate(lines) if line.startswith("____"))
    return int(next(line for line in lines[rule + 1:] if line.strip()).strip())


def bulk_load(nquads: Path, work: Path) -> dict:
    process, server = start_virtuoso(work / "virtuoso-bulk")
    try:
        load_dir = server.directory / "load"  # must be under DirsAllowed (the instance's directory)
        load_dir.mkdir()
        shutil.copyfile(nquads, load_dir / nquads.name)
        started = time.perf_counter()
        # The graph argument is only the default for triple files: N-Quads name their own graphs. The loader
        # reads gzip itself (the build's dump is luzhi.nq.gz).
        isql(server, f"ld_dir('{load_dir}', '{nquads.name}', '{BASE}/unused');\nrdf_loader_run();\ncheckpoint;\n")
        seconds = time.perf_counter() - started
        states = isql(server, "SELECT ll_state, ll_error FROM DB.DBA.LOAD_LIST;\n")
        return {"seconds": round(seconds, 2), "quads": count_quads(server),
                "load_list": [s for s in states if s.strip().startswith("2")][:3]}
    finally:
        stop_virtuoso(process)


def graphs_of(nquads: Path) -> dict[str, list]:
    """The dump's triples by graph, as rdflib terms (what `replace_graph` takes)."""
    graphs: dict[str, list] = {}
    for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS):
        graphs.setdefault(quad.graph_name.value, []).append(
            (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graphs


def gsp_load(graphs: dict[str, list], work: Path) -> dict:
    process, server = start_virtuoso(work / "virtuoso-gsp-load")
    try:
        store = open_store(server.sparql_url, state_dir=work / "gsp-load-state", user=server.user,
                           password=server.password, timeout=600).store
        started = time.perf_counter()
        for graph, triples in graphs.items():
            store.replace_graph(graph, triples)
        return {"seconds": round(time.perf_counter() - started, 2), "quads": count_quads(server),
                "graphs": len(graphs)}
    finally:
        stop_virtuoso(process)


def gsp_load_from_store(store_dir: Path, limit: int, work: Path) -> dict:
    """The first `limit` graphs of a local store through `RemoteStore.replace_graph`, one graph in memory at a time."""
    local = open_store(store_dir, read_only=True).store
    process, server = start_virtuoso(work / "virtuoso-gsp-load")
    try:
        store = open_store(server.sparql_url, state_dir=work / "gsp-load-state", user=server.user,
                           password=server.password, timeout=600).store
        names = local.graph_names()
        seconds = 0.0
        quads = 0
        for graph in names[:limit]:
            triples = [(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
                       for q in local.graph_quads(graph)]
            started = time.perf_counter()
            store.replace_graph(graph, triples)
            seconds += time.perf_counter() - started
            quads += len(triples)
        return {"seconds": round(seconds, 2), "quads": count_quads(server), "graphs": min(limit, len(names)),
                "all_graphs": len(names), "sent": quads}
    finally:
        stop_virtuoso(process)
        local.close()


def from_store(args, work: Path) -> None:
    """Steps 2 and 3 on a store built already, from its build-written dump (module docstring)."""
    info = json.loads(next((args.store / "snapshots").glob("*/build.json")).read_text(encoding="utf-8"))
    dump = args.store / "dumps" / info["build_id"] / "luzhi.nq.gz"
    local = open_store(args.store, read_only=True).store
    try:
        quads = len(local)
    finally:
        local.close()
    load = [round(os.getloadavg()[0], 2)]
    bulk = bulk_load(dump, work)
    load.append(round(os.getloadavg()[0], 2))
    gsp = gsp_load_from_store(args.store, args.gsp_graphs, work)
    load.append(round(os.getloadavg()[0], 2))
    rate = gsp["sent"] / gsp["seconds"]
    lines = [
        "",
        f"## {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: the store of {len(info['documents']):,} "
        f"synthetic townships built by bench/scale_bench.py, {quads:,} quads, its N-Quads dump "
        f"{dump.stat().st_size / 2**20:.0f} MB gzipped",
        "",
        "| path | what is timed | seconds | quads in luzhi's graphs |",
        "|---|---|---:|---:|",
        f"| Virtuoso, bulk loader | `ld_dir` + `rdf_loader_run()` + `checkpoint` of the build's luzhi.nq.gz (isql) | "
        f"{bulk['seconds']:.1f} | {bulk['quads']:,} |",
        f"| Virtuoso, Graph Store Protocol | the first {gsp['graphs']:,} of {gsp['all_graphs']:,} graphs "
        f"({gsp['sent']:,} quads) by `RemoteStore.replace_graph` | {gsp['seconds']:.1f} | {gsp['quads']:,} |",
        "",
        f"Load average (1 min) before, between and after: {', '.join(map(str, load))}. The bulk loader loaded "
        f"{bulk['quads'] / bulk['seconds']:,.0f} quads/s; the Graph Store Protocol {rate:,.0f} quads/s on the graphs "
        f"it wrote, so all {quads:,} would take about {quads / rate:,.0f} s at that rate (an extrapolation, "
        "not a measurement).",
        "",
    ]
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write("\n".join(lines))
    print("\n".join(lines))


def gsp_build(files: list[Path], work: Path) -> dict:
    process, server = start_virtuoso(work / "virtuoso-gsp")
    try:
        env = {**os.environ, "LUZHI_STORE_USER": server.user, "LUZHI_STORE_PASSWORD": server.password}
        seconds = timed([str(LUZHI), "build", *map(str, files), "--store", server.sparql_url, "--state",
                         str(work / "gsp-state"), "--base", BASE], env=env)
        return {"seconds": round(seconds, 2), "quads": count_quads(server)}
    finally:
        stop_virtuoso(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--townships", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--docs", type=Path, help="an existing `luzhi synth` directory (its first N documents)")
    parser.add_argument("--store", type=Path, help="a store built already, with its build-written dumps")
    parser.add_argument("--gsp-graphs", type=int, default=500, help="with --store: graphs written through GSP")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="luzhi-virtuoso-load-"))
    try:
        if args.store:
            from_store(args, work)
            return
        docs = args.docs or work / "docs"
        if not args.docs:
            timed([str(LUZHI), "synth", "--townships", str(args.townships), "--seed", str(args.seed), "--out",
                   str(docs), "--jobs", "2"])
        manifest = json.loads((docs / "manifest.json").read_text(encoding="utf-8"))["documents"]
        files = [docs / d["files"][0] for d in manifest[: args.townships]]
        load = [round(os.getloadavg()[0], 2)]
        local = timed([str(LUZHI), "build", *map(str, files), "--store", str(work / "store"), "--base", BASE])
        nquads = work / "dump.nq"  # the bulk loader takes the file's name as its pattern
        export = timed([str(LUZHI), "export", "--store", str(work / "store"), "--format", "nquads", "-o",
                        str(nquads)])
        graphs = graphs_of(nquads)
        ours = {g: t for g, t in graphs.items() if g.startswith(f"{BASE}/") or g == ONTOLOGY_GRAPH}
        local_quads = sum(map(len, ours.values()))
        load.append(round(os.getloadavg()[0], 2))
        bulk = bulk_load(nquads, work)
        load.append(round(os.getloadavg()[0], 2))
        gsp = gsp_load(graphs, work)
        load.append(round(os.getloadavg()[0], 2))
        try:
            build = gsp_build(files, work)
        except RuntimeError as error:  # a failure is a result too: say it, keep the other figures
            build = {"seconds": None, "quads": None, "error": str(error).strip().splitlines()[-1]}
        load.append(round(os.getloadavg()[0], 2))
        write_results(args, len(files), local, export, local_quads, nquads.stat().st_size, bulk, gsp, build, load)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_results(args, documents, local, export, quads, size, bulk, gsp, build, load) -> None:
    section = [
        f"## {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {documents:,} synthetic townships "
        f"(seed {args.seed}), {quads:,} quads in luzhi's graphs, N-Quads dump {size / 2**20:.0f} MB",
        "",
        "| path | what is timed | seconds | quads in luzhi's graphs |",
        "|---|---|---:|---:|",
        f"| local pyoxigraph | `luzhi build` (parse, validate, load) | {local:.1f} | {quads:,} |",
        f"| dump | `luzhi export --format nquads` | {export:.1f} | |",
        f"| Virtuoso, bulk loader | `ld_dir` + `rdf_loader_run()` + `checkpoint` of the dump (isql) | "
        f"{bulk['seconds']:.1f} | {bulk['quads']:,} |",
        f"| Virtuoso, Graph Store Protocol | the dump's {gsp['graphs']:,} graphs written by "
        f"`RemoteStore.replace_graph` (PUT staging + swap per graph) | {gsp['seconds']:.1f} | {gsp['quads']:,} |",
        "| Virtuoso, Graph Store Protocol | `luzhi build --store http://…/sparql` (parse, validate, write) | "
        + (f"{build['seconds']:.1f} | {build['quads']:,} |" if build["seconds"] is not None else
           f"failed: {build['error']} | |"),
        "",
        f"Load average (1 min) before the local build, the bulk load, the GSP load, the GSP build and after: "
        f"{', '.join(map(str, load))}. Loading the same quads, the bulk loader took "
        f"{bulk['seconds']:.1f} s against {gsp['seconds']:.1f} s through the Graph Store Protocol "
        f"({gsp['seconds'] / bulk['seconds']:.1f}×); it needs the dump first ({export:.1f} s from a local store) "
        "and SQL access to the server.",
        "",
    ]
    if not RESULTS.exists():
        RESULTS.write_text("# Virtuoso load time: bulk loader vs Graph Store Protocol (issue 13)\n\n"
                           "Written by `python bench/virtuoso_load_bench.py`; newest run last.\n\n", encoding="utf-8")
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write("\n".join(section))
    print("\n".join(section))


if __name__ == "__main__":
    main()
