"""Pairwise precision and recall of the duty kinds against the hand-labelled sample (issue 14).

    python bench/kinds_eval.py                       # bundled documents, etl.kinds.THRESHOLD
    python bench/kinds_eval.py --sweep               # also every threshold 0.20 … 0.80
    python bench/kinds_eval.py data/samples/*.txt --sweep --write bench/results/kinds.md
    python bench/kinds_eval.py --store DIR           # an already built store instead of building one
    python bench/kinds_eval.py --max-duties 900       # force the sampled method (etl/kinds.py)

The labels are bench/kinds/labelled.toml (how they were made: its header). Two labelled duties in
one group are a positive pair, in two groups a negative pair; a pair is predicted positive when both
duties have the same kind. Labelled duties that are not in the data (a document not given) are
counted and left out. Figures are given per split: `tune` (used to choose the constants) and
`test` (held out), and for the look-alike group pairs, where a merge is the error that matters.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from luzhi.etl.build import BuildOptions, build, bundled_documents
from luzhi.etl.kinds import MAX_DUTIES, THRESHOLD, KindsResult
from luzhi.etl.kinds_learn import compute_kinds
from luzhi.etl.kinds_rdf import duty_records
from luzhi.store.oxigraph import OxigraphStore

LABELS = Path(__file__).parent / "kinds" / "labelled.toml"
AUDIT = Path(__file__).parent / "kinds" / "audit.toml"


@dataclass(frozen=True)
class Labels:
    group_of: dict[str, str]  # duty key "code/list/seq" → group name
    split_of: dict[str, str]  # group name → tune | test
    look_alike: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Scores:
    true_positive: int
    false_positive: int
    false_negative: int
    true_negative: int

    @property
    def precision(self) -> float:
        predicted = self.true_positive + self.false_positive
        return self.true_positive / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_positive + self.false_negative
        return self.true_positive / actual if actual else 1.0


def load_labels(path: Path) -> Labels:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    group_of: dict[str, str] = {}
    split_of: dict[str, str] = {}
    for group in data["group"]:
        if group["split"] not in ("tune", "test"):
            raise ValueError(f"{path}: group {group['name']}: split must be tune or test")
        split_of[group["name"]] = group["split"]
        for key in group["duties"]:
            if key in group_of:
                raise ValueError(f"{path}: {key} is in both {group_of[key]} and {group['name']}")
            group_of[key] = group["name"]
    look_alike = tuple(tuple(pair["groups"]) for pair in data.get("look_alike", []))
    for a, b in look_alike:
        if a not in split_of or b not in split_of:
            raise ValueError(f"{path}: look_alike names an unknown group: {a}, {b}")
    return Labels(group_of, split_of, look_alike)


def predicted_kind(result: KindsResult) -> dict[str, str]:
    """Duty key → kind slug, for every duty that has a kind."""
    return {"/".join(map(str, m.duty.key)): kind.slug for kind in result.kinds for m in kind.members}


def score(labels: Labels, kind_of: dict[str, str], present: set[str], pairs_filter=lambda a, b: True) -> Scores:
    keys = sorted(k for k in labels.group_of if k in present)
    tp = fp = fn = tn = 0
    for a, b in combinations(keys, 2):
        if not pairs_filter(a, b):
            continue
        same = labels.group_of[a] == labels.group_of[b]
        predicted = a in kind_of and kind_of.get(a) == kind_of.get(b)
        tp += same and predicted
        fp += (not same) and predicted
        fn += same and not predicted
        tn += not same and not predicted
    return Scores(tp, fp, fn, tn)


def evaluate(labels: Labels, result: KindsResult, present: set[str]) -> dict[str, Scores]:
    """Scores for all labelled pairs, the tune and test splits (pairs within one split), and look-alikes."""
    kind_of = predicted_kind(result)
    split = {key: labels.split_of[group] for key, group in labels.group_of.items()}
    alike = {frozenset(p) for p in labels.look_alike}
    return {
        "all": score(labels, kind_of, present),
        "tune": score(labels, kind_of, present, lambda a, b: split[a] == split[b] == "tune"),
        "test": score(labels, kind_of, present, lambda a, b: split[a] == split[b] == "test"),
        "look-alike": score(
            labels, kind_of, present,
            lambda a, b: frozenset((labels.group_of[a], labels.group_of[b])) in alike,
        ),
    }


def audit_lines(path: Path, result: KindsResult) -> list[str]:
    """Figures of the random audit (bench/kinds/audit.toml): judged once, by hand, on one run's output."""
    kinds = tomllib.loads(path.read_text(encoding="utf-8"))["kind"]
    members = sum(len(k["members"]) for k in kinds)
    wrong = sum(len(k["wrong"]) for k in kinds)
    pairs = sum(len(k["members"]) * (len(k["members"]) - 1) // 2 for k in kinds)
    good_pairs = sum((len(k["members"]) - len(k["wrong"])) * (len(k["members"]) - len(k["wrong"]) - 1) // 2
                     for k in kinds)
    current = {(k.slug, tuple("/".join(map(str, m.duty.key)) for m in k.members)) for k in result.kinds}
    unchanged = sum((k["slug"], tuple(k["members"])) in current for k in kinds)
    return [
        "", f"Random audit (`{path.name}`): {len(kinds)} kinds drawn at random from one run and judged by hand; "
        f"{sum(bool(k['wrong']) for k in kinds)} of them hold a wrong member; {wrong} of {members} members are wrong "
        f"(member precision {1 - wrong / members:.3f}); pairwise precision within these kinds "
        f"{good_pairs / pairs:.3f} ({good_pairs} of {pairs} pairs). {unchanged} of the {len(kinds)} audited kinds are "
        "produced unchanged by this run.",
    ]


def load_records(documents: list[Path], store: Path | None):
    if store is not None:
        return duty_records(OxigraphStore(store, read_only=True))
    with tempfile.TemporaryDirectory(prefix="luzhi-kinds-eval-") as folder:
        # No SHACL: the evaluation is about titles, and a document with Violations still has duties.
        build(documents, Path(folder) / "store", BuildOptions(base="http://127.0.0.1:5000", validate=False))
        return duty_records(OxigraphStore(Path(folder) / "store", read_only=True))


def _row(name: str, s: Scores) -> str:
    counts = f"{s.true_positive} | {s.false_positive} | {s.false_negative} | {s.true_negative}"
    return f"| {name} | {counts} | {s.precision:.3f} | {s.recall:.3f} |"


def report(source: str, records, labels: Labels, threshold: float, sweep: bool, max_duties: int = MAX_DUTIES) -> str:
    present = {"/".join(map(str, r.key)) for r in records}
    missing = sorted(k for k in labels.group_of if k not in present)
    started = time.perf_counter()
    result = compute_kinds(records, threshold, max_duties)
    seconds = time.perf_counter() - started
    scores = evaluate(labels, result, present)
    lines = [
        "# Duty kinds: pairwise precision and recall on the hand-labelled sample",
        "",
        f"`python bench/kinds_eval.py{' --sweep' if sweep else ''}` on {source}: {len(records)} duties, "
        f"{len(result.kinds)} kinds, "
        f"{sum(len(k.members) for k in result.kinds)} duties with a kind, {len(result.unmatched)} unmatched; "
        f"computed in {seconds:.2f} s. Labels: `bench/kinds/labelled.toml`, {len(labels.split_of)} groups, "
        f"{len(labels.group_of)} duties ({len(missing)} not in these documents, left out).",
        *(["", f"Sampled method (`--max-duties {max_duties}`): {result.sampled}."] if result.sampled else []),
        "",
        f"Threshold {threshold:.2f}. A pair is two labelled duties; `tune` and `test` count only pairs whose "
        "two duties are both in groups of that split; `look-alike` only pairs across two groups that look alike "
        "but are different duties (its false + are the wrong merges, out of false + and true −).",
        "",
        "| pairs | true + | false + | false − | true − | precision | recall |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *(_row(name, s) for name, s in scores.items()),
        *audit_lines(AUDIT, result),
    ]
    if sweep:
        lines += ["", "Sweep (tune split | test split):", "",
                  "| threshold | tune P | tune R | test P | test R | all P | all R | look-alike merges | kinds "
                  "| unmatched |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for step in range(20, 81, 5):
            t = step / 100
            swept = compute_kinds(records, t, max_duties)
            s = evaluate(labels, swept, present)
            lines.append(
                f"| {t:.2f} | {s['tune'].precision:.3f} | {s['tune'].recall:.3f} | {s['test'].precision:.3f} | "
                f"{s['test'].recall:.3f} | {s['all'].precision:.3f} | {s['all'].recall:.3f} | "
                f"{s['look-alike'].false_positive} | {len(swept.kinds)} | {len(swept.unmatched)} |"
            )
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("documents", nargs="*", type=Path, help="default: the bundled documents")
    parser.add_argument("--store", type=Path, help="read duties from this built store instead")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--write", type=Path, help="also write the Markdown here")
    parser.add_argument("--max-duties", type=int, default=MAX_DUTIES,
                        help="above this many duties kinds are learnt on a sample of this size (etl/kinds.py)")
    args = parser.parse_args(argv)
    documents = args.documents or bundled_documents()
    records = load_records(documents, args.store)
    source = (f"the store {args.store}" if args.store else
              f"{len(documents)} documents ({', '.join(p.name for p in documents)})")
    text = report(source, records, load_labels(args.labels), args.threshold, args.sweep, args.max_duties)
    sys.stdout.write(text)
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
