"""Duty kinds over every duty of a store, with one township's duties in memory at a time (issue 13).

etl/kinds.py groups duties; this module runs its steps over a `DutySource` that hands out one township's
duty records at a time: a list (`InMemoryDuties`, for `compute_kinds`) or the build's spill file of every
township's records (`DutySpill`, etl/derive.py). The build used to hold every duty record of the store
in one list, with sorted copies and per-township lists beside it: the build peaked at 4.3 GB at 10,000
townships (2.76 M duties; bench/results/scale.md), the "duty kinds" phase alone at 3.4 GB, growing with
the country (bench/results/kinds-memory.md).

What grows with the number of duties now is two numpy arrays in duty order (a duty's kind as an int32,
its score in thousandths as a uint16: 6 bytes a duty, 17 MB at 10,000 townships, ~80 MB nationally) and
the source, on disk in the build. Each round of the sampled method reads the townships it needs again:
the sample (whole townships in a hash order, duties still unmatched), then every other township with
duties still unmatched, in code order and whole, about `ASSIGN_CHUNK` duties at a time. The kinds are
the same as when every record was held and the chunks followed the round's hash order (bench/results/
kinds-memory.md compares them): the IDF sums whole numbers; a duty's scores against the kinds depend on
its own row only; the one-duty-per-list-and-kind rule only looks at one list's duties (etl/kinds.py
`assign`); and chunks never split a township.
"""

from __future__ import annotations

import hashlib
import pickle
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from luzhi.etl.kinds import (
    ASSIGN_CHUNK,
    HASH_FEATURES,
    MAX_DUTIES,
    MIN_TOWNSHIPS,
    SAMPLE_ROUNDS,
    THRESHOLD,
    DutyKind,
    DutyRecord,
    KindMember,
    KindScores,
    KindsResult,
    assign,
    cluster,
    duty_frequencies,
    idf,
    kind_slugs,
    title_vectors,
)
from luzhi.ontology.types import ListKind


class DutySource(Protocol):
    """Every duty of a store, township by township; `learn_kinds` reads a township several times."""

    @property
    def codes(self) -> tuple[str, ...]:
        """The townships, ascending."""

    @property
    def counts(self) -> np.ndarray:
        """Duties of each township, in the order of `codes`."""

    def duties(self, township: int) -> tuple[DutyRecord, ...]:
        """The duties of `codes[township]`, sorted by key."""


def _sorted_township(records: Iterable[DutyRecord]) -> tuple[DutyRecord, ...]:
    ordered = tuple(sorted(records, key=lambda r: r.key))
    if any(a.key == b.key for a, b in zip(ordered, ordered[1:], strict=False)):
        raise ValueError("duty records must have unique (township, list, sequence) keys")
    return ordered


class InMemoryDuties:
    """A `DutySource` over records held in memory (in any order): tests, benchmarks, small stores."""

    def __init__(self, records: Iterable[DutyRecord]) -> None:
        by_township: dict[str, list[DutyRecord]] = {}
        for record in records:
            by_township.setdefault(record.township, []).append(record)
        self.codes = tuple(sorted(by_township))
        self._duties = [_sorted_township(by_township[code]) for code in self.codes]
        self.counts = np.array([len(duties) for duties in self._duties], dtype=np.int64)

    def duties(self, township: int) -> tuple[DutyRecord, ...]:
        return self._duties[township]


_LIST_KINDS = {kind.value: kind for kind in ListKind}


class DutySpill:
    """A `DutySource` kept on disk: each township's records pickled into an unnamed temporary file in
    `directory` (the build's state, beside the store: ~130 bytes a duty, 1.7 GB nationally). The file has
    no name, so a killed build leaves nothing behind; it is closed when the spill is collected.

    With a `name`, the file is `directory / name` instead, and the spill can be pickled (its path and index)
    to be read in another process: the build's derive process sends its kinds back this way (etl/derive.py),
    in a folder the build removes, and that a killed build's next run empties."""

    def __init__(self, directory: Path, name: str | None = None) -> None:
        self._path = directory / name if name else None
        self._file = open(self._path, "w+b") if self._path else tempfile.TemporaryFile(dir=directory)
        weakref.finalize(self, self._file.close)
        self._codes: list[str] = []
        self._counts: list[int] = []
        self._offsets = [0]

    def __getstate__(self) -> dict:
        if self._path is None:
            raise TypeError("an unnamed DutySpill cannot be read in another process: give it a name")
        self._file.flush()
        return {"path": self._path, "codes": self._codes, "counts": self._counts, "offsets": self._offsets}

    def __setstate__(self, state: dict) -> None:
        self._path = state["path"]
        self._file = open(self._path, "rb")  # read only: townships are added in the process that made it
        weakref.finalize(self, self._file.close)
        self._codes, self._counts, self._offsets = state["codes"], state["counts"], state["offsets"]

    def add(self, code: str, records: Iterable[DutyRecord]) -> None:
        """Append one township's duties; townships come in ascending code order, each once."""
        if self._codes and code <= self._codes[-1]:
            raise ValueError(f"townships must be added in ascending code order: {code} after {self._codes[-1]}")
        ordered = _sorted_township(records)
        if stray := next((r for r in ordered if r.township != code), None):
            raise ValueError(f"the duties of township {code} hold one of township {stray.township}: {stray.key}")
        # Plain tuples: unpickling a slotted frozen dataclass costs 3.3 µs a record (dataclasses' __setstate__
        # looks its fields up each time), tuples and the constructor 1.3 µs; each round reads them again.
        rows = [(r.township, r.list_kind.value, r.sequence, r.title, r.category, r.department_types) for r in ordered]
        data = pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
        self._file.seek(self._offsets[-1])
        self._file.write(data)
        self._codes.append(code)
        self._counts.append(len(ordered))
        self._offsets.append(self._offsets[-1] + len(data))

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self._codes)

    @property
    def counts(self) -> np.ndarray:
        return np.array(self._counts, dtype=np.int64)

    def duties(self, township: int) -> tuple[DutyRecord, ...]:
        self._file.seek(self._offsets[township])
        rows = pickle.loads(self._file.read(self._offsets[township + 1] - self._offsets[township]))
        return tuple(DutyRecord(code, _LIST_KINDS[kind], sequence, title, category, types)
                     for code, kind, sequence, title, category, types in rows)


@dataclass(frozen=True, eq=False)
class LearntKinds:
    """The kinds of every duty of `source`, kept compact: per kind its slug and label; per duty (in source
    order: townships by code, then key) the index of its kind and its score. Everything per duty is read
    back from the source when asked for (`duties`), so nothing the size of the store is held as objects."""

    slugs: tuple[str, ...]  # ascending; a kind's index is its place here
    labels: tuple[str, ...]  # zh, in the order of `slugs`
    source: DutySource
    kind_of: np.ndarray  # int32 per duty: its kind's index, -1 when unmatched
    millis: np.ndarray  # uint16 per duty: its score (0..1, 3 decimals) in thousandths; 0 when unmatched
    sampled: str | None = None  # how the samples were drawn when the sampled method ran (etl/kinds.py)

    def duties(self) -> Iterator[tuple[DutyRecord, int, float]]:
        """Every duty in key order with its kind's index (-1: unmatched) and its score."""
        start = 0
        for township in range(len(self.source.codes)):
            records = self.source.duties(township)
            end = start + len(records)
            kinds, millis = self.kind_of[start:end].tolist(), self.millis[start:end].tolist()
            for record, kind, score in zip(records, kinds, millis, strict=True):
                yield record, kind, score / 1000  # the float round(score, 3) gave: both are the nearest
            start = end

    def sizes(self) -> np.ndarray:
        """Duties of each kind, in the order of `slugs`."""
        return np.bincount(self.kind_of[self.kind_of >= 0], minlength=len(self.slugs))

    @property
    def matched_count(self) -> int:
        return int(np.count_nonzero(self.kind_of >= 0))

    @property
    def unmatched_count(self) -> int:
        return len(self.kind_of) - self.matched_count

    def unmatched(self) -> Iterator[DutyRecord]:
        """The duties with no kind, in key order."""
        return (record for record, kind, _score in self.duties() if kind < 0)

    def result(self) -> KindsResult:
        """Every kind with its members as objects (small stores: the tests, the benchmarks)."""
        members: list[list[KindMember]] = [[] for _ in self.slugs]
        unmatched = []
        for record, kind, score in self.duties():
            if kind >= 0:
                members[kind].append(KindMember(record, score))
            else:
                unmatched.append(record)
        kinds = tuple(DutyKind(slug, label, tuple(of_kind))
                      for slug, label, of_kind in zip(self.slugs, self.labels, members, strict=True))
        return KindsResult(kinds, tuple(unmatched), self.sampled)


def compute_kinds(records: Iterable[DutyRecord], threshold: float = THRESHOLD,
                  max_duties: int = MAX_DUTIES) -> KindsResult:
    """Group duties into kinds (etl/kinds.py); `records` in any order, keys unique."""
    return learn_kinds(InMemoryDuties(records), threshold, max_duties).result()


class _Placement:
    """Each duty's kind and score while the kinds are learnt (`LearntKinds.kind_of`, `millis`), and each
    kind's (label, first member's key), which its slug comes from (etl/kinds.py `kind_slugs`)."""

    def __init__(self, counts: np.ndarray) -> None:
        self.starts = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self.kind_of = np.full(int(self.starts[-1]), -1, dtype=np.int32)
        self.millis = np.zeros(int(self.starts[-1]), dtype=np.uint16)
        self.heads: list[tuple[str, tuple[str, str, int]]] = []

    def add_kinds(self, kinds: list[tuple[str, list[KindMember]]], index_of: dict[tuple[str, str, int], int]) -> int:
        """Place grouped kinds' members (`index_of`: a member's key → its duty's index); returns the first
        kind's index."""
        first = len(self.heads)
        for number, (label, members) in enumerate(kinds):
            self.heads.append((label, members[0].duty.key))
            for member in members:
                self.place(index_of[member.duty.key], first + number, member.score)
        return first

    def place(self, duty: int, kind: int, score: float) -> None:
        self.kind_of[duty] = kind
        self.millis[duty] = round(score * 1000)

    def unplaced(self) -> np.ndarray:
        """Duties still unmatched, per township."""
        free = np.concatenate(([0], np.cumsum(self.kind_of < 0)))
        return free[self.starts[1:]] - free[self.starts[:-1]]

    def pooled(self, source: DutySource, township: int) -> list[tuple[int, DutyRecord]]:
        """The township's duties still unmatched, with their indices (read only when it has some)."""
        start = int(self.starts[township])
        free = np.flatnonzero(self.kind_of[start : int(self.starts[township + 1])] < 0)
        if not len(free):
            return []
        records = source.duties(township)
        return [(start + int(i), records[i]) for i in free]

    def batches(self, source: DutySource, townships: Iterable[int]) -> Iterator[list[tuple[int, DutyRecord]]]:
        """The townships' unmatched duties, whole townships, about `ASSIGN_CHUNK` at a time."""
        batch: list[tuple[int, DutyRecord]] = []
        for township in townships:
            batch += self.pooled(source, township)
            if len(batch) >= ASSIGN_CHUNK:
                yield batch
                batch = []
        if batch:
            yield batch


def learn_kinds(source: DutySource, threshold: float = THRESHOLD, max_duties: int = MAX_DUTIES) -> LearntKinds:
    """The kinds of every duty of `source` (etl/kinds.py): grouped exactly up to `max_duties` duties, above
    that learnt on samples and the other duties assigned (`_sampled_rounds`)."""
    placement = _Placement(source.counts)
    total = len(placement.kind_of)
    sampled = None
    if total <= max_duties:
        ordered = [record for township in range(len(source.codes)) for record in source.duties(township)]
        placement.add_kinds(cluster(ordered, threshold)[0], {r.key: n for n, r in enumerate(ordered)})
    else:
        sampled = _sampled_rounds(source, placement, threshold, max_duties)
    slugs = kind_slugs(placement.heads)
    order = sorted(range(len(slugs)), key=slugs.__getitem__)
    rank = np.empty(len(slugs), dtype=np.int32)
    rank[order] = np.arange(len(slugs), dtype=np.int32)
    matched = placement.kind_of >= 0
    placement.kind_of[matched] = rank[placement.kind_of[matched]]
    return LearntKinds(tuple(slugs[i] for i in order), tuple(placement.heads[i][0] for i in order), source,
                       placement.kind_of, placement.millis, sampled)


def _sampled_rounds(source: DutySource, placement: _Placement, threshold: float, sample_size: int) -> str:
    """Kinds learnt on samples of whole townships, every other duty assigned (etl/kinds.py); says how.

    `SAMPLE_ROUNDS` rounds, each over the duties still unmatched: a sample of whole townships in a hash
    order of its own (so each round samples other townships, spread over provinces: codes in order would
    sample one province) is grouped exactly, then every other unmatched duty is assigned to the round's
    kinds. Later rounds find kinds the first sample did not hold; each round is linear in the duties.
    """
    codes = source.codes
    everyone = range(len(codes))
    frequency = np.zeros(HASH_FEATURES)
    for batch in placement.batches(source, everyone):
        frequency += duty_frequencies([record for _index, record in batch])
    weights = idf(frequency, len(placement.kind_of))
    notes: list[str] = []
    for round_number in range(SAMPLE_ROUNDS):
        pool = placement.unplaced()
        towns = [int(t) for t in np.flatnonzero(pool)]
        if len(towns) < MIN_TOWNSHIPS:
            break
        towns.sort(key=lambda t: hashlib.sha256(f"{round_number}:{codes[t]}".encode()).hexdigest())
        sample: list[tuple[int, DutyRecord]] = []
        taken = 0
        while taken < len(towns) and (taken < MIN_TOWNSHIPS or len(sample) + pool[towns[taken]] <= sample_size):
            sample += placement.pooled(source, towns[taken])
            taken += 1
        sample.sort(key=lambda pair: pair[1].key)
        records = [record for _index, record in sample]
        kinds, _unmatched = cluster(records, threshold, title_vectors(records, weights))
        notes.append(f"{len(records)} of {taken} townships")
        first = placement.add_kinds(kinds, {record.key: index for index, record in sample})
        if kinds:
            scores = KindScores(tuple(DutyKind(str(number), label, tuple(members))
                                      for number, (label, members) in enumerate(kinds)), weights)
            for batch in placement.batches(source, sorted(towns[taken:])):
                for row, kind, score in assign([record for _index, record in batch], scores, threshold):
                    placement.place(batch[row][0], first + kind, score)
        if taken == len(towns):  # this round's sample held every duty still unmatched
            break
    if not notes:  # one township holding more duties than the limit: a kind needs two townships
        return (f"{len(placement.kind_of)} duties in fewer than {MIN_TOWNSHIPS} townships: no kinds, every duty "
                "unmatched")
    return (f"{len(placement.kind_of)} duties: kinds learnt on samples of {'; '.join(notes)} (one per round, "
            "duties still unmatched), the other duties assigned to the nearest kind")
