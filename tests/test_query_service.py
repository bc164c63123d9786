"""`luzhi query` refuses a SERVICE clause before any network access, as /sparql does (cold review: it looked
the service's host up, a DNS request, and only then failed). A real subprocess on the built store; the network
is observed, not mocked: a loopback listener counts the connections a query makes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_review_messages import in_both_languages

UNRESOLVABLE = "http://no-such-host.invalid/sparql"


def _luzhi_query(query: str, store: Path) -> subprocess.CompletedProcess:
    luzhi = Path(sys.executable).with_name("luzhi")
    return subprocess.run([str(luzhi), "query", query, "--store", str(store)], capture_output=True, text=True,
                          timeout=120)


def _refused(done: subprocess.CompletedProcess, named: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    message = done.stderr.partition("Error: ")[2].strip()
    assert in_both_languages(message), message
    # /sparql's own refusal: `luzhi query` runs the query as the endpoint does (server/cli.py)
    assert f"SERVICE not allowed here: {named} (allowed endpoints: none); no request was made" in message, message


def test_a_service_on_an_unresolvable_host_is_refused_without_a_lookup(built_store):
    done = _luzhi_query(f"SELECT * WHERE {{ SERVICE <{UNRESOLVABLE}> {{ ?s ?p ?o }} }}", built_store.path)
    _refused(done, UNRESOLVABLE)
    assert "lookup" not in done.stderr and "Name or service not known" not in done.stderr, done.stderr
    # `?service` and a literal holding the word are no SERVICE call: such a query runs
    runs = _luzhi_query('SELECT ?service WHERE { ?service ?p "service" } LIMIT 1', built_store.path)
    assert runs.returncode == 0, runs.stderr


@pytest.mark.parametrize("query", [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
    "PREFIX remote: <{url}>\nASK {{ SERVICE remote: {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{url}> {{ ?s ?q ?r }} }} }} LIMIT 1",
])
def test_a_service_clause_makes_no_connection(built_store, listener, query):
    origin, accepted = listener
    url = f"{origin}/sparql"
    done = _luzhi_query(query.format(url=url), built_store.path)
    _refused(done, url)
    assert accepted == [], f"{len(accepted)} connections to the SERVICE endpoint"


def test_a_service_variable_is_refused_too(built_store):
    _refused(_luzhi_query("SELECT * WHERE { VALUES ?e { <http://x/> } SERVICE ?e { ?s ?p ?o } }", built_store.path),
             "SERVICE ?e")



def test_a_query_past_its_memory_cap_stops_with_a_message(built_store):
    """200 unconnected triple patterns: the engine's join grew `luzhi query` to 19 GB and the machine's OOM
    killer ended it among other processes (cold review, session 16). It runs in a capped worker now."""
    patterns = " . ".join(f"?s{n} ?p{n} ?o{n}" for n in range(200))
    luzhi = Path(sys.executable).with_name("luzhi")
    done = subprocess.run([str(luzhi), "query", f"ASK {{ {patterns} }}", "--store", str(built_store.path),
                           "--memory-mb", "512", "--timeout", "60"], capture_output=True, text=True, timeout=180)
    assert done.returncode == 1, done.stdout + done.stderr
    message = done.stderr.partition("Error: ")[2].strip()
    assert in_both_languages(message), message
    assert "512 MB (--memory-mb)" in message or "after 60 s (--timeout)" in message, message
    assert "Traceback" not in done.stderr


def test_construct_prints_turtle_by_default_as_help_says(built_store):
    """Cold review 29: `--help` says CONSTRUCT prints Turtle; the default format gave JSON-LD."""
    done = _luzhi_query("CONSTRUCT WHERE { ?s a ?type } LIMIT 2", built_store.path)
    assert done.returncode == 0 and done.stdout.startswith("@prefix"), done.stdout[:300] + done.stderr


def test_every_format_the_refusal_names_is_one_the_option_takes(built_store):
    """Cold review 29: `--format ttl` on a SELECT suggested `xml` and `srj`, which `--format` refused."""
    luzhi = Path(sys.executable).with_name("luzhi")
    done = subprocess.run([str(luzhi), "query", "SELECT * { ?s ?p ?o } LIMIT 1", "--store", str(built_store.path),
                           "--format", "xml"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "<sparql" in done.stdout, done.stdout[:300] + done.stderr


def test_a_memory_cap_too_small_to_start_a_worker_is_named(built_store):
    """Cold review 29: `--memory-mb 100` said "query worker did not start: " and nothing after it."""
    luzhi = Path(sys.executable).with_name("luzhi")
    done = subprocess.run([str(luzhi), "query", "ASK {}", "--store", str(built_store.path), "--memory-mb", "100"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
    assert "memory cap of 100 MiB (--memory-mb) may be too small" in done.stderr, done.stderr
