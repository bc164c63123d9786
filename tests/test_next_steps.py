"""Refusals that say what to do next (cold review): a validation past its time limit, a Big5 document, a
relative IRI in a Turtle submission. Over real HTTP to the real app, and through `luzhi validate`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests
from conftest import make_config
from sparql_server import serve
from test_review_messages import in_both_languages

# A duty list as Taiwan or Hong Kong offices save it: traditional characters, Big5.
BIG5_NAME = "額敏鎮清單.txt"
BIG5 = ("塔城地區額敏縣額敏鎮履行職責事項清單\n一、基本履職事項\n序號\t職責名稱\t上級對應部門\n"
        "1\t森林防火\t縣林業和草原局\n2\t防汛抗旱工作\t縣水利局\n").encode("big5")
RELATIVE = b"@prefix ex: <http://example.org/> .\nex:s ex:p <duty/1> .\n"


def _luzhi(*args: str) -> subprocess.CompletedProcess:
    luzhi = Path(sys.executable).with_name("luzhi")
    return subprocess.run([str(luzhi), *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def impatient(built_store):
    """The app with a validation time limit no validation meets (a worker process alone takes longer)."""
    with serve(make_config(built_store, validation_timeout=0.05)) as server:
        yield server.base


def test_a_validation_past_its_time_limit_says_to_split_or_run_it_locally(impatient):
    files = {"file": ("乡镇 清单.ttl", b"<http://x/a> <http://x/b> <http://x/c> .\n", "text/turtle")}
    response = requests.post(f"{impatient}/validate", files=files, headers={"Accept": "application/json"},
                             timeout=60)
    assert response.status_code == 503, response.text
    message = response.json()["error"]
    assert in_both_languages(message), message
    assert "split the document" in message and "luzhi validate '乡镇 清单.ttl'" in message, message
    assert response.json()["file"] == "乡镇 清单.ttl"
    raw = requests.post(f"{impatient}/validate", data=b"<http://x/a> <http://x/b> <http://x/c> .\n",
                        headers={"Content-Type": "text/turtle", "Accept": "application/json"}, timeout=60)
    assert "luzhi validate FILE" in raw.json()["error"]  # a raw body has no file name


def _says_resave(message: str) -> None:
    assert in_both_languages(message), message
    assert f"{BIG5_NAME} looks Big5-encoded" in message, message
    assert f"re-save {BIG5_NAME} as UTF-8 (or GB18030)" in message, message


def test_a_big5_document_is_named_and_told_to_be_resaved(live_server, tmp_path):
    files = {"file": (BIG5_NAME, BIG5, "text/plain")}
    response = requests.post(f"{live_server.url}/validate", files=files, headers={"Accept": "application/json"},
                             timeout=120)
    assert response.status_code == 400, response.text
    _says_resave(response.json()["error"])
    (tmp_path / BIG5_NAME).write_bytes(BIG5)
    done = _luzhi("validate", str(tmp_path / BIG5_NAME))
    assert done.returncode == 2, done.stdout + done.stderr
    _says_resave(done.stdout + done.stderr)


def _says_add_base(message: str) -> None:
    assert in_both_languages(message), message
    assert "the relative IRI <duty/1> has no base IRI" in message, message
    assert "@base <https://" in message and "absolute IRIs" in message, message


def test_a_relative_iri_in_turtle_says_to_add_a_base(live_server, tmp_path):
    response = requests.post(f"{live_server.url}/validate", data=RELATIVE, timeout=60,
                             headers={"Content-Type": "text/turtle", "Accept": "application/json"})
    assert response.status_code == 400, response.text
    body = response.json()
    _says_add_base(body["error"])
    assert (body["line"], body["column"]) == (2, 11)
    (tmp_path / "relative.ttl").write_bytes(RELATIVE)
    done = _luzhi("validate", str(tmp_path / "relative.ttl"))
    assert done.returncode == 2, done.stdout + done.stderr
    _says_add_base(done.stdout + done.stderr)
