"""`SELECT *`: the variables in the order they appear in the query, as SPARQL 1.1 says.

SPARQL 1.1 Query §18.2.1 ("Variable scope") and §18.2.4.1: `SELECT *` projects the in-scope variables, and the
18.2 translation takes them in the order they appear in the query; Fuseki and Virtuoso answer so. pyoxigraph 0.5
answers them in alphabetical order (`SELECT * { ?zeta ?alpha ?mid }` gave `alpha, mid, zeta`; cold review), which
put a table's columns out of the order its author wrote. The set is the engine's; only its order is taken from the
text, by a lexer that skips strings, IRIs and comments (a `?x` inside them is no variable). A variable the lexer
does not find keeps the engine's order, after the others.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from luzhi.store.service_check import INERT_TOKENS

_TOKEN = re.compile(
    INERT_TOKENS  # strings, IRIs, comments: no variable is there
    + r"|[?$](?P<var>\w+)"
    # A name, then its local part if it is a prefixed one (`select:x` is not the keyword SELECT). One token for the
    # whole run: a name tried again from each of its letters made `"x"@x-a-a-a…` quadratic (17 s at 20,000).
    r"|(?P<word>[^\W\d][\w.-]*)(?P<pname>:[\w.:%-]*)?"
    r"|:[\w.:%-]*"
    r"|(?P<star>\*)"
    r"|\s+|.",
    re.DOTALL,
)


def star_order(query: str, variables: Sequence[str]) -> list[int] | None:
    """For a `SELECT *` query, the positions of `variables` (the engine's, by name) in the order they first appear
    in `query`; None when the query is no `SELECT *` or the order is already that one. The first SELECT is the
    query's own: the prologue holds none, and a sub-select comes after it."""
    if "*" not in query or len(variables) < 2:
        return None  # no reading needed (a point lookup's time is counted in tens of microseconds: issue 13)
    tokens = (match for match in _TOKEN.finditer(query) if match.lastgroup)  # no white space, comment, string, IRI
    words = (m.group().upper() if m.lastgroup == "word" else m.lastgroup for m in tokens)
    if "SELECT" not in words:
        return None
    after = next(words, None)
    if after in ("DISTINCT", "REDUCED"):
        after = next(words, None)
    if after != "star":
        return None  # SELECT ?a ?b: the engine keeps the order written
    found: dict[str, int] = {}
    for match in _TOKEN.finditer(query):
        if match.lastgroup == "var":
            found.setdefault(match.group("var"), len(found))
    unseen = len(found)
    order = sorted(range(len(variables)), key=lambda i: (found.get(variables[i], unseen), i))
    return None if order == list(range(len(variables))) else order


def reorder_tsv(tsv: bytes, order: list[int]) -> bytes:
    """SPARQL TSV results with their columns in `order`. TSV escapes a tab inside a term (`\\t`), so a raw tab
    always separates two columns (SPARQL 1.1 Query Results CSV and TSV Formats §4)."""
    lines = tsv.split(b"\n")
    out = []
    for line in lines:
        if not line:
            out.append(line)
            continue
        cells = line.split(b"\t")
        out.append(b"\t".join(cells[i] for i in order))
    return b"\n".join(out)
