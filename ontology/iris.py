"""Every instance IRI luzhi mints is minted here (DESIGN.md §2, Identifiers).

IRIs are ASCII, depend only on official codes, list kinds, sequence numbers and slugs of
normalised names, never on row positions or input order, so re-running a build or
re-extracting a document keeps every link stable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from rdflib import URIRef

from luzhi.ontology.types import LineSpan, ListKind

DEFAULT_BASE = "http://127.0.0.1:5000"
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@lru_cache(maxsize=65536)
def slugify(text: str) -> str:
    """ASCII slug of a Chinese name via pinyin: 自然资源局 → zi-ran-zi-yuan-ju.

    Pinyin without tones is ambiguous across names in principle; callers mint slugs from
    *normalised* names and the build reports any collision rather than guessing.
    Cached: a document slugifies the same few hundred names thousands of times (4,257 calls for the
    four samples), and pypinyin was 2.5 of 11 profiled seconds of their build (issue 13).
    """
    # Imported here, not at the top: pypinyin's dictionaries take ~170 ms to import (python -X importtime,
    # issue 9), and every `luzhi` command and server worker imports this module; only the ETL slugifies.
    from pypinyin import lazy_pinyin

    parts = lazy_pinyin(text, errors=lambda chars: list(chars))
    ascii_text = "-".join(p for p in parts if p.strip())
    ascii_text = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return ascii_text or "x"


def normalise_base(base: str) -> str:
    """The one spelling of a deployment base: no trailing slash, so `f"{base}/id/…"` never doubles it.

    `--base https://host/` once built IRIs without the slash but served pages with it, and every
    /id and /doc page answered 404 (issue 9); every holder of a base normalises it here.
    """
    return base.rstrip("/")


def source_key(township_code: str, filename: str) -> str:
    """Where a source document lives under `/source/` and in the build's `sources/` copies: `{code}/{file}`.
    A store built before cold review 21 keeps its documents' copies (and IRIs) under their bare names."""
    if "/" in filename or not filename:  # a Path's `.name` never is: a caller's mistake
        raise ValueError(f"not a file name: {filename!r}")
    return f"{township_code}/{filename}"


@dataclass(frozen=True)
class Iris:
    """IRI factory for one deployment base (no trailing slash), e.g. https://luzhi.example.org."""

    base: str = DEFAULT_BASE

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", normalise_base(self.base))

    def _iri(self, path: str) -> URIRef:
        return URIRef(f"{self.base}/{path}")

    def division(self, code: str) -> URIRef:
        return self._iri(f"id/division/{code}")

    def duty(self, township_code: str, kind: ListKind, sequence: int, occurrence: int = 1) -> URIRef:
        """`occurrence` > 1 only for a 序号 the document uses again in one list: each item keeps its own
        IRI (`…/5`, `…/5-2`) instead of two items silently becoming one duty with two titles, and
        lzsh:SequenceUniqueShape reports both, so the build refuses the document (issue 11, finding 6)."""
        suffix = f"-{occurrence}" if occurrence > 1 else ""
        return self._iri(f"id/duty/{township_code}/{kind.value}/{sequence}{suffix}")

    def duty_list(self, township_code: str, kind: ListKind) -> URIRef:
        return self._iri(f"id/list/{township_code}/{kind.value}")

    def list_section(self, township_code: str, kind: ListKind, category_slug: str) -> URIRef:
        """A category section of one list, carrying its declared count."""
        return self._iri(f"id/list/{township_code}/{kind.value}/{category_slug}")

    def participation(self, duty: URIRef, org_slug: str) -> URIRef:
        """One department's part in one duty (`duty` from `Iris.duty`), with its own responsibility text."""
        return URIRef(f"{duty}/{org_slug}")

    def organisation(self, division_code: str, slug: str) -> URIRef:
        assert _SLUG.match(slug), slug
        return self._iri(f"id/org/{division_code}/{slug}")

    def category(self, slug: str) -> URIRef:
        assert _SLUG.match(slug), slug
        return self._iri(f"id/category/{slug}")

    def category_scheme(self) -> URIRef:
        return self._iri("id/category")

    def kind(self, slug: str) -> URIRef:
        """A duty kind: the same duty across townships (etl/kinds.py)."""
        assert _SLUG.match(slug), slug
        return self._iri(f"id/kind/{slug}")

    def kind_scheme(self) -> URIRef:
        return self._iri("id/kind")

    def source(self, township_code: str, filename: str) -> URIRef:
        """A source document itself (`B/source/{townshipCode}/{file}`), served as published, a text as text/plain so
        `#line=a,b` fragments resolve (RFC 5147).

        Under its township's code: two townships' documents are often published under one name (附件1.docx,
        履行职责事项清单.docx), and `/source/{file}` gave both one IRI, so a batch refused the second and a later
        build with --replace deleted the other township (cold review 21). A township's several files (one a list)
        keep their own names under its code. The file name is percent-encoded (RFC 3986 §2.1): a name with a
        space, `#` or `?` made an invalid IRI that stopped the whole build, and a Chinese one (额敏镇履职清单.txt,
        the usual case) broke the shapes' ASCII-only rule for instance IRIs (cold review)."""
        return self._iri(f"source/{quote(source_key(township_code, filename), safe='/')}")

    def source_lines(self, township_code: str, filename: str, span: LineSpan) -> URIRef:
        return URIRef(f"{self.source(township_code, filename)}#{span.rfc5147()}")

    def source_fragment(self, township_code: str, filename: str, fragment: str) -> URIRef:
        """A place in a source of any format: `line=a,b` in text, `page=3&table=1&row=5` in a PDF
        (ParsedDocument.fragment, docs/parsing.md)."""
        return URIRef(f"{self.source(township_code, filename)}#{fragment}")

    def is_source_place(self, iri: str) -> bool:
        """Whether `iri` names a place in one of our source documents (`source_fragment`). The build states
        nothing about a place, only that a duty was derived from it (etl/to_rdf.py), so a page needs no
        lookup of its labels (issue 13: ~3 block reads per duty page at 10,000 townships)."""
        return iri.startswith(f"{self.base}/source/") and "#" in iri

    def graph(self, township_code: str) -> URIRef:
        """The named graph holding one township document's triples."""
        return self._iri(f"graph/{township_code}")

    def shared_graph(self) -> URIRef:
        """The one named graph of resources several townships share (divisions above the township,
        departments, categories): stated once, so the union default graph counts each triple once."""
        return self._iri("graph/shared")

    def kinds_graph(self) -> URIRef:
        """The named graph holding the duty kinds and every duty's link to its kind (shared by all townships)."""
        return self._iri("graph/kinds")

    def statistics_graph(self) -> URIRef:
        """The one store-wide graph of counts the build writes last (store/statistics.py, issue 13)."""
        return self._iri("graph/statistics")

    def build(self, digest: str) -> URIRef:
        return self._iri(f"id/build/{digest}")

    def dataset(self) -> URIRef:
        return self._iri("id/dataset")

    def sparql_endpoint(self) -> URIRef:
        return self._iri("sparql")

    # Documents the server publishes about the dataset (server/void_description.py, issue 11: that
    # module spelled about fifteen of these by hand as f"{base}/…").

    def home(self) -> URIRef:
        return self._iri("")

    def id_space(self) -> str:
        """Where every minted resource IRI starts (`void:uriSpace`)."""
        return f"{self.base}/id/"

    def graph_space(self) -> str:
        """Where every township's named graph IRI starts."""
        return f"{self.base}/graph/"

    def void(self, part: str | None = None) -> URIRef:
        """The VoID/DCAT document, or a resource described only in it (`#publisher`, `#class-lz-Duty`)."""
        return self._iri(".well-known/void" + (f"#{part}" if part else ""))

    def dump(self, name: str) -> URIRef:
        return self._iri(f"dumps/{name}")

    def graph_file(self, township_code: str, extension: str) -> URIRef:
        """One township's named graph as a file (`/graph/{code}.ttl`): a dataset's distribution."""
        return self._iri(f"graph/{township_code}.{extension}")

    def search_lookup(self) -> URIRef:
        """`void:uriLookupEndpoint`: the search, answering JSON, with the text to append."""
        return self._iri("search.json?q=")

    def page_of(self, iri: str) -> URIRef:
        """The page about one of our `/id/…` resources: `/doc/…` (Cool URIs, 303 from /id)."""
        prefix = self.id_space()
        if not iri.startswith(prefix):
            raise ValueError(f"not a resource under {prefix}: {iri}")
        return self._iri("doc/" + iri[len(prefix):])
