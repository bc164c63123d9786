"""What the search index costs a build: its rows (pass 1's facts) and writing `search.sqlite`, on real documents.

    python bench/search_rows_bench.py [DOCUMENTS…] [--repeat 15]

For each document (default: the five bundled ones) pass 1 runs once (parse, RDF, the township/shared split);
then, `--repeat` times each, the median CPU time of `document_facts` (the search rows come out of it, with the
statistics and the duty kinds' records) and of `write_search_index` over all the documents' facts (the build's
own call, in one process), and the index's size. Two variants: the documents as written, and the same with
every duty given the texts some townships' extra columns hold (二级分类, 事项内容, 法律依据, 责任科室, 备注, of
typical lengths), to show what indexing those texts costs where a list has them (the bundled lists have none).
Runs on any commit since the search rows came from the facts (it uses nothing newer), so before/after
figures come from the same script.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path

from rdflib import Literal
from rdflib.namespace import DCTERMS, RDF, SKOS

from luzhi.etl.build import BuildOptions, bundled_documents
from luzhi.etl.facts import document_facts
from luzhi.etl.shared import split_shared
from luzhi.etl.stage import document_triples
from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import LZ
from luzhi.ontology.triples import TripleSet
from luzhi.store.derived import write_search_index
from luzhi.store.search_index import INDEX_FILE

BASE = "http://127.0.0.1:5000"
# Texts of typical length for the extra columns (tests/fixtures/documents/extra_columns.txt has real ones).
TEXTS = (
    (LZ.subcategory, "森林防火"),
    (DCTERMS.description, "组织开展森林防火宣传教育，落实野外火源管控，发现火情及时报告并参与初期扑救。"),
    (LZ.legalBasis, "《中华人民共和国森林法》第三十四条；《森林防火条例》第六条、第二十四条"),
    (LZ.responsibleOffice, "应急管理办公室"),
    (SKOS.note, "备注：每年11月至次年5月为森林防火期"),
)


def with_texts(triples: TripleSet) -> TripleSet:
    """The same triples, every duty given the TEXTS (its own 序号 in each, so no two duties share a text)."""
    duties = sorted({s for s, p, o in triples if p == RDF.type and o == LZ.Duty})
    more = [(duty, predicate, Literal(f"{text}（{n}）", lang="zh"))
            for n, duty in enumerate(duties) for predicate, text in TEXTS]
    return TripleSet([*triples, *more])


def cpu(function, repeat: int) -> tuple[float, float]:
    """(median, least) CPU seconds of `function()` over `repeat` runs: on a shared machine the least is the
    steadier figure (other processes only ever add to it)."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        function()
        times.append(time.process_time() - start)
    return statistics.median(times), min(times)


def measure(documents: list[Path], texts: bool, repeat: int) -> tuple[int, tuple, tuple, int]:
    """(duties, facts CPU s, index CPU s, index bytes) for `documents`, with or without the extra texts; each
    CPU figure as (median, least)."""
    iris = Iris(BASE)
    parts = []
    for path in documents:
        _doc, chain, triples, _report = document_triples(path, BuildOptions(base=BASE))
        if texts:
            triples = with_texts(triples)
        own, shared = split_shared(list(triples), iris, chain.township.code)
        parts.append((triples, own, shared))
    each = [cpu(partial(document_facts, triples, own, iris), repeat) for triples, own, _shared in parts]
    facts_seconds = (sum(median for median, _least in each), sum(least for _median, least in each))
    facts = [document_facts(triples, own, iris).graph for triples, own, _shared in parts]
    shared = [t for _t, _o, triples in parts for t in triples]
    with tempfile.TemporaryDirectory(prefix="luzhi-search-rows-") as folder:
        index_seconds = cpu(lambda: write_search_index(Path(folder), iter(facts), shared), repeat)
        size = (Path(folder) / INDEX_FILE).stat().st_size
    return sum(len(f.duty_rows) for f in facts), facts_seconds, index_seconds, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("documents", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    documents = args.documents or bundled_documents()
    print("| documents | extra texts | duties | facts CPU ms, all documents: median (least) | "
          "write_search_index CPU ms: median (least) | index KB |")
    print("|---|---|---:|---:|---:|---:|")
    for texts in (False, True):
        duties, (facts, facts_least), (index, index_least), size = measure(documents, texts, args.repeat)
        print(f"| {len(documents)} | {'every duty' if texts else 'as written'} | {duties:,} | "
              f"{facts * 1000:.0f} ({facts_least * 1000:.0f}) | {index * 1000:.0f} ({index_least * 1000:.0f}) | "
              f"{size / 1024:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
