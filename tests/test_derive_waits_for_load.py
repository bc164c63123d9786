"""The derive process loads its own store only once the build's load is over (etl/derive.py `wait_for_load`):
the two bulk loads together took a 10,000-township build's process tree past 4 GB (bench/results/derive.md)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from luzhi.etl.derive import load_over_marker, wait_for_load


def test_waits_until_the_marker_exists(tmp_path: Path) -> None:
    marker = load_over_marker(tmp_path / "derived")
    assert marker.parent == tmp_path and not marker.exists()
    ended: list[float] = []
    waiter = threading.Thread(target=lambda: (wait_for_load(marker, poll=0.01), ended.append(time.monotonic())))
    waiter.start()
    time.sleep(0.3)
    assert not ended, "returned before the load was over"
    created = time.monotonic()
    marker.touch()
    waiter.join(timeout=10)
    assert ended and ended[0] >= created


def test_gives_up_when_the_build_process_is_gone(tmp_path: Path) -> None:
    """A killed build creates no marker: its derive process must not wait for ever (its parent changes)."""
    outcome = tmp_path / "outcome"
    script = textwrap.dedent(f"""
        import os, sys
        from pathlib import Path
        from luzhi.etl.derive import DerivedGraphsError, wait_for_load
        if os.fork() == 0:  # the derive process; its parent exits at once, as a killed build's forkserver does
            try:
                wait_for_load(Path({str(tmp_path / 'never')!r}), poll=0.01)
                Path({str(outcome)!r}).write_text("returned")
            except DerivedGraphsError:
                Path({str(outcome)!r}).write_text("gave up")
            os._exit(0)
        os._exit(0)
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=30)
    deadline = time.monotonic() + 20
    while not outcome.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert outcome.read_text() == "gave up"

