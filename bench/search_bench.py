"""Search latency against the number of townships, beyond the stores this machine can build in time.

    python bench/search_bench.py --index STORE_DIR --copies 1 5 25 [--repeat 30]

A store's real index (`search.sqlite`, built by `luzhi build` from, e.g., 400 synthetic townships)
is replicated `copies` times into a fresh index with the same schema, each copy's township facet
renamed, so 400 × 25 = 10,000 townships of realistic text (the synthetic texts come from the five
real documents). Each copy is inserted through FTS5 exactly as the build inserts rows, so the
index's postings grow as a real 10,000-township index's would; what differs is that the copies
repeat texts (a real country repeats them too: most duty titles are shared across townships).
Queries go through `SearchIndex.search` as /search runs them; p50 / p99 per query, in ms.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from luzhi.store.search_index import _SCHEMA, COLUMNS, INDEX_FILE, SearchIndex

QUERIES = ("森林防火", "防火", "安全生产检查", "应急管理局", "火", "农村人居环境整治")


def replicate(source: Path, target_dir: Path, copies: int) -> tuple[int, float, int]:
    """(rows, seconds, bytes) of an index holding `copies` copies of `source`'s rows."""
    target = target_dir / INDEX_FILE
    db = sqlite3.connect(target)
    db.executescript(_SCHEMA)
    db_source = sqlite3.connect(source)
    # The text columns the source has (an index built before the duty texts has three); the copy has them all.
    present = {row[1] for row in db_source.execute("PRAGMA table_info(search)")}
    texts = [column for column in COLUMNS if column in present]
    rows = db_source.execute(
        f"SELECT iri, kind, township, list_type, category, label, {', '.join(texts)} "
        "FROM search JOIN resources r ON r.id = search.rowid ORDER BY search.rowid").fetchall()
    db_source.close()
    start = time.perf_counter()
    values: dict[str, int] = {}  # the facets' numbers, as store/search_index.py's build_search_index gives them

    def number(value: str | None) -> int | None:
        return values.setdefault(value, len(values) + 1) if value else None

    for copy in range(copies):
        suffix = f"-{copy}" if copy else ""
        first = copy * len(rows) + 1
        copied = [(first + i, iri + suffix, kind, town + suffix if town else town, *row[3:6])
                  for i, row in enumerate(rows) for iri, kind, town in [row[:3]]]
        db.executemany("INSERT INTO resources VALUES (?, ?, ?, ?, ?, ?, ?)", copied)
        db.executemany("INSERT INTO facets VALUES (?, ?, ?, ?, ?)",
                       [(i, kind, number(town), number(list_type), number(category))
                        for i, _iri, kind, town, list_type, category, _label in copied])
        db.executemany(f"INSERT INTO search(rowid, {', '.join(texts)}) VALUES (?{', ?' * len(texts)})",
                       [(first + i, *row[6:]) for i, row in enumerate(rows)])
    db.executemany("INSERT INTO facet_values VALUES (?, ?)", [(n, iri) for iri, n in values.items()])
    db.execute("INSERT INTO search(search) VALUES ('optimize')")
    db.commit()
    db.close()
    return len(rows) * copies, time.perf_counter() - start, target.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", required=True, type=Path, help="a built store (holds search.sqlite)")
    parser.add_argument("--townships", type=int, required=True, help="townships in that store")
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 5, 25])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    print("| townships | rows | build s | index MB | query | results | p50 ms | p99 ms |")
    print("|---:|---:|---:|---:|---|---:|---:|---:|")
    for copies in args.copies:
        with tempfile.TemporaryDirectory(prefix="luzhi-search-bench-") as folder:
            rows, seconds, size = replicate(args.index / INDEX_FILE, Path(folder), copies)
            index = SearchIndex(Path(folder))
            for query in QUERIES:
                index.search(query)  # warm the page cache
                times = []
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    result = index.search(query, limit=100)
                    times.append((time.perf_counter() - start) * 1000)
                times.sort()
                total = f"{result.total:,}" + ("" if result.total_is_exact else "+")
                print(f"| {args.townships * copies:,} | {rows:,} | {seconds:.0f} | {size / 1e6:.0f} | {query} | "
                      f"{total} | {statistics.median(times):.1f} | {times[int(0.99 * (len(times) - 1))]:.1f} |",
                      flush=True)


if __name__ == "__main__":
    main()
