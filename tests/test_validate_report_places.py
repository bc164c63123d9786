"""POST /validate's JSON report on sample 000 changed as a clerk's copy might be (cold review), over real HTTP:
an upload is not stored, so its source is no URL (`urn:luzhi:submission:<sha256>`, not a 404 under /source/); the
category-count Warning gives its heading's line, as its notice does; a repeated 序号 says how to fix it.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import requests

SAMPLE = Path(__file__).parent.parent / "data" / "samples" / "000_d4a0698a49e5e74d.txt"


def _sample(line: int, edit) -> bytes:
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    lines[line - 1] = edit(lines[line - 1])
    return "\n".join(lines).encode("utf-8")


def _post(url: str, body: bytes) -> dict:
    response = requests.post(f"{url}/validate", data=body, timeout=120,
                             headers={"Content-Type": "text/plain", "Accept": "application/json"})
    assert response.status_code == 200, response.text
    return response.json()


def test_an_upload_has_no_url_for_a_source_and_each_count_has_its_line(live_server):
    body = _sample(25, lambda old: "9a" + old.removeprefix("9"))  # 序号 9 unread: 党的建设 declares 24, has 23
    report = _post(live_server.url, body)
    assert report["conforms"] is False
    submission = f"urn:luzhi:submission:{hashlib.sha256(body).hexdigest()}"
    assert {r["source"] for r in report["results"]} == {submission}
    assert not any("/source/" in (r["value"] or "") for r in report["results"])
    unread = next(r for r in report["results"] if r["sourceShape"].endswith("#UnreadRowShape"))
    assert (unread["value"], unread["lines"]) == (f"{submission}#line=24,25", [25, 25])
    (section,) = [r for r in report["results"] if r["sourceShape"].endswith("#SectionDeclaredCountShape")]
    (notice,) = [n for n in report["notices"] if n["code"] == "count-mismatch" and "党的建设" in n["message"]["zh"]]
    assert section["lines"] == notice["lines"] == [14, 14]


def test_a_repeated_number_says_how_to_fix_it(live_server):
    report = _post(live_server.url, _sample(25, lambda old: "8" + old.removeprefix("9")))
    repeated = [r for r in report["results"] if r["sourceShape"].endswith("#SequenceUniqueShape")]
    assert len(repeated) == 2 and report["conforms"] is False
    for result in repeated:
        assert result["message"]["zh"].endswith("请对照原件给每个事项各自的序号")
        assert result["message"]["en"].endswith("give each item its own 序号, as in the original")


def test_the_page_shows_the_unread_row_at_its_line(live_server):
    body = _sample(25, lambda old: "9a" + old.removeprefix("9"))
    response = requests.post(f"{live_server.url}/validate", data=body, timeout=120,
                             headers={"Content-Type": "text/plain", "Accept": "text/html"})
    assert response.status_code == 200 and response.headers["Luzhi-Conforms"] == "false"
    # The Violation itself names its line, not only the notice (the page showed the list's first result's place,
    # the count's: none).
    violation = re.search(r'<li class="violation">(.*?)</li>', response.text, re.S).group(1)
    assert "清单有一行序号缺失或无法读取：" in violation and "第 25 行" in violation
    assert "/source/210381121/upload" not in response.text


def test_a_wrong_value_is_shown_quoted_on_the_page_and_in_the_text(live_server, tmp_path):
    """The page showed no value at all, and the text report printed a text bare (`值 ` for an empty title, a title
    read into the sentence around it; cold review 31): a text is quoted, as the text report and the page show it."""
    body = ('@prefix lz: <https://w3id.org/luzhi/def#> . @prefix dct: <http://purl.org/dc/terms/> .\n'
            f'<{live_server.url}/id/duty/x> a lz:Duty ; dct:title "" .\n').encode()
    response = requests.post(f"{live_server.url}/validate", data=body, timeout=120,
                             headers={"Content-Type": "text/turtle", "Accept": "text/html"})
    assert response.status_code == 200 and response.headers["Luzhi-Conforms"] == "false"
    violations = re.findall(r'<li class="violation">(.*?)</li>', response.text, re.S)
    titled = [item for item in violations if "dct:title" in item]
    assert titled and "值 <code>“”</code>" in titled[0], titled
    submitted = tmp_path / "duty.ttl"
    submitted.write_bytes(body)
    text = subprocess.run([sys.executable, "-m", "luzhi.server.cli", "validate", str(submitted)], capture_output=True,
                          text=True, timeout=300).stdout
    assert "属性 http://purl.org/dc/terms/title；值 “”" in text, text
