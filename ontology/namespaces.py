"""Namespaces used across luzhi. The `lz:` namespace is fixed whatever the deployment (DESIGN.md §2)."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, VOID, XSD


class _Namespace(Namespace):
    """rdflib's Namespace makes (and checks) a new URIRef on every attribute read, ~1.4 µs: pass 1 read
    lz: terms ~8,000 times a document (issue 13). A namespace's terms never change, so each attribute is
    kept on the instance after its first read (`LZ["…"]` still goes through rdflib)."""

    def __getattr__(self, name: str):
        term = super().__getattr__(name)
        self.__dict__[name] = term
        return term


LZ = _Namespace("https://w3id.org/luzhi/def#")
ONTOLOGY_GRAPH = "https://w3id.org/luzhi/def"  # the ontology's IRI, and the named graph that holds it
CV = _Namespace("http://data.europa.eu/m8g/")
CPSV = _Namespace("http://purl.org/vocab/cpsv#")
SD = _Namespace("http://www.w3.org/ns/sparql-service-description#")
SH = _Namespace("http://www.w3.org/ns/shacl#")
ADMS = _Namespace("http://www.w3.org/ns/adms#")
QB = _Namespace("http://purl.org/linked-data/cube#")  # RDF Data Cube: the build's statistics (issue 13)

PREFIXES: dict[str, Namespace] = {
    "lz": LZ,
    "cv": CV,
    "cpsv": CPSV,
    "dct": Namespace(str(DCTERMS)),
    "dcat": Namespace(str(DCAT)),
    "foaf": Namespace(str(FOAF)),
    "org": Namespace(str(ORG)),
    "owl": Namespace(str(OWL)),
    "prov": Namespace(str(PROV)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "schema": Namespace(str(SDO)),
    "skos": Namespace(str(SKOS)),
    "void": Namespace(str(VOID)),
    "xsd": Namespace(str(XSD)),
    "sd": SD,
    "sh": SH,
    "qb": QB,
}


def sparql_prologue() -> str:
    """PREFIX lines for every namespace above, for queries and the query editor."""
    return "".join(f"PREFIX {name}: <{ns}>\n" for name, ns in PREFIXES.items())


def bind_prefixes(graph) -> None:
    for name, ns in PREFIXES.items():
        graph.bind(name, ns, override=True)
