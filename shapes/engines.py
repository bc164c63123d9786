"""The two validators behind one name: `fast` (compiled SPARQL in pyoxigraph, the default) and `pyshacl`.

Both take `(graph, base, *, label)` and return the same `ValidationReport`; pySHACL is the
reference the fast one is tested against (tests/test_fast_validate.py). The fast one is the
default because a national build validates ~38,700 townships (issue 13: ~0.05 CPU-s each instead
of ~1 s); pySHACL stays selectable (`--engine pyshacl`). Shapes the compiler refuses (a deployment's
own rule in SHACL it does not implement, e.g. sh:xone) are valid SHACL: the fast engine hands them
to pySHACL, with a notice in each report and, from the CLI, one warning naming the shape.
"""

from __future__ import annotations

from collections.abc import Callable

ENGINES = ("fast", "pyshacl")
DEFAULT_ENGINE = "fast"


def validator(engine: str = DEFAULT_ENGINE) -> Callable:
    """The validate_graph function of `engine` (one of ENGINES); ValueError names the choices.

    The engines are imported here, not at the top: the CLI imports this module at start-up for
    `--engine`'s choices, and every `luzhi --help` would pay for rdflib and the compiler
    (server/cli.py measures that cost).
    """
    if engine == "fast":
        from luzhi.shapes.fast import validate_graph
    elif engine == "pyshacl":
        from luzhi.shapes.validate import validate_graph
    else:
        raise ValueError(f"unknown validation engine {engine!r}; choose one of {', '.join(ENGINES)}")
    return validate_graph


def fallback_warning(engine: str, base: str) -> str | None:
    """The one-line warning when `engine` is fast and the compiler refuses a shape (so pySHACL runs), or None."""
    if engine != "fast":
        return None
    from luzhi.shapes.fast import refusal

    refused = refusal(base)
    if refused is None:
        return None
    return (f"警告：{refused}；改用 pySHACL 校验（较慢） / warning: {refused}; validating with pySHACL instead "
            "(slower; --engine pyshacl chooses it outright)")
