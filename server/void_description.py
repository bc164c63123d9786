"""The VoID + DCAT description of the dataset, with statistics measured on the store (issue 6).

One `void:Dataset` that is also a `dcat:Catalog`: its datasets are the township lists
(`lz:DutyList` ⊑ `dcat:Dataset`), its distributions the dumps, its service the SPARQL endpoint.
Statistics (`void:triples`, `void:entities`, `void:classes` …) are counted, not configured: by the
build, into the statistics graph (store/statistics.py); this module only reads them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, VOID, XSD

from luzhi.ontology.namespaces import LZ, PREFIXES, SD, bind_prefixes, sparql_prologue
from luzhi.store.base import Store

SPDX = Namespace("http://spdx.org/rdf/terms#")
IANA = "https://www.iana.org/assignments/media-types/"
# The data licence and publisher. The vocabulary is CC BY 4.0 (ontology/luzhi.ttl); the data follows it.
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
PUBLISHER_NAME = {"zh": "履职项目", "en": "The luzhi project"}
TITLE = {"zh": "乡镇（街道）履行职责事项清单关联数据", "en": "Township duty lists (履行职责事项清单) as linked data"}
DESCRIPTION = {
    "zh": "全国乡镇（街道）2025 年公布的《履行职责事项清单》：基本履职事项、配合履职事项、上级部门收回事项，"
    "以及相关部门和行政区划。",
    "en": "The duty lists Chinese townships and street offices published in 2025: basic, cooperative and "
    "reclaimed duties, the departments involved and the administrative divisions.",
}


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


def statistics(store: Store, base: str) -> Statistics:
    """The figures the build counted into the statistics graph (store/statistics.py): read, never counted here.

    Counting distinct triples scanned the whole store on the first VoID request of every server
    process (issue 13); a store built before the statistics existed reports zeros until rebuilt.
    """
    dataset = f"<{base}/id/dataset>"
    figures = {
        str(row["p"]): int(row["n"])
        for row in store.select(f"SELECT ?p ?n WHERE {{ {dataset} ?p ?n FILTER(isLiteral(?n)) }}")
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


def void_graph(store: Store, base: str, stats: Statistics, dumps: list[Dump]) -> Graph:
    """The whole description; `base` is the deployment base, so every link dereferences."""
    graph = Graph()
    bind_prefixes(graph)
    graph.bind("spdx", SPDX)
    dataset = URIRef(f"{base}/id/dataset")
    document = URIRef(f"{base}/.well-known/void")
    endpoint = URIRef(f"{base}/sparql")
    publisher = URIRef(f"{base}/.well-known/void#publisher")

    graph.add((document, FOAF.primaryTopic, dataset))
    for cls in (VOID.Dataset, DCAT.Catalog):
        graph.add((dataset, RDF.type, cls))
    for lang, text in TITLE.items():
        graph.add((dataset, DCTERMS.title, Literal(text, lang=lang)))
    for lang, text in DESCRIPTION.items():
        graph.add((dataset, DCTERMS.description, Literal(text, lang=lang)))
    graph.add((dataset, DCTERMS.license, LICENCE))
    graph.add((dataset, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Agent))
    for lang, text in PUBLISHER_NAME.items():
        graph.add((publisher, FOAF.name, Literal(text, lang=lang)))
    graph.add((dataset, FOAF.homepage, URIRef(f"{base}/")))
    graph.add((dataset, VOID.uriSpace, Literal(f"{base}/id/")))
    graph.add((dataset, VOID.vocabulary, URIRef(str(LZ))))
    graph.add((dataset, VOID.sparqlEndpoint, endpoint))
    graph.add((dataset, VOID.rootResource, URIRef(f"{base}/id/category")))
    graph.add((dataset, VOID.uriLookupEndpoint, URIRef(f"{base}/search.json?q=")))
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
        partition = URIRef(f"{base}/.well-known/void#class-{_fragment(cls)}")
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], cls))
        graph.add((partition, VOID.entities, Literal(count, datatype=XSD.integer)))

    graph.add((endpoint, RDF.type, DCAT.DataService))
    graph.add((endpoint, RDF.type, SD.Service))
    graph.add((endpoint, DCAT.endpointURL, endpoint))
    graph.add((endpoint, SD.endpoint, endpoint))
    graph.add((endpoint, DCAT.servesDataset, dataset))
    graph.add((endpoint, DCTERMS.title, Literal("SPARQL 1.1 查询服务", lang="zh")))
    graph.add((endpoint, DCTERMS.title, Literal("SPARQL 1.1 endpoint", lang="en")))
    graph.add((endpoint, DCTERMS.license, LICENCE))
    graph.add((dataset, DCAT.service, endpoint))

    for dump in dumps:
        url = URIRef(f"{base}/dumps/{dump.name}")
        graph.add((dataset, VOID.dataDump, url))
        graph.add((dataset, DCAT.distribution, url))
        _distribution(graph, url, dump.media_type, title=dump.name)
        graph.add((url, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
        graph.add((url, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger)))
        checksum = BNode()
        graph.add((url, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))

    for row in store.select(
        sparql_prologue()
        + "SELECT ?l ?title ?town ?n WHERE { ?l a lz:DutyList ; lz:township ?town . "
        "OPTIONAL { ?l dct:title ?title } OPTIONAL { ?l lz:itemCount ?n } } ORDER BY ?l"
    ):
        _list_dataset(graph, base, dataset, row)
    return graph


def _list_dataset(graph: Graph, base: str, catalog: URIRef, row: dict) -> None:
    """A township list as a dataset: its page, and its township's named graph as the download."""
    dataset = row["l"]
    path = str(dataset)[len(base) :]  # /id/list/{code}/{kind}
    code = path.split("/")[3]
    graph.add((catalog, DCAT.dataset, dataset))
    graph.add((catalog, VOID.subset, dataset))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, RDF.type, VOID.Dataset))
    if "title" in row:
        graph.add((dataset, DCTERMS.title, row["title"]))
    graph.add((dataset, DCTERMS.isPartOf, catalog))
    graph.add((dataset, DCTERMS.license, LICENCE))
    graph.add((dataset, DCAT.landingPage, URIRef(f"{base}/doc{path[len('/id'):]}")))
    if "n" in row:
        graph.add((dataset, VOID.entities, Literal(int(row["n"]), datatype=XSD.integer)))
    for ext, mime in (("ttl", "text/turtle"), ("nt", "application/n-triples")):
        url = URIRef(f"{base}/graph/{code}.{ext}")
        graph.add((dataset, DCAT.distribution, url))
        _distribution(graph, url, mime, title=f"graph/{code}.{ext}")


def _distribution(graph: Graph, url: URIRef, media_type: str, *, title: str) -> None:
    graph.add((url, RDF.type, DCAT.Distribution))
    graph.add((url, DCAT.downloadURL, url))
    graph.add((url, DCAT.accessURL, url))
    graph.add((url, DCAT.mediaType, URIRef(IANA + media_type)))
    graph.add((url, DCTERMS.title, Literal(title)))
    graph.add((url, DCTERMS.license, LICENCE))


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
