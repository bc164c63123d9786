"""Departments in the cells of a duty list: split cells, register departments, split texts per department.

One cell often names several departments, or a phrase that is no department at all (各行业主管部门,
…相关部门); a 上级部门职责 cell often gives each department its own section or numbered points; a
reclaimed duty's cell names the receiving department and its way of working, or says the work
stopped. Names are normalised and typed by luzhi.etl.department_names; docs/departments.md lists
every rule and the sample cell that forced it.

Over 400 lines on purpose: the three cell splitters share the registry's name keys and the generic-phrase
rules, and docs/departments.md walks through them in this order; each section below is one of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from luzhi.etl.department_names import (
    PAREN,
    NameContext,
    analyse_name,
    department_type,
    name_context,
    normalise_department,
    plain_text,
    qualified_key,
    spelling,
    type_of_body,
)
from luzhi.etl.divisions import lineage
from luzhi.ontology.iris import slugify

__all__ = [
    "Department",
    "DepartmentCell",
    "DepartmentError",
    "DepartmentRef",
    "DepartmentRegistry",
    "Merge",
    "Reclaimed",
    "Spelling",
    "department_type",
    "is_generic",
    "normalise_department",
    "parse_reclaimed_cell",
    "plain_text",
    "split_department_cell",
    "split_responsibility",
]

_EDGE = " \t\n\u3000\xa0：:，,。.;；、-—_=*·"

# --- splitting a department cell ----------------------------------------------------------------

_SEPARATORS = frozenset(" \t\n\u3000\xa0、，,；;／/")
# A department name ends like this (after any parenthetical): 局, 委员会, 大队, 中心, 公司 …
_ORG_END = re.compile(
    r"(?:局|委|委员会|部|办|办公室|中心|会|联|队|院|所|站|馆|公司|室|处|厅|团|机关|组|社|署|台|政府)$"
)
# Connectors before a generic tail: 区民政局等负有安全生产监管职责相关部门, 县应急管理局及相关部门.
_CONNECTOR = re.compile(r"以及|等|及|和|与|或")


@dataclass(frozen=True)
class DepartmentCell:
    """A department cell split: real department names (as written) and generic phrases."""

    names: tuple[str, ...]
    generic: tuple[str, ...] = ()


def is_generic(phrase: str) -> bool:
    """A phrase naming a class of departments, not one department: 各行业主管部门, 区直政法各单位 …

    Real departments end in 部/局/委/办 …, never in 部门 or 单位; and 各/其他/相关/有关 at the start
    mean "whichever departments apply" (seen in all four sample documents).
    """
    return phrase.endswith(("部门", "单位", "部门等", "单位等")) or phrase.startswith(
        ("各", "其他", "其它", "相关", "有关")
    )


def _looks_like_org(name: str) -> bool:
    return bool(name) and not is_generic(name) and bool(_ORG_END.search(PAREN.sub("", name)))


def _split_outside_parens(text: str) -> list[str]:
    """Split on separators, but not inside （…）: 县公安局（县交通警察大队） is one department."""
    tokens, current, depth = [], [], 0
    for char in text:
        if char in "（(":
            depth += 1
        elif char in "）)" and depth:
            depth -= 1
        if char in _SEPARATORS and depth == 0:
            tokens.append("".join(current))
            current = []
        else:
            current.append(char)
    tokens.append("".join(current))
    return tokens


def _generic_tail(token: str) -> tuple[str, str]:
    """`区民政局等负有…相关部门` → (区民政局, 负有…相关部门); a plain name → (name, '')."""
    for match in _CONNECTOR.finditer(token):
        head, tail = token[: match.start()], token[match.end() :]
        if _looks_like_org(head) and tail and is_generic(tail):
            # Keep the connector when the tail alone would be a bare word (县X局等部门 → 等部门).
            return head, tail if tail not in ("部门", "单位") else match.group() + tail
    if is_generic(token):
        return "", token
    return token, ""


def split_department_cell(text: str) -> DepartmentCell:
    """Split a 对应上级部门 / 承接部门 cell into department names and generic phrases.

    Separators: spaces, 、，,；; and line breaks (outside parentheses). Names repeat when a cell was
    continued over a page break (卧牛河镇 item 29 spans three rows); each is kept once, in order.
    """
    names: list[str] = []
    generic: list[str] = []
    for raw in _split_outside_parens(plain_text(text)):
        token = raw.strip(_EDGE)
        if len(token) < 2:
            continue
        head, tail = _generic_tail(token)
        if head:
            names.append(head)
        if tail:
            generic.append(tail)
    return DepartmentCell(tuple(dict.fromkeys(names)), tuple(dict.fromkeys(generic)))


# --- the registry --------------------------------------------------------------------------------


class DepartmentError(ValueError):
    """Departments could not be given distinct, stable identifiers."""


@dataclass(frozen=True)
class Department:
    """One organisation: the spellings found for it merged under its key."""

    division_code: str  # the division it belongs to: the county, or the prefecture for 市X局 in a 区
    key: str
    pref_label: str
    alt_labels: tuple[str, ...]
    slug: str
    type_key: str


@dataclass(frozen=True)
class Spelling:
    text: str
    count: int
    seen: tuple[str, ...]  # where it was seen (the caller's `where`), in order of first mention


@dataclass(frozen=True)
class Merge:
    """Several spellings merged into one department, for a person to check in the build report."""

    division_code: str
    key: str
    pref_label: str
    spellings: tuple[Spelling, ...]


@dataclass(frozen=True)
class DepartmentRef:
    division_code: str
    key: str
    slug: str


class DepartmentRegistry:
    """Collects department mentions across a document (or a build) and merges spellings by key.

    `add(home_code, name)` takes the code of the division whose documents mention the name (the
    county, DivisionChain.department_home); the registry reads that division's and its ancestors'
    names from the official table to strip 海城市/鞍山市/市/县 prefixes.
    """

    def __init__(self) -> None:
        self._spellings: dict[tuple[str, str], dict[str, list[str]]] = {}
        self._types: dict[tuple[str, str], str] = {}
        self._slugs: dict[tuple[str, str], str] = {}

    @staticmethod
    @cache
    def _home(home_code: str) -> tuple[NameContext, dict[str, str]]:
        chain = lineage(home_code)
        names = {d.level: d.name for d in chain}
        ctx = name_context(names.get("county", ""), names.get("prefecture", ""), names.get("province", ""))
        return ctx, {d.level: d.code for d in chain}

    def resolve(self, home_code: str, name: str) -> DepartmentRef:
        """Where a name belongs and its key and slug, without recording it."""
        ctx, codes = self._home(home_code)
        owner, body = analyse_name(name, ctx)
        key = qualified_key(owner, body, ctx)
        return DepartmentRef(codes.get(owner, home_code), key, slugify(key))

    def key_of(self, home_code: str, name: str) -> str:
        return self.resolve(home_code, name).key

    def add(self, home_code: str, name: str, where: str = "") -> DepartmentRef:
        """Record one mention. Raises DepartmentError if its slug collides with another key's."""
        ref = self.resolve(home_code, name)
        taken = self._slugs.setdefault((ref.division_code, ref.slug), ref.key)
        if taken != ref.key:
            raise DepartmentError(
                f"部门标识冲突：{taken!r} 与 {ref.key!r} 在区划 {ref.division_code} 下得到相同的 slug {ref.slug!r}"
            )
        ident = (ref.division_code, ref.key)
        self._spellings.setdefault(ident, {}).setdefault(spelling(name), []).append(where)
        if ident not in self._types:
            _, body = analyse_name(name, self._home(home_code)[0])
            self._types[ident] = type_of_body(body)
        return ref

    def _ranked(self, ident: tuple[str, str]) -> list[tuple[str, list[str]]]:
        # Most frequent first; ties: shortest, then code-point order, so the result never depends
        # on input order.
        spellings = self._spellings[ident]
        return sorted(spellings.items(), key=lambda kv: (-len(kv[1]), len(kv[0]), kv[0]))

    def departments(self) -> tuple[Department, ...]:
        """Every department, sorted by division code and key."""
        result = []
        for ident in sorted(self._spellings):
            ranked = self._ranked(ident)
            division_code, key = ident
            result.append(
                Department(
                    division_code=division_code,
                    key=key,
                    pref_label=ranked[0][0],
                    alt_labels=tuple(sorted(text for text, _ in ranked[1:])),
                    slug=slugify(key),
                    type_key=self._types[ident],
                )
            )
        return tuple(result)

    def merges(self) -> tuple[Merge, ...]:
        """Each department known under more than one spelling."""
        result = []
        for ident in sorted(self._spellings):
            ranked = self._ranked(ident)
            if len(ranked) > 1:
                spellings = tuple(Spelling(t, len(w), tuple(dict.fromkeys(w))) for t, w in ranked)
                result.append(Merge(ident[0], ident[1], ranked[0][0], spellings))
        return tuple(result)


# --- splitting a responsibility cell per department -----------------------------------------------

_BOUNDARY = frozenset(" \t\n\u3000\xa0。；;，,>")
_HEADING_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+|\d{1,2})[、.．]\s*")
_HEADER_TAIL = re.compile(r"(?:的?主要职责|工作职责|职责)$")
_CN_HEADING = re.compile(r"(?:^|(?<=\s))[一二三四五六七八九十]+、\s*")
_LIST_JOIN = re.compile(r"\s*(?:、|，|,|和|及|与)\s*")


def _name_at(text: str, pos: int, keys: _Listed) -> tuple[int, str] | None:
    """The longest department of `keys` written at text[pos:] (1.市委组织部负责… → 市委组织部)."""
    stop = pos
    while stop < len(text) and stop - pos < 40 and text[stop] not in _BOUNDARY and text[stop] not in "：:、":
        stop += 1
    for end in range(stop, pos + 1, -1):
        name = keys.get(text[pos:end])
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


@lru_cache(maxsize=1 << 16)  # bounded: a national build tries millions of substrings
def _match_key(name: str, county_name: str, prefecture_name: str) -> str:
    return normalise_department(name, county_name, prefecture_name)


@dataclass(frozen=True)
class _Listed:
    """The departments of one cell, found again in its responsibility text by normalised key."""

    by_key: dict[str, str]
    county_name: str = ""
    prefecture_name: str = ""

    @classmethod
    def of(cls, names: tuple[str, ...] | list[str], county_name: str, prefecture_name: str) -> _Listed:
        by_key: dict[str, str] = {}
        for name in names:
            by_key.setdefault(_match_key(name, county_name, prefecture_name), name)
        return cls(by_key, county_name, prefecture_name)

    def get(self, written: str) -> str | None:
        """The listed name `written` is a spelling of, if any."""
        return self.by_key.get(_match_key(written, self.county_name, self.prefecture_name))


def _headers(text: str, keys: _Listed) -> list[tuple[int, int, list[str]]]:
    """Section headers `X局：`, `X局主要职责：`, `A、B主要职责：`, `一、县X局`: (start, content start, names)."""
    found: dict[int, tuple[int, list[str]]] = {}
    for colon in (i for i, char in enumerate(text) if char in "：:"):
        start = colon
        while start > 0 and colon - start < 80 and text[start - 1] not in _BOUNDARY:
            start -= 1
        label = _HEADER_TAIL.sub("", _HEADING_NUMBER.sub("", text[start:colon]))
        parts = [keys.get(part) for part in label.split("、")]
        if label and all(parts):
            found[start] = (colon + 1, [p for p in parts if p])
    for heading in _CN_HEADING.finditer(text):
        if heading.start() in found:
            continue
        end, names = _names_at(text, heading.end(), keys)
        if names:
            tail = re.match(r"(?:的?主要职责)?\s*[：:]?", text[end:])
            found[heading.start()] = (end + (tail.end() if tail else 0), names)
    return sorted((start, content, names) for start, (content, names) in found.items())


def _points(text: str) -> list[str]:
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
    return [text[a:b].strip() for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def split_responsibility(
    text: str, names: tuple[str, ...] | list[str], county_name: str = "", prefecture_name: str = ""
) -> tuple[tuple[str, str], ...]:
    """Split a 上级部门职责 cell into (department as in `names`, its own text) when the cell says so.

    Two layouts are recognised (every case seen in the samples): sections headed by the department
    (`县税务局：…`, `市应急管理局主要职责：…履职保障：…`, `一、县应急管理局…`), and numbered points whose
    subject is a department (`1.市应急局负责…；2.市自然资源局负责…`). A section or point naming
    several departments belongs to each; a point naming none (`4.其他部门负责…`) to nobody. When the
    first point names no department the cell is a joint text and () is returned.

    Headers are matched to `names` by normalised key; with the county's and prefecture's names
    (DivisionChain) a text may spell a department otherwise than its cell: 区消防救援大队 for
    鸡冠消防救援大队, 县生态环境局左云分局 for 市生态环境局左云分局.
    """
    keys = _Listed.of(names, county_name, prefecture_name)
    plain = plain_text(text)
    if not keys.by_key or not plain:
        return ()
    parts: dict[str, list[str]] = {}
    headers = _headers(plain, keys)
    if headers:
        ends = [start for start, _, _ in headers[1:]] + [len(plain)]
        for (_, content, owners), end in zip(headers, ends, strict=True):
            section = plain[content:end].strip()
            for owner in owners:
                if section:
                    parts.setdefault(owner, []).append(section)
    else:
        points = _points(plain)
        for index, point in enumerate(points):
            body = _HEADING_NUMBER.sub("", point)
            _, owners = _names_at(body, 0, keys)
            if index == 0 and not owners:
                return ()
            for owner in owners:
                parts.setdefault(owner, []).append(point)
    return tuple((name, "\n".join(parts[name])) for name in keys.by_key.values() if name in parts)


# --- the 承接部门及工作方式 cell of a reclaimed duty -----------------------------------------------

_RECEIVER = re.compile(r"承接(?:部门|单位)\s*[：:]")
_WAY = re.compile(r"(?:工作方式|履职方式|履责方式|工作措施|履职措施)(?:及(?:工作)?措施)?\s*[：:]?")
# 不再开展此项工作 / 不再对乡镇进行考核 / 该证明已取消 / 法律法规条款已失效（已废止）: said only when
# no department receives the work (see docs/departments.md).
_DISCONTINUED = re.compile(r"不再|取消|废止|失效|停止执行")


@dataclass(frozen=True)
class Reclaimed:
    departments: DepartmentCell
    way_of_working: str
    discontinued: bool


def _leading_orgs(block: str) -> tuple[str, str]:
    """`县发改工信和科技商务局 负责制订…` (no 工作方式 label) → (县发改工信和科技商务局, 负责制订…)."""
    tokens = block.split()
    count = 0
    while count < len(tokens) and all(_looks_like_org(t) for t in tokens[count].split("、")):
        count += 1
    return " ".join(tokens[:count]), " ".join(tokens[count:])


def parse_reclaimed_cell(text: str) -> Reclaimed:
    """Receiving departments, way of working and whether the work stopped, from one reclaimed cell.

    Layouts: `承接部门：X 工作方式：…` (also 履职方式, 履职方式及工作措施, 履责方式…), several such blocks in
    one cell, `X局：…` (卧牛河镇), or a sentence saying the work is no longer done (不再开展此项工作).
    The way of working is the text after the label; the whole cell when there are several blocks or
    no department.
    """
    plain = plain_text(text)
    blocks = _RECEIVER.split(plain)
    way_of_working = plain
    if len(blocks) > 1:
        departments: list[str] = []
        ways: list[str] = []
        for block in blocks[1:]:
            label = _WAY.search(block)
            dept, way = (block[: label.start()], block[label.end() :]) if label else _leading_orgs(block)
            departments.append(dept)
            ways.append(way.strip())
        cell = split_department_cell("、".join(departments))
        if len(ways) == 1 and ways[0]:
            way_of_working = ways[0]
    else:
        header = re.match(r"([^\s：:]{2,80})[：:]", plain)
        label = _WAY.search(plain)
        if header and all(_looks_like_org(part) for part in header.group(1).split("、")):
            cell = split_department_cell(header.group(1))
            way_of_working = plain[header.end() :].strip() or plain
        elif label and split_department_cell(plain[: label.start()]).names:
            # `县水利局 工作方式：…` with no 承接部门 label (额敏镇, data/seeds/004, 49 of 57 cells).
            cell = split_department_cell(plain[: label.start()])
            way_of_working = plain[label.end() :].strip() or plain
        else:
            cell = DepartmentCell(())
    discontinued = not cell.names and not cell.generic and bool(_DISCONTINUED.search(plain))
    return Reclaimed(cell, way_of_working, discontinued)
