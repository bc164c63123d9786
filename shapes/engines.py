"""The two validators behind one name: `fast` (compiled SPARQL in pyoxigraph, the default) and `pyshacl`.

Both take `(graph, base, *, label)` and return the same `ValidationReport`; pySHACL is the
reference the fast one is tested against (tests/test_fast_validate.py). The fast one is the
default because a national build validates ~38,700 townships (issue 13: ~0.1 s each instead
of ~1.1 s); pySHACL stays selectable (`--engine pyshacl`) for shapes the compiler refuses.
"""

from __future__ import annotations

from collections.abc import Callable

from luzhi.shapes import fast, validate

ENGINES: dict[str, Callable[..., validate.ValidationReport]] = {
    "fast": fast.validate_graph,
    "pyshacl": validate.validate_graph,
}
DEFAULT_ENGINE = "fast"


def validator(engine: str = DEFAULT_ENGINE) -> Callable[..., validate.ValidationReport]:
    """The validate_graph function of `engine` (a name from ENGINES); ValueError names the choices."""
    try:
        return ENGINES[engine]
    except KeyError:
        raise ValueError(f"unknown validation engine {engine!r}; choose one of {', '.join(ENGINES)}") from None
