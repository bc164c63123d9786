"""A reclaimed duty's 承接部门 cell: who receives the work, how it is done, and whether it stopped.

Layouts seen: `承接部门：X 工作方式：…` (and its label variants), several such blocks, `县X局 工作方式：…`
(额敏镇), `X局：…` (卧牛河镇), the receivers alone (a 承接部门 column), a sentence handing the work on
(`由县人社局开展…`, `上收至…`) or saying it is no longer done (`不再开展此项工作`). A duty is discontinued
(lz:discontinued, "no longer done by anyone") only when the text says the work itself stops and nowhere says who
does it now; `乡镇不再承担`, `移交`, `由县局直接受理` move the work (cold review 21). docs/departments.md,
"Reclaimed cells".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from luzhi.etl.department_cells import DepartmentCell, split_department_cell
from luzhi.etl.department_names import (
    EDGE,
    HAND_OVER_VERBS,
    begins_with_owner,
    is_generic,
    looks_like_department,
    plain_text,
)
from luzhi.etl.department_phrases import role_labels
from luzhi.etl.divisions import place_names

__all__ = ["Reclaimed", "parse_reclaimed_cell"]

_RECEIVER = re.compile(r"(?:承接|接收|收回|划转|移交)(?:部门|单位)\s*[：:]")  # 收回部门：区城管委 (cold review 21)
_WAY = re.compile(r"(?:工作方式|履职方式|履责方式|工作措施|履职措施)(?:及(?:工作)?措施)?\s*[：:]?")
_DOING = r"(?:负责|承担|受理|办理|开展|实施|执行|组织|审批|审核|核发|处理|查处|管理|履行|监管|落实)"
_HOW = r"(?:直接|依法|统一|具体|牵头)"
_VERBS = "|".join(HAND_OVER_VERBS)
# 由县人社局开展…, 上收至县自然资源局, 划转到县林业局, 划归县水利局 (cold review 18: 上收至 was not read).
_MOVED_TO = rf"(?:由|(?:{_VERBS})(?:至|到|给)|划归)"
# A name ends where the sentence goes on: 由区城市管理委员会负责 (not 区城市管理委), 由区级部门办理 (no 区级部:
# cold review 21 loaded an organisation 区级部).
_NAME_ENDS = rf"(?=$|[\s，。；,;：:、（(]|{_HOW}|{_DOING}|承接|接收|等)"
_TRANSFER = re.compile(_MOVED_TO + r"\s*([^\s，。；,;：:、]{2,30}?(?:局|委员会|委|办公室|中心|大队|联合会|会|部))"
                       + _NAME_ENDS)
# The verb a cell hands the work on with, before the receiver (cold review 21: `移交区城市管理委员会负责`,
# `已移交区城管委`, `划转区公安分局`, `收回区住建委`, `交区城管委办理` loaded organisations named with the verb, or
# none): perhaps after the matter it speaks of (该事项移交…).
_HANDED = rf"(?:已经?)?(?P<verb>由|(?:{_VERBS}|转由|交|转)(?:至|到|给)?)"
_ONLY_MOVED_TO = re.compile(rf"^(?:该事项|该项|此项|本事项|该职责|此事项)?{_HANDED}\s*")
# What a receiver does, after its name: 区城管委承接, 区市场监管局收回, 区城管委办理, 区住建委统一受理.
_RECEIVES = re.compile(rf"{_HOW}?(?:{_DOING}|承接|接收|收回|收归|上收)")

# --- whether the work stopped, clause by clause ------------------------------------------------------

_CLAUSE = re.compile(r"[，,。；;！!？?\n]")
# The work stops: 不再开展此项工作 / 不再对乡镇进行考核 / 该证明已取消 / 法律法规条款已失效（已废止）.
_DISCONTINUED = re.compile(r"不再|取消|废止|失效|停止执行|停止实施")
# With a receiving department named, only "this work is no longer done" stops it: 000 reclaimed 12
# (`对不规范地名进行更名或取消`) names 取消 as the work itself.
_NO_LONGER_DONE = re.compile(r"不再(?:开展|对|进行|办理|出具|受理|实施|组织|执行)")
_TOWNSHIP = r"(?:乡镇|乡|镇|街道|苏木|社区|村)(?:（街道）|\(街道\))?"
# The township stops, the work goes on: 乡镇不再承担, 不再由乡镇负责 (cold review 21: marked discontinued).
_TOWNSHIP_STOPS = re.compile(rf"{_TOWNSHIP}(?:一级|层面)?(?:不再|停止)\S*|不再由{_TOWNSHIP}\S*")
# The work handed on (cold review 21): 由县人社局开展, 由县局直接受理, 移交, 上收至…, 划归…; not 由于, 理由, 由此,
# nor 由乡镇 (the township doing it).
_HANDED_ON = re.compile(rf"(?<![理自缘事来])由(?!于|此|乡镇|乡|镇|街道|村)|{_VERBS}")
_DOES = re.compile(_DOING)
_THE_TOWNSHIP = re.compile(rf"^(?:各|本|我)?{_TOWNSHIP}")  # 各乡镇负责: the township doing it, no one else
_HOW_AFTER = re.compile(rf"{_HOW}$")
# A receiver named after 由 by no department's name: 由县局直接受理 (县局: which bureau?), 由上级主管部门负责.
_BY_SOMEONE = re.compile(rf"(?<![理自缘事来])由\s*([^\s，。；,;：:、]{{2,12}}?){_HOW}?{_DOING}")


@dataclass(frozen=True)
class Reclaimed:
    departments: DepartmentCell
    way_of_working: str
    discontinued: bool


def _clauses(plain: str) -> list[str]:
    """The cell's clauses, its labels (承接部门：, 工作方式：) cut out."""
    text = _WAY.sub("，", _RECEIVER.sub("，", plain))
    return [clause.strip() for clause in _CLAUSE.split(text) if clause.strip()]


def _someone_does(clause: str) -> bool:
    """`县农业农村局负责`, `县局直接受理`, `相关部门负责`: a body, by its structure, then what it does."""
    for match in _DOES.finditer(clause):
        head = _HOW_AFTER.sub("", clause[: match.start()]).strip(EDGE)
        if head and not _THE_TOWNSHIP.match(head) and (looks_like_department(head, owner_required=True)
                                                      or is_generic(head)):
            return True
    return False


def _stopped(plain: str, named: bool) -> bool:
    """Whether the cell says the work itself stops and no clause says who does it now.

    A clause stops the work with 不再/取消/废止/失效/停止执行 (with a receiver named, only with 不再开展/不再对 …:
    `_NO_LONGER_DONE`), unless it is the township that stops (乡镇不再承担, 不再由乡镇负责). Any clause handing the
    work on (`_HANDED_ON`: 由县X局…, 移交, 上收至…), naming a body that does it (县农业农村局负责, 县局直接受理) or
    its receiver (交区城管委办理, 区城管委承接: `_receiver_of`) says it goes on: `县农业农村局负责，乡镇不再承担`,
    `不再开展乡镇初审，由县局直接受理`, `移交，不再开展执法`."""
    clauses = _clauses(plain)
    stops = _NO_LONGER_DONE if named else _DISCONTINUED
    if not any(stops.search(_TOWNSHIP_STOPS.sub("", clause)) for clause in clauses):
        return False
    return not any(_HANDED_ON.search(clause) or _someone_does(clause) or _receives(clause) for clause in clauses)


# --- the receivers ---------------------------------------------------------------------------------------------


def _leading_orgs(block: str) -> tuple[str, str]:
    """`县发改工信和科技商务局 负责制订…` (no 工作方式 label) → (县发改工信和科技商务局, 负责制订…); a name cut by a
    space (`县自然资源和规划 局 负责…`) is taken whole."""
    tokens = block.split()
    count = 0
    while count < len(tokens):
        step = next((n for n in (1, 2) if count + n <= len(tokens)
                     and _receivers_only(" ".join(tokens[count : count + n]))), 0)
        if not step:
            break
        count += step
    return " ".join(tokens[:count]), " ".join(tokens[count:])


def _receivers_only(text: str) -> bool:
    return _all_departments(text) or _only_labels(text)


def _all_departments(text: str) -> bool:
    """Whether `text` is department names and nothing else, each perhaps with its role word or under a role label
    (`牵头部门：县应急局；配合部门：县消防救援大队`: cold review 19, such a receiver was read as no department)."""
    cell = split_department_cell(text)
    return bool(cell.names) and not (cell.unread or cell.generic or cell.tasks)


def _only_labels(token: str) -> bool:
    """`牵头部门：` written apart from its names (`牵头部门： 县应急局`)."""
    chunks = role_labels(token)
    return len(chunks) > 1 and not any(chunk.strip(EDGE) for chunk, _ in chunks)


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
    moved = _moved_to(plain)
    cell = split_department_cell(plain[moved:] if moved else plain)
    if not cell.names or cell.unread:
        return None
    return cell, plain if moved or cell.tasks else ""


def _moved_to(clause: str) -> int:
    """Where the receiver begins after the verb handing the work on (`移交区城管委`, `该事项交区城管委办理`), 0 when
    no such verb comes first. The receiver must begin with its owner: 交通运输局 is no 交 of 通运输局."""
    moved = _ONLY_MOVED_TO.match(clause)
    if moved is None:
        return 0
    rest = clause[moved.end() :]
    if begins_with_owner(rest):
        return moved.end()
    # No owner after the verb: `移交城管委` (polish 22: 交城, a place, hid the verb and an organisation 移交城管委
    # was loaded), `移交城管委负责`, `由城管委承接`. The rest must be departments' names alone, perhaps with their role
    # word or task, after a verb of two characters or 由: a bare 交 or 转 may begin a name (交通运输局, 交城县公安局:
    # 交城县 is a county), and no name begins with 由, 移交, 划转 ….
    verb = moved.group("verb")
    if (len(verb) >= 2 or verb == "由") and _names_alone(rest) and not _names_a_place(clause):
        return moved.end()
    return 0


def _names_alone(text: str) -> bool:
    """`城管委`, `城管委负责`, `城管执法局负责执法`: department names and nothing else but their roles and tasks."""
    if looks_like_department(text):
        return True
    cell = split_department_cell(text)
    return bool(cell.names) and not (cell.unread or cell.generic)


def _names_a_place(clause: str) -> bool:
    """Whether the clause begins with a division's name (a county 交城县): then it is that place's department."""
    places = place_names()
    return any(clause[:n] in places for n in range(2, min(8, len(clause)) + 1))


# Longer than any list of receiving departments (the five samples' longest 承接部门 cell is under 40 characters).
_LONGEST_RECEIVERS = 200


def _receiver_of(clause: str) -> DepartmentCell:
    """The departments a clause hands the work to, or that receive it: `交区城管委办理`, `区城管委承接`,
    `该事项移交区市场监管局实施`, `区市场监管局收回`, `收回区住建委` (cold review 21: refused, no receiver). The
    names are those before the first thing the receiver does that leaves department names and nothing else. After
    the verb a name may lack its owner, as `_moved_to` allows (`移交城管委负责`, `由城管委承接`: the county's 城管委,
    as any name without its owner is); without a verb it needs it (`区城管委承接`)."""
    handed = _moved_to(clause)
    clause = clause[handed:]
    for match in (*_RECEIVES.finditer(clause), None):
        head = clause[: match.start()] if match else clause
        if len(head) > _LONGEST_RECEIVERS:
            break  # the heads only grow: each one split again made `移交办理办理…` quadratic (13 s at 4,000)
        moved = _moved_to(head)
        head = head[moved:].strip(EDGE)
        cell = split_department_cell(head) if len(head) >= 2 else DepartmentCell(())
        after_verb = bool(handed or moved)
        if cell.names and not (cell.unread or cell.generic) and all(_named(name, after_verb) for name in cell.names):
            return cell
    return DepartmentCell(())


def _receives(clause: str) -> bool:
    """Whether a clause says a receiver takes the work (`交区城管委办理`, `区城管委承接`), not only names one (a
    `县民政局` before `工作方式：不再开展此项工作` is the receiver column of work that stops)."""
    return bool((_moved_to(clause) or _RECEIVES.search(clause)) and _receiver_of(clause).names)


def _named(name: str, after_verb: bool = False) -> bool:
    """A receiver named by its owner and its name, or after a verb handing the work on by its name alone
    (`移交城管委`): not `县局` (which bureau?: `_someone`'s mention)."""
    return len(name) > 2 and looks_like_department(name, owner_required=not after_verb)


def _transferred_to(plain: str) -> tuple[str, ...]:
    """The departments a sentence hands the work to: `由县人社局开展…` → (县人社局,)."""
    found = (match.group(1) for match in _TRANSFER.finditer(plain))
    return tuple(dict.fromkeys(name for name in found if looks_like_department(name, owner_required=True)))


def _doers(plain: str) -> DepartmentCell:
    """The departments of the clauses that say a department does the work: `县农业农村局负责，乡镇不再承担` →
    县农业农村局 (cold review 21: no receiver, and discontinued)."""
    doing = []
    for clause in _clauses(plain):
        cell = split_department_cell(clause)
        if cell.names and not (cell.unread or cell.generic) and (cell.roles or cell.tasks):
            doing.append(clause)
    if doing:
        return split_department_cell("；".join(doing))
    received = [_receiver_of(clause) for clause in _clauses(plain)]
    return next((cell for cell in received if cell.names), DepartmentCell(()))


def _someone(plain: str) -> DepartmentCell:
    """The receiver a sentence names after 由 with no department's name (`由县局直接受理`): a generic phrase, or
    else unread (reported and kept as lz:departmentMention), never an organisation called 县局."""
    match = _BY_SOMEONE.search(plain)
    if match is None:
        return DepartmentCell(())
    phrase = _HOW_AFTER.sub("", match.group(1))  # 由其依法办理: 其, no receiver's name
    if len(phrase) < 2:
        return DepartmentCell(())
    if _named(phrase):
        return DepartmentCell((phrase,))
    return DepartmentCell((), generic=(phrase,)) if is_generic(phrase) else DepartmentCell((), unread=(phrase,))


def parse_reclaimed_cell(text: str) -> Reclaimed:
    """Receiving departments, way of working and whether the work stopped, from one reclaimed cell.

    Layouts: `承接部门：X 工作方式：…` (also 履职方式, 履职方式及工作措施, 履责方式…), several such blocks in
    one cell, `县X局 工作方式：…` without the 承接部门 label (额敏镇), `X局：…` (卧牛河镇), or a sentence
    saying the work is no longer done (不再开展此项工作). The way of working is the text after the
    label; the whole cell when there are several blocks or no department.

    A cell naming no department but handing the work on (`由县人社局开展…`, `上收至县自然资源局`) or saying who
    does it (`县农业农村局负责，乡镇不再承担`) names that department as receiver; a cell that is only department
    names (`县公安局`: a 承接部门 column) names them, with no way of working. Discontinued: `_stopped`.
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
        cell = split_department_cell("；".join(departments))  # ；: one block's role word is not the next one's
        if len(ways) == 1 and ways[0]:
            way_of_working = ways[0]
    else:
        cell, way_of_working = _unlabelled_receivers(plain)
        if not cell.names and not cell.generic:
            cell, way_of_working = _only_receivers(plain) or (cell, way_of_working)
    if not cell.names and not cell.generic:
        transferred = _transferred_to(plain)
        cell = DepartmentCell(transferred) if transferred else _doers(plain)
    named = bool(cell.names or cell.generic)
    discontinued = _stopped(plain, named)
    if not named and not discontinued:
        cell = _someone(plain) if not cell.unread else cell
    return Reclaimed(cell, way_of_working, discontinued)
