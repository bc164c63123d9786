"""Look at a SPARQL query's tokens before it runs: its form, its own dataset, SERVICE targets, updates.

pyoxigraph exposes no parse-only API, and it *does* open HTTP connections for SERVICE
(measured: a local listener receives `POST /sparql` from `Oxigraph/0.5.13`). So the endpoint
must decide about SERVICE before handing the query over. A lexer is enough, and sound: a
SERVICE clause needs the bare keyword SERVICE outside strings, IRIs and comments, and those
are exactly what the lexer skips. It errs on the side of refusing (the word SERVICE in an
invalid query is refused too; the parser would have refused it anyway).

SPARQL 1.1 Query §19.2 lets `\\uXXXX` escapes appear anywhere in a query, processed before
the grammar; we therefore also lex the unescaped text and take the union of what we find.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
# SPARQL 1.1 Update operations (§3.1, §3.2) and WITH, which can open DELETE/INSERT.
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)

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
    | (?P<pname>(?:[^\W\d_][\w.-]*)?:(?:[\w:%\\-]|\.(?=[\w:%\\-]))*)
    | (?P<word>[^\W\d][\w-]*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


@dataclass(frozen=True)
class QueryShape:
    """What the endpoint must know about a query before running it."""

    form: str | None  # SELECT, ASK, CONSTRUCT, DESCRIBE, or None when it cannot tell
    update_keyword: str | None  # the SPARQL Update operation the text starts with, if any
    has_dataset: bool  # FROM / FROM NAMED in the query itself
    service_targets: tuple[str, ...]  # absolute IRIs named after SERVICE
    unresolvable_services: tuple[str, ...]  # SERVICE ?var, relative IRIs, unknown prefixes

    @property
    def result_kind(self) -> str | None:
        """`results` (SELECT/ASK), `graph` (CONSTRUCT/DESCRIBE) or None."""
        if self.form in ("SELECT", "ASK"):
            return "results"
        if self.form in ("CONSTRUCT", "DESCRIBE"):
            return "graph"
        return None


def tokens(text: str) -> list[Token]:
    """Every significant token (no whitespace, no comments)."""
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            found.append(Token(kind, match.group()))
    return found


def unescape_codepoints(text: str) -> str:
    """Apply SPARQL's `\\u`/`\\U` escapes to the whole text (SPARQL 1.1 Query §19.2)."""

    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group()

    return _UNICODE_ESCAPE.sub(replace, text)


def inspect_query(text: str) -> QueryShape:
    """The shape of `text`, from its tokens and from the tokens of its unescaped form."""
    shape = _inspect(tokens(text))
    unescaped = unescape_codepoints(text)
    if unescaped == text:
        return shape
    other = _inspect(tokens(unescaped))
    return QueryShape(
        form=shape.form,
        update_keyword=shape.update_keyword or other.update_keyword,
        has_dataset=shape.has_dataset,
        service_targets=tuple(dict.fromkeys(shape.service_targets + other.service_targets)),
        unresolvable_services=tuple(dict.fromkeys(shape.unresolvable_services + other.unresolvable_services)),
    )


def _inspect(toks: list[Token]) -> QueryShape:
    prefixes: dict[str, str] = {}
    form: str | None = None
    update: str | None = None
    has_dataset = False
    targets: list[str] = []
    unresolvable: list[str] = []
    first_word_seen = False
    i = 0
    while i < len(toks):
        tok = toks[i]
        word = tok.text.upper() if tok.kind == "word" else None
        if word == "PREFIX" and i + 2 < len(toks) and toks[i + 1].kind == "pname" and toks[i + 2].kind == "iri":
            prefixes[toks[i + 1].text.rstrip(":")] = toks[i + 2].text[1:-1]
            i += 3
            continue
        if word == "BASE":
            i += 2
            continue
        if word is not None and not first_word_seen:
            first_word_seen = True
            if word in QUERY_FORMS:
                form = word
            elif word in UPDATE_KEYWORDS:
                update = word
        if word == "FROM":
            has_dataset = True
        if word == "SERVICE":
            j = i + 1
            if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "SILENT":
                j += 1
            target = toks[j] if j < len(toks) else Token("other", "")
            resolved = _resolve(target, prefixes)
            if resolved is None:
                unresolvable.append(target.text or "(end of query)")
            else:
                targets.append(resolved)
        i += 1
    return QueryShape(form, update, has_dataset, tuple(targets), tuple(unresolvable))


def _resolve(token: Token, prefixes: dict[str, str]) -> str | None:
    if token.kind == "iri":
        iri = token.text[1:-1]
        return iri if _ABSOLUTE_IRI.match(iri) else None
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes and _ABSOLUTE_IRI.match(prefixes[prefix]):
            return prefixes[prefix] + local
    return None


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
    missing = undeclared_prefixes(text)
    if not missing:
        return f"SPARQL syntax error: {engine_message}"
    lines = [f"PREFIX {name}: <{known[name]}>" if name in known else f"PREFIX {name}: <…namespace IRI…>"
             for name in missing]
    names = ", ".join(f"{name}:" for name in missing)
    return (f"SPARQL syntax error: undeclared prefix {names} — add at the top of the query:\n" + "\n".join(lines))
