"""Render a `ValidationReport`: readable text (zh or en), JSON, or a standard `sh:ValidationReport` in Turtle.

The Turtle report is rebuilt from our dataclasses rather than passed through from pySHACL, so
it is the same whichever process or engine produced the results. One deliberate difference
from the letter of SHACL §3.6.1: `sh:conforms` is true when there is no Violation (Warnings and
Infos do not fail a submission), exactly what pySHACL's `allow_warnings`/`allow_infos` report.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.util import from_n3

from luzhi.ontology.iris import DEFAULT_BASE
from luzhi.ontology.namespaces import SH, bind_prefixes
from luzhi.ontology.places import describe_place
from luzhi.shapes.validate import SHAPES_NS, Notice, Severity, ValidationReport, ValidationResult, load_shapes

SEVERITY_WORDS = {
    "zh": {Severity.VIOLATION: "违规", Severity.WARNING: "警告", Severity.INFO: "提示"},
    "en": {Severity.VIOLATION: "Violation", Severity.WARNING: "Warning", Severity.INFO: "Info"},
}
_WORDS = {
    "zh": {"conforms": "符合规则（没有违规）", "fails": "不符合规则", "lines": "第 {a}–{b} 行", "line": "第 {a} 行",
           "notices": "说明", "path": "属性", "value": "值",
           "triples": "个三元组", "colon": "：", "open": "（", "close": "）", "and": "；", "at": "（{place}）"},
    "en": {"conforms": "conforms (no Violation)", "fails": "does not conform", "lines": "lines {a}–{b}",
           "line": "line {a}", "notices": "Notices",
           "path": "path", "value": "value", "triples": "triples", "colon": ": ", "open": " (", "close": ")",
           "and": "; ", "at": " [{place}]"},
}


@lru_cache(maxsize=1)
def shape_labels() -> dict[str, dict[str, str]]:
    """Shape IRI → {lang: rdfs:label}, for headings a clerk can read."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for shape, label in load_shapes(DEFAULT_BASE).subject_objects(RDFS.label):
        if isinstance(label, Literal) and label.language:
            labels[str(shape)][label.language] = str(label)
    return dict(labels)


def shape_label(shape: str, lang: str) -> str:
    return shape_labels().get(shape, {}).get(lang) or shape.removeprefix(SHAPES_NS)


def where(result: ValidationResult | Notice, lang: str) -> str:
    """Where a result or a notice is in its source: lines of a text (第 163 行), else the place in the Word,
    Excel, PDF or HTML file (表 14 第 4 行): the lines of the text extracted from such a file mean nothing to
    the person who opens it (cold review)."""
    place = result.place
    if place is not None:
        return describe_place(place, lang) or ""
    if result.lines is None:
        return ""
    words = _WORDS[lang]
    if result.lines.first == result.lines.last:
        return words["line"].format(a=result.lines.first)
    return words["lines"].format(a=result.lines.first, b=result.lines.last)


def grouped(report: ValidationReport) -> list[tuple[str, list[ValidationResult]]]:
    """Results grouped by focus node (the item a clerk fixes), in source order."""
    groups: dict[str, list[ValidationResult]] = {}
    for result in report.results:
        groups.setdefault(result.focus, []).append(result)
    return list(groups.items())


def places(results: list[ValidationResult], lang: str) -> tuple[str | None, list[str]]:
    """A group's one place when its results share it, else each result's own (a list's count has none, its
    unread row has its line: the page showed the first result's place only and lost the row's, cold review)."""
    each = [where(result, lang) for result in results]
    if len(set(each)) == 1:
        return each[0] or None, [""] * len(each)
    return None, each


def shown_value(result: ValidationResult) -> str | None:
    """The value worth printing beside a result: not the focus itself, nor the source place its line already
    says (an unread row's value is `…/source/…#line=24,25`, a URL a clerk validating a local file never loads).
    The HTML report shows it as the text report does."""
    value = result.value
    # A Word, Excel, PDF or HTML source keeps its place in `source` (`…docx#table=1&row=12`): a value naming a place in
    # the same document is said by the place too (cold review 32: `值 file:///…/14_docx_one_table_subtotal…`).
    if value is None or value == result.focus or (
            result.source and "#" in value and value.partition("#")[0] == result.source.partition("#")[0]):
        return None
    shown = value if len(value) <= 60 else value[:57] + "…"
    # A text in quotes, an IRI bare: `值 abc 和 属性 …` read the value into the sentence, `值` of "" read nothing.
    return f"“{shown}”" if (result.value_n3 or "").startswith('"') else shown


def render_text(report: ValidationReport, lang: str = "zh") -> str:
    words, severity = _WORDS[lang], SEVERITY_WORDS[lang]
    colon, opened, closed = words["colon"], words["open"], words["close"]
    verdict = words["conforms"] if report.conforms else words["fails"]
    out = [f"{report.label or '-'}{colon}{verdict} — {report.counts_text(lang)}"
           f"{opened}{report.triples} {words['triples']}{closed}"]
    for focus, results in grouped(report):
        shared, own = places(results, lang)
        out.append("")
        out.append(f"{focus}" + (f"  {words['at'].format(place=shared).strip()}" if shared else ""))
        for result, place in zip(results, own, strict=True):
            detail = [place] if place else []
            if result.path:
                detail.append(f"{words['path']} {result.path}")
            if value := shown_value(result):
                detail.append(f"{words['value']} {value}")
            suffix = f"{opened}{words['and'].join(detail)}{closed}" if detail else ""
            out.append(f"  {severity[result.severity]} · {shape_label(result.shape, lang)}{colon}"
                       f"{result.message(lang)}{suffix}")
    if report.notices:
        out.append("")
        out.append(f"{words['notices']}{colon.rstrip()}")
        for notice in report.notices:
            place = where(notice, lang)
            level = f"{severity[notice.severity]} · " if notice.severity is not Severity.INFO else ""
            out.append(f"  - {level}{notice.message(lang)}" + (words["at"].format(place=place) if place else ""))
    return "\n".join(out) + "\n"


def report_dict(report: ValidationReport) -> dict:
    """The JSON shape (documented in docs/validation.md)."""
    return {
        "file": report.label or None,
        "conforms": report.conforms,
        "triples": report.triples,
        "counts": {s.value: report.count(s) for s in Severity},
        "results": [
            {
                "focusNode": r.focus,
                "severity": r.severity.value,
                "sourceShape": r.shape,
                "shapeLabel": {"zh": shape_label(r.shape, "zh"), "en": shape_label(r.shape, "en")},
                "sourceConstraintComponent": r.component,
                "resultPath": r.path,
                "value": r.value,
                "message": {"zh": r.message_zh, "en": r.message_en},
                "source": r.source,
                "lines": None if r.lines is None else [r.lines.first, r.lines.last],
                **_place_dict(r),
            }
            for r in report.results
        ],
        "notices": [
            {"code": n.code, "severity": n.severity.value, "message": {"zh": n.message_zh, "en": n.message_en},
             "lines": None if n.lines is None else [n.lines.first, n.lines.last], **_place_dict(n)}
            for n in report.notices
        ],
    }


def _place_dict(item: ValidationResult | Notice) -> dict:
    """`place`: the fragment and its words in a Word, Excel, PDF or HTML source, or None for text (its `lines`)."""
    place = item.place
    if place is None:
        return {"place": None}
    return {"place": {"fragment": place, "zh": describe_place(place, "zh"), "en": describe_place(place, "en")}}


def report_graph(report: ValidationReport) -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    graph.bind("lzsh", SHAPES_NS)
    root = BNode()
    graph.add((root, RDF.type, SH.ValidationReport))
    graph.add((root, SH.conforms, Literal(report.conforms)))
    for r in report.results:
        node = BNode()
        graph.add((root, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, BNode(r.focus[2:]) if r.focus.startswith("_:") else URIRef(r.focus)))
        graph.add((node, SH.resultSeverity, r.severity.iri))
        graph.add((node, SH.sourceShape, URIRef(r.shape)))
        graph.add((node, SH.sourceConstraintComponent, URIRef(r.component)))
        if r.path and r.path.startswith(("http:", "https:")):
            graph.add((node, SH.resultPath, URIRef(r.path)))
        if r.value_n3:
            graph.add((node, SH.value, from_n3(r.value_n3)))
        graph.add((node, SH.resultMessage, Literal(r.message_zh, lang="zh")))
        graph.add((node, SH.resultMessage, Literal(r.message_en, lang="en")))
    return graph


def render_turtle(report: ValidationReport) -> str:
    return report_graph(report).serialize(format="turtle")
