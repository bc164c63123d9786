"""Whole-store dumps: `luzhi export`, the /dumps/ files, and the parts a build writes them from.

A build writes /dumps/ itself (issue 13): the server wrote them on the first request after a build,
51 s at 100 townships, so a crawler's first VoID request timed out at national scale. Each document's
part (its graph, gzipped on its own) is written in pass 1, in parallel; the build then concatenates the
townships' parts and adds the store-wide graphs (ontology, shared, kinds, statistics) serialised from
the store. A gzip file may hold several members one after another (RFC 1952 §2.2) and every reader
(zcat, Python's gzip, curl | gunzip) reads them as one stream, so a township kept from the previous
snapshot reuses its part. The store has no blank nodes, so concatenated N-Quads or Turtle documents are
one dataset; a Turtle part repeats its @prefix lines, which Turtle allows anywhere.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import Graph
from zlib_ng import gzip_ng

from luzhi.ontology.namespaces import PREFIXES, bind_prefixes
from luzhi.store.base import Store
from luzhi.store.formats import DUMP_FORMATS
from luzhi.store.oxigraph import to_rdflib

DUMP_FILES = {"luzhi.nq.gz": "nquads", "luzhi.ttl.gz": "turtle"}  # served name → store/formats.py dump name
LOADED_PART = "luzhi.nq.gz"  # a document's part of this file is also what a build loads (etl/stage.py)
DUMP_PARTS_DIR = "dump-parts"  # in a snapshot's state: each township's parts, carried to the next snapshot
MANIFEST = "manifest.json"  # [{name, media_type, size, sha256}] of a build's dumps folder
_LEVEL = 6  # gzip level: 9 took ~2× the CPU for ~3 % less


def media_type(dump_file: str) -> str:
    return DUMP_FORMATS[DUMP_FILES[dump_file]].mime


def write_dump(store: Store, fmt: str, out: BinaryIO) -> None:
    """Stream every quad of the store in `fmt` ("nquads", "trig", "turtle" or "jsonld", store/formats.py).

    Quads come from `Store.quads()`, not a union query: a remote's default graph also holds the
    server's own graphs (Virtuoso's), which `quads()` leaves out (docs/remote-store.md). Turtle has
    no graphs, so it is the union (`_serialize`). JSON-LD has no streaming serialiser here, so it goes
    through an rdflib graph (compacted with our prefixes).
    """
    if fmt in ("turtle", "nquads"):
        _serialize(store.quads(), fmt, out)
    elif fmt == "trig":
        ox.serialize(store.quads(), out, format=DUMP_FORMATS[fmt].oxigraph)
    else:
        graph = Graph()
        for quad in store.quads():
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        bind_prefixes(graph)
        out.write(graph.serialize(format=DUMP_FORMATS[fmt].rdflib, encoding="utf-8"))


def _serialize(quads: Iterable[ox.Quad], fmt: str, out: BinaryIO) -> None:
    """N-Quads, or Turtle: the union of the graphs, streamed (a triple in several graphs comes out once
    per graph, and RDF merges them on load)."""
    if fmt == "turtle":
        prefixes = {name: str(ns) for name, ns in PREFIXES.items()}
        # `Quad.triple`: one term object made, not three read and a Triple built (2 % of pass 1's profile)
        ox.serialize((q.triple for q in quads), out, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    else:
        ox.serialize(quads, out, format=ox.RdfFormat.N_QUADS)


def _member(out: BinaryIO) -> gzip_ng.GzipNGFile:
    """One gzip member, written through zlib-ng: the same level-6 ratio as zlib's in half the CPU
    (compressing a township's two parts, ~7 MB, took 15.9 ms with zlib and 7.4 with zlib-ng, 0.102 of
    the size both; python-isal was 4x faster again but 17 % larger). mtime 0 and no file name: the same
    quads give the same bytes, so a build's SHA-256 does not depend on when it ran."""
    return gzip_ng.GzipNGFile(fileobj=out, mode="wb", compresslevel=_LEVEL, mtime=0, filename="")


def part_path(state: Path, township_code: str, dump_file: str) -> Path:
    return Path(state) / DUMP_PARTS_DIR / f"{township_code}.{dump_file}"


def write_parts(quads: list[ox.Quad], stem: Path) -> dict[str, Path]:
    """Each dump file's part (one gzip member) for one document's quads, at `{stem}.{name}`;
    returns name → path."""
    return write_members(lambda: quads, stem)


def write_members(quads: Callable[[], Iterable[ox.Quad]], stem: Path) -> dict[str, Path]:
    """Each dump file's member for the quads `quads()` gives (read once per file), at `{stem}.{name}`;
    returns name → path. The bytes are those `assemble_dumps` writes for the same quads in the same order."""
    members = {}
    for name in DUMP_FILES:
        path = stem.with_name(f"{stem.name}.{name}")
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as out, _member(out) as member:
            _serialize(quads(), DUMP_FILES[name], member)
        os.replace(tmp, path)
        members[name] = path
    return members


def assemble_dumps(folder: Path, parts: dict[str, list[Path]],
                   store_wide: Iterable[Callable[[], Iterable[ox.Quad]] | Mapping[str, Path]] = ()) -> list[dict]:
    """Write each dump file into `folder`: its parts' bytes (in the order given), then one member per
    store-wide graph (`store_wide`: functions giving each graph's quads, read once per file, streamed;
    or a graph's members already written by `write_members`, dump file name → path, copied);
    the manifest is written last, so a folder with a manifest is complete."""
    folder.mkdir(parents=True, exist_ok=True)
    store_wide = list(store_wide)
    entries = []
    for name in DUMP_FILES:
        partial = folder / f"{name}.{os.getpid()}.part"
        with open(partial, "wb") as out:
            for path in parts.get(name, ()):
                with open(path, "rb") as part:
                    shutil.copyfileobj(part, out, 1 << 20)
            for graph in store_wide:
                if isinstance(graph, Mapping):
                    with open(graph[name], "rb") as member:
                        shutil.copyfileobj(member, out, 1 << 20)
                    continue
                with _member(out) as member:
                    _serialize(graph(), DUMP_FILES[name], member)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, folder / name)
        entries.append({"name": name, "media_type": media_type(name),
                        "size": (folder / name).stat().st_size, "sha256": file_sha256(folder / name)})
    tmp = folder / f"{MANIFEST}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(entries), encoding="utf-8")
    os.replace(tmp, folder / MANIFEST)
    return entries


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
