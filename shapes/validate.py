"""pySHACL → our own `ValidationReport`: the one verdict `luzhi build`, `luzhi validate` and `/validate` share.

pySHACL returns `(conforms, report_graph, report_text)` where the graph may be an exception
(STYLE.md: pyshacl/entrypoints.py); nothing outside this module sees that shape. Results are
frozen dataclasses, picklable, so a worker process can send them back (`luzhi.server.validation.worker`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache
from importlib import resources

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF
from rdflib.term import Node

from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import LZ, SH
from luzhi.ontology.places import describe_place
from luzhi.ontology.triples import TripleSet
from luzhi.ontology.types import LineSpan

SHAPES_NS = "https://w3id.org/luzhi/shapes#"
BASE_SHAPE = URIRef(SHAPES_NS + "InstanceIriShape")
CATEGORY_SHAPE = URIRef(SHAPES_NS + "DeploymentCategoryShape")
SHAPE_FILES = ("core.shapes.ttl", "completeness.shapes.ttl", "vocabulary.shapes.ttl")
_LINE_FRAGMENT = re.compile(r"#line=(\d+),(\d+)$")


class Severity(StrEnum):
    """SHACL severities; only a Violation makes a submission fail (issue 4)."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"

    @property
    def iri(self) -> URIRef:
        return SH[self.value]

    @classmethod
    def from_iri(cls, iri: Node) -> Severity:
        local = str(iri).removeprefix(str(SH))
        return cls(local) if local in {s.value for s in cls} else cls.VIOLATION  # custom severities count as Violations


@dataclass(frozen=True)
class ValidationResult:
    """One `sh:ValidationResult`, with both messages and, when the data says so, its source lines."""

    focus: str  # IRI, or `_:id` for a blank node
    severity: Severity
    shape: str  # the source shape IRI (property shapes have their own IRIs in shapes/*.ttl)
    component: str  # sh:sourceConstraintComponent
    path: str | None = None
    value: str | None = None  # lexical form or IRI of sh:value
    value_n3: str | None = None  # the same term in N-Triples syntax, to rebuild the report graph
    message_zh: str = ""
    message_en: str = ""
    # The source document IRI (prov:wasDerivedFrom): without its `#line=` fragment when that gave `lines`, with
    # its fragment when it names a place in a Word, Excel, PDF or HTML file (`source_lines`).
    source: str | None = None
    lines: LineSpan | None = None  # 1-based inclusive lines in `source`

    def message(self, lang: str) -> str:
        return self.message_zh if lang == "zh" else self.message_en

    @property
    def place(self) -> str | None:
        """The place in a Word, Excel, PDF or HTML source as its fragment (`table=14&row=4`), when the source IRI
        keeps one that is a place we write (ontology/places.py); None for a text's lines or no place. The report
        (shapes/report.py) and the build's refusals (etl/stage.py) both show it."""
        if self.lines is not None or not self.source or "#" not in self.source:
            return None
        fragment = self.source.partition("#")[2]
        return fragment if describe_place(fragment, "en") is not None else None


@dataclass(frozen=True)
class Notice:
    """Something about the submission that is not a SHACL result: ignored owl:imports, ETL issues."""

    code: str
    message_zh: str
    message_en: str
    lines: LineSpan | None = None  # lines of a text source
    place: str | None = None  # or the place in a Word, Excel, PDF or HTML file, as a fragment (table=2&row=5)
    severity: Severity = Severity.INFO  # an ETL issue's (etl/model.py `Issue`): a Warning where a duty may be missing

    def message(self, lang: str) -> str:
        return self.message_zh if lang == "zh" else self.message_en


@dataclass(frozen=True)
class ValidationReport:
    results: tuple[ValidationResult, ...]
    notices: tuple[Notice, ...] = ()
    triples: int = 0
    label: str = ""  # what was validated: a file name, "upload" …

    @property
    def conforms(self) -> bool:
        """No Violation. Warnings and Infos are for the clerk, not a reason to refuse the data."""
        return not any(r.severity is Severity.VIOLATION for r in self.results)

    def count(self, severity: Severity) -> int:
        return sum(1 for r in self.results if r.severity is severity)

    def counts_text(self, lang: str = "zh") -> str:
        """`1 个违规，3 个警告，0 个提示` / `1 violation, 3 warnings, 0 infos`: the reports' and build logs' counts."""
        v, w, i = (self.count(severity) for severity in (Severity.VIOLATION, Severity.WARNING, Severity.INFO))
        if lang == "zh":
            return f"{v} 个违规，{w} 个警告，{i} 个提示"
        return f"{v} violation{'s'[: v != 1]}, {w} warning{'s'[: w != 1]}, {i} info{'s'[: i != 1]}"

    def summary(self, lang: str = "zh") -> str:
        """One line for build logs: the counts and the first few Violations."""
        head = self.counts_text(lang)
        first = [r for r in self.results if r.severity is Severity.VIOLATION][:3]
        details = "; ".join(f"{r.focus}: {r.message(lang)}" for r in first)
        return f"{head}" + (f" — {details}" if details else "")

    def with_notices(self, notices: tuple[Notice, ...], label: str = "") -> ValidationReport:
        return ValidationReport(self.results, self.notices + notices, self.triples, label or self.label)

    def with_source(self, prefix: str, iri: str) -> ValidationReport:
        """Each source IRI (and source place given as a value) under `prefix` named `iri` instead, keeping its
        `#` place: a submission's document is validated and forgotten, so the `{base}/source/…` the ETL mints
        for it is a 404 that looked like a link (cold review: POST /validate said `…/source/210381121/upload`)."""
        def renamed(text: str | None) -> str | None:
            if text is None or not text.startswith(prefix):
                return text
            place = text.partition("#")[2]
            return f"{iri}#{place}" if place else iri

        results = tuple(
            replace(r, source=renamed(r.source), value=renamed(r.value),
                    value_n3=f"<{renamed(r.value)}>" if r.value != renamed(r.value) else r.value_n3)
            for r in self.results)
        return ValidationReport(results, self.notices, self.triples, self.label)


@lru_cache(maxsize=1)
def _shape_turtle() -> tuple[str, ...]:
    folder = resources.files("luzhi") / "shapes"
    return tuple((folder / name).read_text(encoding="utf-8") for name in SHAPE_FILES)


def load_shapes(base: str) -> Graph:
    """All shapes, with the deployment base's patterns added to lzsh:InstanceIriShape and DeploymentCategoryShape."""
    graph = Graph()
    for text in _shape_turtle():
        graph.parse(data=text, format="turtle")
    # Printable ASCII after "{base}/": IRIs are ASCII (DESIGN.md §2). XPath regex, so no \A or lookahead.
    graph.add((BASE_SHAPE, SH.pattern, Literal(f"^{re.escape(Iris(base).base)}/[!-~]*$")))
    # The slugs `Iris.category` mints (vocabulary.shapes.ttl, lzsh:Duty-category).
    graph.add((CATEGORY_SHAPE, SH.pattern,
               Literal(f"^{re.escape(str(Iris(base).category_scheme()))}/[a-z0-9]+(-[a-z0-9]+)*$")))
    return graph


def validate_graph(graph: Graph | TripleSet, base: str, *, label: str = "", shapes: Graph | None = None,
                   ) -> ValidationReport:
    """Validate one graph against every shape (or `shapes`, another shapes graph) with pySHACL.

    owl:imports are never followed and no inference runs: a submission must never make us fetch
    anything, and the ETL already writes every type triple the shapes need.
    """
    # Imported here: pyshacl takes ~115 ms to import (python -X importtime, issue 9) and the CLI,
    # the server and the build all import this module; only a validation needs it.
    from pyshacl import validate

    shapes = load_shapes(base) if shapes is None else shapes
    data = _PreparedQueryGraph()
    for triple in graph:
        data.add(triple)
    _, report_graph, _ = validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=False,  # SHACL-SPARQL (constraints, custom components) is core SHACL; no SHACL-AF
        do_owl_imports=False,
        allow_warnings=True,
        allow_infos=True,
        inplace=True,  # `data` is our own copy
    )
    if not isinstance(report_graph, Graph):  # pySHACL hands back an exception in some modes
        raise RuntimeError(f"pySHACL failed: {report_graph!r}")
    results = tuple(sorted(_results(report_graph, graph, shapes, Iris(base).base), key=order_key))
    return ValidationReport(results, triples=len(graph), label=label)


@lru_cache(maxsize=256)
def _prepared(query: str):
    # Imported here: rdflib's SPARQL engine takes ~70 ms to import (python -X importtime, issue 9).
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(query)


class _PreparedQueryGraph(Graph):
    """A Graph that parses each distinct SPARQL text once.

    pySHACL sends a SPARQL constraint's text once per focus node, and rdflib re-parses it every
    time (~10 ms each with pyparsing): a third of a township's validation. Prepared queries
    still take `initBindings`, so results are unchanged.
    """

    def query(self, query_object, *args, **kwargs):
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


def order_key(result: ValidationResult) -> tuple:
    first = result.lines.first if result.lines else 0
    return (result.source or "", first, result.focus, list(Severity).index(result.severity), result.shape,
            result.path or "", result.value or "")


def _results(report: Graph, data: Graph | TripleSet, shapes: Graph, base: str):
    # Only the report's own sh:result: pySHACL also types the nested results of sh:node (and
    # sh:qualifiedValueShape) as sh:ValidationResult, under sh:detail, which are not results (SHACL §3.6.2).
    for node in report.objects(None, SH.result):
        focus = report.value(node, SH.focusNode)
        value = report.value(node, SH.value)
        path = report.value(node, SH.resultPath)
        shape = report.value(node, SH.sourceShape)
        messages = _messages(list(report.objects(node, SH.resultMessage)), shapes, shape)
        fill = {"{$this}": term_text(focus), "{$base}": base, "{$value}": term_text(value)}
        messages = {lang: fill_placeholders(text, fill) for lang, text in messages.items()}
        source, lines = source_lines(data, focus, value)
        yield ValidationResult(
            focus=term_text(focus),
            severity=Severity.from_iri(report.value(node, SH.resultSeverity)),
            shape=term_text(shape),
            component=term_text(report.value(node, SH.sourceConstraintComponent)),
            path=term_text(path) if isinstance(path, URIRef) else (None if path is None else "(complex path)"),
            value=None if value is None else term_text(value),
            value_n3=None if value is None else value.n3(),
            message_zh=messages.get("zh", ""),
            message_en=messages.get("en", ""),
            source=source,
            lines=lines,
        )


def _messages(found: list[Node], shapes: Graph, shape: Node | None) -> dict[str, str]:
    """The result's messages by language.

    pySHACL drops the language tag of a SPARQL constraint's message once it has filled in its
    `{?var}` templates, so untagged messages are matched back to the shape's tagged templates.
    It also leaves `{$this}`, `{$value}` and custom parameters such as `{$base}` unfilled in
    core-constraint and custom-component messages; the caller fills those.
    """
    by_lang = {m.language: str(m) for m in found if isinstance(m, Literal) and m.language}
    untagged = [str(m) for m in found if not (isinstance(m, Literal) and m.language)]
    templates = [m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal) and m.language]
    for template in templates:
        if template.language in by_lang:
            continue
        pattern = re.compile(
            "".join("(.*?)" if re.fullmatch(r"\{[?$]\w+\}", part) else re.escape(part)
                    for part in re.split(r"(\{[?$]\w+\})", str(template)))
        )
        for text in untagged:
            if pattern.fullmatch(text):
                by_lang[template.language] = text
                untagged.remove(text)
                break
    if untagged:  # nothing to match against (a message from a constraint component): use it for both
        by_lang.setdefault("zh", untagged[0])
        by_lang.setdefault("en", untagged[-1])
    return by_lang


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def term_text(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def source_lines(data: Graph | TripleSet, focus: Node | None, value: Node | None = None,
                 ) -> tuple[str | None, LineSpan | None]:
    """The source document and lines of a focus node, read from `prov:wasDerivedFrom <…#line=a,b>`.

    A participation has no provenance of its own: it borrows its duty's (lz:participation). A
    result whose focus is a township or a list (the per-list rules) takes the lines of its value, the duty:
    a list is derived from its whole source, no lines, and that no longer hides its duty's (a row cut short).
    """
    if focus is None:
        return None, None
    candidates = [focus, *data.subjects(LZ.participation, focus)]
    if value is not None and (focus, RDF.type, LZ.Duty) not in data:
        candidates.append(value)
    whole = None  # a source without a place, if no candidate has one
    for node in candidates:
        # A list's unread row (lzsh:UnreadRowShape): the value is itself the place in the source.
        unread = node is value and isinstance(value, URIRef) and (focus, LZ.unreadRow, value) in data
        for derived in (value,) if unread else data.objects(node, PROV.wasDerivedFrom):
            match = _LINE_FRAGMENT.search(str(derived))
            if match:
                # RFC 5147 counts line boundaries from 0: `line=2,5` is lines 3..5 (etl.model.LineSpan).
                start, end = int(match.group(1)), int(match.group(2))
                return str(derived)[: match.start()], LineSpan(start + 1, max(end, start + 1))
            if "#" in str(derived):  # a place in a Word, Excel, PDF or HTML file (shapes/report.py words it)
                return str(derived), None
            whole = whole or str(derived)
    return whole, None
