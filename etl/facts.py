"""Each document's facts for the build's last steps, kept in the build state (issue 13).

A pass-1 worker computes them from the document's graph while it is in memory: the statistics and
search facts of its township graph (store/facts.py) and its duties as the kinds see them
(etl/kinds.py's `DutyRecord`). They are kept beside the shared contributions (`facts/{code}.pickle`
in the build state), so a build of some documents into an existing store combines them with the
facts of the townships it keeps, and nothing is read back from the store (a remote Virtuoso store
refused those reads past its 10,000-row cap; counting the whole store cost 0.25–0.6 s a township).
"""

from __future__ import annotations

import os
import pickle
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib.namespace import DCTERMS, SKOS

from luzhi.etl.duty_record import DutyRecord
from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import LZ
from luzhi.ontology.types import ListKind
from luzhi.store.facts import GraphFacts, Index, describe, graph_facts, subjects_of_type

FACTS_DIR = "facts"  # in the build state directory, beside shared/ (etl/shared.py)
# In the file name: facts pickled by another version of these classes are not read but missing (the
# build then asks for those townships to be rebuilt, as for a luzhi without facts). 3: a duty's search row
# holds the extra columns' texts (ontology/duty_texts.py); rows of format 2 would index them as absent.
FACTS_FORMAT = 3
LIST_KINDS = {str(LZ.BasicList): ListKind.BASIC, str(LZ.CooperativeList): ListKind.COOPERATIVE,
              str(LZ.ReclaimedList): ListKind.RECLAIMED}
DEPTYPE_PREFIX = str(LZ) + "deptype-"


@dataclass(frozen=True)
class DocumentFacts:
    graph: GraphFacts  # of the township's own graph
    duties: tuple[DutyRecord, ...]


def document_facts(graph: Iterable[tuple], own: list, iris: Iris) -> DocumentFacts:
    """`graph`: every triple of the document (shared resources included); `own`: its township graph's."""
    index = describe(graph)
    return DocumentFacts(graph_facts(index, own, iris), duty_records_of(index))


def duty_records_of(index: Index) -> tuple[DutyRecord, ...]:
    """The document's duties as `DutyRecord`s: what etl/kinds_rdf.py's `duty_records` reads from a store."""

    def objects(subject, prop) -> list:
        return index.get(subject, {}).get(prop, [])

    notation, title_property = SKOS.notation, DCTERMS.title  # read once: rdflib makes a new URIRef on every read
    records = []
    shared: dict = {}  # one object per distinct code, category and type set: the build holds every record
    for duty in sorted(subjects_of_type(index, LZ.Duty)):
        codes = sorted({str(n) for town in objects(duty, LZ.township) for n in objects(town, notation)})
        kinds = sorted({str(t) for t in objects(duty, LZ.listType)})
        sequences = sorted({int(s) for s in objects(duty, LZ.sequence)})
        titles = sorted({str(t) for t in objects(duty, title_property)})
        categories = sorted(str(c) for c in objects(duty, LZ.category))
        types = frozenset(str(t).removeprefix(DEPTYPE_PREFIX) for dept in objects(duty, LZ.upperDepartment)
                          for t in objects(dept, LZ.departmentType))
        category = shared.setdefault(categories[0], categories[0]) if categories else None
        records.extend(
            DutyRecord(shared.setdefault(code, code), LIST_KINDS[kind], sequence, title, category,
                       shared.setdefault(types, types))
            for code in codes for kind in kinds for sequence in sequences for title in titles
        )
    return tuple(records)


def facts_path(state: Path, township_code: str) -> Path:
    return Path(state) / FACTS_DIR / f"{township_code}.{FACTS_FORMAT}.pickle"


def write_facts(path: Path, facts: DocumentFacts) -> None:
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    # Compressed: ~300 KB a township raw (its texts and term hashes), 3 GB of state at 10,000 townships.
    tmp.write_bytes(zlib.compress(pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL), 1))
    os.replace(tmp, path)


def read_facts(path: Path) -> DocumentFacts:
    # Only files this build or an earlier one of the same store wrote (the build state is luzhi's own).
    return pickle.loads(zlib.decompress(Path(path).read_bytes()))


def missing_facts(state: Path, township_codes: Iterable[str]) -> list[str]:
    """Documents in the store whose facts are not in the state (built by luzhi before issue 13's facts)."""
    return [code for code in township_codes if not facts_path(state, code).exists()]
