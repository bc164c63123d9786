"""What the SPARQL checker said of recent queries, so a query seen before is not parsed again (issue 13).

rdflib's parse (store/service_check.py) costs 2–3 ms of a point lookup whose evaluation takes 0.06 ms.
A pool of query workers (store/executor.py) therefore remembers its workers' verdicts, two ways:

- **By exact text**: nothing normalised.
- **By template**: the text with every `<http://…>` / `<https://…>` IRI taken out, so a client that
  asks the same question of another resource (a lookup by IRI: the commonest SPARQL request) is not
  parsed again. A template's verdict is the real parser's, on a stand-in text: the query with each
  such IRI replaced by a sentinel of its own (`<http://luzhi.invalid/slot/N>`). It is kept only if
  rdflib read every sentinel as an IRI (each is a `URIRef` in the parse tree) and the query calls no
  SERVICE at all. Why then any text of the same template gets the same verdict: the two texts differ
  only inside `<…>` spans whose content is an IRIREF of rdflib's grammar starting `http://` or
  `https://` and holding no `'` (`_SLOT`). Such content is inert wherever the span falls: in a comment
  (no line end), in any kind of string (no quote, no backslash) and in an IRI (the IRIREF rule, a
  regular expression up to the next `>`, reads either span as one token). The one other reading of `<`
  in code, the less-than operator, fails the same way for both at the `//`, which nothing in the grammar
  accepts after `http:`. So both texts have the same tokens but for IRI values, and the verdict (form,
  FROM, nesting, pattern count, SERVICE) depends on IRI values only through SERVICE targets, and there
  are none. The `URIRef` test is a second guard, not the argument: a prefix or BASE bound to one
  sentinel can spell another (helper attack13 forged one with `luzhi\\u002Einvalid`, now refused).
  tests/test_sparql_verdicts.py holds this to `check_query` on each text, over the SERVICE corpus and
  the worked examples with tricky IRIs substituted. And the second wall stands regardless: query
  workers have no network (store/sandbox.py).

Refusals carry no check and are never kept. Texts up to `CACHED_CHARS` only, at most `_CACHED` entries
(texts and templates together), least recently used out first.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from rdflib import URIRef

from luzhi.store.service_check import (
    CACHED_CHARS,
    QueryCheck,
    QueryRefused,
    as_the_engine_lexes,
    check_query,
    check_with_tree,
)

_CACHED = 512
# rdflib's IRIREF (`<` [^<>"{}|^`\ and 0x00-0x20]* `>`), restricted to absolute http(s) IRIs, and without
# `'`: what is left is inert in a comment and in every kind of string too (it ends neither), so a slot that
# is not read as an IRI means the same in every text of its template. With `'` allowed, `<http://x'>` inside
# a '…' string ended it early in the real text only, and a SERVICE the stand-in held in a string ran
# (session 13, helper attack13).
_SLOT = re.compile(r'<(https?://[^<>"{}|^`\\\x00-\x20\']*)>')
_SENTINEL = "http://luzhi.invalid/slot/"
_UNVERIFIED = 256  # templates whose stand-in did not verify, per process: not tried again


def template_key(text: str) -> tuple[str, ...] | None:
    """The text around its http(s) IRIs (None: no such IRI, too long, or it names the sentinel itself)."""
    if len(text) > CACHED_CHARS or "luzhi.invalid" in as_the_engine_lexes(text):  # `luzhi\u002Einvalid` too
        return None
    parts = _SLOT.split(text)  # [text, IRI, text, IRI, …, text]
    return tuple(parts[0::2]) if len(parts) > 1 else None


_unverified: OrderedDict[tuple[str, ...], None] = OrderedDict()


def check_templated(text: str) -> tuple[QueryCheck, bool]:
    """`check_query(text)`, and whether that verdict holds for every text of its template (see above).

    One parse either way when the template verifies (the stand-in's, not the text's); when it does not,
    the text is parsed as it is, and decides (its refusals name its own line and column).
    """
    key = template_key(text)
    if key is not None and key not in _unverified:
        stand_in = "".join(part + (f"<{_SENTINEL}{n}>" if n < len(key) - 1 else "") for n, part in enumerate(key))
        try:
            check, tree = check_with_tree(stand_in)
        except QueryRefused:
            check = None
        if check is not None and not check.services and not check.unresolvable \
                and _iris_in(tree) == {f"{_SENTINEL}{n}" for n in range(len(key) - 1)}:
            return check, True
        _unverified[key] = None
        if len(_unverified) > _UNVERIFIED:
            _unverified.popitem(last=False)
    return check_query(text), False


def _iris_in(tree) -> set[str]:
    """Every sentinel IRI in a parse tree (iteratively: the tree may be deep)."""
    found: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, URIRef):
            if node.startswith(_SENTINEL):
                found.add(str(node))
        elif isinstance(node, dict):  # rdflib's CompValue
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or hasattr(node, "as_list"):  # ParseResults
            stack.extend(node)
    return found


class Verdicts:
    """One pool's remembered verdicts, by exact text and by template; thread-safe (a web worker's threads
    share its executor)."""

    def __init__(self) -> None:
        self._checks: OrderedDict[str | tuple[str, ...], QueryCheck] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> QueryCheck | None:
        check = self._take(text)
        if check is None:
            key = template_key(text)
            check = None if key is None else self._take(key)
        return check

    def remember(self, text: str, check: QueryCheck | None, *, template: bool = False) -> None:
        """Keep `check` for `text`, or for its whole template when the worker verified it (`template`)."""
        if check is None or len(text) > CACHED_CHARS:
            return
        key = template_key(text) if template else text
        if key is None:
            return
        with self._lock:
            self._checks[key] = check
            self._checks.move_to_end(key)
            while len(self._checks) > _CACHED:
                self._checks.popitem(last=False)

    def _take(self, key: str | tuple[str, ...]) -> QueryCheck | None:
        with self._lock:
            check = self._checks.get(key)
            if check is not None:
                self._checks.move_to_end(key)
            return check
