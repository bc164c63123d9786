"""A lexer-level look at a SPARQL query, for messages only: which prefixes it uses without declaring them.

It decides nothing about security any more (issue 10): a lexer misread `x:a\\#b` as the start of a
comment and let a SERVICE through. Whether a query may run, and which SERVICE it calls, is decided by
a real parser in the query worker (store/service_check.py). What is left here turns pyoxigraph's
"Prefix not found" into the PREFIX line to add (issue 11), unless the error is an IRI no parser takes (the
lexer reads `<http://x/ y>`, a space, as the prefixed name `http:`, cold review), named with what is wrong with
it, or a byte order mark inside the query, named where it stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

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
    """The error to show for a query the engine refused: an invalid IRI quoted with what is wrong with it, a
    byte order mark where it stands, or, for an undeclared prefix, which one and the line to add.

    pyoxigraph says "Prefix not found" inside a six-line list of Unicode ranges it expected instead
    (issue 11). `known` maps well-known prefixes to their namespaces, so the PREFIX line can be given whole.
    Chinese, then English after " / " (store/service_check.py's `SYNTAX_ERROR`); the engine's own words,
    with their line and column, are kept as they are.
    """
    position = _POSITION.search(engine_message) if _IRI_FAILED in engine_message else None
    named = _named_fault(text, (int(position[1]), int(position[2])) if position else None)
    if named is not None:
        return named
    missing = undeclared_prefixes(text)
    if not missing:
        return f"{SYNTAX_ERROR}: {engine_message}"
    lines = [f"PREFIX {name}: <{known[name]}>" if name in known else f"PREFIX {name}: <…namespace IRI…>"
             for name in missing]
    names = ", ".join(f"{name}:" for name in missing)
    return (f"SPARQL 语法错误：前缀 {names} 未声明，请在查询开头加上 / SPARQL syntax error: undeclared prefix "
            f"{names} — add at the top of the query:\n" + "\n".join(lines))


def checker_refusal_message(text: str, message: str) -> str:
    """The query checker's (rdflib's) syntax error, `message`, made as specific as the engine's: an invalid IRI
    or a byte order mark at the place it names is named so. Where no worker may ask the engine (a query
    worker without a sandbox, `luzhi query`), `<ht tp:/x>` was "Expected SelectQuery (line 1, column 18)"."""
    position = _CHECKER_POSITION.search(message)
    at = (int(position[1]), int(position[2])) if position else None
    if at is not None and not _opens_iri(text, *at):
        at = None  # the checker stopped elsewhere: `?a < 3` is a comparison, not an IRI
    return _named_fault(text, at) or message


# pyoxigraph's words for an IRI it cannot parse (`<http://x/ y>`: a space), and where its errors point;
# rdflib's "(line 1, column 18)".
_IRI_FAILED = "IRI parsing failed"
_POSITION = re.compile(r"error at (\d+):(\d+)")
_CHECKER_POSITION = re.compile(r"\(line (\d+), column (\d+)\)")
_BOM = "\ufeff"


def _named_fault(text: str, iri_at: tuple[int, int] | None) -> str | None:
    """An invalid IRI or a stray byte order mark in `text`, as a message; None when there is neither.
    `iri_at`: where a parser said an IRI failed (line, column), for one the lexer cannot read as an IRI.

    The engine's column is no help with either: for `<http://x/%zz>` it points past the `>` and its words
    ("IRI parsing failed") say nothing of the `%` (the message blamed spaces, cold review), and for a BOM it
    points further on (2:11 for a BOM at 2:9, measured with pyoxigraph 0.5). So the IRIs are checked one by
    one by oxigraph's own IRI parser (`iri_problem`), and a BOM is found where it stands. Triple terms come first:
    the lexer reads `<<( ?s` as no token, and what followed blamed an IRI."""
    triple_term = _triple_term(text)
    if triple_term is not None:
        return triple_term
    for match in _TOKEN.finditer(text):
        if match.lastgroup == "iri":
            problem = iri_problem(match.group()[1:-1])
            if problem is not None:
                return _invalid_iri(match.group(), *_line_column(text, match.start()), problem)
    if iri_at is not None:  # an IRI holding a space or a quote is no token: found where the parser stopped
        at = _iri_at(text, *iri_at)
        if at is not None:
            return at
    broken = _broken_iri(text)
    if broken is not None:
        return broken
    for match in _TOKEN.finditer(text):
        if match.lastgroup == "other" and match.group() == _BOM:
            line, column = _line_column(text, match.start())
            return (f"SPARQL 语法错误：查询中有一个看不见的字节顺序标记 U+FEFF（BOM）（{line}:{column}），请删除它 / "
                    f"SPARQL syntax error: an invisible byte order mark (U+FEFF) at {line}:{column} inside the query; "
                    "delete it (an editor or a copy and paste put it there)")
    return None


# SPARQL 1.2's words for triple terms (RDF 1.2; "RDF-star" before it): `<<( s p o )>>`, a reified triple
# `<< s p o >>`, an annotation `{| p o |}` and the functions on them. None of them is SPARQL 1.1 anywhere outside a
# string, an IRI or a comment: `<<` is no operator, `{|` opens no group, these names are no built-in.
_TRIPLE_TERM_FUNCTIONS = frozenset({"TRIPLE", "ISTRIPLE", "SUBJECT", "PREDICATE", "OBJECT"})


def _triple_term(text: str) -> str | None:
    """A message saying that triple terms are not supported, with where the first one stands; None when the
    query writes none. The engine reads them (pyoxigraph 0.5), but every query must first pass the checker
    (store/service_check.py: rdflib's SPARQL 1.1 grammar), which cannot: `<<( ?s ?p ?o )>>` was refused as an
    invalid IRI `<<( ?s ?p ?o )>` (cold review), `TRIPLE(…)` as "Expected SelectQuery"."""
    toks = [match for match in _TOKEN.finditer(text) if match.lastgroup not in ("ws", "comment")]
    for i, match in enumerate(toks):
        after = toks[i + 1] if i + 1 < len(toks) else None
        adjacent = after is not None and after.start() == match.end()
        written = None
        if match.group() == "<" and adjacent and after.group() == "<":
            written = "<<"
        elif match.group() == "{" and adjacent and after.group() == "|":
            written = "{|"
        elif (match.lastgroup == "word" and match.group().upper() in _TRIPLE_TERM_FUNCTIONS and after is not None
              and after.group() == "("):
            written = f"{match.group()}("
        if written is not None:
            line, column = _line_column(text, match.start())
            return ("本端点不支持三元组项（RDF-star / SPARQL 1.2 的 <<( … )>>、<< … >>、{| … |} 及 TRIPLE() 等"
                    f"函数）：{line}:{column} 处的 {written}；查询只能使用 SPARQL 1.1 / triple terms (RDF-star, "
                    "SPARQL 1.2: <<( … )>>, << … >>, {| … |}, TRIPLE() and the other functions on them) are not "
                    f"supported by this endpoint: {written} at {line}:{column}; queries must be SPARQL 1.1")
    return None


def iri_problem(iri: str) -> tuple[str, str] | None:
    """What is wrong with the IRI written between `<` and `>` (Chinese, English), by oxigraph's IRI parser; None
    when it is a valid IRI or relative reference (a query may resolve it against its BASE)."""
    problem = _oxiri(iri)
    if problem is not None and problem.startswith("No scheme found"):
        problem = _oxiri("http://base.invalid/" + iri)  # a relative reference: its characters still count
    if problem is None:
        return None
    if problem.startswith("Invalid IRI percent encoding"):
        bad = problem.rpartition(" ")[2]
        return (f"百分号编码 {bad} 无效：% 后须跟两位十六进制数字（% 本身写作 %25）",
                f"the percent-encoding {bad} is invalid: % must be followed by two hexadecimal digits (write % "
                "itself as %25)")
    scheme, colon, _rest = iri.partition(":")
    if colon and not re.search(r"[/?#]", scheme) and not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme) \
            and not re.search(r"\s", scheme):
        return (f"协议名 {scheme!r} 无效：须以字母开头，只含字母、数字和 + - .",
                f"the scheme {scheme!r} is invalid: it must start with a letter and hold only letters, digits, "
                "+, - and .")
    code_point = re.fullmatch(r"Invalid IRI code point '(.)'", problem, re.DOTALL)
    if code_point is not None:
        char = f"'{code_point[1]}' (U+{ord(code_point[1]):04X})"
        return (f"含有 IRI 不能含的字符 {char}（空格及 <>\"{{}}|^`\\ 等须用百分号编码，如空格写作 %20）",
                f"it holds {char}, which an IRI may not (percent-encode spaces and any of <>\"{{}}|^`\\, e.g. a "
                "space as %20)")
    return f"无法解析：{problem}", f"it cannot be parsed: {problem}"


def _oxiri(iri: str) -> str | None:
    try:
        ox.NamedNode(iri)
    except ValueError as error:
        return str(error)
    return None


def _line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters, as an editor counts them) of `offset`."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _opens_iri(text: str, line: int, column: int) -> bool:
    """Whether `line:column` is a `<` followed by no white space: where an IRI would begin."""
    lines = text.split("\n")
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    return source[column - 1 : column] == "<" and source[column : column + 1] not in ("", " ", "\t", "=")


def _iri_at(text: str, line: int, column: int) -> str | None:
    """The invalid IRI around `line:column` (the engine points past its end; rdflib at its `<`), as a message."""
    lines = text.split("\n")
    if not 0 < line <= len(lines):
        return None
    source = lines[line - 1]
    start = source.rfind("<", 0, column)
    end = source.find(">", start + 1)
    if start < 0 or end < 0:
        return None
    quoted = source[start : end + 1]
    problem = iri_problem(quoted[1:-1])
    return None if problem is None else _invalid_iri(quoted, line, start + 1, problem)


def _broken_iri(text: str) -> str | None:
    """An IRI the lexer could not read as one, because it holds a character no IRI may (`<http://a/#">`): the
    lexer then reads `<` as less-than and `http:` as a prefixed name, and the engine's error named neither
    (cold review: "undeclared prefix http:"). Only `<` + `scheme://` counts: no SPARQL has `http://` after
    a `<` operator, while `?a<ex:b` (a comparison) is valid. Named as an invalid IRI, quoted up to `>`."""
    previous = None
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if (kind == "pname" and previous is not None and previous.group() == "<" and previous.end() == match.start()
                and match.group().endswith(":") and text.startswith("//", match.end())):
            line, column = _line_column(text, previous.start())
            rest = text[previous.start() :].splitlines()[0]
            closing = rest.find(">")
            quoted = rest[: closing + 1] if closing >= 0 else rest.split()[0]
            problem = iri_problem(quoted[1:-1] if closing >= 0 else quoted[1:]) or _FORBIDDEN
            return _invalid_iri(quoted, line, column, problem)
        if kind not in ("ws", "comment"):
            previous = match
    return None


_FORBIDDEN = ("IRI 不能含空格，也不能含 <>\"{}|^`\\ 中的字符（请用百分号编码，如空格写作 %20）",
              "an IRI may not contain spaces or any of <>\"{}|^`\\ (percent-encode them, e.g. a space as %20)")


def _invalid_iri(quoted: str, line: int, column: int, problem: tuple[str, str]) -> str:
    zh, en = problem
    return (f"SPARQL 语法错误：IRI {quoted} 无效（{line}:{column}）：{zh} / SPARQL syntax error: invalid IRI {quoted} "
            f"at {line}:{column}: {en}")
