"""Duty kinds: the same duty across townships, grouped by how alike their titles are (issue 14).

Each township words the same duty its own way (森林草原防火 / 开展森林草原防火工作 / 森林、草原防灭火
管理工作), in whichever of its three lists it sits. This module is the pure algorithm: frozen duty
records in, kinds (groups of duties from at least two townships) out, with each member's score.

How (bench/results/kinds.md has the measurements behind every constant):
1. Titles lose the wording that every duty shares and that says nothing about *which* duty it is:
   leading `*` (卧牛河镇 marks some items with it), verbs of doing (开展, 做好, 负责 …), 工作, place words
   (本镇, 辖区内 …), punctuation. A title left empty keeps its raw text.
2. Character 2–3-gram TF-IDF (scikit-learn) of the cleaned titles, fitted on all duties, and the cosine
   similarity of every pair: Chinese needs no word segmentation for this, and nothing is downloaded.
3. The graph's own signals adjust it: two duties of the same category gain `CATEGORY_BONUS`; two duties
   that both name upper departments but share no department type lose `DEPARTMENT_PENALTY` (the same
   words about 救助 mean a different duty under 民政 than under 退役军人事务).
4. Average-linkage agglomerative clustering cuts where the mean score between groups falls below
   `THRESHOLD`, and never joins two duties of one list (a list does not name one duty twice); a group
   becomes a kind only when duties of two or more townships are in it. Everything else is unmatched:
   too broad or too local to be the same duty as anything elsewhere.

Deterministic: records are sorted by their key before anything is computed, so input order never
matters; the label is chosen and slugs are de-duplicated by sorted rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

from luzhi.ontology.iris import slugify
from luzhi.ontology.types import ListKind

THRESHOLD = 0.25  # chosen on the tune split of bench/kinds/labelled.toml (bench/results/kinds.md)
CATEGORY_BONUS = 0.05
DEPARTMENT_PENALTY = 0.15
MIN_TOWNSHIPS = 2
# The similarity matrix is dense: 5,520 duties peaked at 1.1 GB (bench/results/kinds-scale.md: the seed
# duties copied under other township codes), and memory grows with the square of the count.
MAX_DUTIES = 6000
CANNOT_LINK = 1e6  # distance between two duties of one list (compute_kinds)
SLUG_SYLLABLES = 10  # pinyin syllables kept in a kind's slug: long titles would make unreadable IRIs

# Words that say how or where a duty is done, not which duty it is (seen in all five seed documents:
# 做好防汛抗旱工作 / 防汛抗旱工作 / 防汛抗旱). Longest first, so 负责本镇 goes before 负责.
_FILLER = sorted(
    [
        "开展", "做好", "负责", "落实", "加强", "推进", "推动", "协助", "配合", "参与", "组织", "抓好",
        "相关", "工作", "有关", "本镇", "本乡", "本街道", "全镇", "全乡", "辖区内", "本辖区", "辖区",
        "进行", "依法", "按规定", "按照规定", "等",
    ],
    key=len,
    reverse=True,
)
_FILLER_RE = re.compile("|".join(map(re.escape, _FILLER)))
_PUNCT_RE = re.compile(r"[\s*＊、，,。；;：:（）()“”\"'《》〈〉【】\[\]—－\-·.…!！?？/]+")


@dataclass(frozen=True)
class DutyRecord:
    """What the kinds need to know of one duty; `key` identifies it (its IRI path without the base)."""

    township: str  # 9-digit code
    list_kind: ListKind
    sequence: int
    title: str
    category: str | None = None
    department_types: frozenset[str] = frozenset()

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.township, self.list_kind.value, self.sequence)


@dataclass(frozen=True)
class KindMember:
    duty: DutyRecord
    score: float  # mean adjusted similarity to the kind's other members, 0..1, 3 decimals


@dataclass(frozen=True)
class DutyKind:
    slug: str  # ASCII, the last segment of B/id/kind/{slug}
    label: str  # zh: the wording of its most typical member
    members: tuple[KindMember, ...]  # sorted by duty key

    @property
    def townships(self) -> frozenset[str]:
        return frozenset(m.duty.township for m in self.members)


@dataclass(frozen=True)
class KindsResult:
    kinds: tuple[DutyKind, ...]  # sorted by slug
    unmatched: tuple[DutyRecord, ...]  # sorted by key
    skipped: str | None = None  # why no kinds were computed at all (too many duties), else None


def clean_title(title: str) -> str:
    """The part of a title that names the duty (module docstring, step 1)."""
    cleaned = _PUNCT_RE.sub("", _FILLER_RE.sub("", title))
    return cleaned or _PUNCT_RE.sub("", title) or title


def similarity_matrix(records: list[DutyRecord]) -> np.ndarray:
    """Adjusted pairwise similarity (steps 2–3), symmetric, clipped to 0..1, diagonal 1."""
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True)
    vectors = vectorizer.fit_transform([clean_title(r.title) for r in records])
    scores = (vectors @ vectors.T).toarray()
    categories = np.array([r.category or "" for r in records])
    same_category = (categories[:, None] == categories[None, :]) & (categories[:, None] != "")
    scores += CATEGORY_BONUS * same_category
    types = sorted({t for r in records for t in r.department_types})
    column = {t: i for i, t in enumerate(types)}
    membership = np.zeros((len(records), len(types)))
    for row, record in enumerate(records):
        membership[row, [column[t] for t in record.department_types]] = 1.0
    typed = membership.any(axis=1)
    shares_a_type = (membership @ membership.T) > 0
    scores -= DEPARTMENT_PENALTY * (typed[:, None] & typed[None, :] & ~shares_a_type)
    np.clip(scores, 0.0, 1.0, out=scores)
    np.fill_diagonal(scores, 1.0)
    return scores


def compute_kinds(records, threshold: float = THRESHOLD, max_duties: int = MAX_DUTIES) -> KindsResult:
    """Group duties into kinds (module docstring); `records` in any order, keys unique.

    More than `max_duties` duties and nothing is grouped: every duty is unmatched and `skipped` says why,
    rather than a build that runs out of memory.
    """
    ordered = sorted(records, key=lambda r: r.key)
    keys = [r.key for r in ordered]
    if len(set(keys)) != len(keys):
        raise ValueError("duty records must have unique (township, list, sequence) keys")
    if len(ordered) > max_duties:
        why = (f"{len(ordered)} duties: more than the {max_duties} the dense similarity method handles "
               "(memory grows with the square; docs/kinds.md)")
        return KindsResult((), tuple(ordered), skipped=why)
    if len(ordered) < 2:
        return KindsResult((), tuple(ordered))
    scores = similarity_matrix(ordered)
    clustering = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=1.0 - threshold
    )
    distances = 1.0 - scores
    # One list never names the same duty twice, so two duties of one list are never one kind: a
    # distance no average can bring under the threshold keeps their groups apart (耿庄镇's reclaimed
    # list has both 烟花爆竹经营（批发）… and 烟花爆竹经营（零售）… 现场核查; bench/results/kinds.md).
    lists = np.array([f"{r.township}/{r.list_kind.value}" for r in ordered])
    distances[lists[:, None] == lists[None, :]] = CANNOT_LINK
    np.fill_diagonal(distances, 0.0)
    labels = clustering.fit_predict(distances)
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(int(label), []).append(index)
    kinds: list[tuple[str, list[KindMember]]] = []
    unmatched: list[DutyRecord] = []
    for indices in groups.values():
        if len({ordered[i].township for i in indices}) < MIN_TOWNSHIPS:
            unmatched.extend(ordered[i] for i in indices)
            continue
        cohesion = {i: float(np.mean([scores[i, j] for j in indices if j != i])) for i in indices}
        members = [KindMember(ordered[i], round(cohesion[i], 3)) for i in sorted(indices)]
        kinds.append((_label(ordered, cohesion), members))
    return KindsResult(_with_slugs(kinds), tuple(sorted(unmatched, key=lambda r: r.key)))


def _label(ordered: list[DutyRecord], cohesion: dict[int, float]) -> str:
    """The shortest title among the most typical members: 防汛抗旱 rather than 做好防汛抗旱工作."""
    best = max(cohesion.values())
    typical = [ordered[i].title for i, c in cohesion.items() if c >= best - 0.1]
    return min(typical, key=lambda t: (len(t), t)).lstrip("*＊")


def _with_slugs(kinds: list[tuple[str, list[KindMember]]]) -> tuple[DutyKind, ...]:
    """Slugs from the label's pinyin; a clash gets -2, -3 … in the order of (label, first member)."""
    kinds.sort(key=lambda k: (k[0], k[1][0].duty.key))
    taken: set[str] = set()
    result = []
    for label, members in kinds:
        base = "-".join(slugify(label).split("-")[:SLUG_SYLLABLES])
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        result.append(DutyKind(slug, label, tuple(members)))
    return tuple(sorted(result, key=lambda k: k.slug))
