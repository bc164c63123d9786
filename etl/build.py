"""The whole ETL run: parse → resolve → RDF → validate every document, then load the store.

Two passes keep a bad document from ever touching the store and keep memory bounded:
pass 1 handles one document at a time and writes its graph as N-Triples to a staging
directory; only when every document has passed does pass 2 replace each document's named
graph, each in a single transaction (`Store.replace_graph`), and then the shared graph
(divisions, departments, categories named by several documents: etl/shared.py).

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
from rdflib.namespace import RDFS

from luzhi.etl.divisions import DivisionChain, DivisionError, resolve_township
from luzhi.etl.kinds import KindsResult
from luzhi.etl.kinds_rdf import refresh_kinds
from luzhi.etl.layout import Layout
from luzhi.etl.model import ParsedDocument
from luzhi.etl.parse import parse_document
from luzhi.etl.report import DocumentReport, document_report
from luzhi.etl.shared import contribution_path, missing_contributions, shared_graph, split_shared
from luzhi.etl.source import SourceError
from luzhi.etl.to_rdf import document_graph
from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import LZ, ONTOLOGY_GRAPH
from luzhi.store.open import StoreTarget, open_store
from luzhi.store.state import read_build_info, save_source, write_build_info

VERSION = "0.1.0"


def bundled_documents() -> list[Path]:
    """The five sample documents shipped with luzhi (data/samples)."""
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
    layout: Layout | None = None  # a layout profile for documents the parser cannot read alone (etl.layout)


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
    doc = parse_document(path, options.layout)
    code = options.township_codes.get(path.name) or options.township_codes.get(str(path))
    chain = resolve_township(doc.title, code)
    build_iri = build_iri_for(iris, doc)
    result = document_graph(doc, chain, iris, filename=path.name, build_iri=build_iri)
    result.graph.add((build_iri, LZ.softwareVersion, Literal(VERSION)))
    result.graph.add((build_iri, RDFS.label, Literal(f"{chain.township.name}清单的构建（luzhi {VERSION}）", lang="zh")))
    result.graph.add((build_iri, RDFS.label, Literal(f"Build of {path.name} (luzhi {VERSION})", lang="en")))
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
    staged: list[tuple[str, Path, Path]] = []  # (township code, staged N-Triples, source); shared part beside
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
            own, shared = split_shared(graph, Iris(options.base), code)
            own.serialize(target, format="nt", encoding="utf-8")
            shared.serialize(target.with_suffix(".shared.nt"), format="nt", encoding="utf-8")
            staged.append((code, target, path))
            del graph, own, shared
        if failures:
            raise BuildError(failures)
        return _load(destination, staged, options, reports, progress)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _load(target: StoreTarget, staged, options: BuildOptions, reports, progress) -> BuildResult:
    iris = Iris(options.base)
    state = target.state
    earlier = {d["township_code"] for d in read_build_info(state).get("documents", [])}
    unrebuilt = missing_contributions(state, earlier - {code for code, _, _ in staged})
    if unrebuilt:
        # Their shared resources are only in their own graphs (luzhi 0.1): a shared graph without
        # them would lose their departments; rebuilding them with this build fixes it.
        raise BuildError([(code, "该乡镇由旧版 luzhi 构建，共享图缺少它的部分；请与本次一并重新构建 / built by an "
                                 "older luzhi: build it again together with these documents") for code in unrebuilt])
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
            contribution = contribution_path(state, code)
            contribution.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(staged_file.with_suffix(".shared.nt"), contribution)
        progress("load the shared graph")
        store.replace_graph(str(iris.shared_graph()), shared_graph(state, earlier | {c for c, _, _ in staged}))
        progress("duty kinds")
        kinds = refresh_kinds(store, iris)  # issue 14: across all townships of the store, so after every load
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

