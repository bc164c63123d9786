"""Who publishes the dataset, under which licence, how to reach them: `Config` settings as DCAT-AP 3 and schema.org.

Data portals harvest `/.well-known/void` against DCAT-AP 3.0.0 (SEMIC's shapes,
tests/fixtures/dcat-ap/) and search engines read schema.org `Dataset` JSON-LD from the landing
pages (issue 11). Both come from one `Publication`, so the two never disagree.

The shapes check classes without inference: a licence must be *stated* a `dct:LicenseDocument`, a
media type a `dct:MediaType`, a download URL an `rdfs:Resource`. So every value gets its type here,
and the EU controlled vocabularies DCAT-AP recommends (languages, data themes, countries, file
types) get their `skos:inScheme` and label, as their owners publish them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from luzhi.ontology.iris import Iris
from luzhi.server.config import Config

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
ADMS_LICENCE_TYPE = "http://purl.org/adms/licencetype/"

TITLE = {"zh": "乡镇（街道）履行职责事项清单关联数据", "en": "Township duty lists (履行职责事项清单) as linked data"}
DESCRIPTION = {
    "zh": "全国乡镇（街道）2025 年公布的《履行职责事项清单》：基本履职事项、配合履职事项、上级部门收回事项，"
    "以及相关部门和行政区划。",
    "en": "The duty lists Chinese townships and street offices published in 2025: basic, cooperative and "
    "reclaimed duties, the departments involved and the administrative divisions.",
}
KEYWORDS = {
    "zh": ("履行职责事项清单", "乡镇", "街道", "政务公开"),
    "en": ("duty list", "township", "public administration"),
}

# EU Publications Office authority tables (the codes DCAT-AP's mdr-vocabularies shapes ask for).
LANGUAGE = (URIRef(EU + "language/ZHO"), {"zh": "中文", "en": "Chinese"})
THEME = (URIRef(EU + "data-theme/GOVE"), {"zh": "政府和公共部门", "en": "Government and public sector"})
COUNTRY = (URIRef(EU + "country/CHN"), {"zh": "中国", "en": "China"})
# Every distribution is rebuilt with the store and stays at its URL (dcatap:availability).
AVAILABILITY = (URIRef(EU + "planned-availability/STABLE"), {"en": "stable"})
DCATAP = Namespace("http://data.europa.eu/r5r/")
THEME_SCHEME = URIRef(EU + "data-theme")
# Licences luzhi knows the ADMS licence type of; another licence IRI is still typed, without dct:type.
LICENCES = {
    "https://creativecommons.org/licenses/by/4.0/": ("CC BY 4.0", ("Attribution",)),
    "https://creativecommons.org/licenses/by-sa/4.0/": ("CC BY-SA 4.0", ("Attribution", "ShareAlike")),
    "https://creativecommons.org/publicdomain/zero/1.0/": ("CC0 1.0", ("PublicDomain",)),
}


@dataclass(frozen=True)
class Publication:
    """The publisher's settings (Config) with the build's time: what every dataset description repeats."""

    iris: Iris
    licence: URIRef
    publisher: URIRef
    publisher_name: str
    contact: URIRef
    contact_email: str | None
    contact_url: URIRef
    issued: Literal
    modified: Literal

    @classmethod
    def of(cls, config: Config, built: datetime) -> Publication:
        iris = Iris(config.base)
        issued = Literal(config.issued, datatype=XSD.date) if config.issued else _when(built)
        return cls(
            iris=iris,
            licence=URIRef(config.licence),
            publisher=URIRef(config.publisher_url) if config.publisher_url else iris.void("publisher"),
            publisher_name=config.publisher,
            contact=iris.void("contact"),
            contact_email=config.contact_email,
            contact_url=URIRef(config.contact_url) if config.contact_url else iris.home(),
            issued=issued,
            modified=_when(built),
        )


def _when(moment: datetime) -> Literal:
    return Literal(moment.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)


def add_agents(graph: Graph, pub: Publication) -> None:
    """The publisher, the contact point (a vCard), the licence and the EU concepts, each typed and labelled."""
    graph.add((pub.publisher, RDF.type, FOAF.Agent))
    graph.add((pub.publisher, FOAF.name, Literal(pub.publisher_name)))
    graph.add((pub.contact, RDF.type, VCARD.Organization))
    graph.add((pub.contact, RDF.type, VCARD.Kind))
    graph.add((pub.contact, VCARD.fn, Literal(pub.publisher_name)))
    graph.add((pub.contact, VCARD.hasURL, pub.contact_url))
    if pub.contact_email:
        graph.add((pub.contact, VCARD.hasEmail, URIRef(f"mailto:{pub.contact_email}")))
    graph.add((pub.licence, RDF.type, DCTERMS.LicenseDocument))
    name, types = LICENCES.get(str(pub.licence), (None, ()))
    if name:
        graph.add((pub.licence, RDFS.label, Literal(name)))
    for kind in types:
        concept = URIRef(ADMS_LICENCE_TYPE + kind)
        graph.add((pub.licence, DCTERMS.type, concept))
        _concept(graph, concept, {"en": kind}, URIRef(ADMS_LICENCE_TYPE + "1.0"))
    for iri, labels in (LANGUAGE, THEME, COUNTRY, AVAILABILITY):
        _concept(graph, iri, labels, URIRef(str(iri).rsplit("/", 1)[0]))
    graph.add((LANGUAGE[0], RDF.type, DCTERMS.LinguisticSystem))
    graph.add((COUNTRY[0], RDF.type, DCTERMS.Location))
    graph.add((THEME_SCHEME, RDF.type, SKOS.ConceptScheme))
    graph.add((THEME_SCHEME, DCTERMS.title, Literal("Data theme", lang="en")))


def _concept(graph: Graph, iri: URIRef, labels: dict[str, str], scheme: URIRef) -> None:
    graph.add((iri, RDF.type, SKOS.Concept))
    graph.add((iri, SKOS.inScheme, scheme))
    for lang, text in labels.items():
        graph.add((iri, SKOS.prefLabel, Literal(text, lang=lang)))


def describe_dataset(graph: Graph, dataset: URIRef, pub: Publication, *, keywords: dict[str, tuple[str, ...]],
                     spatial: tuple[URIRef, ...] = ()) -> None:
    """What DCAT-AP recommends on every dataset: dates, licence, publisher, contact, language, theme, place."""
    graph.add((dataset, DCTERMS.issued, pub.issued))
    graph.add((dataset, DCTERMS.modified, pub.modified))
    graph.add((dataset, DCTERMS.license, pub.licence))
    graph.add((dataset, DCTERMS.publisher, pub.publisher))
    graph.add((dataset, DCAT.contactPoint, pub.contact))
    graph.add((dataset, DCTERMS.language, LANGUAGE[0]))
    graph.add((dataset, DCAT.theme, THEME[0]))
    for place in (COUNTRY[0], *spatial):
        graph.add((dataset, DCTERMS.spatial, place))
        graph.add((place, RDF.type, DCTERMS.Location))
    for lang, words in keywords.items():
        for word in words:
            graph.add((dataset, DCAT.keyword, Literal(word, lang=lang)))


def media_type(mime: str) -> URIRef:
    """A media type as IANA's registry page, the IRI DCAT-AP asks for (`dcat:mediaType`)."""
    return URIRef(IANA + mime)


def schema_org(pub: Publication, downloads: list[tuple[str, URIRef]], lang: str) -> Markup:
    """schema.org `Dataset` JSON-LD for a landing page's `<script type="application/ld+json">`.

    `downloads` are (media type, URL) pairs. `</` is escaped so no text can close the script element.
    """
    other = "en" if lang == "zh" else "zh"
    body = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": str(pub.iris.dataset()),
        "name": TITLE[lang],
        "alternateName": TITLE[other],
        "description": DESCRIPTION[lang],
        "url": str(pub.iris.home()),
        "license": str(pub.licence),
        "isAccessibleForFree": True,
        "inLanguage": "zh",
        "keywords": [*KEYWORDS["zh"], *KEYWORDS["en"]],
        "spatialCoverage": {"@type": "Place", "name": COUNTRY[1][lang]},
        "datePublished": str(pub.issued),
        "dateModified": str(pub.modified),
        "publisher": {"@type": "Organization", "name": pub.publisher_name, "url": str(pub.contact_url)},
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": mime, "contentUrl": str(url)} for mime, url in downloads
        ],
    }
    if pub.contact_email:
        body["publisher"]["email"] = pub.contact_email
    text = json.dumps(body, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return Markup(text)
