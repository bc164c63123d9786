"""The whole ETL run: parse → resolve → RDF → validate every document, then load the store.

Two passes keep a bad document from ever touching the store and keep memory bounded:
pass 1 handles one document at a time and writes its graph as N-Triples to a staging
directory; only when every document has passed does pass 2 replace each document's named
graph, each in a single transaction (`Store.replace_graph`).

The store is either embedded (a pyoxigraph directory, which also holds build.json and the
source copies) or a remote SPARQL server (`open_store`, docs/remote-store.md): the remote
keeps only triples, and build.json and the sources go to a local state directory.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from luzhi.etl.divisions import DivisionChain, DivisionError, resolve_township
from luzhi.etl.kinds import KindsResult
from luzhi.etl.kinds_rdf import refresh_kinds
from luzhi.etl.model import ParsedDocument
from luzhi.etl.parse import parse_document
from luzhi.etl.report import DocumentReport, document_report
from luzhi.etl.source import SourceError
from luzhi.etl.to_rdf import document_graph
from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import LZ, ONTOLOGY_GRAPH
from luzhi.store.derived import refresh_derived
from luzhi.store.open import StoreTarget, open_store
from luzhi.store.state import save_source, write_build_info

VERSION = "0.1.0"


def bundled_documents() -> list[Path]:
    """The four sample documents shipped with luzhi (data/samples)."""
    folder = resources.files("luzhi") / "data" / "samples"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".txt"))


def ontology_graph() -> Graph:
    """The vocabulary: ontology/*.ttl (luzhi.ttl plus the department-type scheme)."""
    graph = Graph()
    folder = resources.files("luzhi") / "ontology"
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.endswith(".ttl"):
            graph.parse(data=path.read_text(encoding="utf-8"), format="turtle")
    return graph


class BuildError(Exception):
    """A build refused to load anything; `failures` says which document and why."""

    def __init__(self, failures: list[tuple[str, str]]):
        self.failures = failures
        lines = "\n".join(f"  {path}: {why}" for path, why in failures)
        super().__init__(f"build refused, the store was not changed:\n{lines}")


@dataclass(frozen=True)
class BuildOptions:
    base: str
    force: bool = False  # load documents with SHACL Violations anyway
    validate: bool = True
    township_codes: dict[str, str] = field(default_factory=dict)  # file name or path → 9-digit code


@dataclass(frozen=True)
class BuildResult:
    documents: tuple[DocumentReport, ...]
    triples: int
    build_id: str
    kinds: KindsResult  # over every duty of the store, not only this build's documents


def build_iri_for(iris: Iris, doc: ParsedDocument) -> URIRef:
    """One prov:Activity per document and software version: same input, same IRI."""
    return iris.build(hashlib.sha256(f"{doc.sha256}:{VERSION}".encode()).hexdigest()[:16])


def process_document(path: Path, options: BuildOptions) -> tuple[ParsedDocument, DivisionChain, Graph, DocumentReport]:
    """Pass 1 for one document, no store involved: what `luzhi validate` also runs on raw text."""
    iris = Iris(options.base)
    doc = parse_document(path)
    code = options.township_codes.get(path.name) or options.township_codes.get(str(path))
    chain = resolve_township(doc.title, code)
    build_iri = build_iri_for(iris, doc)
    result = document_graph(doc, chain, iris, filename=path.name, build_iri=build_iri)
    result.graph.add((build_iri, LZ.softwareVersion, Literal(VERSION)))
    return doc, chain, result.graph, document_report(doc, chain, result)


def build(
    paths: Iterable[Path],
    store_path: str | Path | StoreTarget,
    options: BuildOptions,
    *,
    validate_graph: Callable | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> BuildResult:
    """Build the store from documents; raises BuildError (store untouched) if any document fails.

    `store_path` is a pyoxigraph directory, or a `StoreTarget` (e.g. a remote store and its state directory).
    """
    destination = store_path if isinstance(store_path, StoreTarget) else StoreTarget(store_path)
    destination.state  # noqa: B018  (a remote store without a state directory fails before any parsing)
    paths = [Path(p) for p in paths]
    failures: list[tuple[str, str]] = []
    reports: list[DocumentReport] = []
    staged: list[tuple[str, Path, Path]] = []  # (township code, staged N-Triples, source)
    seen_codes: dict[str, Path] = {}
    staging = Path(tempfile.mkdtemp(prefix="luzhi-build-"))
    try:
        for path in paths:
            progress(f"parse {path.name}")
            try:
                doc, chain, graph, report = process_document(path, options)
            except (SourceError, DivisionError) as error:
                failures.append((str(path), str(error)))
                continue
            except Exception as error:  # ParseError and friends carry their line number in str()
                failures.append((str(path), f"{type(error).__name__}: {error}"))
                continue
            code = chain.township.code
            if code in seen_codes:
                failures.append((str(path), f"同一乡镇 {code} 的文件重复：{seen_codes[code]}"))
                continue
            seen_codes[code] = path
            if options.validate and validate_graph is not None:
                progress(f"validate {path.name}")
                verdict = validate_graph(graph, options.base)
                report = report.with_validation(verdict)
                if not verdict.conforms and not options.force:
                    failures.append((str(path), verdict.summary()))
            reports.append(report)
            target = staging / f"{code}.nt"
            graph.serialize(target, format="nt", encoding="utf-8")
            staged.append((code, target, path))
            del graph
        if failures:
            raise BuildError(failures)
        return _load(destination, staged, options, reports, progress)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _load(target: StoreTarget, staged, options: BuildOptions, reports, progress) -> BuildResult:
    iris = Iris(options.base)
    state = target.state
    opened = open_store(target.spec, state_dir=state, user=target.user, password=target.password)
    store = opened.store
    try:
        progress("load the ontology")
        store.replace_graph(ONTOLOGY_GRAPH, ontology_graph())
        for code, staged_file, source in staged:
            progress(f"load {source.name}")
            graph = Graph().parse(staged_file, format="nt")
            store.replace_graph(str(iris.graph(code)), graph)
            save_source(state, source)
        progress("duty kinds")
        kinds = refresh_kinds(store, iris)  # issue 14: across all townships of the store, so after every load
        # The one post-load step: statistics graph + search index, from the whole store (issue 13).
        progress("statistics and search index")
        refresh_derived(store, iris, state)
        triples = len(store)
    finally:
        opened.close()
    # A build of some documents into an existing store keeps the other documents' entries, so
    # build.json (and the build id behind ETags) always describes the whole store.
    documents = {d["township_code"]: d for d in opened.info.get("documents", [])}
    documents.update({r.township_code: {"file": r.file, "sha256": r.sha256, "township_code": r.township_code}
                      for r in reports})
    digest = hashlib.sha256("".join(sorted(d["sha256"] for d in documents.values())).encode()).hexdigest()[:16]
    info = {
        "build_id": digest,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "base": iris.base,  # normalised (no trailing slash): the server takes it from here (issue 9)
        "software_version": VERSION,
        "documents": [documents[code] for code in sorted(documents)],
        "triples": triples,
    }
    if target.remote:
        info["store"] = str(target.spec)  # which server these triples went to (never the credentials)
    write_build_info(state, info)
    return BuildResult(tuple(reports), triples, digest, kinds)

