"""Each duty kind's sample for "the same duty elsewhere" on a duty page, written by the build (issue 13).

A duty page shows up to `SHOWN` duties of its kind from other townships. Read from the store, that
sample cost ~550 index lookups of duties scattered over the whole store (each member's township, list,
title and score, then each township's labels): 21–60 ms per kind at 10,000 townships, measured in
process, for the first page of each kind a web process served (bench/results/pages.md). The build
knows every kind's members with those values when it computes the kinds (etl/kinds_rdf.py), so it
writes each kind's sample here, clustered by kind: a page reads one small range of one SQLite table.

Which members: a kind's members in the order of a hash of their key (township code, list, 序号; stable
across rebuilds and bases, and spread over the country, where code order would show one province),
the shortest prefix of that order that holds `SHOWN` members outside any one township, so every duty
page of the kind finds its `SHOWN` others there (`enough_for_every_township`).

The file lives with the store's state (`kind-samples.sqlite` beside build.json and search.sqlite),
is rebuilt whole by every build and moved into place atomically. A store built before it has none:
the pages then read the sample by lookups (server/kind_queries.py `kind_sample`).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SAMPLES_FILE = "kind-samples.sqlite"
SHOWN = 20  # duties of other townships a duty page shows; the kind's own (paged) page has them all

_SCHEMA = """
CREATE TABLE kinds (kind TEXT PRIMARY KEY, label TEXT, total INTEGER) WITHOUT ROWID;
CREATE TABLE members (
    kind TEXT, position INTEGER, duty TEXT, township TEXT, township_label TEXT, list_type TEXT, title TEXT,
    score TEXT, PRIMARY KEY (kind, position)
) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class SampleMember:
    """One duty of a kind's sample, with what a duty page shows of it (all text, as stored in the RDF)."""

    duty: str  # IRI
    township: str  # IRI
    township_label: str | None  # its rdfs:label@zh
    list_type: str | None  # IRI (None only from a store without the file: server/kind_queries.py `kind_sample`)
    title: str | None  # dct:title@zh (likewise)
    score: str | None  # lz:matchScore, the xsd:decimal's lexical form


@dataclass(frozen=True)
class KindSampleRow:
    """A kind's label (skos:prefLabel@zh), its number of duties and its sample, in sample order."""

    kind: str  # IRI
    label: str
    total: int
    members: tuple[SampleMember, ...]


def sample_order(key: str) -> bytes:
    """A member's place in its kind's sample: a hash of its key (`code/list/sequence`), not its IRI, so the
    sample does not change with the base."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()


def enough_for_every_township(townships: Counter, taken: int) -> bool:
    """True once `taken` members, `townships` counting them per township, hold `SHOWN` outside any one."""
    return taken - max(townships.values(), default=0) >= SHOWN


class SamplePrefix:
    """One kind's sample collected while its members stream by in any order: the shortest prefix, in
    `sample_order`, that is `enough_for_every_township`, without holding every member (a kind of the
    country has thousands).

    Once some prefix is enough, a member ordered after its last one is never needed: members ordered
    before it only add to that prefix, and adding a member to an enough prefix keeps it enough (one more
    taken, at most one more in any township). So the members past the shortest enough prefix are dropped
    whenever the kept ones have doubled, and later ones past its end are not kept at all.
    """

    def __init__(self) -> None:
        self._kept: list[tuple[bytes, str, object]] = []  # (order, township, item), offered order until sorted
        self._cutoff: bytes | None = None  # the last order of an enough prefix, once there is one
        self._trim_at = 2 * SHOWN

    def offer(self, order: bytes, township: str, item: object) -> None:
        """A member (`order`: its `sample_order`); members of equal order keep the order they came in."""
        if self._cutoff is not None and order > self._cutoff:
            return
        self._kept.append((order, township, item))
        if len(self._kept) >= self._trim_at:
            self._trim()
            self._trim_at = 2 * len(self._kept) + SHOWN

    def _trim(self) -> None:
        self._kept.sort(key=lambda kept: kept[0])  # stable: equal orders stay in the order offered
        townships: Counter = Counter()
        for taken, (_order, township, _item) in enumerate(self._kept):
            if enough_for_every_township(townships, taken):
                del self._kept[taken:]
                self._cutoff = self._kept[-1][0]
                return
            townships[township] += 1

    def items(self) -> list:
        """The sample's items, in sample order."""
        self._trim()
        return [item for _order, _township, item in self._kept]


def samples_path(state_dir: Path) -> Path:
    return Path(state_dir) / SAMPLES_FILE


def write_kind_samples(state_dir: Path, samples: Iterable[KindSampleRow]) -> int:
    """Write the whole file (atomically: a partial file, then a rename); returns the kinds written."""
    target = samples_path(state_dir)
    for stale in target.parent.glob(f"{target.name}.*.partial"):  # left by a killed build; this one redoes it
        stale.unlink(missing_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    db = sqlite3.connect(partial)
    count = 0
    try:
        db.executescript(_SCHEMA)
        for sample in samples:
            db.execute("INSERT INTO kinds VALUES (?, ?, ?)", (sample.kind, sample.label, sample.total))
            db.executemany("INSERT INTO members VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           [(sample.kind, position, m.duty, m.township, m.township_label, m.list_type, m.title,
                             m.score) for position, m in enumerate(sample.members)])
            count += 1
        db.commit()
    finally:
        db.close()
    os.replace(partial, target)
    return count


class KindSamples:
    """Read-only lookups in one snapshot's file, by a connection per thread kept for the file's life.

    Opening one per call was ~0.23 ms of a kind's first duty page (~0.31 ms a sample; 0.08 by a kept
    connection, at 10,000 townships; issue 13). A snapshot's file never changes once its build is done:
    a kept connection reads what a new one would."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    @classmethod
    def of(cls, state_dir: Path | None) -> KindSamples | None:
        """The snapshot's samples, or None when its build wrote none (a store built before them)."""
        if state_dir is None or not samples_path(state_dir).exists():
            return None
        return cls(samples_path(state_dir))

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        return db

    def sample(self, kind: str) -> KindSampleRow | None:
        """The kind's sample, or None for a kind the build did not write."""
        db = self._db()
        head = db.execute("SELECT label, total FROM kinds WHERE kind = ?", (kind,)).fetchone()
        if head is None:
            return None
        rows = db.execute("SELECT duty, township, township_label, list_type, title, score FROM members "
                          "WHERE kind = ? ORDER BY position", (kind,)).fetchall()
        return KindSampleRow(kind, head[0], head[1], tuple(SampleMember(*row) for row in rows))
