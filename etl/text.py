"""Cell text: the white space and invisible-character rules the readers (etl/readers) and every stage that reads
names (etl/rows.py, etl/headings.py) share, and a cell as readable text (HTML fragments in cells, as the text
extractions hold them)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_CJK = r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
# Every horizontal space Unicode has (U+2000 and U+2001 included: a run of them survived into headings).
_SPACES = re.compile(r"[ \t\u3000\u00a0\u1680\u2000-\u200b\u202f\u205f]+")
# Possessive: `<` and a long run of spaces backtracked quadratically (20 s for 40,000 spaces in a cell).
_HTML_TAG = re.compile(r"<\s*+/?\s*+[a-zA-Z][a-zA-Z0-9]*+(?:\s[^<>]*+)?/?\s*+>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def join_cjk(text: str) -> str:
    """Drop whitespace between two CJK characters: a line wrap, not a word break (`开展造林绿化工 作`)."""
    return _CJK_GAP.sub("", collapse_spaces(text))


def cell_text(raw: str, *, join_lines: bool = False) -> str:
    """A cell as readable text: HTML tags stripped (block tags become line breaks), entities
    unescaped, spaces collapsed, blank lines dropped. `join_lines` (titles, categories) also
    joins lines and drops whitespace between CJK characters."""
    text = _html_to_text(raw) if _HTML_TAG.search(raw) else raw
    lines = [collapse_spaces(part) for part in text.splitlines()]
    lines = [part for part in lines if part]
    if join_lines:
        return join_cjk(" ".join(lines))
    return "\n".join(lines)


class _TextExtractor(HTMLParser):
    _BLOCK = frozenset(
        "p div li ol ul br tr table thead tbody h1 h2 h3 h4 h5 h6 blockquote section hr dl dt dd".split()
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append("\n" if tag in self._BLOCK else (" " if tag in ("td", "th") else ""))

    def handle_endtag(self, tag: str) -> None:
        self.handle_starttag(tag, [])

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _html_to_text(raw: str) -> str:
    parser = _TextExtractor()
    parser.feed(raw)
    parser.close()
    return "".join(parser.parts)


# Format characters that show nothing and mean nothing in a list's text: the soft hyphen, zero-width space, non-joiner
# and joiner, the direction marks, embeddings and isolates, the word joiner and invisible operators, and U+FEFF (a
# BOM pasted into a cell, or the old zero-width no-break space). Kept, `\ufeff党的建设` was a category of its own
# and a title no search for 党的建设 found (cold review 21).
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


def drop_invisible(text: str) -> str:
    """`text` without the invisible format characters above: what every reader does to every cell and line."""
    return _INVISIBLE.sub("", text)
