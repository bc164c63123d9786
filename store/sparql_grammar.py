"""rdflib's SPARQL 1.1 grammar, copied, with the gaps that made the /sparql checker refuse valid queries mended.

The checker (store/service_check.py) refuses whatever this grammar cannot parse, so every place where
rdflib's grammar is narrower than SPARQL 1.1 is a valid query refused with a 400 that Fuseki, Virtuoso
and pyoxigraph itself answer (cold review of session 13; bench/sparql_syntax_suite.py runs the W3C suite).
Each mend follows the SPARQL 1.1 grammar (§19.8) and pyoxigraph, so that the checker reads the tokens the
engine reads (docs/security.md: the SERVICE wall depends on it):

- **Strings** ([156]–[160]). rdflib's ECHAR lacks `\\"` in '…' strings and `\\'` in "…" strings (both
  long forms too), so `"a\\'b"` failed; and a `(?!")` after a short string's closing quote made two strings
  side by side, `VALUES ?x { "a""b" }`, fail. Here they are the grammar's own rules, in rdflib's order
  (long forms first, as pyoxigraph tries them).
- **Whitespace inside a literal** ([129]). rdflib lets nothing stand between a string and its `@lang` or
  `^^datatype`, but these are separate tokens of the grammar, and pyoxigraph reads `"a" @en` and
  `"1" ^^ xsd:integer`.
- **Negative decimals** ([153]). rdflib negates the literal with `Literal.__neg__`, which raises
  `TypeError` for `xsd:decimal`: `VALUES ?x { -1.5 }` and `?s ?p -1.0` (W3C syntax-general-08) failed.
- **Nested SERVICE** ([59]). rdflib's `Comp` searches the *whole text* again for a SERVICE pattern each
  time one is parsed (to keep its source text, `service_string`, for rdflib's own evaluation of SERVICE):
  a SERVICE inside another recursed without end (W3C service03, service06: "nested too deeply", after
  209 s of a worker's CPU at load 5), and a `\\#` in a prefixed name before a SERVICE made the search
  skip the rest of the line as a comment and fail (issue 10's queries were refused for that reason only;
  they are read now, and their SERVICE named).

The copy is made once, by `copy.deepcopy` of rdflib's `Query` and `UpdateUnit` together (they share their
terms), and the mended elements are put in place of the copied ones; rdflib's own grammar is untouched.
Without pyparsing's "optional not matched" marker (another pyparsing than the one this was written for),
no copy is made and rdflib's grammar is used as it is: stricter, never looser.
"""

from __future__ import annotations

import copy
import functools
import sys
from dataclasses import dataclass

from pyparsing import (
    Literal,
    Located,
    Opt,
    ParseElementEnhance,
    ParseExpression,
    ParserElement,
    ParseResults,
    Regex,
)
from rdflib import XSD
from rdflib import Literal as RDFLiteral
from rdflib.plugins.sparql import parser as rdflib_grammar
from rdflib.plugins.sparql.parserutils import Comp, CompValue, Param, ParamValue

# [160] ECHAR ::= '\' [tbnrf\"']
_ECHAR = r"""\\[tbnrf\\"']"""
# [156]–[159], verbatim from the SPARQL 1.1 grammar.
_STRINGS = {
    rdflib_grammar.STRING_LITERAL_LONG1: rf"'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}))*'''",
    rdflib_grammar.STRING_LITERAL_LONG2: rf'"""(?:(?:"|"")?(?:[^"\\]|{_ECHAR}))*"""',
    rdflib_grammar.STRING_LITERAL1: rf"'(?:[^'\\\n\r]|{_ECHAR})*'",
    rdflib_grammar.STRING_LITERAL2: rf'"(?:[^"\\\n\r]|{_ECHAR})*"',
}


@dataclass(frozen=True)
class Grammar:
    query: ParserElement  # rdflib's `Query`: Prologue + the query forms
    prologue: ParserElement  # its first part, `Located`: where the prologue ends
    forms: ParserElement  # its second part, SELECT | CONSTRUCT | DESCRIBE | ASK
    update: ParserElement  # rdflib's `UpdateUnit`


class _ServicePattern(Comp):
    """rdflib's `Comp` for SERVICE, without its search of the whole text for `service_string` (see above)."""

    def postParse(self, instring: str, loc: int, tokenList: ParseResults) -> CompValue:  # noqa: N802, N803 (pyparsing's names)
        result = CompValue(self.name)
        for token in tokenList:  # what Comp.postParse does with every parameter
            if isinstance(token, ParamValue):
                if token.isList:
                    result.setdefault(token.name, []).append(token.tokenList)
                else:
                    result[token.name] = token.tokenList
        return result


def _rdf_literal(string: ParserElement, langtag: ParserElement, iri: ParserElement,
                 ignored: list[ParserElement]) -> ParserElement:
    """[129] RDFLiteral ::= String ( LANGTAG | ( '^^' iri ) )?, built as rdflib builds it but for the
    `leave_whitespace()` on the last three (the copy of LANGTAG serves here only, as the original does)."""
    langtag.skipWhitespace = True  # its `@` and name stay adjacent: a Combine
    literal = Comp("literal", Param("string", string)
                   + Opt(Param("lang", langtag) | Literal("^^") + Param("datatype", iri)))
    for comment in ignored:
        literal.ignore(comment)
    return literal


def _negative_decimal(tokens: ParseResults) -> RDFLiteral:
    """`-1.5` as the xsd:decimal it is (rdflib's `neg` raises TypeError for decimals)."""
    return RDFLiteral(-tokens[0].toPython(), datatype=XSD.decimal)


@functools.cache
def grammar() -> Grammar:
    """The mended copy (made once per process: ~0.1 s), or rdflib's own grammar without the marker."""
    marker = getattr(Opt, "_Opt__optionalNotMatched", None)
    if marker is None:
        return _split(rdflib_grammar.Query, rdflib_grammar.UpdateUnit)
    memo = {id(marker): marker}
    old_limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(max(old_limit, 10_000))  # the grammar nests ~600 levels: deepcopy recurses
        query, update = copy.deepcopy((rdflib_grammar.Query, rdflib_grammar.UpdateUnit), memo)
    finally:
        sys.setrecursionlimit(old_limit)

    def copied(element: ParserElement) -> ParserElement:
        return memo[id(element)]

    replacements: dict[int, ParserElement] = {}
    for original, pattern in _STRINGS.items():
        old = copied(original)
        new = Regex(pattern).set_parse_action(*old.parseAction)  # rdflib's unescaping: it knows every ECHAR
        new.ignoreExprs = list(old.ignoreExprs)  # comment skipping, as on the element it replaces
        replacements[id(old)] = new
    literal = copied(rdflib_grammar.RDFLiteral)
    replacements[id(literal)] = _rdf_literal(copied(rdflib_grammar.String), copied(rdflib_grammar.LANGTAG),
                                             copied(rdflib_grammar.iri), literal.ignoreExprs)
    service = copied(rdflib_grammar.ServiceGraphPattern)
    mended = _ServicePattern(service.name, service.expr)
    mended.ignoreExprs = list(service.ignoreExprs)
    replacements[id(service)] = mended
    _substitute((query, update), replacements)
    copied(rdflib_grammar.DECIMAL_NEGATIVE).set_parse_action(_negative_decimal)
    return _split(query, update)


def _split(query: ParserElement, update: ParserElement) -> Grammar:
    return Grammar(query=query, prologue=Located(query.exprs[0]), forms=query.exprs[1], update=update)


def _substitute(roots: tuple[ParserElement, ...], replacements: dict[int, ParserElement]) -> None:
    """Put each replacement in place of the element whose id it is keyed by, wherever one refers to it."""
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        element = stack.pop()
        if id(element) in seen:
            continue
        seen.add(id(element))
        if isinstance(element, ParseExpression):
            element.exprs = [replacements.get(id(child), child) for child in element.exprs]
        elif isinstance(element, ParseElementEnhance) and element.expr is not None:
            element.expr = replacements.get(id(element.expr), element.expr)
        stack.extend(element.recurse())


@functools.cache
def forms_without_comments() -> ParserElement:
    """The query forms, copied once more, without the comment skipping rdflib attaches to every element.

    Exact for a text without `#`: the only thing skipped is rdflib's `"#" + rest_of_line`, which cannot
    match there, yet trying it before every element was a third of a point lookup's parse (issue 13:
    2.8 → 1.8 ms, cProfile). The copy keeps pyparsing's "optional not matched" marker itself (an identity
    check in `Opt`; copied, optional parts came out as a stray token). tests/test_sparql_check_reuse.py
    compares its trees with rdflib's. Without the marker, the forms with comment skipping are used.
    """
    forms = grammar().forms
    marker = getattr(Opt, "_Opt__optionalNotMatched", None)
    if marker is None:
        return forms
    old_limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(max(old_limit, 10_000))
        forms = copy.deepcopy(forms, {id(marker): marker})
    finally:
        sys.setrecursionlimit(old_limit)
    seen: set[int] = set()
    stack = [forms]
    while stack:
        element = stack.pop()
        if id(element) not in seen:
            seen.add(id(element))
            element.ignoreExprs = []
            stack.extend(element.recurse())
    return forms
