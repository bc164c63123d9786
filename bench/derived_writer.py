"""The derived graphs written into a store the way the build writes them (etl/derive.py: `write_nquad_parts`,
then `load_parts`), for the benchmarks that run `derive` in one process with a store of their own."""

from __future__ import annotations

from pathlib import Path

from luzhi.etl.derive import DERIVED_PART_QUADS, load_parts, write_nquad_parts
from luzhi.store.derived import GraphWriter
from luzhi.store.oxigraph import OxigraphStore


def store_writer(store: OxigraphStore, folder: Path, part_quads: int = DERIVED_PART_QUADS) -> GraphWriter:
    """A `GraphWriter` replacing each graph in `store`; its N-Quads parts are written in `folder`, removed once
    loaded."""

    def write(graph: str, triples) -> int:
        parts: list[Path] = []
        count = write_nquad_parts(folder / "derived", graph, triples, parts.append, part_quads=part_quads)
        load_parts(store, graph, tuple(parts))
        for part in parts:
            part.unlink()
        return count

    return write
