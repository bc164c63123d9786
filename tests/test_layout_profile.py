"""Layout profiles (issue 12): a document the parser cannot read alone parses with its profile.

tests/fixtures/profile/unseen_layout.txt names its columns 编号/工作事项/责任单位…, its lists
乡镇自主事项/协同事项/移交事项, writes categories as 【党的建设】 lines, separates departments with /
and heads each department's part 【县公安局】; unseen_layout.toml says so (docs/parsing.md shows it).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_review_messages import in_both_languages

from luzhi.etl.layout import LayoutError, load_layout
from luzhi.etl.model import ListKind
from luzhi.etl.parse import ParseError, parse_document

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "profile"
DOCUMENT, PROFILE = FIXTURES / "unseen_layout.txt", FIXTURES / "unseen_layout.toml"
LUZHI = [sys.executable, "-m", "luzhi.server.cli"]


def test_unreadable_without_the_profile():
    with pytest.raises(ParseError) as caught:
        parse_document(DOCUMENT)
    assert caught.value.lineno == 4 and "「工作事项」" in caught.value.message and "--layout" in caught.value.message


def test_parses_with_the_profile():
    doc = parse_document(DOCUMENT, load_layout(PROFILE))
    assert doc.title == "大同市左云县小京庄乡"
    assert [(i.list_kind, i.sequence, i.category) for i in doc.items] == [
        (ListKind.BASIC, 1, "党的建设"),
        (ListKind.BASIC, 2, "党的建设"),
        (ListKind.BASIC, 3, "经济发展"),
        (ListKind.COOPERATIVE, 1, "平安法治"),
        (ListKind.COOPERATIVE, 2, "平安法治"),
        (ListKind.RECLAIMED, 1, "卫生健康"),
    ]
    assert [(c.list_kind, c.declared, c.parsed) for c in doc.list_counts] == [
        (ListKind.BASIC, 3, 3),
        (ListKind.COOPERATIVE, 2, 2),
        (ListKind.RECLAIMED, 1, 1),
    ]
    assert doc.issues == ()


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*LUZHI, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_luzhi_build_and_validate_with_layout(tmp_path):
    built = _run(
        "build", str(DOCUMENT), "--layout", str(PROFILE), "--store", "store", "--report", "r.json", cwd=tmp_path
    )
    assert built.returncode == 0, built.stderr
    (document,) = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["documents"]
    assert document["validation"]["violation"] == 0
    query = (
        "SELECT ?name ?text WHERE { ?duty <https://w3id.org/luzhi/def#participation> ?part . "
        "?part <https://w3id.org/luzhi/def#department> ?org ; <https://w3id.org/luzhi/def#responsibility> ?text . "
        "?org <http://www.w3.org/2004/02/skos/core#prefLabel> ?name }"
    )
    answer = _run("query", query, "--store", "store", "--format", "json", cwd=tmp_path)
    rows = {b["name"]["value"]: b["text"]["value"] for b in json.loads(answer.stdout)["results"]["bindings"]}
    assert rows == {
        "县公安局": "负责对涉及治安的纠纷依法处置",  # a department's part of the text, without the 。 that ends it
        "县司法局": "负责指导人民调解工作",
        "县水务局": "负责农村饮水工程的规划建设和水质监测",
    }
    assert _run("validate", str(DOCUMENT), "--layout", str(PROFILE), cwd=tmp_path).returncode == 0
    refused = _run("validate", str(DOCUMENT), cwd=tmp_path)
    assert refused.returncode == 2 and "工作事项" in refused.stderr
    refused = _run("build", str(DOCUMENT), "--store", "store2", cwd=tmp_path)
    assert refused.returncode == 1 and "unseen_layout.txt: line 4 [ParseError]" in refused.stderr
    assert not (tmp_path / "store2").exists()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[columns]\n"编号" = "number"\n', "列角色应是"),
        ("[colums]\n", "未知的节 [colums]"),
        ("[categories]\nheading = '^【(?P<title>.+)】$'\n", "(?P<name>"),
        ("[categories]\nheading = '^【('\n", "不是合法的正则表达式"),
        ("[lists]\n\"乡镇事项\" = 'basics'\n", "basic、cooperative 或 reclaimed"),
        ("[departments]\nseparator = '/'\n", "未知的键 separator"),
        ("columns = 1\n[lists\n", "不是合法的 TOML"),
    ],
)
def test_a_bad_profile_is_refused_naming_the_key(tmp_path, text, words):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LayoutError) as caught:
        load_layout(path)
    assert caught.value.path == str(path) and words in caught.value.message
    assert in_both_languages(caught.value.message), caught.value.message  # they were Chinese only (cold review)
    result = _run("build", str(DOCUMENT), "--layout", str(path), "--store", "s", cwd=tmp_path)
    assert result.returncode == 2 and words in result.stderr
