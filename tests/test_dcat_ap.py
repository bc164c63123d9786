"""/.well-known/void against SEMIC's DCAT-AP 3.0.0 shapes, run with pySHACL offline (issue 11: 73 Violations).

The shapes are vendored unchanged in tests/fixtures/dcat-ap/ (origin and commit in its README);
no inference, as a harvester's validator runs them: every class a shape asks for must be stated.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pyshacl
import pytest
import requests
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS

SH = Namespace("http://www.w3.org/ns/shacl#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
FIXTURES = Path(__file__).parent / "fixtures" / "dcat-ap"
BLOBS = {  # git blob hashes in SEMICeu/DCAT-AP (fixtures/dcat-ap/README.md)
    "dcat-ap-SHACL.ttl": "1aecadfdc0cd0de4b681537f2ee802df51102d07",
    "shapes_recommended.ttl": "07f55954f3a49dbba47f2131f5ddf7afbad0c590",
}
# Recommended properties luzhi has no data for: a temporal coverage, a bounding box or centroid of a
# township, the publisher's ADMS type. Every other recommended property must be there.
NOT_AVAILABLE = {DCTERMS.temporal, DCAT.bbox, DCAT.centroid, DCTERMS.type}


@pytest.mark.parametrize("name", sorted(BLOBS))
def test_vendored_shapes_are_semics_files_unchanged(name):
    digest = subprocess.run(["git", "hash-object", str(FIXTURES / name)], capture_output=True, text=True, check=True)
    assert digest.stdout.strip() == BLOBS[name]


def _shapes(name: str) -> Graph:
    return Graph().parse(FIXTURES / name, format="turtle")


def _results(data: Graph, shapes: str) -> list[tuple[URIRef, URIRef | None, URIRef, str]]:
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=_shapes(shapes), allow_warnings=True)
    return [(report.value(r, SH.resultSeverity), report.value(r, SH.resultPath), report.value(r, SH.focusNode),
             str(report.value(r, SH.resultMessage))) for r in report.subjects(RDF.type, SH.ValidationResult)]


@pytest.fixture(scope="module")
def void(live_server) -> Graph:
    response = requests.get(live_server.url + "/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return Graph().parse(data=response.text, format="turtle")


def test_no_dcat_ap_violations(void):
    violations = [r for r in _results(void, "dcat-ap-SHACL.ttl") if r[0] == SH.Violation]
    assert violations == []


def test_the_shapes_do_bite(void, live_server):
    # The same description with an untyped licence and no description on one list must fail, as main's did.
    broken = Graph()
    for triple in void:
        broken.add(triple)
    broken.remove((None, RDF.type, DCTERMS.LicenseDocument))
    some_list = URIRef(live_server.url + "/id/list/140226207/basic")
    broken.remove((some_list, DCTERMS.description, None))
    violations = [r for r in _results(broken, "dcat-ap-SHACL.ttl") if r[0] == SH.Violation]
    # DCAT-AP 3 types the licence of a catalogue, a data service and a distribution (not of a dataset).
    typed = {s for s in broken.subjects(DCTERMS.license, None)
             if {DCAT.Catalog, DCAT.DataService, DCAT.Distribution} & set(broken.objects(s, RDF.type))}
    # 20 with the five bundled documents: catalogue, service, 2 dumps, 2 × 5 township graphs, 2 × 3 store-wide graphs
    assert {r[2] for r in violations if r[1] == DCTERMS.license} == typed and len(typed) == 20
    assert [r[2] for r in violations if r[1] == DCTERMS.description] == [some_list]


def test_recommended_properties_are_there(void):
    missing = {r[1] for r in _results(void, "shapes_recommended.ttl")}
    assert missing <= NOT_AVAILABLE, missing - NOT_AVAILABLE


def test_what_a_harvester_scores(void, live_server):
    datasets = set(void.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 16  # the catalogue and the 15 bundled lists
    for dataset in datasets:
        for prop in (DCTERMS.issued, DCTERMS.modified, DCAT.keyword, DCAT.theme, DCTERMS.spatial, DCTERMS.language,
                     DCAT.contactPoint, DCAT.landingPage, DCTERMS.license, DCTERMS.publisher):
            assert void.value(dataset, prop) is not None, (dataset, prop)
        assert {o.language for o in void.objects(dataset, DCTERMS.description)} == {"zh", "en"}, dataset
        contact = void.value(dataset, DCAT.contactPoint)
        assert (contact, RDF.type, VCARD.Kind) in void and void.value(contact, VCARD.fn) is not None
        assert (void.value(dataset, DCTERMS.license), RDF.type, DCTERMS.LicenseDocument) in void
        assert (void.value(dataset, DCAT.theme), SKOS.inScheme,
                URIRef("http://publications.europa.eu/resource/authority/data-theme")) in void
        assert requests.get(str(void.value(dataset, DCAT.landingPage))).status_code == 200
    distributions = set(void.subjects(RDF.type, DCAT.Distribution))
    # two dumps; Turtle and N-Triples of each township's graph and of the shared, kinds and statistics graphs
    assert len(distributions) == 2 + 2 * 5 + 2 * 3
    for distribution in distributions:
        media = str(void.value(distribution, DCAT.mediaType))
        assert media.startswith("https://www.iana.org/assignments/media-types/"), media
        assert str(void.value(distribution, DCTERMS["format"])).startswith(
            "http://publications.europa.eu/resource/authority/file-type/RDF_")
    dumps = list(void.objects(URIRef(live_server.url + "/id/dataset"), URIRef("http://rdfs.org/ns/void#dataDump")))
    for dump in dumps:
        checksum = void.value(dump, SPDX.checksum)
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert (SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm) in void
    assert Literal("乡镇", lang="zh") in set(void.objects(URIRef(live_server.url + "/id/dataset"), DCAT.keyword))
