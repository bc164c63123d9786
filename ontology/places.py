"""A provenance fragment in words: `page=3&table=1&row=12` → 第 3 页 表 1 第 12 行 (page 3, table 1, row 12).

The ETL points each duty at the place it was read from (`prov:wasDerivedFrom <…/source/FILE#…>`); for
Word, Excel, PDF and HTML files that place is a `key=value&…` location, `LOC,LOC` when the duty spans
several rows (etl/readers/location.py, the table in docs/parsing.md). A reader of the duty page wants
the place in words and a link to the file; text sources show their lines instead (server/views/kinds.py).

Here, below the ETL, the shapes and the server, because all three put places in words: the duty page, the
validation report (a result's or a notice's place in a Word file: 表 14 第 4 行, not the "line 163" of the text
extracted from it, cold review) and the parser's errors.
"""

from __future__ import annotations

from urllib.parse import unquote

# key → (zh, en) with {} for the value; the keys the readers of etl/readers/ write (docs/parsing.md).
_WORDS = {
    "sheet": ("工作表“{}”", "sheet “{}”"),
    "page": ("第 {} 页", "page {}"),
    "table": ("表 {}", "table {}"),
    "row": ("第 {} 行", "row {}"),
    "line": ("第 {} 行", "line {}"),
    "paragraph": ("第 {} 段", "paragraph {}"),
    "block": ("第 {} 段", "block {}"),
}


def describe_place(fragment: str, lang: str) -> str | None:
    """The location `fragment` in words in `lang` ("zh" or "en"), or None when it is not one we write."""
    places = [_one(location, lang) for location in fragment.split(",")]
    if not places or None in places or len(places) > 2:
        return None
    return (" 至 " if lang == "zh" else " to ").join(places)


def place_words(fragment: str) -> tuple[str, str]:
    """The location in Chinese and in English, for a message that puts each in its own sentence; the fragment
    itself where it is not one we write."""
    return describe_place(fragment, "zh") or fragment, describe_place(fragment, "en") or fragment


def describe_place_bilingual(fragment: str) -> str | None:
    """The location in both languages, `中文 / English` as every message gives them (第 2 段 / paragraph 2)."""
    zh, en = describe_place(fragment, "zh"), describe_place(fragment, "en")
    return f"{zh} / {en}" if zh and en else None


def describe_lines(first: int, last: int, lang: str) -> str:
    """Lines first..last of a text source in words: 第 162 行, 第 160–170 行 / line 162, lines 160–170."""
    span = str(first) if first == last else f"{first}–{last}"
    if lang == "zh":
        return _WORDS["line"][0].format(span)
    return ("line " if first == last else "lines ") + span


def _one(location: str, lang: str) -> str | None:
    words = []
    for part in location.split("&"):
        key, equals, value = part.partition("=")
        if key not in _WORDS or not equals or not value:
            return None
        words.append(_WORDS[key][0 if lang == "zh" else 1].format(unquote(value)))
    return (" " if lang == "zh" else ", ").join(words)


def describe_span(fragments: tuple[str, ...], first: int, last: int) -> str | None:
    """The place of extracted lines `first`..`last` (1-based) of a located document (Word, Excel, PDF, HTML),
    one location fragment per line: `LOC` or `LOC,LOC`, as the ETL's provenance writes it (etl/model.py)."""
    if not 1 <= first <= last <= len(fragments):
        return None
    start, end = fragments[first - 1], fragments[last - 1]
    return start if start == end else f"{start},{end}"
