"""Findings of a second cold review, each over the real CLI or real HTTP against the real app and store.

1. a list whose title names an ambiguous township (`西郊乡`: 230302201 and 410505200) could be built with
   `--township-code` but not validated: `luzhi validate` had no such option, and POST /validate pointed
   at it;
… (numbered as in the review; see each section).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "samples" / "001_a7c2025eaec9b519.txt"
XIJIAO = ("230302201", "410505200")  # the two townships named 西郊乡


# ---- 1. an ambiguous township can be validated -----------------------------------------------------------------

@pytest.fixture(scope="module")
def ambiguous(tmp_path_factory) -> Path:
    """Sample 001 with its title and every mention cut to `西郊乡` (the review's sed)."""
    text = SAMPLE.read_text(encoding="utf-8")
    for full in ("黑龙江省鸡西市鸡冠区西郊乡", "鸡西市鸡冠区西郊乡", "鸡冠区西郊乡"):
        text = text.replace(full, "西郊乡")
    path = tmp_path_factory.mktemp("ambiguous") / "xijiao.txt"
    path.write_text(text, encoding="utf-8")
    return path


def luzhi(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "luzhi.server.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=300, check=False)


def test_validate_takes_the_township_code_as_build_does(ambiguous):
    refused = luzhi("validate", ambiguous)
    assert refused.returncode == 2
    assert all(code in refused.stderr for code in XIJIAO)
    assert "--township-code FILE=CODE" in refused.stderr and "names several townships" in refused.stderr
    given = luzhi("validate", "--format", "json", "--township-code", f"{ambiguous.name}={XIJIAO[0]}", ambiguous)
    assert given.returncode in (0, 1), given.stderr
    report = json.loads(given.stdout)["files"][0]
    assert report["conforms"] is True
    assert f"/{XIJIAO[0]}/" in given.stdout and f"/{XIJIAO[1]}/" not in given.stdout
    bad = luzhi("validate", "--township-code", f"{ambiguous.name}=2303", ambiguous)
    assert bad.returncode == 2 and "--township-code" in bad.stderr and "FILE=9-digit-code" in bad.stderr


def test_post_validate_takes_a_township_code_field(live_server, ambiguous):
    url = f"{live_server.url}/validate"
    files = {"file": (ambiguous.name, ambiguous.read_bytes(), "text/plain")}
    refused = requests.post(url, files=files, headers={"Accept": "application/json"}, timeout=120)
    assert refused.status_code == 400
    message = refused.json()["error"]
    assert "township_code" in message and "--township-code" not in message
    assert "对应多个乡镇" in message and "names several townships" in message
    given = requests.post(url, files=files, data={"township_code": XIJIAO[1]}, timeout=120,
                          headers={"Accept": "application/json"})
    assert given.status_code == 200, given.text
    assert f"/{XIJIAO[1]}/" in given.text and f"/{XIJIAO[0]}/" not in given.text
    raw = requests.post(f"{url}?township_code={XIJIAO[0]}", data=ambiguous.read_bytes(), timeout=120,
                        headers={"Accept": "application/json", "Content-Type": "text/plain"})
    assert raw.status_code == 200, raw.text
    bad = requests.post(url, files=files, data={"township_code": "41050520x"}, timeout=120,
                        headers={"Accept": "application/json"})
    assert bad.status_code == 400 and "township_code" in bad.json()["error"]


def test_the_validate_form_has_the_township_code_field(live_server):
    page = requests.get(f"{live_server.url}/validate", timeout=30).text
    assert 'name="township_code"' in page


# ---- 8. small ones ---------------------------------------------------------------------------------------------

def test_a_file_and_pasted_text_together_are_refused(live_server):
    files = {"file": ("a.ttl", b"<http://x/a> <http://x/b> <http://x/c> .", "text/turtle")}
    response = requests.post(f"{live_server.url}/validate", files=files, data={"text": "<a> <b> <c> ."},
                             headers={"Accept": "application/json"}, timeout=120)
    assert response.status_code == 400
    assert "file" in response.json()["error"] and "text" in response.json()["error"]


def test_validate_help_names_every_document_format_it_reads():
    help_text = luzhi("validate", "--help").stdout
    assert all(ext in help_text for ext in (".docx", ".xlsx", ".pdf", ".html")) and "--township-code" in help_text
