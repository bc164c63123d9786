"""The shortcuts that cut pass 1's CPU (bench/results/pass1.md) give the answers the long way gives.

Each shortcut skips work on a claim about its input; these tests check the claim itself, on all of
Unicode or on every position of the bundled documents' texts, so a change to the rules (or to Python's
Unicode tables) that breaks it fails here rather than silently changing a build.
"""

from __future__ import annotations

import sys
import unicodedata

from luzhi.etl.build import bundled_documents
from luzhi.etl.departments import split_department_cell
from luzhi.etl.divisions import resolve_township
from luzhi.etl.model import ListKind, SourceLine
from luzhi.etl.parse import parse_document
from luzhi.etl.responsibilities import _Listed, _name_at
from luzhi.etl.rows import _header_columns


def test_only_the_header_characters_normalise_to_them():
    """etl/rows.py `_header_columns` skips a row none of whose cells holds 号 and 序 or 编: no other
    character's NFKC form holds one of them, so no other cell can normalise to 序号 or 编号."""
    others = [hex(code) for code in range(sys.maxunicode + 1)
              if chr(code) not in "序号编" and set(unicodedata.normalize("NFKC", chr(code))) & set("序号编")]
    assert others == []


def test_header_rows_are_still_headers():
    line = SourceLine("x.txt", 1, "")
    assert _header_columns(("序号", "事项名称"), line) is not None
    assert _header_columns(("序\u3000号", "事项名称"), line) is not None  # whitespace inside is dropped
    assert _header_columns(("编 号", "事项名称", "事项类别"), line) is not None
    assert _header_columns(("1", "维护社会秩序，编号登记"), line) is None  # 序, 编 and 号, no header cell


def _name_at_the_long_way(text: str, pos: int, keys: _Listed) -> tuple[int, str] | None:
    """`_name_at` as it was before its refusal moved inline: every candidate asked through `_Listed.get`."""
    stop = pos
    while stop < len(text) and stop - pos < 40 and text[stop] not in " \t\n\u3000\xa0。；;，,>" \
            and text[stop] not in "：:、":
        stop += 1
    for end in range(stop, pos + 1, -1):
        if text[end - 1] in "和与及":
            continue
        name = keys.get(text[pos:end])
        if name is not None:
            return end, name
    return None


def test_name_at_finds_what_every_candidate_asked_finds():
    """etl/responsibilities.py `_name_at` refuses a candidate by its last character before slicing it;
    at every position of every cooperative cell of the bundled documents it answers as before."""
    positions = found = 0
    for path in bundled_documents():
        doc = parse_document(path)
        chain = resolve_township(doc.title, None)
        county = chain.county.name if chain.county else ""
        prefecture = chain.prefecture.name if chain.prefecture else ""
        for item in doc.items_of(ListKind.COOPERATIVE):
            keys = _Listed.of(split_department_cell(item.department_text).names, county, prefecture)
            text = item.upper_responsibility
            for pos in range(len(text)):
                expected = _name_at_the_long_way(text, pos, keys)
                assert _name_at(text, pos, keys) == expected, (path.name, item.sequence, pos)
                positions += 1
                found += expected is not None
    assert positions > 50_000 and found > 500, (positions, found)


def test_name_at_reads_html_entities_as_before():
    """A candidate holding `&` may end in an HTML entity (`县公安局&nbsp;` is 县公安局 once unescaped), so
    it is normalised whatever its last character; the bundled cells have no entities left, these do."""
    keys = _Listed.of(("县公安局", "县住房和城乡建设局", "县民政局"), "额敏县", "塔城地区")
    texts = ("1.县公安局&nbsp;负责治安；2.县住房&amp;城乡建设局、县民政局&#160;配合",
             "县民政局&nbsp;&nbsp;会同县公安局&ensp;开展", "&县公安局&")
    answers = [(text, pos, _name_at(text, pos, keys)) for text in texts for pos in range(len(text))]
    assert [a for a in answers if a[2] != _name_at_the_long_way(*a[:2], keys)] == []
    assert ("1.县公安局&nbsp;负责治安；2.县住房&amp;城乡建设局、县民政局&#160;配合", 2, (11, "县公安局")) in answers
