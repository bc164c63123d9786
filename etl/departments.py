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
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from functools import cache, lru_cache

from luzhi.etl.department_names import (
    ORG_END,
    NameContext,
    analyse_name,
    department_type,
    is_generic,
    looks_like_department,
    name_context,
    normalise_department,
    plain_text,
    qualified_key,
    spelling,
    type_of_body,
)
from luzhi.etl.department_phrases import (
    department_clause,
    joined_departments,
    joins_zones,
    role_labels,
    strip_role,
)
from luzhi.etl.divisions import lineage
from luzhi.etl.model import DutyItem, ListKind
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
    "with_role_columns",
]

_EDGE = " \t\n\u3000\xa0：:，,。.;；、-—_=*·"

# --- splitting a department cell ----------------------------------------------------------------

_SEPARATORS = frozenset(" \t\n\u3000\xa0、，,；;／/")
# Connectors before a generic tail: 区民政局等负有安全生产监管职责相关部门, 县应急管理局及相关部门.
_CONNECTOR = re.compile(r"以及|等|及|和|与|或")


@dataclass(frozen=True)
class DepartmentCell:
    """A department cell split: real department names (as written, in the cell's order), generic phrases, the
    role the cell gives some names (`(name, 'lead'|'support')`: 牵头, 配合 …), the phrases that read as
    neither a department nor a generic phrase (`unread`: reported, kept as lz:departmentMention, never an
    organisation) and what the cell says some names do (`tasks`: `(区住建局, 负责统筹)` from `区住建局负责统筹`,
    the participation's lz:responsibility when no 上级部门职责 text is the department's)."""

    names: tuple[str, ...]
    generic: tuple[str, ...] = ()
    roles: tuple[tuple[str, str], ...] = ()
    unread: tuple[str, ...] = ()
    tasks: tuple[tuple[str, str], ...] = ()


def with_role_columns(cell: DepartmentCell, columns: DepartmentCell, same: Callable[[str], Hashable]) -> DepartmentCell:
    """A cell's departments with those of the role columns beside it (`columns`: a take-back list's 牵头部门 and
    配合部门 beside its 承接部门, cold review 19b), the cell's first. `same` gives a name's organisation: the role a
    role column gives an organisation wins over the cell's, whichever spelling each uses. Every spelling stays a
    name (each is a label of its organisation); one organisation is one participation (etl/to_rdf.py)."""
    names = tuple(dict.fromkeys((*cell.names, *columns.names)))
    roles = {same(name): role for name, role in cell.roles} | {same(name): role for name, role in columns.roles}
    tasks = dict(columns.tasks) | dict(cell.tasks)
    return DepartmentCell(
        names,
        tuple(dict.fromkeys((*cell.generic, *columns.generic))),
        tuple((name, roles[same(name)]) for name in names if same(name) in roles),
        tuple(dict.fromkeys((*cell.unread, *columns.unread))),
        tuple((name, tasks[name]) for name in names if name in tasks),
    )


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
    """`区民政局等负有…相关部门` → (区民政局, 负有…相关部门); a plain name → (name, '').

    The last connector first: in `区民政局和区财政局等相关部门` the generic tail is 相关部门, after two departments."""
    for match in reversed(list(_CONNECTOR.finditer(token))):
        head, tail = token[: match.start()], token[match.end() :]
        if tail and is_generic(tail) and joined_departments(head):
            # Keep the connector when the tail alone would be a bare word (县X局等部门 → 等部门).
            return head, tail if tail not in ("部门", "单位") else match.group() + tail
    if is_generic(token):
        return "", token
    return token, ""


_BRANCH_ENDS = ("分局", "分公司", "分院", "分中心", "分所", "支队", "中队")


def _unglued(token: str) -> list[str]:
    """`市民政局市城管局` → [市民政局, 市城管局]; `市生态环境局左云分局`, `县委组织部` stay whole (左云分局 and
    组织部 do not begin with an owner), and so do a bureau's branch in a named place
    (`呼伦贝尔市生态环境局扎兰屯市分局`), the league of a place (`共青团扎兰屯市委机关`) and the body of two zones
    (`县工业园区和经济开发区管理委员会`: 和经济开发区 reads as a place, etl/department_phrases.py `joins_zones`)."""
    for index in range(2, len(token) - 2):
        head, rest = token[:index], token[index:]
        if head in ("共青团", "团") or rest.endswith(_BRANCH_ENDS) or joins_zones(head, rest):
            continue
        if ORG_END.search(head) and looks_like_department(head) and looks_like_department(rest, owner_required=True):
            return [head, *_unglued(rest)]
    return [token]


def split_department_cell(text: str, separators: str = "") -> DepartmentCell:
    """Split a 对应上级部门 / 承接部门 cell into department names and generic phrases.

    Separators: spaces, 、，,；; and line breaks (outside parentheses). Names repeat when a cell was
    continued over a page break (卧牛河镇 item 29 spans three rows); each is kept once, in order.
    Two names glued together (`市民政局市城管局`: a PDF does not keep the space a line broke at) are
    two names when the second begins with its owner (市, 县 …), see `_unglued`. A layout profile
    may add `separators` (characters that also separate names in its documents).

    Everyday wording (cold review 18, etl/department_phrases.py): names joined by 和/及/与/以及/或/会同 are
    each a department (`区民政局和区财政局`), role words go and are kept as the name's role (`区住建局牵头`,
    `区城管局（配合）`, `牵头单位：区住建局`), a name with its role word and task is the name with its task
    (`区住建局负责统筹`, cold review 19), and a phrase that is still no department by its structure is
    `unread`, not a name.
    """
    for separator in separators:
        text = text.replace(separator, "、")
    names: list[str] = []
    generic: list[str] = []
    roles: dict[str, str] = {}
    tasks: dict[str, str] = {}
    unread: list[str] = []
    for chunk, label_role in role_labels(plain_text(text)):
        for raw in _split_outside_parens(chunk):
            token = raw.strip(_EDGE)
            if len(token) < 2:
                continue
            bare, token_role = strip_role(token)
            head, tail = _generic_tail(bare)
            parts = joined_departments(head) if head else []
            task = None
            if parts is None and (clause := department_clause(token)) is not None:
                parts, token_role, task = clause.parts, clause.role, clause.what
            if parts is None:
                unread.append(token)
            for part, part_role in parts or ():
                for name in _unglued(part):
                    names.append(name)
                    role = part_role or token_role or label_role
                    if role is not None:
                        roles.setdefault(name, role)
                    if task is not None:
                        tasks.setdefault(name, task)
            if tail:
                generic.append(tail)
    names = list(dict.fromkeys(names))
    return DepartmentCell(tuple(names), tuple(dict.fromkeys(generic)),
                          tuple((name, roles[name]) for name in names if name in roles), tuple(dict.fromkeys(unread)),
                          tuple((name, tasks[name]) for name in names if name in tasks))


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

    @staticmethod
    @lru_cache(maxsize=1 << 16)  # to_rdf asks it for every mention twice (17,215 calls for 24 townships)
    def resolve(home_code: str, name: str) -> DepartmentRef:
        """Where a name belongs and its key and slug, without recording it (the same for every registry)."""
        ctx, codes = DepartmentRegistry._home(home_code)
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


# --- the 承接部门及工作方式 cell of a reclaimed duty -----------------------------------------------

_RECEIVER = re.compile(r"承接(?:部门|单位)\s*[：:]")
_WAY = re.compile(r"(?:工作方式|履职方式|履责方式|工作措施|履职措施)(?:及(?:工作)?措施)?\s*[：:]?")
# The work stops: 不再开展此项工作 / 不再对乡镇进行考核 / 该证明已取消 / 法律法规条款已失效（已废止）.
_DISCONTINUED = re.compile(r"不再|取消|废止|失效|停止执行")
# …but "取消镇…的责任，由县人社局开展…" (004 reclaimed 1–4, 14, 53) moves the work, it does not stop it.
# With a receiving department named, only "this work is no longer done" stops it (not 乡镇不再承担).
_NO_LONGER_DONE = re.compile(r"不再(?:开展|对|进行|办理|出具|受理|实施|组织)")
# 由县人社局开展…, 上收至县自然资源局, 划转到县林业局, 划归县水利局 (cold review 18: 上收至 was not read).
_MOVED_TO = r"(?:由|(?:上收|收回|划转|移交|转交)(?:至|到|给)|划归)"
_TRANSFER = re.compile(_MOVED_TO + r"\s*([^\s，。；,;：:、]{2,30}?(?:局|委员会|委|办公室|中心|大队|联合会|会|部))")
_ONLY_MOVED_TO = re.compile(rf"^{_MOVED_TO}\s*")


@dataclass(frozen=True)
class Reclaimed:
    departments: DepartmentCell
    way_of_working: str
    discontinued: bool


def _leading_orgs(block: str) -> tuple[str, str]:
    """`县发改工信和科技商务局 负责制订…` (no 工作方式 label) → (县发改工信和科技商务局, 负责制订…)."""
    tokens = block.split()
    count = 0
    while count < len(tokens) and (_all_departments(tokens[count]) or _only_labels(tokens[count])):
        count += 1
    return " ".join(tokens[:count]), " ".join(tokens[count:])


def _all_departments(text: str) -> bool:
    """Whether `text` is department names and nothing else, each perhaps with its role word or under a role label
    (`牵头部门：县应急局；配合部门：县消防救援大队`: cold review 19, such a receiver was read as no department)."""
    parts = [part.strip(_EDGE) for chunk, _ in role_labels(text) for part in _split_outside_parens(chunk)]
    parts = [part for part in parts if part]
    return bool(parts) and all(joined_departments(part) for part in parts)


def _only_labels(token: str) -> bool:
    """`牵头部门：` written apart from its names (`牵头部门： 县应急局`)."""
    chunks = role_labels(token)
    return len(chunks) > 1 and not any(chunk.strip(_EDGE) for chunk, _ in chunks)


def _unlabelled_receivers(plain: str) -> tuple[DepartmentCell, str]:
    """Receivers written without `承接部门：`: `县X局 工作方式：…` (额敏镇, 004) or `X局：…` (卧牛河镇, 002)."""
    label = _WAY.search(plain)
    if label is not None and _all_departments(plain[: label.start()]):
        return split_department_cell(plain[: label.start()]), plain[label.end() :].strip() or plain
    header = re.match(r"([^\s：:]{2,80})[：:]", plain)
    if header is not None and _all_departments(header.group(1)):
        return split_department_cell(header.group(1)), plain[header.end() :].strip() or plain
    return DepartmentCell(()), plain


def _only_receivers(plain: str) -> tuple[DepartmentCell, str] | None:
    """A cell naming its receivers and nothing else: `县公安局`, `县农业农村局和县林业局`, `上收至县自然资源局`
    (cold review 18: a 承接部门 column holding just the department was refused, "no receiver"), perhaps with what
    each does (`县住建局负责统筹，县城管局负责执法`). Its way of working is none for bare names, the whole cell when
    it says how the work moved (上收至…) or what the receivers do."""
    moved = _ONLY_MOVED_TO.match(plain)
    cell = split_department_cell(plain[moved.end() :] if moved else plain)
    if not cell.names or cell.unread:
        return None
    return cell, plain if moved or cell.tasks else ""


def _transferred_to(plain: str) -> tuple[str, ...]:
    """The departments a sentence hands the work to: `由县人社局开展…` → (县人社局,)."""
    found = (match.group(1) for match in _TRANSFER.finditer(plain))
    return tuple(dict.fromkeys(name for name in found if looks_like_department(name, owner_required=True)))


def parse_reclaimed_cell(text: str) -> Reclaimed:
    """Receiving departments, way of working and whether the work stopped, from one reclaimed cell.

    Layouts: `承接部门：X 工作方式：…` (also 履职方式, 履职方式及工作措施, 履责方式…), several such blocks in
    one cell, `县X局 工作方式：…` without the 承接部门 label (额敏镇), `X局：…` (卧牛河镇), or a sentence
    saying the work is no longer done (不再开展此项工作). The way of working is the text after the
    label; the whole cell when there are several blocks or no department.

    Discontinued: a cell naming no department that says 不再/取消/废止/失效/停止执行, or a cell naming
    its department that says 不再 (额敏镇 9: `县民政局 工作方式：不再开展此项工作`); never when the work
    is handed to a department (`取消镇…的责任，由县X局…`, `乡镇不再承担，由市卫健局负责`). A cell naming
    no department but handing the work on (`由县人社局开展…`, `上收至县自然资源局`) names that department as
    receiver; a cell that is only department names (`县公安局`: a 承接部门 column) names them, with no way of working.
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
        cell, way_of_working = _unlabelled_receivers(plain)
        if not cell.names and not cell.generic:
            cell, way_of_working = _only_receivers(plain) or (cell, way_of_working)
    transferred = _transferred_to(plain)
    if not cell.names and not cell.generic and transferred:
        cell = DepartmentCell(transferred)
    if transferred:
        discontinued = False
    elif cell.names or cell.generic:
        discontinued = bool(_NO_LONGER_DONE.search(plain))
    else:
        discontinued = bool(_DISCONTINUED.search(plain))
    return Reclaimed(cell, way_of_working, discontinued)


def department_mentions(item: DutyItem, separators: str, organisation: Callable[[str], Hashable]):
    """The department cell of an item, split; for reclaimed items also the way of working, and the receivers with
    the departments of the 牵头部门/配合部门 columns beside them (`organisation`: whose a name is, so that one
    named in both is one receiver)."""
    if item.list_kind is ListKind.COOPERATIVE:
        return split_department_cell(item.department_text, separators), None
    if item.list_kind is ListKind.RECLAIMED:
        if item.way_of_working is not None:
            # 承接部门 and 工作方式 as two columns: read as the labelled cell they stand for, so the departments,
            # a transfer (由县X局…) and 不再开展 are found as in one cell; the way of working is its own column.
            reclaimed = parse_reclaimed_cell(f"承接部门：{item.department_text} 工作方式：{item.way_of_working}")
            reclaimed = replace(reclaimed, way_of_working=item.way_of_working)
        else:
            reclaimed = parse_reclaimed_cell(item.department_text)
        if not item.role_departments:
            return reclaimed.departments, reclaimed
        columns = split_department_cell(item.role_departments, separators)
        return with_role_columns(reclaimed.departments, columns, organisation), reclaimed
    return split_department_cell(""), None
