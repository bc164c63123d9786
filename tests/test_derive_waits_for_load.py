"""The derive process loads its own store only once the build's load is over (etl/derive.py `wait_for_load`):
the two bulk loads together took a 10,000-township build's process tree past 4 GB (bench/results/derive.md)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from luzhi.etl.derive import load_over_marker, wait_for_load


def test_waits_until_the_marker_exists(tmp_path: Path) -> None:
    marker = load_over_marker(tmp_path / "derived")
    assert marker.parent == tmp_path and not marker.exists()
    ended: list[float] = []
    waiter = threading.Thread(target=lambda: (wait_for_load(marker, os.getppid(), poll=0.01),
                                              ended.append(time.monotonic())))
    waiter.start()
    time.sleep(0.3)
    assert not ended, "returned before the load was over"
    created = time.monotonic()
    marker.touch()
    waiter.join(timeout=10)
    assert ended and ended[0] >= created


@pytest.mark.parametrize("wait_starts", ["before the build dies", "after the build died"])
def test_gives_up_when_the_build_process_is_gone(tmp_path: Path, wait_starts: str) -> None:
    """A killed build creates no marker: its derive process must not wait for ever (its parent changes).

    "after": the build was killed while the graphs were computed, before the wait began. The parent was read
    when the wait began, by then already the new one, and the wait never ended (seen as a failure of the
    "before" case when the child ran only after its parent had exited, under load)."""
    outcome = tmp_path / "outcome"
    script = textwrap.dedent(f"""
        import os, sys, time
        from pathlib import Path
        from luzhi.etl.derive import DerivedGraphsError, wait_for_load
        parent = os.getpid()
        if os.fork() == 0:  # the derive process; its parent exits at once, as a killed build's forkserver does
            if {wait_starts == "after the build died"!r}:
                while os.getppid() == parent:
                    time.sleep(0.01)
            try:
                wait_for_load(Path({str(tmp_path / 'never')!r}), parent, poll=0.01)
                Path({str(outcome)!r}).write_text("returned")
            except DerivedGraphsError:
                Path({str(outcome)!r}).write_text("gave up")
            os._exit(0)
        os._exit(0)
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=30)
    deadline = time.monotonic() + 60  # a hang detector: the answer comes within a poll or two
    while not outcome.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert outcome.exists(), "the derive process still waits for a build that is gone"
    assert outcome.read_text() == "gave up"


def test_a_build_failing_before_its_load_ends_at_once(tmp_path: Path) -> None:
    """Cold review: a resumed build whose snapshot could not be opened (before the load began) printed its error,
    then hung for ever: its derive process waited for the end of a load that never started."""
    store = tmp_path / "store"
    luzhi = [sys.executable, "-m", "luzhi.server.cli", "build", "--store", str(store)]
    first = subprocess.Popen(luzhi, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = b""
    deadline = time.monotonic() + 240
    while b"parse:" not in output and time.monotonic() < deadline:  # killed once pass 1 is over
        output += first.stdout.read1(4096) or b""
        if first.poll() is not None:
            break
    first.kill()
    first.wait()
    first.stdout.close()
    assert b"parse:" in output, output[-2000:]
    for snapshot in (store / "snapshots").iterdir():  # the resumable snapshot's triples: not a store any more
        triples = snapshot / "oxigraph"
        if triples.is_dir():
            shutil.rmtree(triples)
            triples.write_text("not a store")
    started = time.monotonic()
    second = subprocess.run(luzhi, capture_output=True, text=True, timeout=180)
    assert second.returncode != 0 and "oxigraph" in second.stderr, second.stderr[-2000:]
    assert time.monotonic() - started < 120
