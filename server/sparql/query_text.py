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

from luzhi.store.service_check import SYNTAX_ERROR

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


def without_bom(text: str) -> str:
    """The query without a leading byte order mark (U+FEFF), which editors on Windows write at the start of a
    saved .rq file: the engine then failed at the first keyword with a list of what it expected instead
    (cold review). At the start of a text a BOM is a signature, not content (the Unicode Standard, §23.8),
    and Python's utf-8-sig codec drops it the same way; anywhere else it stays, an error where it stands."""
    return text.removeprefix("\ufeff")


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
    Chinese, then English after " / " (store/service_check.py's `SYNTAX_ERROR`); the engine's own words,
    with their line and column, are kept as they are.
    """
    if _IRI_FAILED in engine_message:  # the engine's words decide: the lexer read `<http://x/ y>` as `http:`
        return _invalid_iri_message(text, engine_message)
    broken = _broken_iri(text)
    if broken is not None:
        return _invalid_iri(*broken)
    missing = undeclared_prefixes(text)
    if not missing:
        return f"{SYNTAX_ERROR}: {engine_message}"
    lines = [f"PREFIX {name}: <{known[name]}>" if name in known else f"PREFIX {name}: <…namespace IRI…>"
             for name in missing]
    names = ", ".join(f"{name}:" for name in missing)
    return (f"SPARQL 语法错误：前缀 {names} 未声明，请在查询开头加上 / SPARQL syntax error: undeclared prefix "
            f"{names} — add at the top of the query:\n" + "\n".join(lines))


# pyoxigraph's words for an IRI it cannot parse (`<http://x/ y>`: a space), and where its errors point.
_IRI_FAILED = "IRI parsing failed"
_POSITION = re.compile(r"error at (\d+):(\d+)")


def _invalid_iri_message(text: str, engine_message: str) -> str:
    """An IRI the engine refused, quoted from the query where the engine points (the end of it)."""
    position = _POSITION.search(engine_message)
    lines = text.splitlines()
    if position is None or not 0 < int(position[1]) <= len(lines):
        return f"{SYNTAX_ERROR}: invalid IRI ({engine_message})"
    line, column = int(position[1]), int(position[2])
    source = lines[line - 1]
    start = source.rfind("<", 0, column)
    end = source.find(">", start)
    quoted = source[start : end + 1] if start >= 0 and end >= 0 else source[max(0, start) : column]
    return _invalid_iri(quoted, line, start + 1 if start >= 0 else column)


def _broken_iri(text: str) -> tuple[str, int, int] | None:
    """An IRI the lexer could not read as one, because it holds a character no IRI may (`<http://a/#">`): the
    lexer then reads `<` as less-than and `http:` as a prefixed name, and the engine's error named neither
    (cold review: "undeclared prefix http:"). Only `<` + `scheme://` counts: no SPARQL has `http://` after
    a `<` operator, while `?a<ex:b` (a comparison) is valid. Its text up to `>` (or a space), line, column."""
    previous = None
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if (kind == "pname" and previous is not None and previous.group() == "<" and previous.end() == match.start()
                and match.group().endswith(":") and text.startswith("//", match.end())):
            line = text.count("\n", 0, previous.start()) + 1
            column = previous.start() - (text.rfind("\n", 0, previous.start()) + 1) + 1
            rest = text[previous.start() :].splitlines()[0]
            closing = rest.find(">")
            quoted = rest[: closing + 1] if closing >= 0 else rest.split()[0]
            return quoted, line, column
        if kind not in ("ws", "comment"):
            previous = match
    return None


def _invalid_iri(quoted: str, line: int, column: int) -> str:
    return (f"SPARQL 语法错误：IRI {quoted} 无效（{line}:{column}）：IRI 不能含空格，也不能含 "
            f"<>\"{{}}|^`\\ 中的字符（请用百分号编码，如空格写作 %20） / SPARQL syntax error: invalid IRI "
            f'{quoted} at {line}:{column}: an IRI may not contain spaces or any of <>"{{}}|^`\\ (percent-encode '
            "them, e.g. a space as %20)")
