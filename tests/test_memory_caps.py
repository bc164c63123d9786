"""Memory bombs (issue 10): refused where they can be recognised, and capped where they cannot.

Every process that runs user input has its address space capped (store/sandbox.py, RLIMIT_AS),
so these tests run in CI without the machine's memory going past the caps set here: a capped
worker dies alone, the client is told why (503), and the next request is served.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from conftest import make_config
from sparql_server import fill_small_store, serve

from luzhi.server.config import Config
from luzhi.server.context import get_store
from luzhi.store.children import short_id

# 960 bytes of RDF/XML: ten levels of ten entities, 10^9 "lol"s once expanded (3 GB of text).
BILLION_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
                  + "".join(f' <!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">\n'
                            for n in range(1, 10))
                  + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                    'xmlns:ex="http://example.org/">\n <rdf:Description rdf:about="http://example.org/a">'
                    "<ex:p>&lol9;</ex:p></rdf:Description>\n</rdf:RDF>").encode()
# A sort over a 3-way cross join of the 200-triple filler graph: 8 million rows held at once.
SORTED_CROSS_JOIN = ("SELECT * { GRAPH <http://example.org/graph/filler> { ?a ?p1 ?x . ?b ?p2 ?y . ?c ?p3 ?z } } "
                     "ORDER BY ?x ?y ?z")
CAP_MB = 768
# The bomb is parsed in a grandchild forked from this small script, which reports its exit and peak memory.
# Not wait4 on a child of the test: Linux carries a process's peak resident memory over fork and exec, so a
# child of a large pytest worker "peaked" at the worker's size (825 MB in CI, against a 768 MB cap).
PARSE_CONFINED = """
import os, sys
pid = os.fork()
if pid == 0:
    import pyoxigraph as ox
    from luzhi.store.sandbox import confine
    confine(int(sys.argv[1]))
    print(sum(1 for _ in ox.parse(sys.stdin.buffer.read(), format=ox.RdfFormat.RDF_XML)))
    os._exit(0)
_pid, status, usage = os.wait4(pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""

def test_billion_laughs_is_refused_before_parsing(live_server):
    response = requests.post(f"{live_server.url}/validate", data=BILLION_LAUGHS, timeout=60,
                             headers={"Content-Type": "application/rdf+xml", "Accept": "application/json"})
    assert response.status_code == 400
    body = response.json()
    assert "DOCTYPE" in body["error"] and body["line"] == 2


def test_a_billion_laughs_that_got_through_would_die_alone_under_the_cap():
    """The second wall alone: the bomb parsed by pyoxigraph in a confined process, as if the check missed it."""
    done = subprocess.run([sys.executable, "-c", PARSE_CONFINED, str(CAP_MB)], input=BILLION_LAUGHS,
                          capture_output=True, timeout=300, check=True)
    exit_code, peak_kb = map(int, done.stdout.split()[-2:])
    assert exit_code != 0  # Rust aborts on a failed allocation (SIGABRT)
    assert 0 < peak_kb < CAP_MB * 1024  # it never held more than its cap


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    return fill_small_store(tmp_path_factory.mktemp("memory-caps") / "store")


def test_a_sort_over_a_cross_join_stops_at_the_cap_and_the_next_query_runs(store_path):
    with serve(Config(store_path=store_path, query_memory_mb=CAP_MB, query_timeout=120, query_processes=1)) as server:
        warm = requests.get(server.endpoint, params={"query": "ASK {}"}, timeout=60)
        assert warm.status_code == 200
        assert f"memory={CAP_MB * 1024 * 1024}" in server.executor.confinement
        before = server.executor.worker_pids()
        bomb = requests.get(server.endpoint, params={"query": SORTED_CROSS_JOIN}, timeout=180)
        assert bomb.status_code == 503
        assert f"{CAP_MB} MB (query_memory_mb)" in bomb.text
        after = requests.get(server.endpoint, params={"query": "ASK {}"}, timeout=60)
        assert after.status_code == 200 and after.json()["boolean"] is True
        assert server.executor.worker_pids() != before  # a fresh worker replaced the one that died


def test_page_query_workers_are_capped_too(store_path):
    """Pages run queries holding what a visitor typed (search terms, page numbers) in their own workers:
    the same cap as /sparql's (they had none: `memory=0`, session 14's cold review)."""
    with serve(Config(store_path=store_path, query_memory_mb=CAP_MB)) as server:
        assert requests.get(f"{server.base}/", timeout=60).status_code == 200  # the home page queries the store
        assert f"memory={CAP_MB * 1024 * 1024}" in get_store(server.app).executor.confinement


def test_a_validation_over_its_memory_cap_is_a_503_and_the_server_goes_on(built_store):
    # 64 MiB of address space: the validation child cannot even load pySHACL, so it dies as a bomb would.
    with serve(make_config(built_store, validation_memory_mb=64)) as server:
        url = server.base
        response = requests.post(f"{url}/validate", data=b"<http://x/a> <http://x/b> <http://x/c> .", timeout=60,
                                 headers={"Content-Type": "application/n-triples", "Accept": "application/json"})
        assert response.status_code == 503
        assert "64 MB (validation_memory_mb)" in response.json()["error"]
        # Named, and not headed as a timeout on the page (cold review 26: "file": null, "验证超时").
        upload = {"file": ("乡镇.nt", b"<http://x/a> <http://x/b> <http://x/c> .")}
        page = requests.post(f"{url}/validate", files=upload, headers={"Accept": "text/html"}, timeout=60)
        assert page.status_code == 503 and "<h2>验证进程未能完成</h2>" in page.text and "超时" not in page.text
        assert '<p class="file">文件：<code>乡镇.nt</code></p>' in page.text
        named = requests.post(f"{url}/validate", files=upload, headers={"Accept": "application/json"}, timeout=60)
        assert named.json()["file"] == "乡镇.nt"
        assert requests.get(f"{url}/health", timeout=30).status_code == 200


def test_a_document_past_the_memory_cap_is_said_to_be_so_not_a_bare_memory_error():
    """A PDF of a million characters in a validation worker capped at 900 MB: the reader's Python runs out of
    memory. The submission's reader turned that into `SubmissionError("MemoryError: ")`, which /validate answered
    as a 400 reading "MemoryError: " (cold review 25). It reaches the worker now, which answers that the submission
    needed more than its cap, or dies of it, which its caller says the same way (a 503 on /validate)."""
    from test_reader_inputs import _CHARACTERS, _pdf

    from luzhi.server.validation.worker import Job, ValidationFailed, validate_isolated

    job = Job(_pdf(_CHARACTERS), "text", "chars.pdf", "http://example.org", memory_mb=900)
    with pytest.raises(ValidationFailed) as failed:
        validate_isolated(job, timeout=300)
    assert "900 MB" in failed.value.message, failed.value.message


# 4 MB of JSON-LD: under a 128 MB cap the JSON-LD parser's allocation fails and the engine aborts (SIGABRT), the
# worker killed by its cap, not a MemoryError it could answer.
ABORTING_JSON_LD = json.dumps({"@graph": [{"@id": f"http://x/a{i}", "http://x/p": [{"@value": str(j)}
                                                                                 for j in range(10)]}
                                          for i in range(20_000)]}).encode()


def test_a_validation_worker_killed_by_its_cap_is_one_log_line_with_the_cap_and_its_last_words(built_store, caplog):
    """It was the last line of a stderr read whole into the web process, without the signal or the cap."""
    with caplog.at_level(logging.WARNING, logger="luzhi.server.validation.worker"), \
            serve(make_config(built_store, validation_memory_mb=128)) as server:
        response = requests.post(f"{server.base}/validate", data=ABORTING_JSON_LD, timeout=120,
                                 headers={"Content-Type": "application/ld+json", "Accept": "application/json"})
        assert response.status_code == 503, response.text[:300]
        assert "SIGABRT" in response.json()["error"] and "128 MB (validation_memory_mb)" in response.json()["error"]
    deaths = [r.getMessage() for r in caplog.records if r.name == "luzhi.server.validation.worker"]
    assert len(deaths) == 1, deaths
    assert re.fullmatch(rf"validation worker \d+ died \(SIGABRT\) validating submission {short_id(ABORTING_JSON_LD)}; "
                        r"memory cap 128 MB \(validation_memory_mb\); it said: memory allocation of \d+ bytes failed",
                        deaths[0]), deaths  # the submission by its hash, not its text; no Rust backtrace


# Turtle whose every literal makes rdflib log a warning with a traceback to the worker's stderr: ~20 times the
# submission's size (a 60 kB submission, 1.2 MB of stderr; measured).
NOISY_TURTLE = ("@prefix x: <http://x/> . @prefix d: <http://www.w3.org/2001/XMLSchema#> .\nx:a x:p "
                + ", ".join(f'"{i}x"^^d:double' for i in range(3000)) + " .\n").encode()


def test_a_worker_writing_megabytes_to_stderr_writes_them_to_a_file_not_to_the_web_process(live_server):
    """`subprocess.run(capture_output=True)` read a validation worker's whole stderr into the web process (this one:
    live_server's thread); it goes to an unnamed file now, of which only a dead worker's last lines are read
    (store/children.py): seen from /proc while the worker runs, its fd 2 is that file, not a pipe to us."""
    with ThreadPoolExecutor(1) as pool:
        answer = pool.submit(requests.post, f"{live_server.url}/validate", data=NOISY_TURTLE, timeout=120,
                             headers={"Content-Type": "text/turtle", "Accept": "application/json"})
        stderr = None
        while stderr is None and not answer.done():
            stderr = next((os.readlink(f"/proc/{pid}/fd/2") for pid in _children()
                           if b"luzhi.server.validation.worker" in _read(f"/proc/{pid}/cmdline")), None)
            time.sleep(0.005)
        response = answer.result()
    assert response.status_code == 200, response.text[:300]
    assert stderr is not None, "the worker was never seen running"
    # `/tmp/#2146421 (deleted)` (O_TMPFILE: it never had a name) or `/tmp/luzhi-validation-worker-… (deleted)`; it
    # was `pipe:[…]`
    assert stderr.startswith(f"{tempfile.gettempdir()}/") and stderr.endswith(" (deleted)"), stderr


CHATTY_WORKER = """
import logging, sys
from luzhi.store.sandbox import FILE_CAP_BYTES, confine
confine(None, "off")
for _ in range(FILE_CAP_BYTES // 2**20 + 16):  # past the cap, as a library warning per broken object would go
    logging.warning("x" * 2**20)
print("answered")
"""


def test_a_worker_writing_without_end_to_stderr_stops_at_the_file_cap_and_still_answers(tmp_path):
    """A worker's stderr is a file (above); without a cap, a document that makes a library warn without end could
    fill the disk. Past `FILE_CAP_BYTES` the writes fail, the worker goes on and answers on its pipe."""
    from luzhi.store.sandbox import FILE_CAP_BYTES

    with open(tmp_path / "stderr", "wb") as stderr:
        done = subprocess.run([sys.executable, "-c", CHATTY_WORKER], stdout=subprocess.PIPE, stderr=stderr,
                              timeout=120, check=False)
    assert done.returncode == 0 and done.stdout == b"answered\n", done
    assert FILE_CAP_BYTES - 2**20 <= (tmp_path / "stderr").stat().st_size <= FILE_CAP_BYTES


def _children() -> list[int]:
    mine = str(os.getpid())
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _read(f"/proc/{entry}/stat")
            if stat and stat.rsplit(b")", 1)[-1].split()[1] == mine.encode():  # the field after the state: ppid
                found.append(int(entry))
    return found


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError:  # gone meanwhile
        return b""


def test_json_ld_nested_100000_deep_is_a_clear_400(live_server):
    document = '{"@id": "http://example.org/a", "http://example.org/p": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = requests.post(f"{live_server.url}/validate", data=document.encode(), timeout=60,
                             headers={"Content-Type": "application/ld+json", "Accept": "application/json"})
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["error"]
