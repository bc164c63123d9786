"""The VoID + DCAT description of the dataset, with statistics measured on the store (issue 6).

One `void:Dataset` that is also a `dcat:Catalog`: its datasets are the township lists
(`lz:DutyList` ⊑ `dcat:Dataset`), its distributions the dumps, its service the SPARQL endpoint.
Statistics (`void:triples`, `void:entities`, `void:classes` …) are counted, not configured: by the
build, into the statistics graph (store/statistics.py); this module only reads them (issue 13).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, VOID, XSD

from luzhi.ontology.iris import Iris
from luzhi.ontology.namespaces import LZ, PREFIXES, SD, bind_prefixes, sparql_prologue
from luzhi.server.publication import (
    AVAILABILITY,
    DCATAP,
    DESCRIPTION,
    EU,
    KEYWORDS,
    SPDX,
    THEME,
    THEME_SCHEME,
    TITLE,
    VCARD,
    Publication,
    add_agents,
    describe_dataset,
    media_type,
)
from luzhi.store.base import Store
from luzhi.store.formats import BY_MIME

# The W3C SPARQL 1.1 Protocol: what the endpoint conforms to (dct:conformsTo, DCAT-AP recommends it).
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")


@dataclass(frozen=True)
class Dump:
    """One dump file as served under /dumps/."""

    name: str
    media_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Statistics:
    triples: int
    entities: int
    classes: int
    properties: int
    distinct_subjects: int
    distinct_objects: int
    class_entities: tuple[tuple[URIRef, int], ...]


def statistics(store: Store, iris: Iris) -> Statistics:
    """The figures the build counted into the statistics graph (store/statistics.py): read, never counted here.

    Counting distinct triples scanned the whole store on the first VoID request of every server
    process (issue 13); a store built before the statistics existed reports zeros until rebuilt.
    """
    dataset = f"<{iris.dataset()}>"
    figures = {
        str(row["p"]): int(row["n"])
        # Integers only: the dataset also has its labels (issue 11), and int("luzhi duty lists dataset")
        # answered every VoID request with 500.
        for row in store.select(f"SELECT ?p ?n WHERE {{ {dataset} ?p ?n FILTER(DATATYPE(?n) = <{XSD.integer}>) }}")
    }
    classes = store.select(
        f"SELECT ?c ?n WHERE {{ {dataset} <{VOID.classPartition}> ?part . "
        f"?part <{VOID['class']}> ?c ; <{VOID.entities}> ?n }} ORDER BY ?c"
    )

    def figure(prop: URIRef) -> int:
        return figures.get(str(prop), 0)

    return Statistics(
        triples=figure(VOID.triples),
        entities=figure(VOID.entities),
        classes=figure(VOID.classes),
        properties=figure(VOID.properties),
        distinct_subjects=figure(VOID.distinctSubjects),
        distinct_objects=figure(VOID.distinctObjects),
        class_entities=tuple((row["c"], int(row["n"])) for row in classes if isinstance(row["c"], URIRef)),
    )


def void_graph(store: Store, pub: Publication, stats: Statistics, dumps: list[Dump]) -> Graph:
    """The whole description, DCAT-AP 3 conformant (tests/test_dcat_ap.py runs SEMIC's shapes on it).

    Every IRI comes from `Iris` for the deployment base, so every link dereferences.
    """
    iris = pub.iris
    graph = Graph()
    bind_prefixes(graph)
    graph.bind("spdx", SPDX)
    graph.bind("vcard", VCARD)
    dataset = iris.dataset()
    endpoint = iris.sparql_endpoint()
    home = iris.home()

    graph.add((iris.void(), FOAF.primaryTopic, dataset))
    # A catalogue is a dataset (DCAT 3 §6.2); saying so lets the endpoint's dcat:servesDataset point at it.
    for cls in (VOID.Dataset, DCAT.Catalog, DCAT.Dataset):
        graph.add((dataset, RDF.type, cls))
    for lang, text in TITLE.items():
        graph.add((dataset, DCTERMS.title, Literal(text, lang=lang)))
    for lang, text in DESCRIPTION.items():
        graph.add((dataset, DCTERMS.description, Literal(text, lang=lang)))
    add_agents(graph, pub)
    describe_dataset(graph, dataset, pub, keywords=KEYWORDS)
    graph.add((dataset, FOAF.homepage, home))
    graph.add((dataset, DCAT.landingPage, home))
    graph.add((home, RDF.type, FOAF.Document))
    graph.add((dataset, DCAT.themeTaxonomy, THEME_SCHEME))
    graph.add((dataset, VOID.uriSpace, Literal(iris.id_space())))
    graph.add((dataset, VOID.vocabulary, URIRef(str(LZ))))
    graph.add((dataset, VOID.sparqlEndpoint, endpoint))
    graph.add((dataset, VOID.rootResource, iris.category_scheme()))
    graph.add((dataset, VOID.uriLookupEndpoint, iris.search_lookup()))
    graph.add((dataset, VOID.feature, URIRef("http://www.w3.org/ns/formats/Turtle")))
    graph.add((dataset, VOID.feature, URIRef("http://www.w3.org/ns/formats/N-Quads")))

    for name, value in (
        (VOID.triples, stats.triples),
        (VOID.entities, stats.entities),
        (VOID.classes, stats.classes),
        (VOID.properties, stats.properties),
        (VOID.distinctSubjects, stats.distinct_subjects),
        (VOID.distinctObjects, stats.distinct_objects),
    ):
        graph.add((dataset, name, Literal(value, datatype=XSD.integer)))
    for cls, count in stats.class_entities:
        partition = iris.void(f"class-{_fragment(cls)}")
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], cls))
        graph.add((partition, VOID.entities, Literal(count, datatype=XSD.integer)))

    graph.add((endpoint, RDF.type, DCAT.DataService))
    graph.add((endpoint, RDF.type, SD.Service))
    graph.add((endpoint, DCAT.endpointURL, endpoint))
    graph.add((endpoint, RDF.type, RDFS.Resource))
    graph.add((endpoint, SD.endpoint, endpoint))
    # GET /sparql without a query answers its SPARQL Service Description (by Accept).
    graph.add((endpoint, DCAT.endpointDescription, endpoint))
    graph.add((endpoint, DCAT.servesDataset, dataset))
    graph.add((endpoint, DCTERMS.title, Literal("SPARQL 1.1 查询服务", lang="zh")))
    graph.add((endpoint, DCTERMS.title, Literal("SPARQL 1.1 endpoint", lang="en")))
    graph.add((endpoint, DCTERMS.license, pub.licence))
    graph.add((endpoint, DCTERMS.publisher, pub.publisher))
    graph.add((endpoint, DCAT.contactPoint, pub.contact))
    graph.add((endpoint, DCAT.theme, THEME[0]))
    graph.add((endpoint, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    graph.add((SPARQL_PROTOCOL, RDF.type, DCTERMS.Standard))
    for lang, words in KEYWORDS.items():
        graph.add((endpoint, DCAT.keyword, Literal("SPARQL", lang=lang)))
        graph.add((endpoint, DCAT.keyword, Literal(words[0], lang=lang)))
    graph.add((dataset, DCAT.service, endpoint))

    for dump in dumps:
        url = iris.dump(dump.name)
        graph.add((dataset, VOID.dataDump, url))
        graph.add((dataset, DCAT.distribution, url))
        _distribution(graph, pub, url, dump.media_type, title=dump.name, description={
            "zh": f"全部数据（{BY_MIME[dump.media_type].name}，gzip 压缩）",
            "en": f"All the data ({BY_MIME[dump.media_type].name}, gzipped)"})
        graph.add((url, DCAT.compressFormat, media_type("application/gzip")))
        graph.add((media_type("application/gzip"), RDF.type, DCTERMS.MediaType))
        graph.add((url, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger)))
        checksum = iris.void(f"sha256-{dump.name}")
        graph.add((url, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
    graph.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
    _store_wide_distributions(graph, pub, dataset, set(store.graph_names()))

    for row in store.select(
        sparql_prologue()
        + "SELECT ?l ?title ?town ?townName ?type ?typeName ?n WHERE { ?l a lz:DutyList ; lz:ofTownship ?town . "
        "OPTIONAL { ?l dct:title ?title } OPTIONAL { ?l lz:itemCount ?n } "
        "OPTIONAL { ?town rdfs:label ?townName FILTER(LANG(?townName) = 'zh') } "
        "OPTIONAL { ?l lz:ofListType ?type . ?type skos:prefLabel ?typeName FILTER(LANG(?typeName) = 'zh') } "
        "} ORDER BY ?l"
    ):
        _list_dataset(graph, pub, dataset, row)
    return graph


# The graphs every township shares (iris.py): served under /graph/ like a township's, but with no list
# dataset of their own to carry them, so a crawler of the catalogue never found them (cold review).
STORE_WIDE_GRAPHS = {
    "shared": ("各乡镇共用的资源（上级区划、部门、类别）", "Resources the townships share (upper divisions, "
               "departments, categories)"),
    "kinds": ("职责类别：各乡镇的同一职责及其成员", "Duty kinds: the same duty across townships, and its members"),
    "statistics": ("预先计算的统计（乡镇 × 清单 × 类别、部门、职责类别）", "Precomputed counts (township × list × "
                   "category, department, duty kind)"),
}


def _store_wide_distributions(graph: Graph, pub: Publication, dataset: URIRef, names: set[str]) -> None:
    """The store-wide graphs the store holds, as distributions of the catalogue (streamed as N-Triples
    lines, so only the line-based formats: server/views/dataset.py)."""
    for stem, (zh, en) in STORE_WIDE_GRAPHS.items():
        if str(pub.iris.graph(stem)) not in names:
            continue
        for fmt in (BY_MIME["text/turtle"], BY_MIME["application/n-triples"]):
            url = pub.iris.graph_file(stem, fmt.extension)
            graph.add((dataset, DCAT.distribution, url))
            _distribution(graph, pub, url, fmt.mime, title=f"graph/{stem}.{fmt.extension}",
                          description={"zh": f"{zh}，{fmt.name}", "en": f"{en}, {fmt.name}"})


def _list_dataset(graph: Graph, pub: Publication, catalog: URIRef, row: dict) -> None:
    """A township list as a dataset: its page, and its township's named graph as the download."""
    iris = pub.iris
    dataset = row["l"]
    code = str(row["town"]).rsplit("/", 1)[-1]  # …/id/division/{code}
    graph.add((catalog, DCAT.dataset, dataset))
    graph.add((catalog, VOID.subset, dataset))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, RDF.type, VOID.Dataset))
    title = row.get("title")
    if title is not None:
        graph.add((dataset, DCTERMS.title, title))
    count = int(row["n"]) if "n" in row else None
    town = str(row.get("townName", code))
    kind = str(row.get("typeName", ""))
    words = {"zh": tuple(w for w in (town, kind, "履行职责事项清单") if w), "en": ("duty list", "township")}
    summary_zh = f"{title or town + kind}（行政区划代码 {code}）" + (
        f"，共 {count} 个事项。" if count is not None else "。")
    summary_en = f"The {kind or 'duty'} list of {town} (division code {code})" + (
        f": {count} duties." if count is not None else ".")
    graph.add((dataset, DCTERMS.description, Literal(summary_zh, lang="zh")))
    graph.add((dataset, DCTERMS.description, Literal(summary_en, lang="en")))
    describe_dataset(graph, dataset, pub, keywords=words, spatial=(row["town"],))
    graph.add((dataset, DCTERMS.isPartOf, catalog))
    page = iris.page_of(str(dataset))
    graph.add((dataset, DCAT.landingPage, page))
    graph.add((page, RDF.type, FOAF.Document))
    if count is not None:
        graph.add((dataset, VOID.entities, Literal(count, datatype=XSD.integer)))
    for fmt in (BY_MIME["text/turtle"], BY_MIME["application/n-triples"]):
        url = iris.graph_file(code, fmt.extension)
        graph.add((dataset, DCAT.distribution, url))
        _distribution(graph, pub, url, fmt.mime, title=f"graph/{code}.{fmt.extension}", description={
            "zh": f"{town}的命名图（三张清单），{fmt.name}",
            "en": f"The named graph of {town} (its three lists), {fmt.name}"})


def _distribution(graph: Graph, pub: Publication, url: URIRef, mime: str, *, title: str,
                  description: dict[str, str]) -> None:
    fmt = BY_MIME[mime]
    graph.add((url, RDF.type, DCAT.Distribution))
    graph.add((url, RDF.type, RDFS.Resource))  # DCAT-AP's range of download/access URLs, checked without inference
    graph.add((url, DCAT.downloadURL, url))
    graph.add((url, DCAT.accessURL, url))
    graph.add((url, DCAT.mediaType, media_type(mime)))
    graph.add((media_type(mime), RDF.type, DCTERMS.MediaType))
    if fmt.eu_file_type:
        file_type = URIRef(f"{EU}file-type/{fmt.eu_file_type}")
        graph.add((url, DCTERMS["format"], file_type))
        graph.add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
        graph.add((file_type, RDF.type, SKOS.Concept))
        graph.add((file_type, SKOS.inScheme, URIRef(EU + "file-type")))
        graph.add((file_type, SKOS.prefLabel, Literal(fmt.name, lang="en")))
    graph.add((url, DCTERMS.title, Literal(title)))
    for lang, text in description.items():
        graph.add((url, DCTERMS.description, Literal(text, lang=lang)))
    graph.add((url, DCATAP.availability, AVAILABILITY[0]))
    graph.add((url, DCTERMS.license, pub.licence))
    graph.add((url, DCTERMS.issued, pub.modified))


def _fragment(iri: URIRef) -> str:
    """`lz-Duty` for lz:Duty: the prefix keeps two vocabularies' `Concept`s apart."""
    text = str(iri)
    for name, ns in PREFIXES.items():
        if text.startswith(str(ns)):
            text = f"{name}-{text[len(str(ns)):]}"
            break
    else:
        text = hashlib.sha256(text.encode()).hexdigest()[:12]
    return "".join(ch if ch.isalnum() else "-" for ch in text)
