"""The texts a duty may carry from the columns some townships add (docs/data-model.md), in one list.

The ETL keeps them under their properties (etl/to_rdf.py); the search index, a list's table and downloads,
and /compare's reform rows each show them. They read this list, so the five are named, labelled and ordered
the same everywhere: `key` is the search field, the CSV/JSON column and the JSON key; `zh`/`en` label a
table's column or a search hit's field.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import DCTERMS, SKOS

from luzhi.ontology.namespaces import LZ


@dataclass(frozen=True)
class DutyText:
    key: str
    predicate: URIRef
    zh: str
    en: str


# In the order a source table usually has them (二级分类 beside the category, 事项内容 beside the title, …);
# the labels are the duty page's (server/templates/duty.html).
DUTY_TEXTS: tuple[DutyText, ...] = (
    DutyText("subcategory", LZ.subcategory, "二级分类", "Subcategory"),
    DutyText("description", DCTERMS.description, "事项内容", "Description"),
    DutyText("legal_basis", LZ.legalBasis, "法律依据", "Legal basis"),
    DutyText("responsible_office", LZ.responsibleOffice, "责任科室", "Responsible office"),
    DutyText("notes", SKOS.note, "备注", "Notes"),
)
DUTY_TEXT_KEYS: tuple[str, ...] = tuple(text.key for text in DUTY_TEXTS)


def joined(values) -> str:
    """A duty's values of one text, distinct and sorted, one a line ("" for none): a graph keeps no order, and
    a hand-made one may give a duty two (several 备注 columns give it several skos:notes)."""
    return "\n".join(sorted({str(value) for value in values}))
