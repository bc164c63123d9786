"""A lexer-level look at a SPARQL query, for messages only: which prefixes it uses without declaring them.

It decides nothing about security any more (issue 10): a lexer misread `x:a\\#b` as the start of a
comment and let a SERVICE through. Whether a query may run, and which SERVICE it calls, is decided by
a real parser in the query worker (store/service_check.py). What is left here turns pyoxigraph's
"Prefix not found" into the PREFIX line to add (issue 11), unless the engine said the error is an IRI it
cannot parse: the lexer reads `<http://x/ y>` (a space) as the prefixed name `http:` (cold review).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               | '''(?:[^'\\]|\\.|'(?!''))*'''
               | "(?:[^"\\\n\r]|\\.)*"
               | '(?:[^'\\\n\r]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][^\W]+)
    | (?P<bnode>_:[\w.-]*)  # a blank node label, not the empty prefix `:` (cold review: `VALUES ?o { _:b }`)
    | (?P<pname>(?:[^\W\d_][\w.-]*)?:(?:[\w:%\\-]|\.(?=[\w:%\\-]))*)
    | (?P<word>[^\W\d][\w-]*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokens(text: str) -> list[Token]:
    """Every significant token (no whitespace, no comments)."""
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            found.append(Token(kind, match.group()))
    return found


def undeclared_prefixes(text: str) -> tuple[str, ...]:
    """Prefixes the query uses in prefixed names (`skos:prefLabel`) without a PREFIX line, in order of use."""
    declared: set[str] = set()
    used: list[str] = []
    toks = tokens(text)
    for i, tok in enumerate(toks):
        if tok.kind != "pname":
            continue
        prefix = tok.text.partition(":")[0]
        after_prefix_keyword = i > 0 and toks[i - 1].kind == "word" and toks[i - 1].text.upper() == "PREFIX"
        if after_prefix_keyword:
            declared.add(prefix)
        elif prefix not in declared:
            used.append(prefix)
    return tuple(dict.fromkeys(used))


def syntax_error_message(text: str, engine_message: str, known: dict[str, str]) -> str:
    """The error to show for a query the engine refused: for an undeclared prefix, which one and the line to add.

    pyoxigraph says "Prefix not found" inside a six-line list of Unicode ranges it expected instead
    (issue 11). `known` maps well-known prefixes to their namespaces, so the PREFIX line can be given whole.
    """
    if _IRI_FAILED in engine_message:  # the engine's words decide: the lexer read `<http://x/ y>` as `http:`
        return _invalid_iri_message(text, engine_message)
    missing = undeclared_prefixes(text)
    if not missing:
        return f"SPARQL syntax error: {engine_message}"
    lines = [f"PREFIX {name}: <{known[name]}>" if name in known else f"PREFIX {name}: <…namespace IRI…>"
             for name in missing]
    names = ", ".join(f"{name}:" for name in missing)
    return (f"SPARQL syntax error: undeclared prefix {names} — add at the top of the query:\n" + "\n".join(lines))


# pyoxigraph's words for an IRI it cannot parse (`<http://x/ y>`: a space), and where its errors point.
_IRI_FAILED = "IRI parsing failed"
_POSITION = re.compile(r"error at (\d+):(\d+)")


def _invalid_iri_message(text: str, engine_message: str) -> str:
    """An IRI the engine refused, quoted from the query where the engine points (the end of it)."""
    position = _POSITION.search(engine_message)
    lines = text.splitlines()
    if position is None or not 0 < int(position[1]) <= len(lines):
        return f"SPARQL syntax error: invalid IRI ({engine_message})"
    line, column = int(position[1]), int(position[2])
    source = lines[line - 1]
    start = source.rfind("<", 0, column)
    end = source.find(">", start)
    quoted = source[start : end + 1] if start >= 0 and end >= 0 else source[max(0, start) : column]
    where = f"{line}:{start + 1 if start >= 0 else column}"
    return (f"SPARQL syntax error: invalid IRI {quoted} at {where}: an IRI may not contain spaces or any of "
            f'<>"{{}}|^`\\ (percent-encode them, e.g. a space as %20)')
