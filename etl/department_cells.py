"""A department cell (对应上级部门, 承接部门) split into department names, generic phrases, roles and tasks.

A cell lists its departments with 、, spaces or line breaks between them, and says more in the words
around them: role words (牵头, 配合, etl/department_phrases.py), generic phrases (相关部门), a closing 等, a
manner (按职责分工负责), asides in parentheses (县水利局（县水土保持委员会办公室）) and owners written once for
several names (县农业农村局和水利局). Names are recognised by their structure (etl/department_names.py), never
by a list of known names. docs/departments.md, "Department cells", has each rule and the cell that forced it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from luzhi.etl.department_names import (
    EDGE,
    ORG_END,
    begins_with_owner,
    is_generic,
    looks_like_department,
    plain_text,
)
from luzhi.etl.department_phrases import (
    MANNER,
    Parts,
    department_clause,
    joined_departments,
    joins_zones,
    role_labels,
    strip_role,
)

__all__ = ["DepartmentCell", "cell_tokens", "split_department_cell", "with_role_columns"]

_SEPARATORS = frozenset(" \t\n\u3000\xa0、，,；;／/")
_SPACES = frozenset(" \t\n\u3000\xa0")
# Between the names of one list: a role word, a task or 等 after its last name is the whole list's
# (`A牵头，B、C配合`: B and C support). ，and ； end a clause; a space or line break may be a name's wrap.
_LIST_MARKS = frozenset("、／/")
_CLAUSE_MARKS = frozenset("，,；;")
# Connectors before a generic tail: 区民政局等负有安全生产监管职责相关部门, 县应急管理局及相关部门.
_CONNECTOR = re.compile(r"以及|等|及|和|与|或")
# What may close a list of names (cold review 21): `县公安局、县应急管理局等` (the others unnamed: 等 ends the
# list, it is no part of 县应急管理局), `县公安局、县财政局按职责分工` (each by its own remit).
_LIST_END = re.compile(rf"(?:等等|等)?{MANNER}?$")
_OPEN_END = re.compile(rf"等{MANNER}?$")
# An aside after a name: `县水利局（县水土保持委员会办公室）`, `区住建局（城管局）`, `县公安局（县交通警察大队）`.
_ASIDE = re.compile(r"[（(]([^（）()]*)[）)]$")
_INCLUDES = re.compile(r"^(?:含|包括|包含|下设|内设)")
_BRANCH_ENDS = ("分局", "分公司", "分院", "分中心", "分所", "支队", "中队")
# No county's department by a prefix written once for several (国网左云供电公司, 国家电网额敏分公司, 团区委 …).
_OWN_OWNER = re.compile(r"^(?:中国|中华|国家|国网|中共|共青团|团)|[县市区旗州盟省]|公司$")
_LEVEL = "县市区旗州盟"


@dataclass(frozen=True)
class DepartmentCell:
    """A department cell split: real department names (as written, in the cell's order), generic phrases, the
    role the cell gives some names (`(name, 'lead'|'support')`: 牵头, 配合 …), the phrases that read as
    neither a department nor a generic phrase (`unread`: reported, kept as lz:departmentMention, never an
    organisation) and what the cell says some names do (`tasks`: `(区住建局, 负责统筹)` from `区住建局负责统筹`,
    the participation's lz:responsibility when no 上级部门职责 text is the department's). `more` says a 等 closes a
    list of names (`区公安局等`: departments beyond those named take part), lz:moreDepartments true, so the page
    still reads 区公安局等 (cold review 21); apart from `generic`, which says the cell names a class of departments
    rather than names alone."""

    names: tuple[str, ...]
    generic: tuple[str, ...] = ()
    roles: tuple[tuple[str, str], ...] = ()
    unread: tuple[str, ...] = ()
    tasks: tuple[tuple[str, str], ...] = ()
    more: bool = False


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
        cell.more or columns.more,
    )


# --- the phrases of a cell ----------------------------------------------------------------------------


def _split_outside_parens(text: str) -> list[tuple[str, str]]:
    """(phrase, the separators after it), split at the separators outside （…）: 县公安局（县交通警察大队） is one
    phrase."""
    pieces: list[tuple[str, str]] = []
    current: list[str] = []
    gap: list[str] = []
    depth = 0
    for char in text:
        if char in "（(":
            depth += 1
        elif char in "）)" and depth:
            depth -= 1
        if char in _SEPARATORS and depth == 0:
            gap.append(char)
            continue
        if gap:
            pieces.append(("".join(current), "".join(gap)))
            current, gap = [], []
        current.append(char)
    pieces.append(("".join(current), "".join(gap)))
    return pieces


@dataclass(frozen=True)
class _Reading:
    """One phrase read: its departments (each with the role the phrase gives it), the phrase's own role word, what
    it says they do, and a generic tail (`区民政局等相关部门` → 相关部门)."""

    parts: Parts
    role: str | None = None
    task: str | None = None
    generic: str = ""
    more: bool = False  # closed by 等: `县公安局、县应急管理局等`


@lru_cache(maxsize=1 << 14)  # a cut name's fragments are read again whole; the same phrases recur in every cell
def _read(phrase: str) -> _Reading | None:
    """The departments of one phrase, or None when it reads as neither departments nor a generic phrase."""
    bare, role = strip_role(phrase)
    head, tail = _generic_tail(bare)
    parts = _departments(head) if head else ()
    task = None
    if parts is None and (clause := department_clause(phrase)) is not None:
        parts, role, task = clause.parts, clause.role, clause.what
    more = bool(parts and not tail and _OPEN_END.search(head) and joined_departments(head) is None)
    return None if parts is None else _Reading(parts, role, task, tail, more)


def _departments(head: str) -> Parts | None:
    """`joined_departments`, after the words that close a list (`县应急管理局等`, `县财政局按职责分工`)."""
    parts = joined_departments(head)
    if parts is None and (shorter := _LIST_END.sub("", head)) != head and len(shorter) >= 2:
        parts = joined_departments(shorter)
    return parts


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


def _reads(text: str) -> bool:
    reading = _read(text)
    return reading is not None and bool(reading.parts or reading.generic)


_WRAPS = 3  # fragments of one name after its first: 县农村 经营管理 站


def _last_fragment(pieces: list[tuple[str, str]], at: int) -> int:
    """Where a name cut by spaces or line breaks at pieces[at] ends (cold review 21: `县自然资源和规划\n局` gave an
    unread 县自然资源和规划 and nothing else), `at` itself when none is: the text at `at` reads as nothing and ends
    in no organisational word, the fragments after it have no owner of their own (`局`, `管理局`, `资源和规划局`),
    and together they read."""
    text, gap = pieces[at]
    if not text or _read(text) is not None or ORG_END.search(text):
        return at
    for ahead in range(at + 1, min(at + 1 + _WRAPS, len(pieces))):
        fragment = pieces[ahead][0]
        if not gap or not set(gap) <= _SPACES or not fragment or begins_with_owner(fragment):
            return at
        text += fragment
        if _reads(text):
            return ahead
        gap = pieces[ahead][1]
    return at


def cell_tokens(chunk: str) -> list[tuple[str, str]]:
    """The phrases of a cell (or of one role label's part of it), each with the separators after it, a name cut
    by spaces or line breaks (`县自然资源和规划 局`, `县农村\n经营管理\n站`) made whole again."""
    pieces = [(raw.strip(EDGE), gap) for raw, gap in _split_outside_parens(chunk)]
    tokens: list[tuple[str, str]] = []
    at = 0
    while at < len(pieces):
        end = _last_fragment(pieces, at)
        tokens.append(("".join(text for text, _ in pieces[at : end + 1]), pieces[end][1]))
        at = end + 1
    kept: list[tuple[str, str]] = []
    for token, gap in tokens:  # a stray character is no phrase, but the separators after it still separate
        if len(token) >= 2 or not kept:
            kept.append((token if len(token) >= 2 else "", gap))
        else:
            kept[-1] = (kept[-1][0], kept[-1][1] + gap)
    return kept


def _lists(tokens: list[tuple[str, str]]) -> Iterator[list[str]]:
    """The phrases in runs joined by 、 (or ／): the names of one list."""
    run: list[str] = []
    for token, gap in tokens:
        if token:
            run.append(token)
        if not (set(gap) & _LIST_MARKS) or set(gap) & _CLAUSE_MARKS:
            if run:
                yield run
            run = []
    if run:
        yield run


# --- names out of one phrase ------------------------------------------------------------------------------


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


def _aside(name: str) -> tuple[str, tuple[str, ...], str]:
    """(the name, the organisations its parenthetical names, a parenthetical naming none).

    `县水利局（县水土保持委员会办公室）` → (县水利局, (县水土保持委员会办公室,), ''): the cell names both bodies (one
    housed in the other, or one body under two names, 区住建局（城管局）), each an organisation of its own, never one
    organisation called 县水利局（县水土保持委员会办公室） (cold review 21). `县民政局（婚姻登记）` → (县民政局, (),
    婚姻登记): what the aside says is no organisation, kept as a mention. A manner aside (`（按职责分工）`) goes."""
    match = _ASIDE.search(name)
    outer = name[: match.start()].rstrip() if match else ""
    if not match or not looks_like_department(outer):
        return name, (), ""
    inner = _INCLUDES.sub("", match.group(1).strip(EDGE))
    parts = joined_departments(inner) if inner else None
    if parts and not any(ORG_END.fullmatch(part) for part, _ in parts):
        return outer, tuple(part for part, _ in parts), ""
    return outer, (), "" if not inner or re.fullmatch(MANNER, inner) else match.group(1).strip()


def _owned_as(name: str, before: str | None) -> str:
    """A name written without the owner the name before it in one list has: `县农业农村局和水利局`,
    `县财政局、人社局` → 县水利局, 县人社局 (cold review 21: a bare 水利局 after 市农业农村局 in a 区's document was
    the 区's, not the 市's). Only a level character passes on (县, 市, 区 …; not 塔城地区, whose list in 004 goes
    on with the county's bureaus), never from a branch (市生态环境局左云分局) or a party organ (县委组织部、宣传部:
    县委宣传部, not 县宣传部), and never to a name that holds a level or is no county's (团区委, 工业园区,
    国网左云供电公司, 国家电网额敏分公司)."""
    if (before is None or before[:1] not in _LEVEL or before[1:2] in ("场", "委") or before.endswith(_BRANCH_ENDS)
            or begins_with_owner(name) or _OWN_OWNER.search(name) or name.endswith(_BRANCH_ENDS)):
        return name
    return before[0] + name


# --- the cell -------------------------------------------------------------------------------------------------


class _Cell:
    """What a cell is found to say, in its order; each name once (a row continued over a page break repeats it)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.generic: list[str] = []
        self.roles: dict[str, str] = {}
        self.tasks: dict[str, str] = {}
        self.unread: list[str] = []
        self.more = False

    def add(self, name: str, role: str | None, task: str | None) -> None:
        self.names.append(name)
        if role is not None:
            self.roles.setdefault(name, role)
        if task is not None:
            self.tasks.setdefault(name, task)

    def read_list(self, run: list[str], label_role: str | None) -> None:
        """One list of names: the role word or task after its last name is every name's that has none of its own
        (`A牵头，B、C配合`, `A、B按职责分工负责`, `A、B负责审核`); a relation's first side is the list's (`A、B配合C`:
        A and B support C)."""
        readings = []
        for phrase in run:
            reading = _read(phrase)
            if reading is None:
                self.unread.append(phrase)
            else:
                readings.append(reading)
        last = readings[-1] if readings else _Reading(())
        list_role = (last.parts[0][1] if last.parts else None) or last.role
        before: str | None = None
        for reading in readings:
            from_list = (list_role, last.task) if reading is not last else (None, None)
            for part, part_role in reading.parts:
                role = part_role or reading.role or from_list[0] or label_role
                task = reading.task or from_list[1]
                outer, inner, aside = _aside(part)
                for name in (*_unglued(outer), *inner):
                    name = _owned_as(name, before)
                    self.add(name, role, task)
                    before = name
                if aside:
                    self.unread.append(aside)
            if reading.generic:
                self.generic.append(reading.generic)
            self.more = self.more or reading.more

    def cell(self) -> DepartmentCell:
        names = list(dict.fromkeys(self.names))
        return DepartmentCell(tuple(names), tuple(dict.fromkeys(self.generic)),
                              tuple((name, self.roles[name]) for name in names if name in self.roles),
                              tuple(dict.fromkeys(self.unread)),
                              tuple((name, self.tasks[name]) for name in names if name in self.tasks),
                              self.more)


def split_department_cell(text: str, separators: str = "") -> DepartmentCell:
    """Split a 对应上级部门 / 承接部门 cell into department names and generic phrases.

    Separators: spaces, 、，,；; and line breaks (outside parentheses); a space or line break inside a name
    (`县自然资源和规划 局`) is no separator. Names repeat when a cell was continued over a page break (卧牛河镇
    item 29 spans three rows); each is kept once, in order. Two names glued together (`市民政局市城管局`: a PDF
    does not keep the space a line broke at) are two names when the second begins with its owner (市, 县 …), see
    `_unglued`. A layout profile may add `separators` (characters that also separate names in its documents).

    Everyday wording (cold reviews 18, 19, 21; etl/department_phrases.py): names joined by 和/及/与/以及/或/会同
    are each a department (`区民政局和区财政局`), the second with the first's owner (`县农业农村局和水利局`: 县水利局);
    role words go and are kept as the name's role (`区住建局牵头`, `区城管局（配合）`, `牵头单位：区住建局`), the
    role word after a list being every one's (`B、C配合`, `A、B按职责分工负责`); 等 ends a list; a name with its
    role word and task is the name with its task (`区住建局负责统筹`); a parenthetical naming a body is that body
    (`县水利局（县水土保持委员会办公室）`: two); and a phrase that is still no department by its structure is
    `unread`, not a name.
    """
    for separator in separators:
        text = text.replace(separator, "、")
    cell = _Cell()
    for chunk, label_role in role_labels(plain_text(text)):
        for run in _lists(cell_tokens(chunk)):
            cell.read_list(run, label_role)
    return cell.cell()
