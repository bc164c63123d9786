"""White space in cell text: the two rules every stage that reads names shares (etl/rows.py, etl/headings.py)."""

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
