"""`luzhi validate` as a real process: exit codes 0/1/2, --lang, --format; same verdict as HTTP (issue 4)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from rdflib import Graph, Literal

from luzhi.ontology.namespaces import SH

FIXTURES = Path(__file__).parent / "shapes"
DOCUMENTS = Path(__file__).parent / "fixtures" / "documents"


def luzhi(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "luzhi.server.cli", "validate", *map(str, args)],
                          capture_output=True, text=True, timeout=300, check=False)


def test_exit_codes_and_json_report(tmp_path):
    ok = luzhi(FIXTURES / "Duty-title.pass.ttl", FIXTURES / "NumberingGapShape.fail.ttl", "--format", "json")
    assert ok.returncode == 0, ok.stderr  # a Warning alone does not fail
    document = json.loads(ok.stdout)
    assert document["conforms"] is True and len(document["files"]) == 2

    bad = luzhi(FIXTURES / "Duty-title.pass.ttl", FIXTURES / "Duty-title.fail.ttl", "--format", "json")
    assert bad.returncode == 1
    assert [f["conforms"] for f in json.loads(bad.stdout)["files"]] == [True, False]

    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix a: <http://x/> .\na:b a:c \"x .\n", encoding="utf-8")
    unreadable = luzhi(FIXTURES / "Duty-title.fail.ttl", broken)
    assert unreadable.returncode == 2
    assert f"{broken}:2:9:" in unreadable.stderr


def test_text_report_in_both_languages_points_at_source_lines(tmp_path):
    sample = Path(__file__).parent.parent / "data" / "samples" / "000_d4a0698a49e5e74d.txt"
    lines = sample.read_text(encoding="utf-8").split("\n")
    cells = lines[162].split("\t")
    cells[2] = ""
    lines[162] = "\t".join(cells)
    document = tmp_path / "broken.txt"
    document.write_bytes("\n".join(lines).encode("utf-8-sig"))
    zh = luzhi(document)
    assert zh.returncode == 1
    assert "http://127.0.0.1:5000/id/duty/210381121/cooperative/2  （第 163 行）" in zh.stdout
    assert "配合履职事项没有任何对应上级部门" in zh.stdout
    en = luzhi(document, "--lang", "en")
    assert "[line 163]" in en.stdout and "The cooperative duty names no upper department" in en.stdout


def test_turtle_report_and_input_format_option(tmp_path):
    copy = tmp_path / "fixture.data"  # no known extension: --input-format says what it is
    copy.write_bytes((FIXTURES / "Duty-title.fail.ttl").read_bytes())
    assert luzhi(copy).returncode == 2
    run = luzhi(copy, "--input-format", "turtle", "--format", "ttl")
    assert run.returncode == 1
    graph = Graph().parse(data=run.stdout, format="turtle")
    assert (None, SH.conforms, Literal(False)) in graph
    assert len(set(graph.subjects(None, SH.ValidationResult))) == 2  # no title, a blank title


@pytest.mark.parametrize("name", ["000.list", "000", "000.TXT.bak"])
def test_a_file_luzhi_build_reads_is_validated_whatever_its_name(tmp_path, name):
    """`luzhi build` reads a file of any other extension, or none, as a list document (etl.readers.read_document);
    `luzhi validate` refused it: "cannot tell the format from the extension" (cold review)."""
    sample = Path(__file__).parent.parent / "data" / "samples" / "000_d4a0698a49e5e74d.txt"
    copy = tmp_path / name
    copy.write_bytes(sample.read_bytes())
    run = luzhi(copy, "--format", "json")
    assert run.returncode == 0, run.stderr
    (report,) = json.loads(run.stdout)["files"]
    assert report["conforms"] is True and report["counts"]["Violation"] == 0


def test_cli_and_http_give_the_same_verdicts(live_server, tmp_path):
    for name in ("Duty-title.fail.ttl", "NumberingGapShape.fail.ttl", "Duty-provenance.pass.ttl"):
        body = (FIXTURES / name).read_text(encoding="utf-8").replace("http://127.0.0.1:5000", live_server.url)
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        cli = json.loads(luzhi(path, "--format", "json", "--base", live_server.url).stdout)["files"][0]
        http = requests.post(f"{live_server.url}/validate", data=body.encode(), timeout=60,
                             headers={"Content-Type": "text/turtle", "Accept": "application/json"}).json()
        assert cli["conforms"] == http["conforms"]
        assert cli["counts"] == http["counts"]
        key = lambda r: (r["focusNode"], r["sourceShape"], r["resultPath"], r["severity"])  # noqa: E731
        assert sorted(map(key, cli["results"])) == sorted(map(key, http["results"]))


@pytest.mark.parametrize("name", ["empty.ttl", "empty.txt", "empty.docx"])
def test_an_empty_file_gets_one_message_from_the_cli_and_from_http(live_server, tmp_path, name):
    """It was three: "no triples" (.ttl), "文件为空" (.txt) from the CLI, "nothing was submitted" from HTTP."""
    path = tmp_path / name
    path.write_bytes(b"")
    cli = luzhi(path, "--format", "json")
    http = requests.post(f"{live_server.url}/validate", files={"file": (name, b"", "application/octet-stream")},
                         headers={"Accept": "application/json"}, timeout=60)
    assert cli.returncode == 2 and http.status_code == 400
    (error,) = json.loads(cli.stdout)["files"]
    assert error["error"] == http.json()["error"] == "文件为空（0 字节） / the file is empty (0 bytes)"
    assert http.json()["file"] == name


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_reused_sequence_is_a_violation_on_both_duties(engine):
    """Issue 11, finding 6: a 序号 used twice once became one duty with two titles, and `validate` said conforms."""
    result = luzhi(DOCUMENTS / "reused_sequence.txt", "--format", "json", "--engine", engine)
    assert result.returncode == 1, result.stdout + result.stderr
    (report,) = json.loads(result.stdout)["files"]
    duty = "http://127.0.0.1:5000/id/duty/210381121/basic/2"
    violations = [r for r in report["results"] if r["severity"] == "Violation"]
    assert sorted(r["focusNode"] for r in violations) == [duty, duty + "-2"]
    assert {r["sourceShape"].rsplit("#", 1)[1] for r in violations} == {"SequenceUniqueShape"}


@pytest.mark.parametrize("content", [b"", b"# only a comment\n@prefix ex: <http://example.org/> .\n"],
                         ids=["empty", "no-triples"])
def test_an_empty_submission_does_not_conform(tmp_path, content):
    path = tmp_path / "empty.ttl"
    path.write_bytes(content)
    result = luzhi(path)
    assert result.returncode == 2
    assert ("empty (0 bytes)" if not content else "no triples") in result.stderr and "符合" not in result.stdout


def test_both_engines_give_the_same_json_report():
    """`--engine fast` (the default) and `--engine pyshacl` (the reference): one report, byte for byte."""
    files = [FIXTURES / "SequenceUniqueShape.fail.ttl", FIXTURES / "InstanceIriShape.fail.ttl",
             FIXTURES / "NumberingGapShape.fail.ttl", FIXTURES / "Duty-title.pass.ttl"]
    default = luzhi(*files, "--format", "json")
    fast = luzhi(*files, "--format", "json", "--engine", "fast")
    reference = luzhi(*files, "--format", "json", "--engine", "pyshacl")
    assert default.returncode == fast.returncode == reference.returncode == 1, reference.stderr
    assert default.stdout == fast.stdout == reference.stdout
    assert sum(len(f["results"]) for f in json.loads(fast.stdout)["files"]) == 5  # the repeated 序号: both duties
    unknown = luzhi(files[0], "--engine", "rudof")
    assert unknown.returncode == 2 and "--engine" in unknown.stderr


def _without_number(tmp_path: Path, line: int, starts: str) -> tuple[int, dict]:
    """`luzhi validate --format json` on bundled sample 000 with the 序号 of `line` (1-based) deleted: its exit status
    and its report."""
    from luzhi.etl.build import bundled_documents

    sample = next(path for path in bundled_documents() if path.name.startswith("000_"))
    lines = sample.read_text(encoding="utf-8").split("\n")
    assert lines[line - 1].startswith(starts)
    lines[line - 1] = "\t" + lines[line - 1].split("\t", 1)[1]  # its number cell left empty
    document = tmp_path / "missing-number.txt"
    document.write_text("\n".join(lines), encoding="utf-8")
    result = luzhi(document, "--format", "json")
    (report,) = json.loads(result.stdout)["files"]
    return result.returncode, report


def test_a_lost_number_read_as_the_item_aboves_title_is_named_at_its_own_line(tmp_path):
    """Cold review: line 26 of 000 without its `10` was read as the rest of item 9's 事项名称 (a two-duty title),
    and the only word of it was "序号从 9 跳到 11，缺少 10" at line 27. The gap now names line 26 and the fix."""
    _status, report = _without_number(tmp_path, 26, "10\t")
    (gap,) = [notice for notice in report["notices"] if notice["code"] == "numbering-gap"]
    assert gap["lines"] == [26, 27], gap
    assert "第 26 行没有序号，已作为第 9 项事项名称的续行并入" in gap["message"]["zh"], gap
    assert "line 26 has no 序号" in gap["message"]["en"] and "write its number on that line" in gap["message"]["en"]


def test_a_lost_number_on_a_categorys_first_row_is_a_warning_naming_the_row(tmp_path):
    """Cold review: the first row under 二、经济发展 of 000's cooperative list without its number was dropped (no
    item before it to continue), and the only word of it was an Info notice without the fix."""
    _status, report = _without_number(tmp_path, 178, "10\t开展社会信用体系建设")
    (lost,) = [notice for notice in report["notices"] if notice["code"] == "continuation-without-item"]
    assert lost["severity"] == "Warning" and lost["lines"] == [178, 178], lost
    assert "「开展社会信用体系建设」没有作为事项读入" in lost["message"]["zh"]
    assert "write its number on that line" in lost["message"]["en"]


def test_a_lost_number_on_a_lists_first_row_is_a_violation_as_an_unread_number_is(tmp_path):
    """Cold review 28: 000's line 15 (the basic list's first duty) without its `1` was dropped, and `luzhi validate`
    said it conformed (exit 0), where a 序号 that cannot be read refuses the list (lzsh:UnreadRowShape)."""
    status, report = _without_number(tmp_path, 15, "1\t")
    assert status == 1, report
    (unread,) = [r for r in report["results"] if r["sourceShape"].endswith("#UnreadRowShape")]
    assert unread["severity"] == "Violation" and unread["lines"] == [15, 15], unread


def test_a_lost_number_on_a_categorys_last_row_is_named_by_the_short_count(tmp_path):
    """Cold review 28: 000's line 156 (item 111, the last of 综合政务) without its number was read as the rest of item
    110's title, and no gap follows it: the only word was "声明 9 项，实际解析出 8 项" at the heading's line."""
    _status, report = _without_number(tmp_path, 156, "111\t")
    (short,) = [notice for notice in report["notices"] if notice["code"] == "count-mismatch"]
    assert short["lines"] == [145, 156], short
    assert "第 156 行没有序号，已作为第 110 项事项名称的续行并入" in short["message"]["zh"], short
    assert "line 156 has no 序号 and was read as the rest of item 110's title" in short["message"]["en"], short


def test_a_list_whose_first_number_is_lost_is_said_to_start_past_it(tmp_path):
    """Cold review 28: "序号从 0 跳到 2" read as if a 0 had been printed."""
    _status, report = _without_number(tmp_path, 15, "1\t")
    (gap,) = [notice for notice in report["notices"] if notice["code"] == "numbering-gap"]
    assert gap["message"] == {"zh": "序号从 2 开始，缺少 1", "en": "序号 starts at 2; 1 missing"}, gap


def test_a_number_sharing_its_titles_cell_is_a_violation_as_an_unread_number_is(tmp_path):
    """Cold review 29: 000's line 20 with a space for the tab after its `6` was dropped as "a line of no known
    structure" (an Info), and the list, short of duty 6, conformed."""
    from luzhi.etl.build import bundled_documents

    sample = next(path for path in bundled_documents() if path.name.startswith("000_"))
    lines = sample.read_text(encoding="utf-8").split("\n")
    assert lines[19].startswith("6\t")
    lines[19] = lines[19].replace("\t", " ", 1)
    document = tmp_path / "space.txt"
    document.write_text("\n".join(lines), encoding="utf-8")
    result = luzhi(document, "--format", "json")
    (report,) = json.loads(result.stdout)["files"]
    assert result.returncode == 1, report
    (unread,) = [r for r in report["results"] if r["sourceShape"].endswith("#UnreadRowShape")]
    assert unread["lines"] == [20, 20], unread
    (notice,) = [n for n in report["notices"] if n["code"] == "unparsed-line"]
    assert notice["severity"] == "Warning" and "put the 序号 and the 事项名称 in cells of their own" in notice[
        "message"]["en"], notice


def test_a_township_code_given_for_a_file_as_its_path_was_written_is_used(tmp_path):
    """Cold review 28: `luzhi validate ./a.txt --township-code ./a.txt=CODE` was refused, the file being named `a.txt`
    once given (pathlib drops the `./`); before that refusal the code was silently unused."""
    from luzhi.etl.build import bundled_documents

    sample = next(path for path in bundled_documents() if path.name.startswith("002_"))
    (tmp_path / "a.txt").write_bytes(sample.read_bytes())
    result = subprocess.run([sys.executable, "-m", "luzhi.server.cli", "validate", "./a.txt", "--township-code",
                             "./a.txt=210381121", "--format", "json"], capture_output=True, text=True, timeout=300,
                            cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    (report,) = json.loads(result.stdout)["files"]
    # Another township's code than its title's (卧牛河镇, 150783106): used, it overrides the title and says so.
    assert "code-overrides-title" in {notice["code"] for notice in report["notices"]}, report["notices"]
