"""`luzhi synth`: realistic documents for real townships, learnt from the five real ones (issue 13).

Townships are drawn from the official table (民政部 2025-12-31) in an order fixed by the seed; each
must resolve from its document's title to itself alone (the real resolver decides; namesakes it
cannot tell apart are skipped). Each document is planned (etl/synth/plan.py) as pages of table rows,
then written by one writer per format (etl/synth/text.py), and its intended counts go to
`manifest.json`, in the shape of `luzhi build --report`, so a test can compare them exactly.
"""

from __future__ import annotations

import json
import multiprocessing
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from luzhi.etl.divisions import DivisionChain, _table, chain_of
from luzhi.etl.synth.corpus import load_corpus
from luzhi.etl.synth.plan import Rates, plan_document
from luzhi.etl.synth.text import WRITERS

__all__ = ["FORMATS", "SynthError", "SynthResult", "synthesize", "townships"]

FORMATS = tuple(WRITERS)
MANIFEST = "manifest.json"


class SynthError(ValueError):
    """Bad arguments (too many townships, an output directory that is not empty, an unknown format)."""


@dataclass(frozen=True)
class SynthResult:
    documents: int
    skipped: int  # townships drawn whose title would not resolve to them alone
    files: int
    bytes: int
    manifest: Path


def townships(seed: int) -> Iterator[DivisionChain]:
    """Every township of the table, in an order fixed by `seed` alone (so the first N of a larger run
    are the N of a smaller one)."""
    codes = sorted(code for code, row in _table().by_code.items() if row[0] == 4)
    random.Random(seed).shuffle(codes)
    for code in codes:
        yield chain_of(code)


def _write(task: tuple[int, str, int, Path, tuple[str, ...]]) -> tuple[dict | None, int]:
    """Plan one township's document and write its files; (its manifest entry, bytes written), or
    (None, 0) when its title would not resolve to it alone. Runs in the worker processes."""
    rank, code, seed, out, formats = task
    corpus = load_corpus()
    doc = plan_document(f"{rank:05d}_{code}", chain_of(code), corpus, Rates.of(corpus), seed)
    if doc is None:
        return None, 0
    size = 0
    for fmt in formats:
        data = WRITERS[fmt](doc)
        (out / f"{doc.name}.{fmt}").write_bytes(data)
        size += len(data)
    return {**doc.manifest(), "files": [f"{doc.name}.{fmt}" for fmt in formats]}, size


def synthesize(
    count: int,
    seed: int,
    out: Path,
    formats: tuple[str, ...] = ("txt",),
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> SynthResult:
    """Write `count` documents (one file per format) and manifest.json into `out` (new or empty).

    Files are named `{rank}_{code}` after the township's place in the seed's order, so the output
    is the same whatever `jobs` is; townships are planned in batches across `jobs` processes.
    """
    unknown = [f for f in formats if f not in WRITERS]
    if unknown or not formats:
        raise SynthError(f"--formats: unknown format {', '.join(unknown) or '(none)'}; known: {', '.join(FORMATS)}")
    if count < 1:
        raise SynthError(f"--townships must be at least 1, got {count}")
    total = sum(1 for row in _table().by_code.values() if row[0] == 4)
    if count > total:
        raise SynthError(f"--townships {count}: the official table has {total} townships")
    if jobs < 1:
        raise SynthError(f"--jobs must be at least 1, got {jobs}")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise SynthError(f"--out {out}: exists and is not an empty directory; synth never overwrites files")
    load_corpus()  # once, before the workers fork, so that they share it
    out.mkdir(parents=True, exist_ok=True)
    order = enumerate(townships(seed))
    done = skipped = size = 0
    manifest, partial = out / MANIFEST, out / (MANIFEST + ".part")
    head = {"generator": "luzhi synth", "seed": seed, "townships": count, "formats": list(formats)}
    pool = multiprocessing.get_context("fork").Pool(jobs) if jobs > 1 else None
    # The manifest is streamed, one document per line (readable, and memory stays flat: 10,000
    # entries held in a list took 300 MB); it gets its name only once complete.
    with partial.open("w", encoding="utf-8") as sink:
        sink.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "documents": [')
        try:
            while done < count:
                batch = [(rank, chain.township.code, seed, out, formats) for rank, chain in islice(order, count - done)]
                if not batch:
                    raise SynthError(
                        f"--townships {count}: only {done} townships of the table resolve from a title "
                        f"to themselves alone ({skipped} namesakes skipped)"
                    )
                for entry, written in pool.imap(_write, batch, chunksize=16) if pool else map(_write, batch):
                    if entry is None:
                        skipped += 1
                        continue
                    sink.write(("\n" if done == 0 else ",\n") + json.dumps(entry, ensure_ascii=False))
                    done, size = done + 1, size + written
                    if progress:
                        progress(done)
        finally:
            if pool:
                pool.close()
                pool.join()
        sink.write("\n]}\n")
    partial.replace(manifest)
    return SynthResult(done, skipped, done * len(formats), size, manifest)
