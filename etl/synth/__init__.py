"""`luzhi synth`: realistic documents for real townships, learnt from the five real ones (issue 13).

Townships are drawn from the official table (民政部 2025-12-31) in an order fixed by the seed; each
must resolve from its document's title to itself alone (the real resolver decides; namesakes it
cannot tell apart are skipped). Each document is planned (etl/synth/plan.py) as pages of table rows,
then written by one writer per format (etl/synth/text.py), and its intended counts go to
`manifest.json`, in the shape of `luzhi build --report`, so a test can compare them exactly.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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


def synthesize(
    count: int,
    seed: int,
    out: Path,
    formats: tuple[str, ...] = ("txt",),
    progress: Callable[[int], None] | None = None,
) -> SynthResult:
    """Write `count` documents (one file per format) and manifest.json into `out` (new or empty)."""
    unknown = [f for f in formats if f not in WRITERS]
    if unknown or not formats:
        raise SynthError(f"--formats: unknown format {', '.join(unknown) or '(none)'}; known: {', '.join(FORMATS)}")
    if count < 1:
        raise SynthError(f"--townships must be at least 1, got {count}")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise SynthError(f"--out {out}: exists and is not an empty directory; synth never overwrites files")
    corpus = load_corpus()
    rates = Rates.of(corpus)
    out.mkdir(parents=True, exist_ok=True)
    manifests, skipped, files, size = [], 0, 0, 0
    for chain in townships(seed):
        if len(manifests) == count:
            break
        doc = plan_document(f"{len(manifests):05d}_{chain.township.code}", chain, corpus, rates, seed)
        if doc is None:
            skipped += 1
            continue
        for fmt in formats:
            data = WRITERS[fmt](doc)
            (out / f"{doc.name}.{fmt}").write_bytes(data)
            files, size = files + 1, size + len(data)
        manifests.append({**doc.manifest(), "files": [f"{doc.name}.{fmt}" for fmt in formats]})
        if progress:
            progress(len(manifests))
    if len(manifests) < count:
        raise SynthError(
            f"--townships {count}: only {len(manifests)} townships of the table resolve from a title "
            f"to themselves alone ({skipped} namesakes skipped)"
        )
    manifest = out / MANIFEST
    body = {"generator": "luzhi synth", "seed": seed, "townships": count, "formats": list(formats),
            "documents": manifests}
    manifest.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return SynthResult(len(manifests), skipped, files, size, manifest)
