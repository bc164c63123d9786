"""The columns of a duty list table, as the parser and layout profiles (etl.layout) name them, and where the
text of each goes in each list (docs/parsing.md, "Header columns")."""

from __future__ import annotations

import re
from enum import Enum

from luzhi.ontology.types import ListKind


class Column(Enum):
    """What a table column holds, recognised from its header text."""

    SEQUENCE = "序号"
    CATEGORY = "事项类别"
    TITLE = "事项名称"
    DEPARTMENT = "对应上级部门"
    # 牵头部门 and 配合部门 as two columns (cold review 18b: 配合部门 was read as the township's 配合职责)
    LEAD_DEPARTMENT = "牵头部门"
    SUPPORTING_DEPARTMENT = "配合部门"
    UPPER_RESPONSIBILITY = "上级部门职责"
    TOWNSHIP_RESPONSIBILITY = "配合职责"
    RECEIVER = "承接部门及工作方式"
    # Columns some townships add (cold review 18: each refused the whole document, or was read and dropped).
    SUBCATEGORY = "二级分类"  # beside a 一级分类 column; alone it is the category
    DESCRIPTION = "事项内容"  # 事项内容, 主要职责, 具体内容 … beside the title (事项内容 alone is the title)
    LEGAL_BASIS = "法律依据"  # 法律依据, 履职依据, 设定依据 …
    OFFICE = "责任科室"  # the township's own office: 责任科室, 承办科室, or a department column of the basic list
    NOTE = "备注"  # 备注, or any column a layout profile keeps as a note (with its header)
    RECEIVING_DEPARTMENT = "承接部门"  # 承接部门 and 工作方式 as two columns (either alone is RECEIVER)
    WAY_OF_WORKING = "工作方式"
    IGNORED = "忽略"  # a column a layout profile says to leave out (reported at its header)


# Columns a header may hold more than once: each is kept apart (a note with its own header) or not read.
REPEATABLE = frozenset({Column.NOTE, Column.IGNORED})
RECEIVERS = frozenset({Column.RECEIVER, Column.RECEIVING_DEPARTMENT, Column.WAY_OF_WORKING})
# Columns any list may have: they say nothing about which list a table is.
NEUTRAL = frozenset({Column.SUBCATEGORY, Column.DESCRIPTION, Column.LEGAL_BASIS, Column.OFFICE, Column.NOTE,
                     Column.IGNORED})
NOTES = "notes"  # `destination` of a column kept as a note (skos:note)
# A note column under one of these headers is the note itself; under any other, the note names its header.
NOTE_HEADERS = ("备注", "说明", "附注", "备注说明")

_SUPPORTING_WORDS = ("配合", "协办", "协助", "协同", "参与")
_LEAD_WORDS = ("牵头", "主责", "主办")
# The label a role column's cell is read under, so etl/department_phrases.py gives each department its part;
# a plain department column beside them is labelled too, or it would take the role of the label before it.
_DEPARTMENT_LABELS = {Column.LEAD_DEPARTMENT: "牵头部门", Column.SUPPORTING_DEPARTMENT: "配合部门",
                      Column.DEPARTMENT: "责任部门"}
ROLE_COLUMNS = frozenset({Column.LEAD_DEPARTMENT, Column.SUPPORTING_DEPARTMENT})
DEPARTMENTS = ROLE_COLUMNS | {Column.DEPARTMENT}

_ANY_LIST = {
    Column.TITLE: "title",
    Column.CATEGORY: "category",
    Column.SUBCATEGORY: "subcategory",
    Column.DESCRIPTION: "description",
    Column.LEGAL_BASIS: "legal_basis",
    Column.OFFICE: "office",
    Column.NOTE: NOTES,
}
_BY_LIST = {
    ListKind.BASIC: {},
    ListKind.COOPERATIVE: {
        Column.UPPER_RESPONSIBILITY: "upper_responsibility",
        Column.TOWNSHIP_RESPONSIBILITY: "township_responsibility",
    },
    ListKind.RECLAIMED: {
        Column.RECEIVER: "department_text",
        Column.RECEIVING_DEPARTMENT: "department_text",
        Column.WAY_OF_WORKING: "way_of_working",
        # Beside a 承接 column: the receivers' roles (cold review 19b: kept as a note, the roles lost).
        Column.LEAD_DEPARTMENT: "role_departments",
        Column.SUPPORTING_DEPARTMENT: "role_departments",
    },
}


def role_of(key: str) -> Column | None:
    """The column a header cell names, from its text without white space, full-width folded and parentheses
    dropped (etl/rows.py `column_of`), or None: the header words of docs/parsing.md."""
    if key in ("序号", "编号", "序"):
        return Column.SEQUENCE
    if "备注" in key or key in ("说明", "附注"):
        return Column.NOTE
    if "依据" in key:  # 法律依据, 履职依据, 设定依据, 法律法规依据
        return Column.LEGAL_BASIS
    department_word = key.endswith(("部门", "单位", "机构", "主体"))
    if department_word and key.startswith(_SUPPORTING_WORDS):  # 配合部门, 协办单位: departments, not 配合职责
        return Column.SUPPORTING_DEPARTMENT
    if department_word and key.startswith(_LEAD_WORDS):
        return Column.LEAD_DEPARTMENT
    if "配合" in key:
        return Column.TOWNSHIP_RESPONSIBILITY
    if "职责" in key and ("上级" in key or "部门" in key):
        return Column.UPPER_RESPONSIBILITY
    if any(word in key for word in ("承接", "工作方式", "履职方式", "收回后", "上收后")):
        # 承接部门 and 工作方式 as two columns; one naming both (承接部门及工作方式), or neither (收回后), is the
        # whole receiver cell. `settle` makes a lone 承接部门 or 工作方式 column that too.
        department = any(word in key for word in ("部门", "单位", "主体", "机构"))
        way = "方式" in key or "措施" in key
        if department == way:
            return Column.RECEIVER
        return Column.RECEIVING_DEPARTMENT if department else Column.WAY_OF_WORKING
    if key.endswith(("科室", "站所", "办公室", "内设机构")):  # 责任科室, 承办科室: the township's own office
        return Column.OFFICE
    if "部门" in key:
        return Column.DEPARTMENT
    if any(word in key for word in ("类别", "分类", "大类", "小类")):
        # 一级分类 + 二级分类 (事项大类 + 事项小类): `settle` makes a lone second level the category
        return Column.SUBCATEGORY if any(word in key for word in ("二级", "小类", "子类")) else Column.CATEGORY
    if "名称" in key or key in ("事项", "履职事项"):
        return Column.TITLE
    if (key.endswith(("内容", "描述")) or key in ("主要职责", "工作职责", "具体职责", "职责")) and not any(
        word in key for word in ("乡", "镇", "街道", "上级")  # 乡镇工作内容 may be the township's part: not guessed
    ):
        return Column.DESCRIPTION  # 事项内容 beside 事项名称, 主要职责; `settle`: 事项内容 alone is the title
    return None


# A sub-column naming a part of what its group names (承接部门 under 承接部门及工作方式) is that part.
_PARTS = {Column.RECEIVER: frozenset({Column.RECEIVING_DEPARTMENT, Column.WAY_OF_WORKING}),
          Column.DEPARTMENT: ROLE_COLUMNS, Column.CATEGORY: frozenset({Column.SUBCATEGORY})}


def role_of_pair(group: str, sub: str) -> Column | None:
    """The column a sub-column of a two-row header names (etl/header_rows.py), from the keys of its group's
    name and its own (as `role_of` takes them). Chinese puts a qualifier before what it qualifies, so the two
    are read sub-column first: 牵头 under 配合部门 is 牵头配合部门, a lead department (read the other way, 配合部门牵头
    was the township's 配合职责); 职责 under 上级部门 is 职责上级部门, the upper departments' responsibility; 名称
    under 上级部门 the department. A sub-column naming a part of what its group names is that part."""
    whole = role_of(sub + group) or role_of(group + sub)
    alone = role_of(sub)
    return alone if whole in _PARTS and alone in _PARTS[whole] else whole or alone


def settle(columns: list[Column], keys: list[str], profiled: list[bool]) -> list[Column]:
    """The roles of a header's columns once they are seen together: a column that only splits a role when its
    partner is there (二级分类 without 一级分类 is the category; 承接部门 or 工作方式 alone is the whole
    承接部门及工作方式 cell, as before) and 事项内容, the title when no column names one. A role a layout
    profile gives (`profiled`) is kept as it says."""
    present = set(columns)
    settled = list(columns)
    for index, column in enumerate(columns):
        if profiled[index]:
            continue
        if column is Column.SUBCATEGORY and Column.CATEGORY not in present:
            settled[index] = Column.CATEGORY
        elif column in (Column.RECEIVING_DEPARTMENT, Column.WAY_OF_WORKING) and not (
            {Column.RECEIVING_DEPARTMENT, Column.WAY_OF_WORKING} <= present
        ):
            settled[index] = Column.RECEIVER
        elif column is Column.DESCRIPTION and keys[index] == "事项内容" and Column.TITLE not in present:
            settled[index] = Column.TITLE
    return settled


def destination(column: Column, kind: ListKind, present: frozenset[Column] | set[Column], header: str) -> str | None:
    """The `DutyItem` field a column's cells fill in a list of `kind` (`present`: the columns of its header,
    `header`: the column's header text), `NOTES` for a note, None for a column whose cells are not text of
    the item (序号, a column the profile ignores).

    A column the list has no field for (上级部门职责 in a basic list, 承接部门及工作方式 in a cooperative one:
    a header that shows no list of its own under a list title) is a note naming its header, never dropped;
    etl/items.py reports it at the header.
    """
    if column in (Column.SEQUENCE, Column.IGNORED):
        return None
    if column in _ANY_LIST:
        return _ANY_LIST[column]
    if column in DEPARTMENTS:
        # 责任部门 (牵头部门) in a basic list is the township's own office (党建工作办公室 …), not a county
        # department; a header naming a level (上级部门, 县级部门) is not, and is kept as a note, as is a
        # 配合部门 there (the list is of the township's own duties).
        if kind is ListKind.BASIC and "级" not in header and column is not Column.SUPPORTING_DEPARTMENT:
            return "office"
        # In a take-back list without a 承接 column, the department column names who took the work back; beside
        # one, a 牵头部门 or 配合部门 column gives the receivers their roles (`_BY_LIST`), a plain one is a note.
        if kind is ListKind.RECLAIMED and not set(present) & RECEIVERS:
            return "department_text"
        if kind is ListKind.COOPERATIVE:
            return "department_text"
    return _BY_LIST[kind].get(column, NOTES)


def department_cell(column: Column, kind: ListKind, present: frozenset[Column] | set[Column], text: str) -> str:
    """A department column's cell as the item's department text: under its role label (牵头部门：…, 配合部门：…)
    when the header has a role column beside another department column, or beside a take-back list's 承接 column
    (whose receivers it gives their roles), so each name keeps the part its column gives it. A lone department
    column, whatever its header, is the duty's departments as they are."""
    columns = set(present) & DEPARTMENTS
    beside_receivers = kind is ListKind.RECLAIMED and column in ROLE_COLUMNS and set(present) & RECEIVERS
    if not text or not beside_receivers and (column not in columns or len(columns) < 2 or not columns & ROLE_COLUMNS):
        return text
    return f"{_DEPARTMENT_LABELS[column]}：{text}"


def note_text(column: Column, header: str, text: str) -> str:
    """A note's text: the cell alone under a 备注 header, else `header：cell`, so a reader knows what it was."""
    if column is Column.NOTE and header in NOTE_HEADERS:
        return text
    return f"{header}：{text}"


# One part of a cell holding each side's work, `县委组织部：组织开展表彰` / `宏村镇：推荐上报…`: who, a colon, what.
_PART = re.compile(r"^\s*([^：:\n]{2,60}?)\s*[：:]\s*(\S.*?)\s*$")
# Who, when it is the township: its name (宏村镇, 某某街道, 乡镇（街道）) or its government, never a department's.
_TOWNSHIP_SIDE = re.compile(
    r"(?:镇|乡|街道|苏木|办事处)(?:人民政府|政府|党委)?$|^(?:本镇|本乡|本街道|乡镇（街道）|乡镇\(街道\))$")


def combines_departments(columns: tuple[Column, ...], headers: tuple[str, ...], kind: ListKind) -> bool:
    """Whether a cooperative list's 上级部门职责 column holds the departments too (`责任部门及职责分工`, `部门及职责`):
    its header names them, and no column of its own does, nor holds the township's part."""
    if kind is not ListKind.COOPERATIVE or set(columns) & (DEPARTMENTS | {Column.TOWNSHIP_RESPONSIBILITY}):
        return False
    return any(column is Column.UPPER_RESPONSIBILITY and ("部门" in header or "单位" in header)
               for column, header in zip(columns, headers, strict=False))


def combined_parts(text: str) -> tuple[str, str, str] | None:
    """A combined cell (`combines_departments`) as (departments, their responsibility, the township's), each part
    `who：what` on its own lines, a line without a colon going on with the part above it; None unless it names a
    department and the township (cold review 32: 县委组织部：… / 宏村镇：… was all the upper responsibility, the duty
    without a department, refused)."""
    departments: list[str] = []
    upper: list[str] = []
    township: list[str] = []
    side: list[str] | None = None
    for line in (line for line in text.split("\n") if line.strip()):
        part = _PART.match(line)
        if part is None:
            if side is None:
                return None
            side.append(line.strip())
        elif _TOWNSHIP_SIDE.search(part.group(1)):
            side = township
            township.append(part.group(2))
        else:
            side = upper
            departments.append(part.group(1))
            upper.append(line.strip())
    if not departments or not township:
        return None
    return "\n".join(departments), "\n".join(upper), "\n".join(township)
