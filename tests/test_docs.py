"""The README stays true: every command and every option of the CLI is documented there (datasette's test_docs)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from luzhi.server.cli import main

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(main.commands.items())


def test_all_six_commands_exist():
    assert [name for name, _ in COMMANDS] == ["build", "export", "query", "serve", "synth", "validate"]


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_command_and_options_in_readme(name, command):
    assert f"luzhi {name}" in README
    for param in command.params:
        if isinstance(param, click.Option):
            assert any(opt in README for opt in param.opts), (name, param.opts)


def test_readme_test_command_is_what_ci_runs():
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    command = ci.strip().splitlines()[-1]
    assert f"```sh\n{command}\n```" in README
