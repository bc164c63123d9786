"""The data-quality report: what each document declared, what was parsed, and every inconsistency.

`luzhi build --report FILE` writes it as JSON (`BuildReport.to_json`); `render_summary` is the
readable version printed on the terminal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace

from rich.table import Table

from luzhi.etl.divisions import DivisionChain
from luzhi.etl.model import WARNING, Issue, ListKind, ParsedDocument
from luzhi.ontology.places import describe_place_bilingual, describe_span
from luzhi.shapes.validate import Severity


@dataclass(frozen=True)
class ListReport:
    kind: str
    declared: int | None  # the list title's count, else the sum of the category headings' counts if all declare one
    parsed: int
    categories: tuple[dict, ...]


@dataclass(frozen=True)
class DocumentReport:
    file: str
    sha256: str
    title: str
    township_code: str
    township: dict
    lists: tuple[ListReport, ...]
    merged_rows: int
    duplicate_pages_skipped: tuple[tuple[int, int], ...]
    department_merges: tuple[dict, ...]
    issues: tuple[dict, ...]
    validation: dict = field(default_factory=dict)

    def with_validation(self, verdict) -> DocumentReport:
        """Add the SHACL verdict (a `luzhi.shapes.validate.ValidationReport`) as counts per severity."""
        counts = {severity.value.lower(): verdict.count(severity) for severity in Severity}
        return replace(self, validation={"conforms": verdict.conforms, **counts})

    def to_dict(self) -> dict:
        return asdict(self)


def _issue_dict(issue: Issue, locations: tuple[str, ...] = ()) -> dict:
    """`message` stays the Chinese string the report always had (integrators read it); `message_en` was added.
    `place`: where the issue is in a Word, Excel, PDF or HTML file (`table=2&row=5`, ontology/places.py), whose
    `lines` count the lines read out of it; None for a text, whose `lines` are its own."""
    return {
        "code": issue.code,
        "severity": issue.severity,
        "message": issue.message,
        "message_en": issue.message_en,
        "list": issue.list_kind.value if issue.list_kind else None,
        "lines": [issue.lines.first, issue.lines.last] if issue.lines else None,
        "place": describe_span(locations, issue.lines.first, issue.lines.last) if issue.lines and locations else None,
    }


def declared_total(doc: ParsedDocument, kind: ListKind) -> int | None:
    """The count a list declares: its title's (…清单（109项）), else the sum of its category headings'
    when every heading declares one; also the list's lz:declaredCount (etl/to_rdf.py)."""
    total = next((c.declared for c in doc.list_counts if c.list_kind is kind), None)
    declared = [c.declared for c in doc.category_counts if c.list_kind is kind]
    if total is None and declared and all(v is not None for v in declared):
        total = sum(declared)
    return total


def document_report(doc: ParsedDocument, chain: DivisionChain, built=None, *,
                    kinds: Iterable[ListKind] = tuple(ListKind)) -> DocumentReport:
    """Summarise one document; `built` is the `DocumentGraph` from etl.to_rdf (None: not built yet, pass 1 left
    it for its township's other files, etl/stage.py). `kinds`: the lists reported (one of a township's several
    files reports those it holds)."""
    lists = []
    for kind in kinds:
        items = doc.items_of(kind)
        parsed = Counter(item.category for item in items)
        declared = {c.category: c.declared for c in doc.category_counts if c.list_kind is kind}
        names = list(dict.fromkeys([*declared, *(i.category for i in items if i.category)]))
        categories = tuple(
            {"category": name, "declared": declared.get(name), "parsed": parsed.get(name, 0)} for name in names
        )
        lists.append(ListReport(kind.value, declared_total(doc, kind), len(items), categories))
    return DocumentReport(
        file=doc.path.rsplit("/", 1)[-1],
        sha256=doc.sha256,
        title=doc.title,
        township_code=chain.township.code,
        township={d.level: {"code": d.code, "name": d.name} for d in chain.divisions},
        lists=tuple(lists),
        merged_rows=doc.merged_rows,
        duplicate_pages_skipped=tuple((s.first, s.last) for s in doc.skipped_duplicate_pages),
        department_merges=tuple(built.department_merges) if built else (),
        issues=tuple(_issue_dict(i, doc.locations) for i in (*doc.issues, *(built.issues if built else ()))),
    )


def report_json(reports, kinds: dict | None = None) -> dict:
    """The whole report; `kinds` is `etl.kinds_rdf.kinds_report` (counts and every unmatched duty)."""
    return {"documents": [r.to_dict() for r in reports], **({"kinds": kinds} if kinds is not None else {})}


DOCUMENT_ROW = "全文 document"  # the 清单 column of the row holding the issues of no one list
SUMMARY_ROWS = 50  # documents printed one by one; a larger build is summed up (its --report lists each)


def render_summary(reports, console) -> None:
    """A rich table per build: one row per document and list, then the issues by code. Past
    SUMMARY_ROWS documents (a national build has 38,700), one row per list kind over all documents:
    tens of thousands of rows help nobody on a terminal, and `--report FILE` keeps each one."""
    reports = list(reports)
    if len(reports) > SUMMARY_ROWS:
        _render_totals(reports, console)
        return
    table = Table(title="luzhi build")
    columns = ("文件 file", "乡镇 township", "代码 code", "清单 list", "声明 declared", "解析 parsed", "问题 issues")
    for column in columns:
        table.add_column(column)
    for report in reports:
        kinds = {lst.kind for lst in report.lists}
        # An issue of one list on that list's row (cold review: a cooperative count-mismatch showed on the basic
        # row); the document's own issues (department-type-unknown …) on a row of their own, not a list's (polish 22).
        rows = [(lst.kind, "" if lst.declared is None else str(lst.declared), str(lst.parsed),
                 Counter(issue["code"] for issue in report.issues if issue.get("list") == lst.kind))
                for lst in report.lists]
        whole = Counter(issue["code"] for issue in report.issues if issue.get("list") not in kinds)
        if whole:
            rows.append((DOCUMENT_ROW, "", "", whole))
        for i, (kind, declared, parsed, issue_counts) in enumerate(rows):
            table.add_row(
                report.file if i == 0 else "",
                _township_label(report) if i == 0 else "",
                report.township_code if i == 0 else "",
                kind,
                declared,
                parsed,
                _issue_text(issue_counts),
            )
    console.print(table)
    for line in warning_lines(reports):
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def warning_lines(reports) -> list[str]:
    """Each Warning-level issue of the build (a duty's row that was not read …) on a line of its own, naming its file
    and line (or its place in a Word, Excel, PDF or HTML file): in the table it was one count among many notices."""
    lines = []
    for report in reports:
        for issue in report.issues:
            if issue.get("severity") != WARNING:
                continue
            where = f":{issue['lines'][0]}" if issue["lines"] and not issue["place"] else ""
            place = f" （{describe_place_bilingual(issue['place']) or issue['place']}）" if issue["place"] else ""
            lines.append(f"警告 Warning · {report.file}{where}{place}: {issue['code']}: {issue['message']} / "
                         f"{issue['message_en']}")
    return lines


def _township_label(report: DocumentReport) -> str:
    """The township the document was loaded as, from the division table: with `--township-code` its title may be
    missing or name no place (cold review: the column was empty), and the table should say where it went."""
    return "".join(division["name"] for division in report.township.values()) or report.title


def _render_totals(reports, console) -> None:
    """Declared and parsed are summed over the lists that declare a count, so the two compare (cold
    review: declared over 36 lists beside parsed over 60 read as 3,678 vs 6,184); parsed over all beside."""
    table = Table(title=f"luzhi build: {len(reports)} documents (one row each: --report FILE)")
    for column in ("清单 list", "文件 documents", "有声明 declaring", "声明 declared", "其解析 parsed of those",
                   "声明≠解析 declared≠parsed", "解析合计 parsed, all"):
        table.add_column(column)
    by_kind: dict[str, list] = {}
    for report in reports:
        for lst in report.lists:
            by_kind.setdefault(lst.kind, []).append(lst)
    for kind, lists in by_kind.items():
        declaring = [lst for lst in lists if lst.declared is not None]
        differing = sum(1 for lst in declaring if lst.declared != lst.parsed)
        table.add_row(kind, str(len(lists)), str(len(declaring)), str(sum(lst.declared for lst in declaring)),
                      str(sum(lst.parsed for lst in declaring)), str(differing), str(sum(lst.parsed for lst in lists)))
    console.print(table)
    issues = Counter(i["code"] for report in reports for i in report.issues)
    if issues:
        console.print(f"问题 issues: {_issue_text(issues)}", markup=False, highlight=False, soft_wrap=True)
    warnings = sum(1 for report in reports for i in report.issues if i.get("severity") == WARNING)
    if warnings:
        console.print(f"警告 warnings: {warnings}（每一条见 --report FILE / each in --report FILE）", markup=False,
                      highlight=False, soft_wrap=True)


def _issue_text(counts: Counter) -> str:
    return ", ".join(f"{code}×{n}" for code, n in sorted(counts.items()))
