"""The words around department names in a cell: role words (牵头, 配合 …) and names joined by 和/及/与.

Everyday wording of a department cell (cold review 18): `区民政局和区财政局` names two departments,
`区住建局牵头，区城管局配合` names two and the part each plays, `牵头单位：区住建局；配合单位：区城管局` says
it with labels. Taken as written, they loaded as one organisation `区民政局和区财政局` and as organisations
named `区住建局牵头`, `区城管局配合`, validating cleanly. A name is recognised here by the structure
`looks_like_department` already reads (etl/department_names.py), never by a second list of names, so
a merged bureau (住房和城乡建设局, 自然资源和规划局, 农业农村和水利局), whose part before 和 is no name
(县住房, 县自然资源, 县农业农村), stays one department, and so does the body of two zones
(县工业园区和经济开发区管理委员会: 县工业园区 is a zone here, not the body; cold review 19).
`区住建局负责统筹，区城管局负责执法` names two departments, each with what it does (`department_clause`).
docs/departments.md, "Department cells".
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from luzhi.etl.department_names import LEAD_WORDS, SUPPORT_WORDS, looks_like_department
from luzhi.etl.divisions import place_names

__all__ = ["LEAD", "MANNER", "SUPPORT", "Clause", "department_clause", "joined_departments", "joins_zones",
           "role_labels", "strip_role"]

LEAD, SUPPORT = "lead", "support"  # lz:LeadRole, lz:SupportingRole (ontology/luzhi.ttl)

# The part a department plays, as cells word it. 负责 after a name is "is responsible" (区住建局负责), the lead.
_ROLE_OF = {**dict.fromkeys(LEAD_WORDS, LEAD), **dict.fromkeys(SUPPORT_WORDS, SUPPORT)}
_WORDS = "|".join(sorted(_ROLE_OF, key=len, reverse=True))
# How the names before a role word share it: `县发展改革局、县财政局按职责分工负责` (cold review 21: 县财政局 was
# dropped, 县财政局按职责分工负责 read as no department): each does its own part, the role word is every one's.
MANNER = r"(?:(?:按照?|依照?|依据|根据)(?:各自)?的?(?:职责|职能|分工)(?:分工)?|各自|分别|共同|各司其职)"
# After a name: 区住建局牵头, 区城管局配合, 区住建局（牵头）, 区城管局(配合单位), 县财政局按职责分工负责.
_ROLE_AFTER = re.compile(rf"(?:[（(]\s*(?P<paren>{_WORDS})(?:部门|单位)?\s*[）)]"
                         rf"|{MANNER}?(?P<bare>{_WORDS})(?:部门|单位)?)$")
_MANNER_AFTER = re.compile(rf"{MANNER}$")
# A label before names: 牵头单位：, 配合部门：, 主责部门:, 牵头：; 责任单位： names the responsible units, no role.
_ROLE_LABEL = re.compile(rf"(?P<word>{_WORDS}|责任)(?:部门|单位)?\s*[：:]")
# 由区住建局牵头: the 由 of "led by".
_BY = re.compile(r"^由\s*")
# Between two department names: 区民政局和区财政局, 县委或县政府.
_JOINS = re.compile(r"以及|和|及|与|或")
# A verb between two names, saying the part of each (cold review 19b: `区住建局配合区城管局` loaded an organisation
# 配合区城管局): A配合B, A协助B, A协同B (甲方协助乙方, as 协同 after a name is) — B leads, A supports; A会同B — A
# leads, B takes part. (subject's role, object's role), each given to the names on its side that have none.
_RELATIONS = {"配合": (SUPPORT, LEAD), "协助": (SUPPORT, LEAD), "协同": (SUPPORT, LEAD), "会同": (LEAD, SUPPORT)}
_RELATION = re.compile(r"配合|协助|协同(?!发展)|会同")  # 协同发展办公室, …协同发展处: a body's name, not a verb
# A lead word after a name, right before the next name: 区住建局牵头区城管局配合 (no separator between the two); a
# role in parentheses likewise: 区住建局（牵头）区城管局（配合）. 负责 is left out: 区住建局负责联系区城管局 is a task.
_ROLE_BETWEEN = re.compile(rf"(?:牵头负责|牵头|主责|主办|[（(]\s*(?:{_WORDS})(?:部门|单位)?\s*[）)])(?=\S)")
# A zone (园区, 开发区 …) is a department by itself (额敏镇's 工业园区), but before the body of zones it is one of
# the zones that body runs: 县工业园区和经济开发区管理委员会 is one committee (cold review 19), the 和 joins zones.
_ZONE = re.compile(r"(?:园区|开发区)$")
_ZONE_BODY = re.compile(r"(?:园区|开发区|新区|景区|保护区|示范区|试验区|产业园|工业园)[^和及与、]{0,4}?"
                        r"(?:管理委员会|管委会|工作委员会|党工委|管理局|管理处|管理办公室|管理中心|服务中心)$")
# What a department does, after its role word: 区住建局负责统筹, 区城管局配合执法; a few words, no punctuation.
_WHAT = re.compile(r"[\u4e00-\u9fff（）()A-Za-z0-9]{1,24}")
_ROLE_WORD = re.compile(_WORDS)


def strip_role(phrase: str) -> tuple[str, str | None]:
    """`区住建局牵头` → (区住建局, lead); `由区住建局负责` → (区住建局, lead); a phrase with no role word after
    a department is returned as it is, with no role (`配合部门` alone is a generic phrase, not a role)."""
    match = _ROLE_AFTER.search(phrase)
    if match is None:
        return phrase, None
    rest = phrase[: match.start()].rstrip()
    rest = _BY.sub("", rest)
    if len(rest) < 2:
        return phrase, None
    return rest, _ROLE_OF[match.group("paren") or match.group("bare")]


def role_labels(text: str) -> list[tuple[str, str | None]]:
    """A cell cut at its role labels: `牵头单位：A、B；配合单位：C` → [('', None), ('A、B；', lead), ('C', support)];
    the role of a label holds for the names after it, up to the next label."""
    parts: list[tuple[str, str | None]] = []
    at, role = 0, None
    for match in _ROLE_LABEL.finditer(text):
        parts.append((text[at : match.start()], role))
        at, role = match.end(), _ROLE_OF.get(match.group("word"))
    parts.append((text[at:], role))
    return parts


Parts = tuple[tuple[str, str | None], ...]  # department names, each with its role or None


class Clause(NamedTuple):
    """Departments (each with the role the phrase gives it, if any) and what the cell says they do:
    `区住建局负责统筹` → ((('区住建局', None),), None, '负责统筹')."""

    parts: Parts
    role: str | None
    what: str


def department_clause(phrase: str) -> Clause | None:
    """A department (or several joined) followed by a role word and what it does, or None.

    `区住建局负责统筹` → 区住建局 does 负责统筹: no role, since 负责 followed by its task says what the department
    does, not that it leads (区住建局负责统筹，区城管局负责执法: both do their part); `区住建局牵头负责统筹` → lead,
    `区城管局配合执法` and `区城管局负责配合执法` → supporting. `区民政局做好救助工作` (no role word) stays None,
    as does a role word alone after the name (`区住建局牵头`: `strip_role`'s)."""
    for match in _ROLE_WORD.finditer(phrase):
        head, what = phrase[: match.start()].rstrip(), phrase[match.start() :]
        task = what[len(match.group()) :].strip()
        if not _WHAT.fullmatch(task) or _names_a_department(task):
            continue
        head = _MANNER_AFTER.sub("", head)  # 县财政局按职责分工负责审批: 县财政局 does 负责审批
        parts = joined_departments(_BY.sub("", head)) if len(head) >= 2 else None
        if not parts:
            continue
        role = _ROLE_OF[match.group()]
        if role == LEAD and match.group() == "负责":
            inner = _ROLE_WORD.match(what, len(match.group()))
            role = _ROLE_OF[inner.group()] if inner and inner.group() != "负责" else None
        return Clause(parts, role, what)
    return None


def _names_a_department(task: str) -> bool:
    """Whether a task names a department (`负责联系区城管局`): that department is the cell's too, and a clause
    would hide it in a text, so such a phrase stays unread (reported) rather than half read."""
    return any(looks_like_department(task[start:end], owner_required=True)
               for start in range(len(task) - 1) for end in range(start + 2, len(task) + 1))


def _depth_at(text: str, index: int) -> int:
    depth = 0
    for char in text[:index]:
        if char in "（(":
            depth += 1
        elif char in "）)" and depth:
            depth -= 1
    return depth


def _one(part: str) -> tuple[str, str | None] | None:
    name, role = strip_role(part.strip())
    return (name, role) if looks_like_department(name) else None


def joins_zones(head: str, rest: str) -> bool:
    """Whether `head` is a zone named before the body that runs it and another zone: `县工业园区` before
    `经济开发区管理委员会` (or `和经济开发区管理委员会…`, read up to the next 和). The body written with its own
    owner (`县工业园区和县经济开发区管委会`) is a body of its own, after the zone as a department of its own: two."""
    if not _ZONE.search(head):
        return False
    joined = _JOINS.match(rest)
    body = _JOINS.split(rest[joined.end() :] if joined else rest, maxsplit=1)[0]
    return bool(_ZONE_BODY.search(body)) and not _owned(body)


def _owned(name: str) -> bool:
    """Whether a name begins with its owner: a level (县, 市 …) or a division's name (吴江区, 吴江 …)."""
    places = place_names()
    return name[:1] in "县市区旗州盟省" or any(name[:n] in places for n in range(2, 9))


@lru_cache(maxsize=1 << 14)  # bounded; a header label is tried at every colon of a responsibility text
def joined_departments(phrase: str) -> Parts | None:
    """The departments of a phrase, each with its role if the phrase gives it one, or None when the phrase is
    not made only of departments.

    Split at a role verb between two names (outside parentheses), where the text before is departments and the
    rest is too: `区住建局配合区城管局` is 区住建局 supporting 区城管局, the lead (`_RELATIONS`); after a lead word or a
    role in parentheses glued to the next name (`区住建局牵头区城管局配合`); then at 和/及/与/以及/或 as
    `_conjoined` says. A verb followed by 和 (`区民政局牵头和区财政局配合`) is the role word of the name before."""
    for match in _RELATION.finditer(phrase):
        head, rest = phrase[: match.start()], phrase[match.end() :]
        if len(head) < 2 or _depth_at(phrase, match.start()) or _JOINS.match(rest):
            continue
        before, after = _conjoined(head), joined_departments(rest)
        if before and after:
            subject, object_ = _RELATIONS[match.group()]
            return _given(before, subject) + _given(after, object_)
    for match in _ROLE_BETWEEN.finditer(phrase):
        bare, role = strip_role(phrase[: match.end()])
        rest = phrase[match.end() :]
        if role is None or _depth_at(phrase, match.start()) or _JOINS.match(rest):
            continue
        before, after = _conjoined(bare), joined_departments(rest)
        if before and after:
            return _given(before, role) + after
    return _conjoined(phrase)


def _given(parts: Parts, role: str) -> Parts:
    """Each part with its own role, or else `role`."""
    return tuple((name, own or role) for name, own in parts)


@lru_cache(maxsize=1 << 14)
def _conjoined(phrase: str) -> Parts | None:
    """Departments joined by 和/及/与/以及/或 (outside parentheses), split only where the text before is a
    department and the rest is departments: `区民政局和区财政局` is two, `县农业农村局和水利局` (003 cooperative 30)
    two, while `县住房和城乡建设局` and `县农业农村和水务局` are one (县住房, 县农业农村 are no departments), and so is
    `县工业园区和经济开发区管理委员会` (`joins_zones`)."""
    for match in _JOINS.finditer(phrase):
        head = phrase[: match.start()]
        if len(head) < 2 or _depth_at(phrase, match.start()) or joins_zones(head, phrase[match.end() :]):
            continue
        first = _one(head)
        if first is None:
            continue
        rest = _conjoined(phrase[match.end() :])  # cached: the same tails recur, so no 2^n search
        if rest:
            return (first, *rest)
    whole = _one(phrase)
    return (whole,) if whole is not None else None
