"""How big a SPARQL query is, counted by a lexer before any parser sees it: a cheap refusal of what the checker's
parser (store/service_check.py) would refuse anyway, only slower.

Why: cold review 23 sent a flat query of 30,000 triple patterns (908 kB): rdflib's parser recursed once per `.`
and gave up after 7.4 s; and 3,000 `OPTIONAL`s (80 kB) took 5.6 s to parse before the operator count refused
them. Both are refused here in milliseconds. Like `refuse_deep_nesting`, this only ever REFUSES, and only what
is sure to be refused: it counts lower bounds, words the parser must read as what they look like.

- **Operators.** A bare `OPTIONAL`, `MINUS`, `GRAPH`, `SERVICE` or `UNION` (not in a string, an IRI or a comment,
  not part of a name such as `ex:a-OPTIONAL` or `?optional`) in a query is one graph pattern operator at least,
  as each `SELECT` but the first is a sub-select; more than `MAX_PATTERNS` of them are refused by the checker.
- **Chains.** rdflib's `TriplesBlock ::= TriplesSameSubjectPath ( '.' TriplesBlock? )?` recurses at every `.`
  (about 11 Python frames each): under the checker's recursion limit of 200,000, 18,000 patterns in a row parse
  and 19,000 do not (measured, rdflib 7.6). A run of more than `MAX_CHAIN` `.` with no `{`, `}` or keyword between them
  (`FILTER`, `OPTIONAL` … end a block; `a`, `true` and `false` stand inside one) is such a chain.

A text with an update's keyword (`INSERT`, `DELETE` …) is left to the parser, which refuses it as an update (403).
"""

from __future__ import annotations

import re

# Strings, IRIs and comments, each one token (alternatives of a regular expression): what they hold is no syntax.
INERT_TOKENS = (
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*"
)
# A name is a word (a keyword, a prefixed name, a variable, a blank node label, a number, a language tag): its
# `-`, `.` (not the last: no name ends with one) and `\` escapes are its own, so `ex:a-OPTIONAL` is one word.
_LEXEME = re.compile(
    INERT_TOKENS
    + r"|(?P<word>(?:[\w\-:?$%]|\\.|\.(?=[\w\-:?$%\\]))+)|(?P<dot>\.)|(?P<brace>[{}])|.",
    re.DOTALL,
)
MAX_CHAIN = 20_000  # `.`s: more are refused (a thousand above what failed, for the counting's slack)
_OPERATORS = frozenset({"OPTIONAL", "MINUS", "GRAPH", "SERVICE", "UNION"})
_INSIDE_TRIPLES = frozenset({"A", "TRUE", "FALSE"})
_UPDATE = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})


def query_size(text: str, max_patterns: int) -> tuple[int, int]:
    """(graph pattern operators, longest chain of `.`-joined triple patterns), each a lower bound, or (0, 0) for a
    text the parser must judge (an update's keyword in it). Linear, no recursion; a query well under both limits
    (every query but a giant) is answered from substring counts, in microseconds."""
    upper = text.upper()
    if text.count(".") <= MAX_CHAIN and sum(upper.count(word) for word in (*_OPERATORS, "SELECT")) <= max_patterns:
        return 0, 0
    operators = selects = run = longest = 0
    for match in _LEXEME.finditer(text):
        kind = match.lastgroup
        if kind == "dot":
            run += 1
            longest = max(longest, run)
        elif kind == "brace":
            run = 0
        elif kind == "word":
            word = match.group().upper()
            if word in _UPDATE:
                return 0, 0
            operators += word in _OPERATORS
            selects += word == "SELECT"
            if word.isalpha() and word not in _INSIDE_TRIPLES:
                run = 0
    return operators + max(selects - 1, 0), longest
