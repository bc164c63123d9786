"""A 上级部门职责 cell split per department: which listed department does which part.

The cell of a cooperative duty naming several departments usually says who does what, in one of
these shapes (every one seen in the bundled samples; docs/departments.md has the cells):
- sections headed by a department: `县税务局：…`, `市应急管理局主要职责：…`, `一、县应急管理局 …`, or by
  several (`A、B主要职责：`, the joint `县农业农村局和水务局：` of 003);
- sections headed by a topic (`一、慈善募捐救助`, 004 cooperative 41), whose statements name their
  department;
- numbered points or `；`-separated statements whose subject is a department
  (`1.市应急局负责…；2.市自然资源局负责…`; 004 cooperative 2 and 21).
A statement also belongs to the partners it names: `X和Y制定…`, `X与Y一同开展…`, `X会同Y…`; and a clause after
`，` with a department and its role verb as subject is a statement of its own (`农业农村局负责…，水利局负责…`,
cold review 21: the whole text was 区农业农村局's).

A section headed by a department the cell does not list (004 cooperative 13: `二、县公安局`) ends the
previous section and belongs to nobody; `unlisted_departments` names such departments for the
report, and those a statement has as subject (`…，区公安局负责打击违法`). Headers are matched to the cell's
names by normalised key (so 区消防救援大队 in the text is 鸡冠消防救援大队 of the cell), and recognised
by the structure of a department name otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from luzhi.etl.department_names import (
    ALIAS_VARIANTS_LAST,
    EDGE,
    ROLE_VERBS,
    looks_like_department,
    normalise_department,
    plain_text,
)
from luzhi.etl.department_phrases import joined_departments

__all__ = ["split_responsibility", "unlisted_departments"]

_BOUNDARY = frozenset(" \t\n\u3000\xa0。；;，,>")
# A point's outline number, in any of the usual schemes: 1. 1、 1） （1） ① ⑴ 一、 （一）; not 1.5吨 (a decimal).
_CN_NUMBER = "[一二三四五六七八九十]{1,3}"
_OUTLINE = rf"(?:\d{{1,2}}\s*(?:[.．、](?!\d)|[)）])|[（(](?:\d{{1,2}}|{_CN_NUMBER})[)）]|[①-⑳⑴-⒇]|{_CN_NUMBER}、)"
# At a statement's start (`1.市应急局负责…`, `（1）…`, `①…`, `一、县公安局`): no part of its subject.
_HEADING_NUMBER = re.compile(rf"^\s*(?:{_OUTLINE}\s*)+")
_LATER_NUMBER = re.compile(rf"(?:^|(?<=[\s；;。>]))\s*{_OUTLINE}", re.M)  # a further point, after a break
_TRAILING_MARKS = re.compile(r"[\s；;。，,、]+$")  # what ends a clause, not the department's words
_HEADER_TAIL = re.compile(r"(?:的?主要职责|工作职责|职责)$")
_CN_HEADING = re.compile(r"(?:^|(?<=\s))[一二三四五六七八九十]+、\s*")
_LIST_JOIN = re.compile(r"\s*(?:、|，|,|和|及|与)\s*")
_CONNECTORS = "和与及"
_STATEMENT_END = re.compile(r"(?<=[；;。\n])")
_PARTNER_BEFORE = re.compile(r"会同|协同|联合")  # X会同Y…: Y takes part
_PARTNER_WITH = re.compile(r"[与和同]")  # X与Y一同…, X与Y共同…
_TOGETHER = re.compile(r"\s*(?:一同|共同|一起)")
# What a department does, right after its name at a statement's start (cold review 21: `农业农村局负责…，水利局负责…`
# gave the whole text to 区农业农村局 and 区水利局 nothing): a clause after ，with its own subject is a statement.
_ROLE_VERB = re.compile("|".join((*ROLE_VERBS, "承担")))  # and 承担: ROLE_VERBS has 牵头负责 before 牵头
_CLAUSE_MARK = re.compile(r"[，,]")
# A subject by its structure, not listed: `区公安局负责打击违法` under 区农业农村局、区市场监管局.
_SUBJECT = re.compile(rf"([^\s，,；;。：:、]{{2,30}}?)(?:{_ROLE_VERB.pattern})")


# The last characters a written name can have that its normalised key does not end with: edges and
# parentheses spelling() and PAREN drop, 机关, the 和/与 _squash drops, the league and branch forms,
# and every alias variant's (department_names.normalise_department).
_ANY_END = frozenset(EDGE + "()（）关和与会委局" + "".join(ALIAS_VARIANTS_LAST))


@lru_cache(maxsize=1 << 16)  # bounded: a national build tries millions of substrings
def _match_key(name: str, county_name: str, prefecture_name: str) -> str:
    return normalise_department(name, county_name, prefecture_name)


@dataclass(frozen=True)
class _Listed:
    """The departments of one cell, found again in its responsibility text by normalised key."""

    by_key: dict[str, str]
    county_name: str = ""
    prefecture_name: str = ""
    last_chars: frozenset[str] = frozenset()  # what a spelling of a listed name can end with (see `get`)

    @classmethod
    def of(cls, names: tuple[str, ...] | list[str], county_name: str, prefecture_name: str) -> _Listed:
        by_key: dict[str, str] = {}
        for name in names:
            by_key.setdefault(_match_key(name, county_name, prefecture_name), name)
        return cls(by_key, county_name, prefecture_name, _ANY_END | {key[-1] for key in by_key if key})

    def get(self, written: str) -> str | None:
        """The listed name `written` is a spelling of, if any.

        `_name_at` asks this for every prefix of up to 40 characters, and normalising one costs ~30 µs
        (a third of a document's build). A written name ends as its key does, or in a character that
        normalising drops or rewrites (`_ANY_END`), so any other last character is no match, unnormalised.
        """
        last = written[-1:]
        if last not in self.last_chars and not last.isspace() and "&" not in written:  # & : an HTML entity
            return None
        return self.normalised(written)

    def normalised(self, written: str) -> str | None:
        """`get` without its quick refusal (for a caller that has made it)."""
        return self.by_key.get(_match_key(written, self.county_name, self.prefecture_name))


def _name_at(text: str, pos: int, keys: _Listed) -> tuple[int, str] | None:
    """The longest department of `keys` written at text[pos:] (1.市委组织部负责… → 市委组织部).

    A candidate never ends in 和/与/及: `县农业农村局与县财政局` would otherwise read as
    `县农业农村局与` (与 is dropped inside names, 住房和城乡建设局) and hide its partner (004 cooperative 44).
    """
    stop = pos
    while stop < len(text) and stop - pos < 40 and text[stop] not in _BOUNDARY and text[stop] not in "：:、":
        stop += 1
    # `_Listed.get`'s quick refusal made here, on the last character, before slicing the candidate:
    # 121,564 candidates for 20 townships, nearly all refused (bench/results/pass1.md).
    entity = text.find("&", pos, stop)  # candidates ending after it may hold an HTML entity
    last_chars = keys.last_chars
    for end in range(stop, pos + 1, -1):
        last = text[end - 1]
        if last in _CONNECTORS or (last not in last_chars and not last.isspace() and not 0 <= entity < end):
            continue
        name = keys.normalised(text[pos:end])
        if name is not None:
            return end, name
    return None


def _names_at(text: str, pos: int, keys: _Listed) -> tuple[int, list[str]]:
    """Departments listed at text[pos:]: 市自然资源局、市水利局负责… → [市自然资源局, 市水利局]."""
    found: list[str] = []
    hit = _name_at(text, pos, keys)
    while hit is not None:
        pos, name = hit
        found.append(name)
        join = _LIST_JOIN.match(text, pos)
        hit = _name_at(text, join.end(), keys) if join else None
    return pos, found


def _joint_parts(chunk: str) -> list[str]:
    """`县农业农村局和水务局` → [县农业农村局, 水务局]: split at 和/与/及 only after a complete name
    (县发展和改革委员会 and 县住房和城乡建设局 stay whole: 县发展, 县住房 are no names); [] when the chunk is not
    departments. The department cells' own rule (etl/department_phrases.py), so a header reads as its cell."""
    return [name for name, _role in joined_departments(chunk) or ()]


@dataclass(frozen=True)
class _Header:
    start: int
    content: int  # where the section's text starts
    owners: tuple[str, ...]  # listed departments heading the section
    unlisted: tuple[str, ...] = ()  # department names heading it that the cell does not list


def _label_header(label: str, keys: _Listed) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(listed, unlisted) departments of a header label, or None when the label is not only departments."""
    label = _HEADER_TAIL.sub("", _HEADING_NUMBER.sub("", label.strip()))
    if not label:
        return None
    listed: list[str] = []
    unlisted: list[str] = []
    for chunk in label.split("、"):
        whole = keys.get(chunk)
        parts = [chunk] if whole else _joint_parts(chunk)
        if not parts:
            return None
        for part in parts:
            name = keys.get(part)
            if name is not None:
                listed.append(name)
            else:
                unlisted.append(part)
    first = label.split("、")[0]
    if not listed and not looks_like_department(first, owner_required=True):
        return None  # 表彰工作：, 履职保障： and 水务局： alone are no department headers
    return tuple(dict.fromkeys(listed)), tuple(dict.fromkeys(unlisted))


def _headers(text: str, keys: _Listed, section: re.Pattern[str] | None = None) -> list[_Header]:
    """Section headers: `X局：`, `X局主要职责：`, `A、B主要职责：`, `一、县X局`, topic headings `一、…`,
    and those a layout profile describes (`section`, with a group `names`)."""
    found: dict[int, _Header] = {}
    for match in section.finditer(text) if section is not None else ():
        listed, unlisted = _label_header(match.group("names"), keys) or ((), ())
        found[match.start()] = _Header(match.start(), match.end(), listed, unlisted)
    for colon in (i for i, char in enumerate(text) if char in "：:"):
        start = colon
        while start > 0 and colon - start < 80 and text[start - 1] not in _BOUNDARY:
            start -= 1
        parsed = _label_header(text[start:colon], keys)
        if parsed is not None:
            found[start] = _Header(start, colon + 1, *parsed)
    for heading in _CN_HEADING.finditer(text):
        if heading.start() in found:
            continue
        end, names = _names_at(text, heading.end(), keys)
        if names:
            tail = re.match(r"(?:的?主要职责)?\s*[：:]?", text[end:])
            found[heading.start()] = _Header(heading.start(), end + (tail.end() if tail else 0), tuple(names))
            continue
        stop = heading.end()
        while stop < len(text) and text[stop] not in _BOUNDARY and text[stop] not in "：:":
            stop += 1
        parsed = _label_header(text[heading.end() : stop], keys)
        listed, unlisted = parsed if parsed is not None else ((), ())
        # A topic heading (一、慈善募捐救助) also ends the section before it: its statements say who.
        found[heading.start()] = _Header(heading.start(), stop, listed, unlisted)
    return sorted(found.values(), key=lambda header: header.start)


def _points(text: str) -> list[tuple[int, str]]:
    """Numbered points 1. 2. 3. in sequence; a number counts only after a break (not in “1、3、5”)."""
    first = re.match(r"\s*1\s*[.．、](?!\d)", text)
    if not first:
        return []
    starts, number = [first.start()], 2
    while True:
        mark = re.compile(rf"(?:(?<=[\s；;。>])){number}\s*[.．、](?!\d)").search(text, starts[-1] + 1)
        if not mark:
            break
        starts.append(mark.start())
        number += 1
    return [(a, text[a:b].strip()) for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def _statements(text: str) -> list[tuple[int, str]]:
    """A section's statements: its numbered points, else its `；`/`。`-separated sentences
    (004 cooperative 2 lists them in an <ol> whose numbers the extraction lost)."""
    points = _points(text)
    if points:
        return points
    result, offset = [], 0
    for piece in _STATEMENT_END.split(text):
        if piece.strip():
            result.append((offset, piece.strip()))
        offset += len(piece)
    return result


def _subject(statement: str, at: int, keys: _Listed) -> tuple[bool, str]:
    """(whether statement[at:] begins with a department and its role verb, that department if the cell does not
    list it): `水利局负责河道治理` (listed) → (True, ''); `区公安局负责打击违法` (unlisted) → (True, 区公安局)."""
    end, names = _names_at(statement, at, keys)
    if names and _ROLE_VERB.match(statement, end):
        return True, ""
    subject = _SUBJECT.match(statement, at)
    if subject is not None and looks_like_department(subject.group(1), owner_required=True):
        return True, subject.group(1)
    return False, ""


def _by_subject(statement: str, keys: _Listed) -> tuple[list[tuple[int, str]], list[str]]:
    """A statement cut before each `，` clause with a department of its own as subject (`农业农村局负责技术指导，
    水利局负责河道治理`: two), and the subjects the cell does not list."""
    cuts, unlisted = [0], []
    number = _HEADING_NUMBER.match(statement)
    for mark in (None, *_CLAUSE_MARK.finditer(statement)):
        at = mark.end() if mark else number.end() if number else 0
        found, stranger = _subject(statement, at, keys)
        if found and mark is not None:
            cuts.append(at)
        if stranger:
            unlisted.append(stranger)
    pieces = [(a, statement[a:b].strip(" ，,")) for a, b in zip(cuts, [*cuts[1:], len(statement)], strict=True)]
    return pieces, unlisted


def _credited(statement: str, keys: _Listed) -> list[str]:
    """The statement's subject departments (`县X局、县Y局负责…`, `X和Y制定…`) and its partners
    (`…会同Y…`, `…与Y一同…`); no subject, no partners: `2.会同有关部门…` says nothing of who."""
    _, subjects = _names_at(_HEADING_NUMBER.sub("", statement), 0, keys)
    partners: list[str] = []
    for mark in _PARTNER_BEFORE.finditer(statement):
        partners += _names_at(statement, mark.end(), keys)[1]
    for mark in _PARTNER_WITH.finditer(statement):
        end, names = _names_at(statement, mark.end(), keys)
        if names and _TOGETHER.match(statement, end):
            partners += names
    return list(dict.fromkeys([*subjects, *partners]))


def _analyse(
    text: str, keys: _Listed, section: re.Pattern[str] | None = None
) -> tuple[dict[str, list[tuple[int, str]]], list[str]]:
    plain = plain_text(text)
    parts: dict[str, list[tuple[int, str]]] = {}
    unlisted: list[str] = []

    def credit(owners, position: int, part: str) -> None:
        for owner in owners:
            if (position, part) not in parts.setdefault(owner, []):
                parts[owner].append((position, part))

    headers = _headers(plain, keys, section)
    sections = [(None, 0, headers[0].start if headers else len(plain))]
    for index, header in enumerate(headers):
        end = headers[index + 1].start if index + 1 < len(headers) else len(plain)
        sections.append((header, header.content, end))
    for header, start, end in sections:
        section = plain[start:end].strip()
        if not section:
            continue
        owners = header.owners if header else ()
        if header:
            unlisted += header.unlisted
        credit(owners, start, section)
        offset = plain.index(section, start)
        for position, whole in _statements(section):
            pieces, strangers = _by_subject(whole, keys)
            unlisted += strangers
            for at, statement in pieces:
                named = _credited(statement, keys)
                if named and not owners:
                    credit(named, offset + position + at, statement)
                elif owners:
                    credit([name for name in named if name not in owners], offset + position + at, statement)
    return parts, list(dict.fromkeys(unlisted))


def split_responsibility(
    text: str,
    names: tuple[str, ...] | list[str],
    county_name: str = "",
    prefecture_name: str = "",
    section: re.Pattern[str] | None = None,
) -> tuple[tuple[str, str], ...]:
    """(department as in `names`, its own text) for each listed department the cell gives a part;
    () when the cell is one joint text that names nobody (see the module docstring). A cell listing one
    department is wholly its part. Each text is its parts a line each, without the outline number of a single
    point or the punctuation ending a clause (`_own_text`): `1.市气象局负责做好气象预报工作。` →
    `市气象局负责做好气象预报工作`.

    With the county's and prefecture's names (DivisionChain) a text may spell a department otherwise
    than its cell: 区消防救援大队 for 鸡冠消防救援大队, 县生态环境局左云分局 for 市生态环境局左云分局.
    """
    return _cell_analysis(text, tuple(names), county_name, prefecture_name, section)[0]


def unlisted_departments(
    text: str,
    names: tuple[str, ...] | list[str],
    county_name: str = "",
    prefecture_name: str = "",
    section: re.Pattern[str] | None = None,
) -> tuple[str, ...]:
    """Departments heading a section of the cell that its department cell does not name (004
    cooperative 13: `二、县公安局` under 县委宣传部、县委网信办): for the report, never guessed into the graph."""
    return _cell_analysis(text, tuple(names), county_name, prefecture_name, section)[1]


# Both answers of one cell come from one analysis, which the build asks for twice (to_rdf reports the
# unlisted departments of every cooperative duty, then splits the cells naming several): cached, bounded
# (a national build sees millions of cells; 1,024 cells of a few KB, more than a document's cooperative
# list). Across documents it helps only where townships of one county share a cell. `_analyse` was 9 %
# of pass 1's profile (bench/results/pass1.md).
@lru_cache(maxsize=1024)
def _cell_analysis(
    text: str, names: tuple[str, ...], county_name: str, prefecture_name: str, section: re.Pattern[str] | None
) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """(`split_responsibility`'s answer, `unlisted_departments`') for one cell: immutable, so shared safely."""
    keys = _Listed.of(names, county_name, prefecture_name)
    if not keys.by_key or not text.strip():
        return (), ()
    parts, unlisted = _analyse(text, keys, section)
    if len(names) == 1:  # one department: the whole cell is its part, whatever it names
        return ((names[0], _own_text([text])),) if _own_text([text]) else (), tuple(unlisted)
    split = tuple((name, _own_text([part for _, part in sorted(parts[name])]))
                  for name in keys.by_key.values() if name in parts)
    return tuple((name, own) for name, own in split if own), tuple(unlisted)


def _own_text(parts: list[str]) -> str:
    """A department's text: its parts a line each, each without the list's structure around it (cold review of
    the department cells: `1.市应急局负责…；` kept its 1. and its ；). A part that is one point loses its outline
    number (1. 1、 （1） ① 一、 …); one holding further points (a section `1. …。 2. …。`) keeps them all, as they
    number its list. Every part loses the punctuation that ends its clause (；。，、): the cell's, not the
    department's words, and cut mid-sentence where a clause with its own subject begins (`…负责技术指导，`)."""
    lines = []
    for part in parts:
        number = _HEADING_NUMBER.match(part)
        if number is not None and not _LATER_NUMBER.search(part, number.end()):
            part = part[number.end() :]
        if line := _TRAILING_MARKS.sub("", part.strip()):
            lines.append(line)
    return "\n".join(lines)
