"""The full-text search index: SQLite FTS5 with the trigram tokenizer, built with the store.

Why trigram: Chinese has no spaces between words, so 森林防火 must be found inside
做好森林防火工作; FTS5's trigram tokenizer indexes every 3-character substring and answers
substring queries from the index (SQLite ≥ 3.34; it ships with Python's sqlite3). Issue 13
measured the old search (three CONTAINS scans over every label) at 13.5 s on 1.55 M quads.

One row per resource (duty, department, division), in a fixed order (kind, then township,
list and 序号), so a page of results is `ORDER BY rowid LIMIT …`: no sort of all matches.
A plain table holds each resource's IRI, kind and facets (township, list type, category); the
FTS5 table, same rowid, its indexed texts, a column each (`COLUMNS`) —
the title or labels, the responsibility texts (上级部门职责, 乡镇职责, 配合方式 and each
department's part), the departments/divisions named, and the texts of the columns some townships add
(ontology/duty_texts.py: 二级分类, 事项内容, 法律依据, 责任科室, 备注), so a law's name or an office's finds the
duties, and a hit says which text matched. An unqualified MATCH searches every column; an index built before
the added columns is still read, with the columns it has (`SearchIndex._fields`).

Queries of 1–2 characters (防火 is a common word) are below the trigram size: each indexed text
ends with two padding characters, so every occurrence of a 2-character string starts some
trigram; the query becomes an OR of the indexed trigrams that start with it, read from the
index's own vocabulary (`fts5vocab`) in term order, capped at `MAX_EXPANSION`.

Words separated by spaces (森林 防火, or a full-width space) mean "all of these words", as in any search
box: the MATCH is each word's expression joined by AND, each word found anywhere in the resource's texts
(they searched the whole text as one substring, space included, and found nothing; cold review). A word
that no indexed text contains, or a 1–2 character word with more continuations than `MAX_EXPANSION`
(searched in part), is reported with the result (`WordNote`) for the page and the JSON to say so.

The file lives with the store's state (`search.sqlite` beside build.json, with `search-facets.npy`, each
row's facet numbers for unfiltered searches) and is rebuilt, whole, at the end of every build
(`build_search_index`), then moved into place atomically. Its rows come from
each township graph's facts (store/facts.py), computed in the build's workers, not read back from the
store (a Virtuoso store refused such reads past its 10,000-row cap, issue 13).
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rdflib.term import Node

from luzhi.ontology.duty_texts import DUTY_TEXT_KEYS

INDEX_FILE = "search.sqlite"
FACET_ARRAY_FILE = "search-facets.npy"  # beside the index: each row's facet numbers (see _write_facet_array)
KINDS = ("duty", "department", "division")
FIELDS = ("title", "responsibility", "name", *DUTY_TEXT_KEYS)  # where a hit matched (issue 11's names first)
COLUMNS = ("title", "responsibility", "names", *DUTY_TEXT_KEYS)  # the FTS5 columns, one per field, in its order
MAX_EXPANSION = 400  # trigrams an OR may hold for a short query; past it, the rarest are dropped
MAX_COUNTED = 5_000  # matches counted exactly; beyond, "at least" (a count must not scan the country)
MAX_WORDS = 10  # words of one query: each short word costs a vocabulary lookup
_PAD = "\u3000\u3000"  # two ideographic spaces: never searched for (queries are stripped)


class SearchUnavailable(RuntimeError):
    """No index file: the store was built before the index existed (rebuild it)."""


@dataclass(frozen=True)
class Hit:
    """One result: the resource, its facets, and which fields matched with a snippet of each."""

    iri: str
    kind: str
    label: str
    township: str | None
    list_type: str | None
    category: str | None
    matched: tuple[tuple[str, str], ...]  # (field, snippet)


@dataclass(frozen=True)
class WordNote:
    """A word the index could not search as asked: `absent` (no indexed text contains it, so no resource
    holds every word) or `partial` (1–2 characters with more indexed continuations than MAX_EXPANSION:
    only the commonest were searched)."""

    word: str
    reason: str


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[Hit, ...]
    total: int
    total_is_exact: bool  # false past MAX_COUNTED matches, and when a word was searched in part (WordNote)
    facets: dict[str, tuple[tuple[str, int], ...]]  # facet → (value IRI, count), over the counted matches
    words: tuple[str, ...] = ()  # the words searched, all of them required
    notes: tuple[WordNote, ...] = ()


def split_words(text: str) -> tuple[str, ...]:
    """The words of a query: split at any whitespace (an ASCII or a full-width space), each once, in order."""
    return tuple(dict.fromkeys(text.split()))


def index_path(state_dir: Path) -> Path:
    return Path(state_dir) / INDEX_FILE


def facet_array_path(state_dir: Path) -> Path:
    return Path(state_dir) / FACET_ARRAY_FILE


# The facets live in narrow tables of their own: counting facets over thousands of matches reads
# one small row per match, not the FTS table's wide rows (long responsibility texts span several
# pages): 2,186 matches took 570 ms that way at 400 townships. `resources` (with each resource's IRIs
# and label, ~0.5 KB a row) still cost 34–51 ms for 5,001 matches at 10,000 townships, the larger part
# of a search (bench/results/pages.md); `facets` holds each facet as a number (`facet_values` names it),
# a dozen bytes a row. An index built before `facets` is still read, its facets from `resources`.
_SCHEMA = """
CREATE TABLE resources (
    id INTEGER PRIMARY KEY, iri TEXT, kind TEXT, township TEXT, list_type TEXT, category TEXT, label TEXT
);
CREATE TABLE facets (id INTEGER PRIMARY KEY, kind TEXT, township INTEGER, list_type INTEGER, category INTEGER);
CREATE TABLE facet_values (id INTEGER PRIMARY KEY, iri TEXT UNIQUE);
CREATE VIRTUAL TABLE search USING fts5({columns}, tokenize = 'trigram');
CREATE VIRTUAL TABLE search_terms USING fts5vocab(search, 'row');
""".format(columns=", ".join(COLUMNS))
FACET_COLUMNS = ("township", "list_type", "category")
_INSERT = f"INSERT INTO search(rowid, {', '.join(COLUMNS)}) VALUES (?{', ?' * len(COLUMNS)})"


def search_row(iri: str, kind: str, township: str | None, list_type: str | None, category: str | None, label: str,
               texts: Mapping[str, str]) -> tuple:
    """One row of `build_search_index`: the resource, its facets and label, then its text for each of `COLUMNS`
    ("" where `texts` has none); the one place the row's shape is written (store/facts.py makes the duties')."""
    return (iri, kind, township, list_type, category, label, *(texts.get(column, "") for column in COLUMNS))


def named_rows(kind: str, labels: dict[str, Iterable[Node]]) -> Iterator[tuple]:
    """Rows of departments or divisions (resource IRI → its names), by IRI; labelled by a Chinese name."""
    for resource in sorted(labels):
        names = list(labels[resource])
        if not names:
            continue
        chinese = [str(n) for n in names if (getattr(n, "language", None) or "").startswith("zh")]
        texts = sorted({str(n) for n in names})
        label = (sorted(chinese) or texts)[0]
        yield search_row(resource, kind, None, None, None, label, {"title": label, "names": "\n".join(texts)})


def build_search_index(state_dir: Path, rows: Iterable[Iterable[tuple]]) -> int:
    """Write the whole index from batches of rows (store/facts.py: each township's duties, then the
    departments and divisions), bounded memory; returns its rows, each made by `search_row`."""
    target = index_path(state_dir)
    # Named by process: the build writes the index in a process of its own (etl/derive.py), which can
    # outlive a killed build while the resumed one writes its own; whichever renames last, the input is the same.
    for name in (target.name, FACET_ARRAY_FILE):
        for stale in target.parent.glob(f"{name}.*.partial"):
            stale.unlink(missing_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    db = sqlite3.connect(partial)
    try:
        db.executescript(_SCHEMA)
        count = 0
        values: dict[str, int] = {}  # facet value IRI → its number (a few thousand: townships, lists, categories)

        def number(value: str | None) -> int | None:
            return values.setdefault(value, len(values) + 1) if value else None

        for batch in rows:
            batch = list(batch)
            ids = range(count + 1, count + 1 + len(batch))
            db.executemany("INSERT INTO resources VALUES (?, ?, ?, ?, ?, ?, ?)",
                           [(i, *row[:6]) for i, row in zip(ids, batch, strict=True)])
            db.executemany("INSERT INTO facets VALUES (?, ?, ?, ?, ?)",
                           [(i, row[1], *map(number, row[2:5])) for i, row in zip(ids, batch, strict=True)])
            db.executemany(_INSERT, [(i, *(text + _PAD if text else text for text in row[6:]))
                                     for i, row in zip(ids, batch, strict=True)])
            count += len(batch)
        db.executemany("INSERT INTO facet_values VALUES (?, ?)", [(n, iri) for iri, n in values.items()])
        db.execute("INSERT INTO search(search) VALUES ('optimize')")
        db.commit()
        _write_facet_array(db, facet_array_path(state_dir), count)
    finally:
        db.close()
    os.replace(partial, target)
    return count


# Unfiltered searches count their facets from an array of each row's facet numbers, memory-mapped (one copy
# in the page cache for every web process) and counted with numpy over the matching rowids: the `facets`
# join took 10–23 ms for 5,001 matches at 10,000 townships, the rowids ~2 ms and this 1–7 ms
# (bench/results/search.md).
# Row i holds row i's (township, list type, category) numbers, 0 for none; row 0 is unused.
# Written before the index is moved into place, from the same rows; SearchIndex uses it only if it has
# one row more than the index (a killed build's leftover is then ignored; builds of one snapshot share input).
def _write_facet_array(db: sqlite3.Connection, target: Path, count: int) -> None:
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    array = np.lib.format.open_memmap(partial, mode="w+", dtype=np.int32, shape=(count + 1, len(FACET_COLUMNS)))
    array[0] = 0
    cursor = db.execute("SELECT id, coalesce(township, 0), coalesce(list_type, 0), coalesce(category, 0) "
                        "FROM facets ORDER BY id")
    while batch := cursor.fetchmany(100_000):  # bounded memory: 13 million rows nationally
        block = np.array(batch, dtype=np.int64)
        array[block[:, 0]] = block[:, 1:]
    array.flush()
    del array
    os.replace(partial, target)


class SearchIndex:
    """Read-only queries on one index file; a connection per search (sqlite3 objects are per thread)."""

    def __init__(self, state_dir: Path) -> None:
        self.path = index_path(state_dir)
        if not self.path.exists():
            raise SearchUnavailable(f"no search index at {self.path}: rebuild the store (`luzhi build`)")
        db = self._connect()
        try:
            numbered = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'facet_values'").fetchone()
            # Read once per snapshot (a few thousand rows): facet numbers ↔ IRIs without a query per search.
            self._names = dict(db.execute("SELECT id, iri FROM facet_values").fetchall()) if numbered else None
            rows = db.execute("SELECT max(id) FROM resources").fetchone()[0] or 0
            # The text columns this index has, in `COLUMNS` order (one built before the duty texts has three).
            present = {row[1] for row in db.execute("PRAGMA table_info(search)")}
        finally:
            db.close()
        self._numbers = {iri: n for n, iri in self._names.items()} if self._names is not None else None
        self._array = _facet_array(facet_array_path(state_dir), rows) if numbered else None
        self._fields = tuple(field for field, column in zip(FIELDS, COLUMNS, strict=True) if column in present)
        self._texts = ", ".join(f"search.{column}" for column in COLUMNS if column in present)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)

    def match_expression(self, db: sqlite3.Connection, text: str) -> tuple[str | None, bool]:
        """The FTS5 MATCH string for one word, or None when nothing indexed can match; and whether the word
        was searched in full (False: a short word whose continuations passed MAX_EXPANSION).

        FTS5's trigram tokenizer matches no row for a phrase under 3 characters, so a short word becomes
        the OR of the indexed trigrams that start with it (see the module docstring).
        """
        if len(text) >= 3:
            return _phrase(text), True
        upper = text + "\U0010ffff"
        terms = [row[0] for row in db.execute(
            "SELECT term FROM search_terms WHERE term >= ? AND term < ? ORDER BY doc DESC LIMIT ?",
            (text.lower(), upper.lower(), MAX_EXPANSION + 1),
        )]
        return " OR ".join(_phrase(term) for term in terms[:MAX_EXPANSION]) or None, len(terms) <= MAX_EXPANSION

    def _words_expression(self, db: sqlite3.Connection, words: tuple[str, ...]
                          ) -> tuple[str | None, tuple[WordNote, ...]]:
        """Every word required (AND), each word's expression in parentheses; None when a word is absent."""
        parts, notes = [], []
        for word in words:
            expression, whole = self.match_expression(db, word)
            if expression is None:
                notes.append(WordNote(word, "absent"))
            else:
                parts.append(f"({expression})")
                if not whole:
                    notes.append(WordNote(word, "partial"))
        if not parts or any(note.reason == "absent" for note in notes):
            return None, tuple(notes)
        return " AND ".join(parts), tuple(notes)

    def search(self, text: str, *, kind: str | None = None, facets: dict[str, str] | None = None,
               limit: int = 100, offset: int = 0) -> SearchResult:
        """Resources whose texts contain every word of `text` (split at spaces), in index order, with facet
        counts over the counted matches."""
        words = split_words(text)  # at most MAX_WORDS: the web view refuses more (server/views/pages.py)
        # Facets from the narrow numbered table, or from `resources` in an index built before it.
        table, encode = ("facets", self._numbers.get) if self._numbers is not None else ("resources", str)
        db = self._connect()
        try:
            expression, notes = self._words_expression(db, words) if words else (None, ())
            if expression is None:
                return SearchResult((), 0, True, {}, words, notes)
            where, params = "search MATCH ?", [expression]
            if kind:
                where += " AND f.kind = ?"
                params.append(kind)
            for column, value in (facets or {}).items():
                if column in FACET_COLUMNS and value:
                    where += f" AND f.{column} = ?"
                    params.append(encode(value))
            source = f"search JOIN {table} f ON f.id = search.rowid"
            order = f"WHERE {where} ORDER BY search.rowid LIMIT ?"
            if self._array is not None and len(params) == 1:  # unfiltered: count from the array
                matches = "SELECT rowid FROM search WHERE search MATCH ? ORDER BY rowid LIMIT ?"
                ids = [row[0] for row in db.execute(matches, (expression, MAX_COUNTED + 1))]
                counted, facet_counts = ids, self._array_counts(ids[:MAX_COUNTED])
            else:
                counted = db.execute(
                    f"SELECT f.township, f.list_type, f.category FROM {source} {order}", (*params, MAX_COUNTED + 1)
                ).fetchall()
                columns = zip(*counted[:MAX_COUNTED], strict=True) if counted else ()
                facet_counts = {name: self._named(Counter(values))
                                for name, values in zip(FACET_COLUMNS, columns, strict=False)}
            rows = db.execute(
                f"SELECT r.iri, r.kind, r.label, r.township, r.list_type, r.category, {self._texts} "
                f"FROM {source} JOIN resources r ON r.id = search.rowid {order} OFFSET ?",
                (*params, limit, offset),
            ).fetchall()
            if not counted and len(words) > 1:  # nothing holds them all: say which word is in no text at all
                notes += tuple(WordNote(word, "absent") for word in words if len(word) >= 3 and not db.execute(
                    "SELECT 1 FROM search WHERE search MATCH ? LIMIT 1", (_phrase(word),)).fetchone())
        finally:
            db.close()
        # A word searched in part (`partial`) may miss matches: `的` counted 921 of the 962 duties holding it,
        # called exact (cold review).
        exact = len(counted) <= MAX_COUNTED and not any(note.reason == "partial" for note in notes)
        total = min(len(counted), MAX_COUNTED)
        return SearchResult(tuple(_hit(row, text.strip(), words, self._fields) for row in rows), total, exact,
                            facet_counts, words, notes)

    def _array_counts(self, ids: list[int]) -> dict[str, tuple[tuple[str, int], ...]]:
        """Facet counts of these rows from the facet array (number 0: no value)."""
        if not ids:
            return {}
        chosen = self._array[np.array(ids, dtype=np.int64)]
        counts = {}
        for column, name in enumerate(FACET_COLUMNS):
            tally = np.bincount(chosen[:, column])
            numbers = np.flatnonzero(tally[1:]) + 1
            counts[name] = self._named(dict(zip(numbers.tolist(), tally[numbers].tolist(), strict=True)))
        return counts

    def _named(self, counts: Mapping) -> tuple[tuple[str, int], ...]:
        """(value IRI, matches) most frequent first, then by IRI; a value None or 0 is no value."""
        names = self._names
        named = ((names[value] if names is not None else value, n) for value, n in counts.items() if value)
        return tuple(sorted(named, key=lambda item: (-item[1], item[0])))


def _facet_array(path: Path, rows: int) -> np.ndarray | None:
    """The index's facet array, memory-mapped, or None (an index built before it, or not its own)."""
    try:
        array = np.load(path, mmap_mode="r")
    except (FileNotFoundError, ValueError):
        return None
    return array if array.shape == (rows + 1, len(FACET_COLUMNS)) else None


def _phrase(text: str) -> str:
    """An FTS5 string token: double quotes doubled, so any user text is one phrase, never syntax."""
    return '"' + text.replace('"', '""') + '"'


def _hit(row: tuple, text: str, words: tuple[str, ...], fields: tuple[str, ...]) -> Hit:
    """A result row, with each field that holds one of the words and a snippet around the query as typed
    (`1. 核实上级部`, spaces included) where the line holds it, else around its first word; `fields` name the
    row's texts."""
    iri, kind, label, township, list_type, category, *texts = row
    needles = [word.lower() for word in words]
    phrase = text.lower()
    matched = []
    if kind != "duty":  # a department's or division's title column repeats a name
        texts = [value if field == "name" else "" for field, value in zip(fields, texts, strict=True)]
    for field, value in zip(fields, texts, strict=True):
        lines = (value or "").removesuffix(_PAD).split("\n")
        place = _first(lines, [phrase]) or _first(lines, needles)
        if place is not None:
            line, at, length = place
            start = max(0, at - 20)
            snippet = ("…" if start else "") + line[start : at + length + 40]
            matched.append((field, snippet + ("…" if at + length + 40 < len(line) else "")))
    return Hit(iri, kind, label, township or None, list_type or None, category or None, tuple(matched))


def _first(lines: list[str], needles: list[str]) -> tuple[str, int, int] | None:
    """The first line holding one of `needles` (lowercase): (line, where the earliest one starts, its length)."""
    for line in lines:
        lowered = line.lower()
        found = [(at, len(needle)) for needle in needles if (at := lowered.find(needle)) >= 0]
        if found:
            return (line, *min(found))
    return None
