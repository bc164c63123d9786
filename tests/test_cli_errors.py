"""Every CLI error is one line with its cause and exit status 2, never a traceback (issue 10 found nine).

One case per class of error: a store that is not a store, an input that cannot be read, a bad
township code, a corrupt or locked store, a store in the layout of an older luzhi, a bad URL.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from luzhi.etl.build import bundled_documents
from luzhi.store.snapshots import BuildLock


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "LUZHI_DEBUG"}
    return subprocess.run([sys.executable, "-m", "luzhi.server.cli", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def _flat_store(tmp: Path) -> Path:
    """A pyoxigraph directory with no snapshots: what luzhi made before issue 10."""
    folder = tmp / "old-layout"
    store = ox.Store(str(folder))
    store.flush()
    del store
    return folder


def _a_file(tmp: Path) -> Path:
    path = tmp / "plain.txt"
    path.write_text("not a store", encoding="utf-8")
    return path


def _missing(tmp: Path) -> Path:
    return tmp / "nothing-here"


def _dangling(tmp: Path) -> Path:
    link = tmp / "report.json"
    link.symlink_to(_missing(tmp) / "report.json")
    return link


def _hard_linked(tmp: Path) -> list[str]:
    """A copy of SAMPLE and a hard link to it (in the temp dir: a hard link cannot cross file systems)."""
    copy, link = tmp / Path(SAMPLE).name, tmp / "another-name.txt"
    shutil.copyfile(SAMPLE, copy)
    link.hardlink_to(copy)
    return [str(copy), str(link)]


SAMPLE = str(bundled_documents()[0])
REPO = Path(__file__).resolve().parent.parent
CASES = {
    # name: (arguments given the temp dir, words the one line must contain)
    "build into a plain file": (lambda t: ["build", SAMPLE, "--store", str(_a_file(t))], "plain.txt"),
    "query a missing store": (lambda t: ["query", "ASK {}", "--store", str(_missing(t))], "nothing-here"),
    "export a missing store": (lambda t: ["export", "--store", str(_missing(t))], "nothing-here"),
    "build into the old layout": (lambda t: ["build", SAMPLE, "--store", str(_flat_store(t))], "move it aside"),
    "store URL of an unknown scheme": (lambda t: ["query", "ASK {}", "--store", "ftp://example.org/sparql"],
                                       "http(s)"),
    "bad township code": (lambda t: ["build", SAMPLE, "--store", str(t / "s"), "--township-code", "x.txt=12"],
                          "9-digit"),
    "input that is a folder without documents": (lambda t: ["build", str(t), "--store", str(t / "s")],
                                                 "hold no document"),
    # Cold review: the build was made and switched, then the report could not be written (exit 2 after the work).
    "report into a missing folder": (lambda t: ["build", SAMPLE, "--store", str(t / "s"), "--report",
                                                str(_missing(t) / "r.json")], "nothing-here' does not exist"),
    "export into a missing folder": (lambda t: ["export", "--store", str(t), "-o", str(_missing(t) / "x.nq")],
                                     "nothing-here' does not exist"),
    # Cold review: a code for a file not given was ignored (exit 0), the document resolved by its title.
    "township code for a file not given": (lambda t: ["build", SAMPLE, "--store", str(t / "s"), "--township-code",
                                                      "nonexist.txt=654221100"], "nonexist.txt is not among the files"),
    "validate with a code for a file not given": (lambda t: ["validate", SAMPLE, "--township-code",
                                                             "nonexist.txt=654221100"], "nonexist.txt is not among"),
    # Cold review: 2,366 rdflib warnings of IRIs that were no IRIs came before the error.
    "validate under a base that is no URL": (lambda t: ["validate", SAMPLE, "--base", "not a uri"],
                                             "http(s) URL in ASCII"),
    # Cold review: parsed twice, then refused as two files of one name, the same error printed once for each.
    "one file given twice": (lambda t: ["build", SAMPLE, str(Path(SAMPLE).parent / ".." / Path(SAMPLE).parent.name /
                                                           Path(SAMPLE).name), "--store", str(t / "s")],
                             "is given twice"),
    # Cold review 28: a hard link given as a second file was refused only as a township claimed by two files.
    "one file given twice by a hard link": (lambda t: ["build", *_hard_linked(t), "--store", str(t / "s")],
                                            "is given twice"),
    # Cold review 28: a --report naming a dangling symbolic link, or '', was written (and failed) after the build.
    "report through a dangling link": (lambda t: ["build", SAMPLE, "--store", str(t / "s"), "--report",
                                                  str(_dangling(t))], "nothing-here' does not exist"),
    "report named ''": (lambda t: ["build", SAMPLE, "--store", str(t / "s"), "--report", ""], "is no file name"),
    "two codes for one file": (lambda t: ["build", SAMPLE, "--store", str(t / "s"), "--township-code",
                                          "a.txt=140226207", "--township-code", "a.txt=999999999"],
                               "a.txt is given two codes"),
    "port past 65535": (lambda t: ["serve", "--store", str(t / "s"), "--port", "99999"], "0 to 65535, got 99999"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_cli_error_is_one_line_with_exit_2(case, tmp_path):
    make_args, words = CASES[case]
    result = _cli(*make_args(tmp_path))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert words in result.stderr
    if not result.stderr.startswith("Usage:"):  # click's own usage errors keep their usage line
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "s").exists()  # refused before any work


def test_locked_store_names_the_other_build(tmp_path):
    store = tmp_path / "s"
    lock = BuildLock(store)
    try:
        result = _cli("build", SAMPLE, "--store", str(store))
    finally:
        lock.release()
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"locked by another build (pid {os.getpid()})" in result.stderr
    assert f"正由另一次构建使用（进程 {os.getpid()}）" in result.stderr  # both languages
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("base", ["not a url", "javascript:alert(1)", "ftp://example.org", "https://example.org/a?b",
                                  "https://example.org/#x", "https://例子.中国"])
def test_a_bad_base_is_refused_before_any_document(base, tmp_path):
    """Cold review: "not a url" was blamed on the first document; javascript:alert(1) built a store."""
    result = _cli("build", str(bundled_documents()[0]), "--store", str(tmp_path / "store"), "--base", base)
    assert result.returncode == 2 and "--base" in result.stderr and repr(base) in result.stderr
    assert not (tmp_path / "store").exists()


def _serve_says(store: Path, port: int, **settings: str) -> str:
    """What `luzhi serve` prints before it serves (stderr up to Werkzeug's "Running on"), then stopped;
    `settings` are added to its environment."""
    env = {**{k: v for k, v in os.environ.items() if k != "LUZHI_DEBUG"}, **settings}
    process = subprocess.Popen([sys.executable, "-m", "luzhi.server.cli", "serve", "--store", str(store), "--port",
                                str(port)], stderr=subprocess.PIPE, text=True, env=env)
    said = []
    try:
        for line in process.stderr:
            said.append(line)
            if "Running on" in line or len(said) > 50:
                break
    finally:
        process.terminate()
        process.wait(30)
        process.stderr.close()
    return "".join(said)


def test_serving_a_store_built_for_another_local_port_says_so(built_store):
    """Cold review: Werkzeug says "use a different port", and the store's IRIs then point to the other one."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    said = _serve_says(built_store.path, free)
    assert f"built with --base {built_store.base}" in said and f"--port {built_store.base.rsplit(':', 1)[1]}" in said
    assert "Running on" in said


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_reads_the_limits_from_the_environment_as_gunicorn_does(built_store):
    """Cold review: `LUZHI_SANDBOX=off luzhi serve` still logged sandbox=auto (only gunicorn read them)."""
    said = _serve_says(built_store.path, _free_port(), LUZHI_SANDBOX="off", LUZHI_QUERY_TIMEOUT="7",
                       LUZHI_ALLOW_SERVICE="https://query.wikidata.org/sparql")
    assert "sandbox=off" in said and "query_timeout=7 " in said, said
    assert "allow_service=https://query.wikidata.org/sparql" in said, said


# Cold review 29: inf answered every query 500, nan every page 500 and every validation 500, -5 stopped every query
# at once, a max_upload_bytes of -5 refused every upload, 0 rows refused every SELECT: each was served.
BAD_LIMITS = [("LUZHI_QUERY_TIMEOUT", "soon", "'soon'"), ("LUZHI_SANDBOX", "none", "'none'"),
              ("LUZHI_QUERY_TIMEOUT", "inf", "inf"), ("LUZHI_PAGE_TIMEOUT", "nan", "nan"),
              ("LUZHI_VALIDATION_TIMEOUT", "nan", "nan"), ("LUZHI_QUERY_TIMEOUT", "-5", "-5.0"),
              ("LUZHI_MAX_UPLOAD_BYTES", "-5", "-5"), ("LUZHI_MAX_RESULT_ROWS", "0", "0"),
              ("LUZHI_QUERY_PROCESSES", "0", "0")]


@pytest.mark.parametrize(("variable", "value", "shown"), BAD_LIMITS)
def test_a_bad_limit_in_the_environment_is_named(built_store, variable, value, shown):
    env = {k: v for k, v in os.environ.items() if k != "LUZHI_DEBUG"}
    result = subprocess.run([sys.executable, "-m", "luzhi.server.cli", "serve", "--store", str(built_store.path),
                             "--port", str(_free_port())], capture_output=True, text=True, timeout=120,
                            env={**env, variable: value})
    assert result.returncode == 2 and variable in result.stderr and shown in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "须" in result.stderr, result.stderr  # in both languages


@pytest.mark.parametrize(("variable", "value"), [("LUZHI_QUERY_TIMEOUT", "inf"), ("LUZHI_QUERY_TIMEOUT", "nan"),
                                               ("LUZHI_QUERY_TIMEOUT", "abc"), ("LUZHI_QUERY_PROCESSES", "0"),
                                               ("LUZHI_MAX_REQUEST_BYTES", ""), ("LUZHI_WORKERS", "abc"),
                                               ("LUZHI_QUERY_MEMORY_MB", "99999999999999999999")])
def test_gunicorn_names_a_bad_setting_without_a_traceback(built_store, tmp_path, variable, value):
    """Cold reviews 29, 30: gunicorn.conf.py's `int(float(...))` printed a traceback of the config file, and every
    worker one of its own for a bad LUZHI_QUERY_PROCESSES; a cap past a TiB made every query worker fail."""
    env = {**os.environ, "LUZHI_STORE": str(built_store.path), "LUZHI_BIND": "127.0.0.1:0",
           variable: value, "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "gunicorn", "-c", str(REPO / "gunicorn.conf.py")],
                            capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert result.returncode != 0 and variable in result.stderr and "须" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "Booting worker" not in result.stderr, result.stderr


@pytest.mark.parametrize(("option", "value"), [("--timeout", "inf"), ("--timeout", "nan"), ("--timeout", "1e10"),
                                             ("--timeout", "-0"), ("--memory-mb", "99999999999999999999"),
                                             ("--max-rows", "0")])
def test_luzhi_query_names_a_limit_it_cannot_keep(built_store, option, value):
    """Cold reviews 29, 30: `--timeout inf` and `1e10` were an OverflowError's traceback, `nan` an English line and
    `-0` click's English range; a memory cap past a TiB made the worker fail to start."""
    result = _cli("query", "ASK {}", "--store", str(built_store.path), option, value)
    assert result.returncode == 2 and option in result.stderr and "须" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr, result.stderr


@pytest.mark.parametrize(("args", "chinese", "english"), [
    (("validate",), "缺少参数 FILES...（用法见 luzhi validate --help）", "Missing argument 'FILES...'."),
    (("build", "--jobs", "x"), "--jobs 的值无效（用法见 luzhi build --help）", "'x' is not a valid integer range"),
    (("frob",), "没有命令 frob（用法见 luzhi --help）", "No such command 'frob'."),
    (("--nope",), "没有选项 --nope（用法见 luzhi --help）", "No such option '--nope'."),
    (("build", "--nope"), "没有选项 --nope（用法见 luzhi build --help）", "No such option '--nope'."),
    (("serve", "--port"), "选项 --port 需要一个值", "Option '--port' requires an argument."),
])
def test_clicks_usage_errors_say_their_gist_in_chinese_too(args, chinese, english):
    """Cold review 29: click's own errors were English only, where luzhi's are Chinese, then " / " and English.
    Run as the `luzhi` command users type (the usage lines name the program as it was called)."""
    env = {k: v for k, v in os.environ.items() if k != "LUZHI_DEBUG"}
    result = subprocess.run([str(Path(sys.executable).with_name("luzhi")), *args], capture_output=True, text=True,
                            env=env, timeout=300)
    assert result.returncode == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"Error: {chinese}") and " / " in last and english in last, result.stderr
    assert "Traceback" not in result.stderr


def test_a_usage_error_of_luzhis_own_words_is_not_said_twice():
    result = _cli("validate", "--township-code", "zz", "x.txt")
    assert result.returncode == 2
    assert result.stderr.count("须为「文件=9 位代码」") == 1 and "用法见" not in result.stderr, result.stderr
