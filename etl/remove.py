"""`luzhi remove --township-code CODE`: one township out of a store, as a build with nothing to load.

A file loaded as the wrong township (`--township-code`) and loaded again as another left the first township in
the store, and the only way out was `--fresh`, a full rebuild (docs/build.md). Removal is pass 2 of a build
(etl/build.py `finish_snapshot`) with no document: a new snapshot, a checkpoint of the current one, without the
township's graph, its build.json entries, its source copies and its per-township state (shared contribution,
facts, dump parts); the shared, kinds and statistics graphs, the search index, the duty-kind samples and the
dumps are made again over the townships that stay, as every build makes them. So it is as atomic as a build:
until `current` is switched the store is untouched, and a removal killed on the way leaves an unfinished snapshot
that the same command resumes and any other build discards (etl/build.py `work_snapshot`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import RDF, RDFS

from luzhi.etl.build import BuildResult, finish_snapshot, work_snapshot
from luzhi.etl.progress import Progress, Quiet
from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import LZ
from luzhi.store.snapshots import TRIPLES, BuildLock, StoreLayoutError, is_flat, read_pointer
from luzhi.store.state import read_build_info, source_of


class UnknownTownship(ValueError):
    """The store holds no document of that township code; nothing was changed."""


@dataclass(frozen=True)
class Removal:
    code: str
    name: str  # the township's rdfs:label as the store had it ("" when it had none)
    graph: str  # the named graph dropped
    quads: int  # in that graph
    duties: int  # lz:Duty resources in it
    sources: tuple[str, ...]  # the source copies removed, as `{code}/{file}` (served at /source/{code}/{file})
    result: BuildResult  # the store after (its quads and build id)


def remove_township(store_path: str | Path, code: str, *, progress: Progress | None = None) -> Removal:
    """Remove the township `code` from the store directory `store_path`; raises UnknownTownship (nothing changed)
    when the store holds no document of it, StoreLayoutError when the directory is no store a build could write."""
    root = Path(store_path)
    if is_flat(root):
        raise StoreLayoutError(f"{root} 是旧版布局的存储，无法修改 / {root} is a store made by luzhi before snapshots "
                               "(issue 10): rebuild it with `luzhi build --fresh`")
    if read_pointer(root).snapshot is None:
        raise StoreLayoutError(f"{root} 不是已构建的 luzhi 存储 / {root} holds no luzhi build")
    lock = BuildLock(root)
    try:
        pointer = read_pointer(root)  # again under the lock: a build may have switched it meanwhile
        parent = pointer.snapshot
        info = read_build_info(parent)
        held = info.get("documents", [])
        mine = [entry for entry in held if entry["township_code"] == code]
        if not mine:
            raise UnknownTownship(_unknown(code, root, sorted({entry["township_code"] for entry in held})))
        iris = Iris(info["base"])
        name, quads, duties = _describe(parent, iris, code)
        wip = work_snapshot(root, parent, ("remove", code))
        result = finish_snapshot(root, pointer, parent, wip, [], held, iris, progress or Quiet(),
                                 removed=frozenset({code}))
    finally:
        lock.release()
    return Removal(code, name, str(iris.graph(code)), quads, duties, tuple(sorted(source_of(e) for e in mine)), result)


def _unknown(code: str, root: Path, codes: list[str]) -> str:
    shown = ", ".join(codes[:10]) + (f" … ({len(codes)})" if len(codes) > 10 else "")
    return (f"存储 {root} 中没有乡镇代码为 {code} 的文档，未作任何改动（现有：{shown or '无'}） / the store {root} "
            f"holds no document of township code {code}; nothing was changed (it holds: {shown or 'none'})")


def _describe(snapshot: Path, iris: Iris, code: str) -> tuple[str, int, int]:
    """The township's name, its graph's quads and its duties, read from the snapshot being replaced."""
    store = ox.Store.read_only(str(snapshot / TRIPLES))
    graph = ox.NamedNode(str(iris.graph(code)))
    quads = sum(1 for _ in store.quads_for_pattern(None, None, None, graph))
    duties = sum(1 for _ in store.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(LZ.Duty)),
                                                    graph))
    labels = sorted(quad.object.value for quad in store.quads_for_pattern(
        ox.NamedNode(str(iris.division(code))), ox.NamedNode(str(RDFS.label)), None, None))
    return (labels[0] if labels else ""), quads, duties

