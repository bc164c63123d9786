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

At scale (more than `MAX_DUTIES` duties, about 17 townships) the dense matrix would grow with the square
of the count, so kinds are *learnt on a bounded sample and the rest assigned*: whole townships in an
order fixed by a hash of their code, up to `MAX_DUTIES` duties, are grouped exactly as above; every
other duty joins the kind whose members it is most alike on average (the same average-linkage score,
computed against the kind's mean vector, `KindScores`) when that score reaches `THRESHOLD`, at most one
duty of a list per kind (`assign`). etl/kinds_learn.py runs those rounds over the townships one at a
time (`compute_kinds`, `learn_kinds`); this module holds the pieces. Time is linear in the number of
duties beyond the sample (bench/results/kinds-scale.md); a kind whose duties all lie outside the sample
is not found.

scikit-learn and SciPy's clustering are imported inside the functions that use them: importing them took
1–2 s, paid by every process that imports the build (the CLI, its forkserver, `luzhi serve`), while only the
derive process groups duties. The build's fork server imports them once for every derive process it forks
(etl/pool.py `KINDS_LIBRARIES`: keep the two lists together).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from luzhi.etl.duty_record import DutyRecord
from luzhi.ontology.iris import slugify

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import HashingVectorizer

THRESHOLD = 0.25  # chosen on the tune split of bench/kinds/labelled.toml (bench/results/kinds.md)
CATEGORY_BONUS = 0.05
DEPARTMENT_PENALTY = 0.15
MIN_TOWNSHIPS = 2
# The similarity matrix is dense: 5,520 duties peaked at 1.1 GB (bench/results/kinds-scale.md: the seed
# duties copied under other township codes), and memory grows with the square of the count. Above it,
# kinds are learnt on a sample of this many duties and the rest assigned (module docstring).
MAX_DUTIES = 6000
SAMPLE_ROUNDS = 3  # rounds of the sampled method: each learns kinds on another sample of unmatched duties
ASSIGN_CHUNK = 4096  # duties scored against the kinds at once: chunk × kinds floats stay small
HASH_FEATURES = 2**20  # n-gram buckets of the sampled method; collisions are rare at ~10^5 distinct n-grams
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
    sampled: str | None = None  # how the sample was drawn when the sampled method ran (module docstring)


@functools.lru_cache(maxsize=1 << 16)
def clean_title(title: str) -> str:
    """The part of a title that names the duty (module docstring, step 1)."""
    cleaned = _PUNCT_RE.sub("", _FILLER_RE.sub("", title))
    return cleaned or _PUNCT_RE.sub("", title) or title


def similarity_matrix(records: list[DutyRecord], vectors: sparse.csr_matrix | None = None) -> np.ndarray:
    """Adjusted pairwise similarity (steps 2–3), symmetric, clipped to 0..1, diagonal 1.

    `vectors`: unit-length title vectors, one row per record; by default TF-IDF fitted on `records`.
    """
    if vectors is None:
        vectors = _tfidf([clean_title(r.title) for r in records])
    # n × n float64 is 288 MB at the sampled method's 6,000 duties: every step below works in place or on
    # a boolean mask (1 byte a pair), never on a second float matrix (the kinds phase peaked at 1.3 GB).
    scores = (vectors @ vectors.T).toarray()
    categories = np.array([r.category or "" for r in records])
    same_category = (categories[:, None] == categories[None, :]) & (categories[:, None] != "")
    np.add(scores, CATEGORY_BONUS, out=scores, where=same_category)
    del same_category
    types = sorted({t for r in records for t in r.department_types})
    column = {t: i for i, t in enumerate(types)}
    membership = np.zeros((len(records), len(types)), dtype=np.float32)  # 0/1 sums: exact in float32
    for row, record in enumerate(records):
        membership[row, [column[t] for t in record.department_types]] = 1.0
    typed = membership.any(axis=1)
    penalised = (membership @ membership.T) == 0
    penalised &= typed[:, None]
    penalised &= typed[None, :]
    np.subtract(scores, DEPARTMENT_PENALTY, out=scores, where=penalised)
    del penalised
    np.clip(scores, 0.0, 1.0, out=scores)
    np.fill_diagonal(scores, 1.0)
    return scores


def _tfidf(titles: list[str]) -> sparse.csr_matrix:
    """Unit-length TF-IDF vectors of the titles' character 2- and 3-grams; all zero when no title has two
    characters (scikit-learn refuses an empty vocabulary: a build of one-character titles, 党, failed with its
    English error, cold review): no two such duties are then alike, and none is given a kind."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        return TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True).fit_transform(titles)
    except ValueError:
        if any(len(title) >= 2 for title in titles):
            raise
        return sparse.csr_matrix((len(titles), 1))


def cluster(ordered: list[DutyRecord], threshold: float,
             vectors: sparse.csr_matrix | None = None) -> tuple[list[tuple[str, list[KindMember]]], list[DutyRecord]]:
    """Steps 2–4 over all of `ordered` at once: (label, members) per kind, and the unmatched duties."""
    from scipy.cluster.hierarchy import fcluster, linkage

    if len(ordered) < 2:
        return [], list(ordered)
    scores = similarity_matrix(ordered, vectors)
    labels = fcluster(linkage(_condensed_distances(ordered, scores), method="average"),
                      np.nextafter(1.0 - threshold, -np.inf), criterion="distance")
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
    return kinds, unmatched


def _condensed_distances(ordered: list[DutyRecord], scores: np.ndarray) -> np.ndarray:
    """1 − `scores` for each pair i < j, in SciPy's condensed order (`squareform`), for average linkage.

    Average linkage cut below a distance of 1 − threshold: what scikit-learn's `AgglomerativeClustering`
    (metric="precomputed", distance_threshold) does, through the same SciPy `linkage`, keeping merges under
    the threshold (`fcluster` keeps those at most `t`: `t` is the float just below it). Built on the condensed
    vector (8 bytes a pair), not on a square matrix: scikit-learn's path held a square copy and two index
    arrays beside it, 1.3 GB at 6,000 duties, the derive process's peak beside the build's load.
    """
    from scipy.spatial.distance import squareform

    distances = squareform(scores, checks=False)
    np.subtract(1.0, distances, out=distances)
    # One list never names the same duty twice, so two duties of one list are never one kind: a
    # distance no average can bring under the threshold keeps their groups apart (耿庄镇's reclaimed
    # list has both 烟花爆竹经营（批发）… and 烟花爆竹经营（零售）… 现场核查; bench/results/kinds.md).
    _names, lists = np.unique([f"{r.township}/{r.list_kind.value}" for r in ordered], return_inverse=True)
    n, start = len(ordered), 0
    for i in range(n - 1):  # row i's pairs (i, i+1 … n−1) sit together in the condensed vector
        row = distances[start : start + n - 1 - i]
        row[lists[i + 1 :] == lists[i]] = CANNOT_LINK
        start += n - 1 - i
    return distances


def _hashing() -> HashingVectorizer:
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(analyzer="char", ngram_range=(2, 3), alternate_sign=False, norm=None,
                             n_features=HASH_FEATURES)


def _title_counts(records: list[DutyRecord]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Hashed n-gram counts of each distinct cleaned title once, and each record's row among them:
    townships word many duties alike (issue 13 measured the hashing as most of the sampled method's time)."""
    index: dict[str, int] = {}
    rows = [index.setdefault(clean_title(r.title), len(index)) for r in records]
    return _hashing().transform(list(index)), np.array(rows, dtype=np.int64)


def duty_frequencies(records: list[DutyRecord]) -> np.ndarray:
    """How many of `records` hold each hashed n-gram: a batch's share of `idf` (sums of whole numbers, so the
    batches may be any, in any order, and give the same IDF to the last bit)."""
    counts, rows = _title_counts(records)
    duties_per_title = np.bincount(rows, minlength=counts.shape[0]).astype(np.float64)
    # indices are unique per row: each title adds its number of duties to each of its n-grams
    return np.bincount(counts.indices, weights=np.repeat(duties_per_title, np.diff(counts.indptr)),
                       minlength=HASH_FEATURES)


def idf(frequency: np.ndarray, duties: int) -> np.ndarray:
    """Smoothed IDF over `duties` duties from their summed `duty_frequencies`, as TfidfVectorizer computes it."""
    return np.log((1 + duties) / (1 + frequency)) + 1.0


def title_vectors(records: list[DutyRecord], idf: np.ndarray) -> sparse.csr_matrix:
    """Unit-length sublinear TF-IDF rows, like TfidfVectorizer(sublinear_tf=True) but over hashed n-grams."""
    from sklearn.preprocessing import normalize

    counts, rows = _title_counts(records)
    counts = counts.astype(np.float64)
    counts.data = 1.0 + np.log(counts.data)
    return normalize(counts @ sparse.diags(idf), norm="l2", copy=False).tocsr()[rows]


class KindScores:
    """Scores of duties against a round's kinds (`assign`), with everything about the kinds computed once.

    The kinds' mean vectors, category shares and department types are the same for every chunk of a
    round: made per chunk they were about half of `assign`'s time (bench/results/derive.md). Category and
    type columns are the kinds' own; a duty's category or type that no member has adds nothing, as its
    all-zero column did, so the scores are the same to the last bit.
    """

    def __init__(self, kinds: tuple[DutyKind, ...], idf: np.ndarray) -> None:
        self.kinds, self.idf = kinds, idf
        if not kinds:
            return  # a round that found no kinds assigns nothing (`assign`)
        members = [m.duty for kind in kinds for m in kind.members]
        owner = np.repeat(np.arange(len(kinds)), [len(kind.members) for kind in kinds])
        sizes = np.bincount(owner, minlength=len(kinds)).astype(np.float64)
        belongs = sparse.csr_matrix((np.ones(len(owner)), (np.arange(len(owner)), owner)),
                                    (len(owner), len(kinds)))
        self.mean_of = sparse.diags(1.0 / sizes) @ belongs.T  # kinds × members: averages over a kind's members
        self.centroids = (self.mean_of @ title_vectors(members, idf)).T
        categories = sorted({r.category for r in members if r.category})
        self.category_column = {c: i for i, c in enumerate(categories)}
        member_categories = np.zeros((len(members), len(categories)))
        for row, record in enumerate(members):
            if record.category:
                member_categories[row, self.category_column[record.category]] = 1.0
        self.category_share = np.asarray((self.mean_of @ member_categories).T)  # categories × kinds
        self.type_column = {t: i for i, t in enumerate(sorted({t for r in members for t in r.department_types}))}
        member_types = self._membership(members)
        self.member_types_t = member_types.T
        typed_members = np.asarray(member_types.sum(axis=1)).ravel() > 0
        self.typed_share = self.mean_of @ typed_members.astype(np.float64)

    def _membership(self, records: list[DutyRecord]) -> sparse.csr_matrix:
        pairs = [(row, self.type_column[t]) for row, r in enumerate(records) for t in sorted(r.department_types)
                 if t in self.type_column]
        rows, columns = [p[0] for p in pairs], [p[1] for p in pairs]
        return sparse.csr_matrix((np.ones(len(rows)), (rows, columns)), (len(records), len(self.type_column)))

    def scores(self, chunk: list[DutyRecord]) -> np.ndarray:
        """duties × kinds: the average over a kind's members of `similarity_matrix`'s pairwise score."""
        scores = (title_vectors(chunk, self.idf) @ self.centroids).toarray()
        # One fancy-indexed step, not a row at a time: 28 of the kinds' 69 CPU-s at 1,000 townships.
        category_of = np.array([self.category_column.get(record.category, -1) for record in chunk], dtype=np.int64)
        categorised = category_of >= 0
        scores[categorised] += CATEGORY_BONUS * self.category_share[category_of[categorised]]
        # The share of a kind's members whose departments are of other types than the duty's (both typed):
        # the typed members' share minus those sharing a type (sharing implies typed), as sparse products.
        # The dense duties × members matrix it replaces was 24 of the kinds' 45 CPU-s at 1,000 townships.
        # A duty typed only with types no member has shares none: typed, it still counts as typed.
        duty_types = self._membership(chunk)
        typed_duties = np.array([bool(r.department_types) for r in chunk])
        shares = ((duty_types @ self.member_types_t) > 0).astype(np.float64)
        scores -= DEPARTMENT_PENALTY * typed_duties[:, None] * (
            self.typed_share[None, :] - (shares @ self.mean_of.T).toarray())
        return scores


def assign(chunk: list[DutyRecord], kinds: KindScores, threshold: float) -> Iterator[tuple[int, int, float]]:
    """Each duty of `chunk` → the kind it is most alike on average, if ≥ `threshold`, one duty per list and kind:
    (row in `chunk`, index of the kind in `kinds.kinds`, score).

    The average over a kind's members of the pairwise score of `similarity_matrix` is, for the title
    part, the duty's dot product with the members' mean vector; the category bonus and the department
    penalty average to their share of members. Pairwise scores are not clipped at 0 first, so the
    average is at most slightly lower than the exact one (a conservative error).

    A duty's scores depend on its own row only, and who wins a (list, kind) slot on that list's duties
    only, so a township gets the same kinds whichever townships share its chunk (etl/kinds_learn.py).
    """
    if not kinds.kinds or not chunk:
        return
    scores = kinds.scores(chunk)
    candidates = sorted(
        ((-scores[row, k], chunk[row].key, kinds.kinds[k].slug, row, k)
         for row, k in zip(*np.nonzero(scores >= threshold), strict=True)),
    )
    placed: set[tuple[str, str, str]] = set()  # (township, list, kind)
    done: set[int] = set()
    for negative, _key, slug, row, k in candidates:
        record = chunk[row]
        slot = (record.township, record.list_kind.value, slug)
        if row in done or slot in placed:
            continue
        done.add(row)
        placed.add(slot)
        yield int(row), int(k), round(min(1.0, -negative), 3)


def _label(ordered: list[DutyRecord], cohesion: dict[int, float]) -> str:
    """The shortest title among the most typical members: 防汛抗旱 rather than 做好防汛抗旱工作."""
    best = max(cohesion.values())
    typical = [ordered[i].title for i, c in cohesion.items() if c >= best - 0.1]
    return min(typical, key=lambda t: (len(t), t)).lstrip("*＊")


def kind_slugs(heads: list[tuple[str, tuple[str, str, int]]]) -> list[str]:
    """Each kind's slug from its (label, first member's key), in the order given: the label's pinyin; a clash
    gets -2, -3 … in the order of (label, first member)."""
    taken: set[str] = set()
    slugs: dict[int, str] = {}
    for index in sorted(range(len(heads)), key=lambda i: heads[i]):
        base = "-".join(slugify(heads[index][0]).split("-")[:SLUG_SYLLABLES])
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        slugs[index] = slug
    return [slugs[i] for i in range(len(heads))]
