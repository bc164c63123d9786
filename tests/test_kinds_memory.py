"""The build's duty-kinds phase in bounded memory (issue 13): what it holds does not grow with the townships.

It used to read every township's duty records into one list and group them there: 4.3 GB at 10,000
townships, the build's peak (bench/results/kinds-memory.md). Measured here with tracemalloc over real facts
files: the bundled documents' duties copied under other township codes, with a small dense limit so the
sampled method (samples, then every other township assigned) runs as it does nationally.
"""

from __future__ import annotations

import dataclasses
import gc
import pickle
import random
import tracemalloc
from collections import Counter
from pathlib import Path

import pytest

from luzhi.etl.derive import learn_store_kinds
from luzhi.etl.facts import FACTS_DIR, DocumentFacts, facts_path, read_facts, write_facts
from luzhi.etl.kinds import ASSIGN_CHUNK
from luzhi.etl.kinds_learn import DutySpill, compute_kinds
from luzhi.etl.kinds_rdf import kinds_triples
from luzhi.etl.pool import build_pool
from luzhi.ontology.iris import Iris
from luzhi.store.kind_samples import SHOWN, SamplePrefix, enough_for_every_township, sample_order
from luzhi.store.snapshots import state_dir_of

MAX_DUTIES = 300  # a sample of ~1 township; the bundled ones have 240-330 duties each


def _state(built_store, tmp_path: Path, townships: int, kinds_of_township: int = 5) -> list[str]:
    """`townships` townships' facts in `tmp_path`: the first `kinds_of_township` bundled ones', each under
    new codes in turn."""
    source = state_dir_of(built_store.path)
    originals = [read_facts(path) for path in sorted((source / FACTS_DIR).iterdir())][:kinds_of_township]
    (tmp_path / FACTS_DIR).mkdir(parents=True)
    codes = []
    for n in range(townships):
        facts = originals[n % len(originals)]
        code = f"{10 + n // len(originals)}{facts.duties[0].township[2:]}"
        duties = tuple(dataclasses.replace(r, township=code) for r in facts.duties)
        write_facts(facts_path(tmp_path, code), DocumentFacts(facts.graph, duties))
        codes.append(code)
    return codes


def _kinds_phase_peak(built_store, tmp_path: Path, townships: int) -> tuple[int, int]:
    """Peak traced bytes of the kinds phase as derive runs it, up to the kinds graph's triples (the samples:
    `test_a_kind_sample_keeps_a_bounded_prefix`), and the number of duties."""
    # Copies of one township: every sample then has the same size whatever townships the hash order draws
    # (the sample's dense grouping is most of the peak, and two townships of 240 or 330 duties differ by MBs).
    codes = _state(built_store, tmp_path, townships, kinds_of_township=1)
    iris = Iris(built_store.base)
    gc.collect()
    tracemalloc.start()
    try:
        kinds, _labels = learn_store_kinds(tmp_path, codes, iris, max_duties=MAX_DUTIES)
        for _triple in kinds_triples(kinds, iris):
            pass
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert kinds.sampled and kinds.matched_count > 0
    return peak, len(kinds.kind_of)


def test_the_kinds_phase_holds_no_more_for_three_times_the_townships(built_store, tmp_path):
    _kinds_phase_peak(built_store, tmp_path / "warm-up", 3)  # modules imported and caches filled once
    # Both sizes above a batch of the assignment (ASSIGN_CHUNK duties), whose score matrix is the same.
    small, small_duties = _kinds_phase_peak(built_store, tmp_path / "small", 20)
    large, large_duties = _kinds_phase_peak(built_store, tmp_path / "large", 60)
    assert large_duties == 3 * small_duties and small_duties > ASSIGN_CHUNK
    # What may grow: 6 bytes a duty (its kind and score) and some bytes a township (offsets, codes, labels).
    # Holding the duty records, as the build did, takes well over 200 bytes a duty (object, title, lists).
    grown_per_duty = (large - small) / (large_duties - small_duties)
    assert grown_per_duty < 50, f"{grown_per_duty:.0f} bytes more per duty ({small:,} → {large:,} bytes)"


@pytest.mark.parametrize("max_duties", [300, 900, 100_000])
def test_the_spilled_townships_give_the_kinds_of_the_records_in_memory(built_store, tmp_path, max_duties):
    """The build's path (facts → spill file, read a township at a time) against `compute_kinds` over the
    same records held in a list: two sources, one method, so the same kinds, members and scores."""
    codes = _state(built_store, tmp_path, 7)
    kinds, _labels = learn_store_kinds(tmp_path, codes, Iris(built_store.base), max_duties=max_duties)
    records = [r for code in codes for r in read_facts(facts_path(tmp_path, code)).duties]
    assert kinds.result() == compute_kinds(records, max_duties=max_duties)


def _learn_in_a_process(state: Path, codes: list[str], base: str):
    return learn_store_kinds(state, codes, Iris(base), max_duties=MAX_DUTIES, spill=DutySpill(state, "duties.spill"))


def test_kinds_learnt_in_another_process_read_their_records_there(built_store, tmp_path):
    """The build's derive process sends its kinds back to the main process for the report (etl/derive.py): with
    a named spill they arrive without their records and read them from its file; an unnamed spill cannot go."""
    codes = _state(built_store, tmp_path, 4)
    with build_pool(1) as pool:
        sent, _labels = pool.submit(_learn_in_a_process, tmp_path, codes, built_store.base).result()
    kinds, _labels = learn_store_kinds(tmp_path, codes, Iris(built_store.base), max_duties=MAX_DUTIES)
    assert sent.result() == kinds.result()
    assert list(sent.unmatched()) == list(kinds.unmatched())
    with pytest.raises(TypeError, match="unnamed DutySpill"):
        pickle.dumps(kinds)


@pytest.mark.parametrize("townships", [3, 40, 5000])
def test_a_kind_sample_keeps_a_bounded_prefix(townships):
    """A kind's sample for the duty pages, collected while its members stream by in key order, is the prefix
    the duty pages need (store/kind_samples.py: the shortest one in sample order with `SHOWN` members
    outside any one township), and a bounded number of members is held whatever the kind's size: a kind
    has at most one duty of a list, so at most 3 of a township, and a prefix of `SHOWN` + 3 is enough."""
    rng = random.Random(townships)
    lists = ["basic", "cooperative", "reclaimed"]
    members = sorted((f"{code:09d}", kind, rng.randrange(1, 400)) for code in range(townships)
                     for kind in rng.sample(lists, rng.randrange(1, 4)))
    orders = {key: sample_order("/".join(map(str, key))) for key in members}
    expected: list = []
    counted: Counter = Counter()
    for key in sorted(members, key=orders.__getitem__):
        if enough_for_every_township(counted, len(expected)):
            break
        counted[key[0]] += 1
        expected.append(key)
    sample, held = SamplePrefix(), 0
    for key in members:
        sample.offer(orders[key], key[0], key)
        held = max(held, len(sample._kept))
    assert sample.items() == expected
    assert held <= 3 * SHOWN + 6 < len(members) or townships < SHOWN
