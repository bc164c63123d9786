"""A Word source's places are told in its own terms (表 14 第 4 行 / table 14, row 4), never as lines (cold review).

The lines of a .docx are the ones the reader numbered as it read paragraphs and table rows out of it: no one who
opens the file can find "line 163" or "lines 15–15" in it. The validation report (`luzhi validate`, `POST
/validate`), the parser's errors and the build's refusals named them so, or named no place at all. Each place
checked here is checked against the file itself, read with python-docx.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from docx import Document
from formats import write_docx

from luzhi.etl.parse import ParseError, parse_document
from luzhi.etl.stage import Refusal, _reason

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


def luzhi_validate(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "luzhi.server.cli", "validate", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def broken_docx(tmp_path_factory) -> Path:
    """Sample 000 as Word, the 对应上级部门 cell of cooperative item 2 (text line 163) emptied."""
    lines = (SAMPLES / "000_d4a0698a49e5e74d.txt").read_text(encoding="utf-8").split("\n")
    cells = lines[162].split("\t")
    assert cells[0] == "2" and cells[2] == "市委组织部"
    cells[2] = ""
    lines[162] = "\t".join(cells)
    return write_docx("\n".join(lines), tmp_path_factory.mktemp("docx") / "broken.docx")


def _row(path: Path, table: int, row: int) -> list[str]:
    return [cell.text for cell in Document(str(path)).tables[table - 1].rows[row - 1].cells]


def test_a_result_in_a_word_file_names_its_table_and_row(broken_docx):
    english = luzhi_validate(broken_docx, "--lang", "en")
    assert english.returncode == 1, english.stderr
    focus = next(line for line in english.stdout.splitlines() if "/cooperative/2" in line)
    assert focus.endswith("[table 14, row 4]"), focus  # it said no place at all
    assert "（表 14 第 4 行）" in luzhi_validate(broken_docx).stdout
    (result,) = json.loads(luzhi_validate(broken_docx, "--format", "json").stdout)["files"][0]["results"]
    assert result["place"] == {"fragment": "table=14&row=4", "zh": "表 14 第 4 行", "en": "table 14, row 4"}
    assert result["lines"] is None
    cells = _row(broken_docx, 14, 4)  # the place named holds the item: its number, its empty department
    assert cells[0] == "2" and cells[2] == "", cells


def test_a_notice_in_a_word_file_names_its_paragraph_not_lines(tmp_path):
    """Sample 002 with its list titles naming another township (哈多河镇): notices, which said "[lines 15–15]".
    (002 itself writes 呼伦贝尔扎兰屯市卧牛河镇 there: the same township, no notice since cold review 21.)"""
    text = (SAMPLES / "002_abfaf3bcc1fa4131.txt").read_text(encoding="utf-8")
    word = write_docx(text.replace("呼伦贝尔扎兰屯市卧牛河镇", "呼伦贝尔扎兰屯市哈多河镇"), tmp_path / "002.docx")
    answer = luzhi_validate(word, "--lang", "en", "--format", "json")
    notices = json.loads(answer.stdout)["files"][0]["notices"]
    placed = [notice for notice in notices if notice["code"] == "title-mismatch"]
    assert placed, notices
    paragraphs = [p.text for p in Document(str(word)).element.body.iterchildren() if p.tag.endswith("}p")]
    for notice in placed:
        assert notice["lines"] is None and notice["place"]["fragment"].startswith("paragraph="), notice
        number = int(notice["place"]["fragment"].removeprefix("paragraph="))
        assert "哈多河镇" in paragraphs[number - 1], (number, paragraphs[number - 1])  # the body's paragraph N
    text = luzhi_validate(word, "--lang", "en").stdout
    assert "[paragraph " in text and "[lines " not in text, text


def test_a_layout_error_in_a_word_file_names_the_paragraph_and_no_line(tmp_path, live_server):
    word = tmp_path / "no-header.docx"
    document = Document()
    document.add_paragraph("辽宁省鞍山市海城市耿庄镇 履行职责事项清单")
    document.add_paragraph("这里没有表格")
    document.save(word)
    with pytest.raises(ParseError) as refused:
        parse_document(word)
    assert str(refused.value).startswith(f"{word}: （第 2 段 / paragraph 2）"), str(refused.value)
    assert refused.value.place == "paragraph=2"
    reason = _reason(refused.value)  # what a build's --keep-going quarantine records and prints
    assert reason["line"] is None and reason["place"] == "paragraph=2"
    assert Refusal(str(word), (reason,)).text().startswith("第 2 段 / paragraph 2 [ParseError]")
    with word.open("rb") as upload:
        answer = requests.post(f"{live_server.url}/validate", files={"file": (word.name, upload)},
                               headers={"Accept": "application/json"}, timeout=120)
    assert answer.status_code == 400
    assert answer.json()["line"] is None and "（第 2 段 / paragraph 2）" in answer.json()["error"], answer.text
