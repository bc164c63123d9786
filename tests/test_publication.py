"""The publisher's settings reach the VoID description and the landing pages' schema.org JSON-LD (issue 11)."""

from __future__ import annotations

import json
import re
import threading

import pytest
import requests
from conftest import make_config
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF
from werkzeug.serving import make_server

from luzhi.server.app import create_app
from luzhi.server.config import Config
from luzhi.server.wsgi import config_from_environment

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _structured_data(html: str) -> dict:
    found = SCRIPT.findall(html)
    assert len(found) == 1
    return json.loads(found[0])


@pytest.mark.parametrize("path", ["/", "/?lang=en", "/.well-known/void"])
def test_landing_pages_carry_a_schema_org_dataset(live_server, path):
    html = requests.get(live_server.url + path, headers={"Accept": "text/html"}).text
    data = _structured_data(html)
    assert data["@context"] == "https://schema.org/" and data["@type"] == "Dataset"
    assert data["@id"] == live_server.url + "/id/dataset"
    assert data["license"] == live_server.config.licence
    assert 50 <= len(data["description"]) <= 5000  # what Google's Dataset search asks of a description
    assert data["name"] and data["publisher"]["name"] == "履职项目"
    assert {d["contentUrl"] for d in data["distribution"]} == {
        live_server.url + "/dumps/luzhi.nq.gz", live_server.url + "/dumps/luzhi.ttl.gz"}
    for download in data["distribution"]:
        assert requests.head(download["contentUrl"]).status_code == 200


@pytest.fixture(scope="module")
def configured(built_store):
    """A second real server over the same store, with every publisher setting given."""
    config = make_config(built_store, publisher="某县人民政府</script><b>", contact_email="open@example.org",
                         contact_url="https://example.org/contact", publisher_url="https://example.org/",
                         licence="https://creativecommons.org/publicdomain/zero/1.0/", issued="2025-06-30")
    server = make_server("127.0.0.1", 0, create_app(config), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", config
    server.shutdown()


def test_settings_reach_the_void_description(configured, built_store):
    url, _config = configured
    void = Graph().parse(data=requests.get(url + "/.well-known/void", headers={"Accept": "text/turtle"}).text,
                         format="turtle")
    dataset = URIRef(built_store.base + "/id/dataset")
    publisher = URIRef("https://example.org/")
    assert void.value(dataset, DCTERMS.publisher) == publisher
    assert void.value(publisher, FOAF.name) == Literal("某县人民政府</script><b>")
    contact = void.value(dataset, DCAT.contactPoint)
    assert void.value(contact, VCARD.hasEmail) == URIRef("mailto:open@example.org")
    assert void.value(contact, VCARD.hasURL) == URIRef("https://example.org/contact")
    assert void.value(dataset, DCTERMS.license) == URIRef("https://creativecommons.org/publicdomain/zero/1.0/")
    assert str(void.value(dataset, DCTERMS.issued)) == "2025-06-30"


def test_a_publisher_name_cannot_close_the_script(configured):
    url, _config = configured
    html = requests.get(url + "/").text
    data = _structured_data(html)  # exactly one script element, and it parses
    assert data["publisher"]["name"] == "某县人民政府</script><b>"
    assert data["publisher"]["email"] == "open@example.org"


@pytest.mark.parametrize(("setting", "value"), [
    ("licence", "CC BY 4.0"), ("contact_email", "nobody"), ("issued", "30/06/2025"), ("publisher_url", "example.org"),
])
def test_a_malformed_setting_is_refused_by_name(tmp_path, setting, value):
    with pytest.raises(ValueError, match=setting):
        Config(store_path=tmp_path, **{setting: value})


def test_gunicorn_reads_the_settings_from_the_environment(built_store):
    config = config_from_environment({"LUZHI_STORE": str(built_store.path), "LUZHI_CONTACT_EMAIL": "a@b.org",
                                      "LUZHI_PUBLISHER": "X"})
    assert (config.contact_email, config.publisher) == ("a@b.org", "X")
    with pytest.raises(RuntimeError, match="issued"):
        config_from_environment({"LUZHI_STORE": str(built_store.path), "LUZHI_ISSUED": "soon"})
