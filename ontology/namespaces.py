"""Namespaces used across luzhi. The `lz:` namespace is fixed whatever the deployment (DESIGN.md §2)."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, VOID, XSD

LZ = Namespace("https://w3id.org/luzhi/def#")
ONTOLOGY_GRAPH = "https://w3id.org/luzhi/def"  # the ontology's IRI, and the named graph that holds it
CV = Namespace("http://data.europa.eu/m8g/")
CPSV = Namespace("http://purl.org/vocab/cpsv#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SH = Namespace("http://www.w3.org/ns/shacl#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
QB = Namespace("http://purl.org/linked-data/cube#")  # RDF Data Cube: the build's statistics (issue 13)

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
