"""White space and invisible characters in cell text: the rules the readers (etl/readers) and every stage that reads
names (etl/rows.py, etl/headings.py) share."""

from __future__ import annotations

import re

_CJK = r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SPACES = re.compile(r"[ \t\u3000\u00a0\u2002-\u200b]+")


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def join_cjk(text: str) -> str:
    """Drop whitespace between two CJK characters: a line wrap, not a word break (`开展造林绿化工 作`)."""
    return _CJK_GAP.sub("", collapse_spaces(text))


# Format characters that show nothing and mean nothing in a list's text: the soft hyphen, zero-width space, non-joiner
# and joiner, the direction marks, embeddings and isolates, the word joiner and invisible operators, and U+FEFF (a
# BOM pasted into a cell, or the old zero-width no-break space). Kept, `\ufeff党的建设` was a category of its own
# and a title no search for 党的建设 found (cold review 21).
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


def drop_invisible(text: str) -> str:
    """`text` without the invisible format characters above: what every reader does to every cell and line."""
    return _INVISIBLE.sub("", text)
