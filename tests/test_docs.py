"""The docs stay true: every CLI command and option is in the README (datasette's test_docs); every setting,
environment variable, route and issue code is in the README or a docs/ page."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import click
import pytest

from luzhi.server.cli import main
from luzhi.server.config import Config
from luzhi.server.routes import ROUTES

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(main.commands.items())


def test_all_seven_commands_exist():
    assert [name for name, _ in COMMANDS] == ["build", "export", "query", "remove", "serve", "synth", "validate"]


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


# --- beyond the CLI (issue 9): settings, environment variables, routes and issue codes --------------------

ROOT = Path(__file__).parent.parent
DOCS = README + "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))
CODE = {path: path.read_text(encoding="utf-8") for path in ROOT.glob("[!.]*/**/*.py") if "tests" not in path.parts
        and ".venv" not in path.parts} | {ROOT / "gunicorn.conf.py": (ROOT / "gunicorn.conf.py").read_text("utf-8")}
ENV_VARS = sorted({name for text in CODE.values() for name in re.findall(r"\bLUZHI_[A-Z_]+\b", text)})
SETTINGS = [field.name for field in dataclasses.fields(Config)]
RULES = sorted({route.rule for route in ROUTES})
ISSUE_CODES = sorted({code for path, text in CODE.items() if "etl" in path.parts
                      for code in re.findall(r"(?:_issue|Issue)\(\s*(?:code=)?\"([a-z][a-z-]+)\"", text)})


def test_the_lists_below_are_not_empty():
    # Fixed floors, so a broken regex cannot make the parametrised tests below pass by finding nothing.
    assert len(ENV_VARS) >= 12 and len(SETTINGS) >= 11 and len(RULES) >= 20 and len(ISSUE_CODES) >= 14


@pytest.mark.parametrize("name", ENV_VARS)
def test_environment_variable_documented(name):
    assert f"`{name}`" in DOCS or f"{name}=" in DOCS, name


@pytest.mark.parametrize("name", SETTINGS)
def test_setting_documented(name):
    assert f"`{name}`" in DOCS, f"Config.{name} is in no docs page"


@pytest.mark.parametrize("rule", RULES)
def test_route_documented(rule):
    # `/doc/<path:rest>` is documented as `/doc/{…}`, `/def.<ext>` as "`/def` (`.ttl` …)", `/compare.<ext>` as
    # "`/compare` (`.json` …)", and so on.
    if rule.endswith(".<ext>"):
        assert f"`{rule.removesuffix('.<ext>')}` (`." in DOCS, rule
    else:
        prefix = re.split(r"<[^>]+>", rule)[0]
        assert f"`{rule}" in DOCS or f"`{prefix}" in DOCS, rule


@pytest.mark.parametrize("code", ISSUE_CODES)
def test_issue_code_documented(code):
    assert f"| `{code}` |" in DOCS, f"issue code {code} is not in the table of docs/parsing.md"
