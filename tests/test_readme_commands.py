"""The commands of the README and docs work as written from the README's virtual environment (cold review: the
README's `… gunicorn -c gunicorn.conf.py` answered "gunicorn: command not found", as `pip install .` into
`.venv` puts `gunicorn` and `luzhi` there, not on PATH)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sparql_server import fill_small_store

REPO = Path(__file__).resolve().parent.parent
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
# What the README's install puts in .venv/bin and nowhere else.
FROM_THE_VENV = {"luzhi", "gunicorn", "python", "pytest", "pip", "ruff"}


def shell_commands(path: Path) -> list[str]:
    """Each command of the file's fenced shell blocks (```sh, ```bash, ```), split at `&&`, `;` and `|`."""
    commands, fenced, language = [], False, ""
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("```"):
            fenced, language = not fenced, line[3:].strip()
            continue
        if fenced and language in ("sh", "bash", "") and line.strip() and not line.lstrip().startswith("#"):
            commands += [part.strip() for part in re.split(r"&&|;|\|", line.split(" #", 1)[0]) if part.strip()]
    return commands


def program(command: str) -> str:
    """The program a command runs: its first word after any `NAME=value` assignments."""
    words = [word for word in command.split() if not re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", word)]
    return words[0] if words else ""


@pytest.mark.parametrize("path", DOCUMENTS, ids=[path.name for path in DOCUMENTS])
def test_no_command_assumes_the_venv_is_on_path(path):
    bare = [command for command in shell_commands(path) if program(command) in FROM_THE_VENV]
    assert not bare, f"{path.name}: run these as .venv/bin/…: {bare}"


def test_the_readmes_gunicorn_command_serves_as_written(tmp_path):
    """The README's production command, run by a shell from the checkout with the README's venv not on PATH,
    only its store, port and worker count changed."""
    if Path(sys.executable).parent.resolve() != (REPO / ".venv" / "bin").resolve():
        pytest.skip("the suite does not run from the README's .venv (the command names .venv/bin/gunicorn)")
    (line,) = [c for c in shell_commands(REPO / "README.md") if program(c).endswith("gunicorn")]
    store = fill_small_store(tmp_path / "store")
    port = _free_port()
    command = (line.replace("/srv/luzhi/store", str(store)).replace("127.0.0.1:8000", f"127.0.0.1:{port}")
               .replace("LUZHI_WORKERS=4", "LUZHI_WORKERS=1"))
    assert command != line
    path = os.pathsep.join(part for part in os.environ.get("PATH", "").split(os.pathsep)
                           if Path(part).resolve() != (REPO / ".venv" / "bin").resolve())
    env = {**os.environ, "PATH": path, "HOME": str(tmp_path), "LUZHI_QUERY_PROCESSES": "1"}
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(["bash", "-c", command], cwd=REPO, env=env, stdout=sink, stderr=sink,
                                  start_new_session=True)
    try:
        answered = None
        for _ in range(300):  # bounded by attempts: the workers start under load
            if server.poll() is not None:
                break
            try:
                answered = requests.get(f"http://127.0.0.1:{port}/health", timeout=10)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        assert answered is not None and answered.status_code == 200, log.read_text(errors="replace")
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)  # gunicorn, the shell's child, and its workers
            server.wait(60)



def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
