"""ParsedDocument → RDF triples for one township document (docs/data-model.md is the contract).

Pure: no store, no files. The triples depend only on the document's content, its resolved
division chain and the base IRI, so two builds of the same input give identical graphs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache, partial

from rdflib import XSD, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS

from luzhi.etl.categories import Category, merge_categories
from luzhi.etl.department_phrases import LEAD, SUPPORT
from luzhi.etl.departments import DepartmentCell, DepartmentRegistry, department_mentions
from luzhi.etl.divisions import DivisionChain
from luzhi.etl.model import UNREAD_ROWS, WARNING, DutyItem, Issue, ListKind, ParsedDocument
from luzhi.etl.report import declared_total
from luzhi.etl.responsibilities import split_responsibility, unlisted_departments
from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import CV, LZ
from luzhi.ontology.triples import TripleSet

LIST_TYPE = {
    ListKind.BASIC: LZ.BasicList,
    ListKind.COOPERATIVE: LZ.CooperativeList,
    ListKind.RECLAIMED: LZ.ReclaimedList,
}
LIST_TITLE = {
    ListKind.BASIC: "基本履职事项清单",
    ListKind.COOPERATIVE: "配合履职事项清单",
    ListKind.RECLAIMED: "上级部门收回事项清单",
}
LIST_TITLE_EN = {
    ListKind.BASIC: "basic duty list",
    ListKind.COOPERATIVE: "cooperative duty list",
    ListKind.RECLAIMED: "reclaimed duty list",
}
ROLE = {LEAD: LZ.LeadRole, SUPPORT: LZ.SupportingRole}  # org:role of a participation (牵头 / 配合 …)
LEVEL_CLASS = {"province": LZ.Province, "prefecture": LZ.Prefecture, "county": LZ.County, "township": LZ.Township}


# Literals cached (bounded; they are immutable): rdflib checks the language tag and casts the value in
# every `Literal(…)`, ~15 µs, for ~1,500 literals a document; a duty's title is both its dct:title and
# its label, 序号 and counts recur in every list, department names and category labels in every document.
# 4,096 at most: some are responsibility texts of a few KB, so a worker holds ≤ ~16 MB of them.
@lru_cache(maxsize=1 << 12)
def zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def en(text: str) -> Literal:
    return Literal(text, lang="en")


@lru_cache(maxsize=1 << 12)
def integer(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


# rdflib's DefinedNamespaces (RDF, RDFS, DCTERMS, PROV) make and check a new URIRef on every attribute
# read; the duty loop reads these ~20 times a duty (156,170 reads for 24 townships in a profile).
_TYPE, _LABEL, _TITLE, _DERIVED_FROM = RDF.type, RDFS.label, DCTERMS.title, PROV.wasDerivedFrom
_DESCRIPTION, _NOTE = DCTERMS.description, SKOS.note
_TRUE = Literal(True)


@dataclass(frozen=True)
class DocumentGraph:
    """One document's triples and what building them taught us (for the data-quality report)."""

    township_code: str
    graph: TripleSet  # `graph.graph()` for an rdflib Graph
    issues: tuple[Issue, ...]
    department_merges: tuple[dict, ...]


@dataclass(frozen=True)
class SourcePart:
    """One file of a township's document. Most townships publish one file holding the three lists; some publish
    one file a list, each under the township's title (docs/build.md, "One township, several files")."""

    doc: ParsedDocument
    filename: str  # as published: its source IRI's last segment, its labels, the department notes


def document_graph(
    doc: ParsedDocument, chain: DivisionChain, iris: Iris, *, filename: str, build_iri: URIRef
) -> DocumentGraph:
    """Every triple derived from one document: duties, lists, divisions, departments, categories, provenance."""
    return township_graph((SourcePart(doc, filename),), chain, iris, build_iri=build_iri)


def township_graph(parts: tuple[SourcePart, ...], chain: DivisionChain, iris: Iris, *, build_iri: URIRef,
                   ) -> DocumentGraph:
    """`document_graph` of a document in several files (their lists disjoint, etl/claims.py): one township graph,
    read as one document (one department registry, one set of categories), each duty and list derived from
    its own file and lines."""
    graph = TripleSet()
    township = chain.township
    county = chain.department_home
    registry = DepartmentRegistry()
    issues: list[Issue] = []
    items = [item for part in parts for item in part.doc.items]
    part_of = {item: part for part in parts for item in part.doc.items}
    categories = merge_categories(item.category for item in items if item.category)

    # Departments first: their IRIs depend on the merged spellings of the whole document.
    def separators(part: SourcePart) -> str:
        return part.doc.layout.department_separators if part.doc.layout is not None else ""

    def section(item: DutyItem):
        layout = part_of[item].doc.layout
        return layout.section if layout is not None else None

    mentions = {item: department_mentions(item, separators(part_of[item]), partial(registry.resolve, county.code))
                for item in items}
    for item, (cell, _) in mentions.items():
        for name in cell.names:
            registry.add(county.code, name, where=f"{part_of[item].filename}:{item.list_kind.value}/{item.sequence}")

    @cache  # per document: a cooperative duty asks for each of its departments twice
    def org_iri(name: str) -> URIRef:
        # 市X局 named by a township in a 区 belongs to the prefecture, not the county: the registry knows.
        ref = registry.resolve(county.code, name)
        return iris.organisation(ref.division_code, ref.slug)

    county_name = chain.county.name if chain.county else ""
    prefecture_name = chain.prefecture.name if chain.prefecture else ""

    def own_texts(item: DutyItem, names: tuple[str, ...]) -> dict[str, str]:
        return dict(split_responsibility(item.upper_responsibility, names, county_name, prefecture_name,
                                         section(item)))

    for item in (item for part in parts for item in part.doc.items_of(ListKind.COOPERATIVE)):
        # 004 cooperative 13: `二、县公安局` heads a section, but the department cell does not name it.
        for name in unlisted_departments(
            item.upper_responsibility, mentions[item][0].names, county_name, prefecture_name, section(item)
        ):
            issues.append(
                Issue(
                    "section-department-not-listed",
                    f"配合事项 {item.sequence} 的上级部门职责中有一段以「{name}」开头，但对应上级部门一栏没有列出它",
                    item.lines,
                    ListKind.COOPERATIVE,
                    message_en=f"a section of cooperative item {item.sequence}'s 上级部门职责 begins with 「{name}」, "
                               "but its 对应上级部门 cell does not name that department",
                )
            )

    for item in items:
        # 区民政局做好救助工作: no department by its structure, even without its role word (cold review 18): said,
        # and kept as a mention; an organisation of that name would load a guess that validates.
        for phrase in mentions[item][0].unread:
            issues.append(_unread_issue(item, phrase))

    occurrences: Counter[tuple[ListKind, int]] = Counter()
    for item in items:
        cell, reclaimed = mentions[item]
        part = part_of[item]
        occurrences[(item.list_kind, item.sequence)] += 1
        duty = iris.duty(township.code, item.list_kind, item.sequence, occurrences[(item.list_kind, item.sequence)])
        provenance = iris.source_fragment(township.code, part.filename, part.doc.fragment(item.lines))
        _add_duty(duty, graph, iris, item, township.code, provenance, org_iri, own_texts, cell, reclaimed, categories)

    for part, kinds in _lists_of(parts):
        _add_lists(graph, iris, part.doc, kinds, township, iris.source(township.code, part.filename), build_iri,
                   categories)
    _add_divisions(graph, iris, chain)
    for dept in registry.departments():
        org = iris.organisation(dept.division_code, dept.slug)
        graph.add((org, RDF.type, CV.PublicOrganisation))
        graph.add((org, SKOS.prefLabel, zh(dept.pref_label)))
        graph.add((org, RDFS.label, zh(dept.pref_label)))
        for alt in dept.alt_labels:
            graph.add((org, SKOS.altLabel, zh(alt)))
        graph.add((org, LZ.division, iris.division(dept.division_code)))
        graph.add((org, LZ.departmentType, LZ[f"deptype-{dept.type_key}"]))
        if dept.type_key == "other":
            issues.append(Issue("department-type-unknown", f"无法判断部门类型：{dept.pref_label}",
                                message_en=f"the department 「{dept.pref_label}」 matches no known department type"))
    for category in set(categories.values()):
        concept = iris.category(category.slug)
        graph.add((concept, RDF.type, SKOS.Concept))
        graph.add((concept, SKOS.prefLabel, zh(category.pref_label)))
        graph.add((concept, RDFS.label, zh(category.pref_label)))
        for alt in category.alt_labels:
            graph.add((concept, SKOS.altLabel, zh(alt)))
        graph.add((concept, SKOS.inScheme, iris.category_scheme()))
    if categories:
        scheme = iris.category_scheme()
        graph.add((scheme, RDF.type, SKOS.ConceptScheme))
        graph.add((scheme, SKOS.prefLabel, zh("履职事项类别")))
        graph.add((scheme, RDFS.label, zh("履职事项类别")))
        graph.add((scheme, RDFS.label, en("Duty categories")))
    for part in parts:
        _add_source(graph, iris.source(township.code, part.filename), part, build_iri)
    return DocumentGraph(township.code, graph, tuple(issues), tuple(registry.merges()))


def _lists_of(parts: tuple[SourcePart, ...]) -> list[tuple[SourcePart, list[ListKind]]]:
    """Each file with the lists it states: those its body holds, and once, from the first file lacking it, a list
    that no file holds (a list of no items, which lzsh:DutyList-itemCount refuses: a document cut short)."""
    found = {kind for part in parts for kind in part.doc.lists_found()}
    done: set[ListKind] = set()
    lists = []
    for part in parts:
        kinds = [kind for kind in dict.fromkeys(count.list_kind for count in part.doc.list_counts)
                 if kind in part.doc.lists_found() or (kind not in found and kind not in done)]
        done.update(kinds)
        lists.append((part, kinds))
    return lists


_CELL = {ListKind.COOPERATIVE: ("配合事项", "对应上级部门", "cooperative"),
         ListKind.RECLAIMED: ("收回事项", "承接部门", "reclaimed")}


def _unread_issue(item: DutyItem, phrase: str) -> Issue:
    what, column, kind = _CELL.get(item.list_kind, ("事项", "部门", item.list_kind.value))
    at = item.role_departments.find(phrase)
    if at >= 0 and phrase not in item.department_text:  # a 牵头部门/配合部门 column's: its label is before it
        column = max(("牵头部门", "配合部门"), key=lambda label: item.role_departments.rfind(f"{label}：", 0, at))
    return Issue(
        "department-unread",
        f"{what} {item.sequence} 的{column}一栏中「{phrase}」读不出是哪个部门，未作为部门载入，只记为部门表述"
        "（lz:departmentMention）：请写出部门全称，多个部门用“、”分开",
        item.lines,
        item.list_kind,
        message_en=f"in {kind} item {item.sequence}, 「{phrase}」 in the {column} cell does not read as a department: "
                   "it is kept as a mention (lz:departmentMention), not loaded as an organisation; write each "
                   "department's full name, several separated by 、",
    )


def _add_duty(
    duty, graph, iris, item, township_code, provenance, org_iri, own_texts, cell, reclaimed, categories
) -> None:
    # An empty 事项名称 is left out, not `""@zh`: lzsh:Duty-title refuses the duty at its line (cold review).
    title = zh(item.title) if item.title.strip() else None
    graph.add((duty, _TYPE, LZ.Duty))
    if title is not None:
        graph.add((duty, _LABEL, title))
    graph.add((duty, LZ.listType, LIST_TYPE[item.list_kind]))
    graph.add((duty, LZ.township, iris.division(township_code)))
    graph.add((duty, LZ.inList, iris.duty_list(township_code, item.list_kind)))
    graph.add((duty, LZ.sequence, integer(item.sequence)))
    if item.sequence_in_category is not None:  # a list numbering each category from 1 (etl/numbering.py)
        graph.add((duty, LZ.sequenceInCategory, integer(item.sequence_in_category)))
    if title is not None:
        graph.add((duty, _TITLE, title))
    if item.category:
        graph.add((duty, LZ.category, iris.category(categories[item.category].slug)))
    # The columns some townships add (docs/data-model.md): kept, each under its property, never dropped.
    for predicate, text in ((LZ.subcategory, item.subcategory), (_DESCRIPTION, item.description),
                            (LZ.legalBasis, item.legal_basis), (LZ.responsibleOffice, item.office)):
        if text:
            graph.add((duty, predicate, zh(text)))
    for note in item.notes:
        graph.add((duty, _NOTE, zh(note)))
    graph.add((duty, _DERIVED_FROM, provenance))
    for phrase in (*cell.generic, *cell.unread):
        graph.add((duty, LZ.departmentMention, zh(phrase)))
    if cell.more:  # 区公安局等: others, unnamed, take part (kept as a mention 「等」 it read as junk in the data)
        graph.add((duty, LZ.moreDepartments, _TRUE))
    for name in cell.names:
        graph.add((duty, LZ.upperDepartment, org_iri(name)))

    if item.list_kind is ListKind.COOPERATIVE:
        if item.upper_responsibility:
            graph.add((duty, LZ.upperResponsibility, zh(item.upper_responsibility)))
        if item.township_responsibility:
            graph.add((duty, LZ.townshipResponsibility, zh(item.township_responsibility)))
        _add_participations(duty, graph, iris, item, org_iri, cell, own_texts(item, cell.names))
    elif reclaimed is not None:
        # The receivers' places, roles and tasks, as a cooperative duty's departments have them: the roles of
        # `牵头部门：县应急局；配合部门：县消防救援大队` in a 承接部门 cell were dropped (cold review 19).
        _add_participations(duty, graph, iris, item, org_iri, cell, {})
        if reclaimed.way_of_working:
            graph.add((duty, LZ.wayOfWorking, zh(reclaimed.way_of_working)))
        if reclaimed.discontinued:
            graph.add((duty, LZ.discontinued, _TRUE))


def _add_participations(duty, graph, iris, item, org_iri, cell: DepartmentCell, own_text: dict[str, str]) -> None:
    """One lz:DepartmentParticipation per organisation of the cell: its place in the cell (a triple set keeps no
    order), the role the cell gives it (牵头, 配合 …) and its responsibility: its own part of 上级部门职责, or else
    what the department cell says it does (`区住建局负责统筹`). Two spellings of one organisation in a cell are one
    participation, at the first one's place, named and given its text by the first spelling that has one."""
    spellings: dict[URIRef, list[str]] = {}
    for name in cell.names:
        spellings.setdefault(org_iri(name), []).append(name)
    roles: dict[URIRef, str] = {}
    for name, role in cell.roles:
        roles.setdefault(org_iri(name), role)
    tasks = dict(cell.tasks)
    for position, (org, names) in enumerate(spellings.items(), 1):
        part = iris.participation(duty, str(org).rsplit("/", 1)[1])
        graph.add((duty, LZ.participation, part))
        graph.add((part, _TYPE, LZ.DepartmentParticipation))
        graph.add((part, _LABEL, zh(f"{names[0]}在“{item.title}”中的职责")))
        graph.add((part, LZ.department, org))
        graph.add((part, LZ.position, integer(position)))
        if org in roles:
            graph.add((part, ORG.role, ROLE[roles[org]]))
        responsibility = next(filter(None, (own_text.get(name) or tasks.get(name) for name in names)), None)
        if responsibility:
            graph.add((part, LZ.responsibility, zh(responsibility)))


def _add_lists(graph, iris, doc, kinds, township, source, build_iri, categories) -> None:
    """The lists and their category sections. They carry lz:ofTownship/lz:ofListType/lz:ofCategory, not
    the duty properties lz:township/lz:listType/lz:category, so the query a user writes first
    (`?d lz:township ?t ; lz:listType ?l`) counts duties only (issue 11, finding 2)."""
    declared = {(c.list_kind, c.category): c.declared for c in doc.category_counts}
    # A section's heading line: a result on its count gives the line its notice gives (it had none, cold review).
    headings = {(c.list_kind, c.category): c.lines for c in doc.category_counts if c.lines is not None}
    township_code, township_name = township.code, township.name
    # The lists `_lists_of` gives this file, each even with no items: a list of 0 items is how a document cut
    # short shows (lzsh:DutyList-itemCount refuses it; it loaded as whole).
    for kind in kinds:
        items = doc.items_of(kind)
        dataset = iris.duty_list(township_code, kind)
        title = f"{township_name}{LIST_TITLE[kind]}"
        graph.add((dataset, RDF.type, LZ.DutyList))
        graph.add((dataset, LZ.ofListType, LIST_TYPE[kind]))
        graph.add((dataset, LZ.ofTownship, iris.division(township_code)))
        graph.add((dataset, DCTERMS.title, zh(title)))
        graph.add((dataset, RDFS.label, zh(title)))
        graph.add((dataset, RDFS.label, en(f"{LIST_TITLE_EN[kind].capitalize()} of {township_name or township_code}")))
        graph.add((dataset, LZ.itemCount, integer(len(items))))
        if declared_total(doc, kind) is not None:  # the list-sizes example on /sparql shows it beside itemCount
            graph.add((dataset, LZ.declaredCount, integer(declared_total(doc, kind))))
        graph.add((dataset, PROV.wasDerivedFrom, source))
        graph.add((dataset, PROV.wasGeneratedBy, build_iri))
        # A row whose 序号 could not be read (`9a<TAB>…`, etl/items.py `_no_number`): lzsh:UnreadRowShape refuses
        # the list at that line (a Warning notice, the build loaded 310 of 311 duties silently, cold review).
        for issue in doc.issues:
            if issue.code in UNREAD_ROWS and issue.severity == WARNING and issue.list_kind is kind and issue.lines:
                graph.add((dataset, LZ.unreadRow, URIRef(f"{source}#{doc.fragment(issue.lines)}")))
        sections: dict[Category, list[str]] = {}
        for item in items:
            if item.category:
                sections.setdefault(categories[item.category], []).append(item.category)
        for category, spellings in sections.items():
            section = iris.list_section(township_code, kind, category.slug)
            graph.add((dataset, LZ.section, section))
            graph.add((section, RDF.type, LZ.ListSection))
            graph.add((section, RDFS.label, zh(f"{title}·{category.pref_label}")))
            graph.add((section, LZ.ofCategory, iris.category(category.slug)))
            graph.add((section, LZ.itemCount, integer(len(spellings))))
            heading = next((headings[(kind, spelling)] for spelling in spellings if (kind, spelling) in headings), None)
            if heading is not None:
                graph.add((section, PROV.wasDerivedFrom, URIRef(f"{source}#{doc.fragment(heading)}")))
            # Two spellings of one category in one list are one section: their declared counts add up.
            counts = [declared.get((kind, spelling)) for spelling in sorted(set(spellings))]
            if all(count is not None for count in counts):
                graph.add((section, LZ.declaredCount, integer(sum(counts))))


def _add_divisions(graph, iris, chain: DivisionChain) -> None:
    parent = None
    for division in chain.divisions:
        node = iris.division(division.code)
        graph.add((node, RDF.type, LZ.AdministrativeDivision))
        graph.add((node, RDF.type, LEVEL_CLASS[division.level]))
        graph.add((node, SKOS.notation, Literal(division.code)))
        graph.add((node, RDFS.label, zh(division.name)))
        if parent is not None:
            graph.add((node, LZ.parentDivision, parent))
        parent = node


def _add_source(graph, source, part: SourcePart, build_iri) -> None:
    doc, filename = part.doc, part.filename
    graph.add((source, RDF.type, LZ.SourceDocument))
    graph.add((source, DCTERMS.title, zh(doc.title)))
    graph.add((source, RDFS.label, zh(f"{doc.title}（原文 {filename}）")))
    graph.add((source, RDFS.label, en(f"Source text {filename}")))
    graph.add((source, LZ.sha256, Literal(doc.sha256)))
    graph.add((source, DCTERMS.format, Literal(doc.media_type)))
    graph.add((build_iri, RDF.type, LZ.Build))
    graph.add((build_iri, PROV.used, source))


def emitted_terms(graphs: Iterable[Iterable[tuple]]) -> set[URIRef]:
    """Every lz: class and property used in the graphs, for the ontology coverage test."""
    terms: set[URIRef] = set()
    for graph in graphs:
        for _, p, o in graph:
            if str(p).startswith(str(LZ)):
                terms.add(p)
            if p == RDF.type and str(o).startswith(str(LZ)):
                terms.add(o)
    return terms
