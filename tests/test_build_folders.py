"""A folder given as FILES stands for the documents in it and its subfolders (server/cli_paths.py).

The country's 38,700 files named one by one pass the system's bound on a command line (ARG_MAX: 2 MB here), and
before this a folder was refused ("is a directory"). Run as a user runs it: `luzhi build .` in the documents'
folder, twice, the default store (./luzhi-store) made in that folder the first time.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from luzhi.etl.build import bundled_documents


def _luzhi(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "LUZHI_DEBUG"}
    return subprocess.run([sys.executable, "-m", "luzhi.server.cli", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=600)


def _folder(tmp_path: Path) -> Path:
    """Two bundled documents, one in a subfolder, beside what a folder of downloads also holds."""
    folder = tmp_path / "lists"
    (folder / "more").mkdir(parents=True)
    first, second = bundled_documents()[:2]
    shutil.copy(first, folder / first.name)
    shutil.copy(second, folder / "more" / second.name)
    (folder / "manifest.json").write_text("{}", encoding="utf-8")
    (folder / ".notes.txt").write_text("not a list", encoding="utf-8")
    (folder / f"~${first.name}").write_text("Word's lock file", encoding="utf-8")
    return folder


def test_build_dot_in_the_documents_folder_builds_them_and_again_after_its_store_is_there(tmp_path):
    folder = _folder(tmp_path)
    for run in ("first", "again"):
        result = _luzhi("build", ".", cwd=folder)
        assert result.returncode == 0, (run, result.stderr[-2000:])
        assert "2 documents loaded, 0 quarantined" in result.stderr, (run, result.stderr[-2000:])
    assert (folder / "luzhi-store").is_dir()  # the second run did not read the store's copies of the sources


def test_validate_a_folder_reports_each_document_in_it(tmp_path):
    folder = _folder(tmp_path)
    result = _luzhi("validate", str(folder), "--format", "json", cwd=tmp_path)
    reports = json.loads(result.stdout)["files"]
    assert sorted(Path(report["file"]).name for report in reports) == sorted(p.name for p in bundled_documents()[:2])


def test_a_folders_document_no_reader_reads_is_refused_by_name_not_passed_over(tmp_path):
    folder = _folder(tmp_path)
    (folder / "more" / "镇清单.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    result = _luzhi("validate", str(folder), "--format", "json", cwd=tmp_path)
    refused = [report for report in json.loads(result.stdout)["files"] if report["file"].endswith("镇清单.doc")]
    assert refused and result.returncode == 2, result.stdout[-2000:]


def test_a_folder_merely_named_snapshots_is_read_and_a_state_folder_is_not(tmp_path):
    """Cold review 30: any folder holding a `snapshots/` folder was taken for a store, its documents passed over
    without a word; a remote store's state folder (build.json beside sources/), which copies every source, was
    read as more documents."""
    folder = _folder(tmp_path)
    (folder / "more" / "snapshots").mkdir()
    state = folder / "luzhi-state"
    (state / "sources" / "210381121").mkdir(parents=True)
    (state / "build.json").write_text("{}", encoding="utf-8")
    shutil.copy(bundled_documents()[0], state / "sources" / "210381121" / bundled_documents()[0].name)
    result = _luzhi("validate", str(folder), "--format", "json", cwd=tmp_path)
    reports = json.loads(result.stdout)["files"]
    assert sorted(Path(report["file"]).name for report in reports) == sorted(p.name for p in bundled_documents()[:2])


def _overridden(result: subprocess.CompletedProcess) -> dict[str, bool]:
    """Which files `luzhi validate --format json` read under a code given by hand against their title."""
    assert result.returncode == 0, result.stdout + result.stderr
    return {entry["file"]: any(n.get("code") == "code-overrides-title" for n in entry.get("notices", []))
            for entry in json.loads(result.stdout)["files"]}


def test_a_township_code_names_a_folders_file_by_its_absolute_path_and_never_by_a_name_two_files_bear(tmp_path):
    """Cold review 29: a code given by the file's absolute path was "not among the files given" when the file came
    from a folder, and a bare name that files in two subfolders bear gave the code to both. Cold review 31: so did
    a name that is also the path of a file at the top (`清单.txt` beside `b/清单.txt`); a path through a link
    the shell went through, or spelt `a/../a/…`, was not found."""
    sample = bundled_documents()[0]  # 耿庄镇, 210381121
    for sub in ("a", "b"):
        (tmp_path / "lists" / sub).mkdir(parents=True)
        shutil.copy(sample, tmp_path / "lists" / sub / "清单.txt")
    both = _luzhi("validate", "lists", "--township-code", "清单.txt=230302201", cwd=tmp_path)
    assert both.returncode == 2, both.stdout + both.stderr
    assert "清单.txt names 2 files (lists/a/清单.txt, lists/b/清单.txt)" in both.stderr, both.stderr
    one = tmp_path / "lists" / "a" / "清单.txt"
    checked = _luzhi("validate", "lists", "--format", "json", "--township-code", f"{one}=230302201", cwd=tmp_path)
    assert _overridden(checked) == {"lists/a/清单.txt": True, "lists/b/清单.txt": False}
    dotted = _luzhi("validate", "lists", "--format", "json", "--township-code", "lists/b/../a/清单.txt=230302201",
                    cwd=tmp_path)
    assert _overridden(dotted) == {"lists/a/清单.txt": True, "lists/b/清单.txt": False}
    # Through a link: the shell's $PWD names the link, os.getcwd() the folder it points to.
    (tmp_path / "link").symlink_to(tmp_path / "lists", target_is_directory=True)
    env = {**os.environ, "PWD": str(tmp_path / "link")}
    env.pop("LUZHI_DEBUG", None)
    linked = subprocess.run([sys.executable, "-m", "luzhi.server.cli", "validate", ".", "--format", "json",
                             "--township-code", f"{tmp_path / 'link' / 'a' / '清单.txt'}=230302201"],
                            capture_output=True, text=True, env=env, cwd=tmp_path / "link", timeout=600)
    assert _overridden(linked) == {"a/清单.txt": True, "b/清单.txt": False}
    shutil.copy(sample, tmp_path / "lists" / "清单.txt")  # a file at the top bears the name as its path
    top = _luzhi("validate", ".", "--township-code", "清单.txt=230302201", cwd=tmp_path / "lists")
    assert top.returncode == 2 and "清单.txt names 3 files" in top.stderr, top.stderr
    assert "./清单.txt for the one in this folder" in top.stderr
    beside = _luzhi("validate", ".", "--format", "json", "--township-code", "./清单.txt=230302201",
                    cwd=tmp_path / "lists")
    assert _overridden(beside) == {"清单.txt": True, "a/清单.txt": False, "b/清单.txt": False}
    # `..` after a link is read as the system reads it: to-x/../b is elsewhere/b, not lists/b (cold review 31)
    (tmp_path / "elsewhere" / "x").mkdir(parents=True)
    (tmp_path / "elsewhere" / "b").mkdir()
    shutil.copy(sample, tmp_path / "elsewhere" / "b" / "清单.txt")
    (tmp_path / "lists" / "to-x").symlink_to(tmp_path / "elsewhere" / "x", target_is_directory=True)
    across = _luzhi("validate", "b", "--township-code", "to-x/../b/清单.txt=230302201", cwd=tmp_path / "lists")
    assert across.returncode == 2 and "is not among the files given (b/清单.txt)" in across.stderr, across.stderr
