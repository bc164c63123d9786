"""A layout profile: what a person tells the parser about a layout it cannot guess (issue 12).

A profile is a small TOML file given with `luzhi build --layout FILE` (or `luzhi validate
--layout FILE`). It only adds to what the parser recognises by structure; docs/parsing.md has a
worked example. Sections, all optional:

    [columns]            header words → column role (sequence, category, title, department,
                         upper-responsibility, township-responsibility, receiver, receiving-department,
                         way-of-working, subcategory, description, legal-basis, office, note: kept as a
                         note with its header, ignore: not read, and said so in the report); a
                         column of a header over two rows is named `group/sub-column` (配合部门/牵头)
    [lists]              words ending a list title → basic, cooperative or reclaimed
    [categories]         heading = a regular expression matching a category heading line, with a
                         group `name` (and optionally `count`)
    [departments]        separators = characters that also separate departments in a cell
    [responsibilities]   section = a regular expression matching a section header inside a
                         responsibility cell, with a group `names` (departments joined by 、)

Anything else in the file (an unknown section or key, a wrong role, a pattern that does not
compile or lacks its group) is refused with a `LayoutError` naming the file and the key.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from luzhi.etl.columns import Column
from luzhi.ontology.types import ListKind

ROLES = {
    "sequence": Column.SEQUENCE,
    "category": Column.CATEGORY,
    "title": Column.TITLE,
    "department": Column.DEPARTMENT,
    "lead-department": Column.LEAD_DEPARTMENT,
    "supporting-department": Column.SUPPORTING_DEPARTMENT,
    "upper-responsibility": Column.UPPER_RESPONSIBILITY,
    "township-responsibility": Column.TOWNSHIP_RESPONSIBILITY,
    "receiver": Column.RECEIVER,
    "receiving-department": Column.RECEIVING_DEPARTMENT,
    "way-of-working": Column.WAY_OF_WORKING,
    "subcategory": Column.SUBCATEGORY,
    "description": Column.DESCRIPTION,
    "legal-basis": Column.LEGAL_BASIS,
    "office": Column.OFFICE,
    "note": Column.NOTE,
    "ignore": Column.IGNORED,
}
_KEYS = {
    "columns": None,
    "lists": None,
    "categories": {"heading"},
    "departments": {"separators"},
    "responsibilities": {"section"},
}


class LayoutError(ValueError):
    """A layout profile that cannot be used; names the file and the key, in Chinese then English after " / "
    (as etl/source.py's `SourceError`)."""

    def __init__(self, path: str | Path, message: str) -> None:
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


def header_key(text: str) -> str:
    """Header text as matched: NFKC (full-width → half-width), no white space (as etl.rows does)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@dataclass(frozen=True)
class Layout:
    source: str
    columns: tuple[tuple[str, Column], ...] = ()  # header key → column
    lists: tuple[tuple[str, ListKind], ...] = ()  # list title ending → list
    heading: re.Pattern[str] | None = None
    department_separators: str = ""
    section: re.Pattern[str] | None = None

    def column(self, key: str) -> Column | None:
        return next((column for word, column in self.columns if word == key), None)


def _pattern(path: Path, key: str, value: object, group: str) -> re.Pattern[str]:
    if not isinstance(value, str):
        raise LayoutError(path, f"{key} 应是正则表达式字符串 / {key} must be a regular expression string")
    try:
        pattern = re.compile(value)
    except re.error as error:
        raise LayoutError(path, f"{key} 不是合法的正则表达式 / {key} is not a valid regular expression: "
                                f"{error}") from None
    if group not in pattern.groupindex:
        raise LayoutError(path, f"{key} 缺少命名分组 (?P<{group}>…) / {key} lacks the named group "
                                f"(?P<{group}>…)")
    return pattern


def load_layout(path: str | Path) -> Layout:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise LayoutError(path, f"无法读取版式文件 / cannot read the layout profile: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise LayoutError(path, f"不是合法的 TOML / not valid TOML: {error}") from None
    for section, value in data.items():
        if section not in _KEYS:
            raise LayoutError(path, f"未知的节 [{section}]（可用：{'、'.join(_KEYS)}） / unknown section [{section}] "
                                    f"(known: {', '.join(_KEYS)})")
        if not isinstance(value, dict):
            raise LayoutError(path, f"[{section}] 应是一个表 / [{section}] must be a table")
        allowed = _KEYS[section]
        unknown = sorted(set(value) - allowed) if allowed is not None else []
        if unknown:
            raise LayoutError(path, f"[{section}] 中未知的键 {unknown[0]}（可用：{'、'.join(sorted(allowed))}） / "
                                    f"unknown key {unknown[0]} in [{section}] (known: {', '.join(sorted(allowed))})")
    columns = []
    for word, role in data.get("columns", {}).items():
        if role not in ROLES:
            raise LayoutError(path, f"[columns] {word} = {role!r}：列角色应是 {'、'.join(ROLES)} 之一 / [columns] "
                                    f"{word} = {role!r}: a column role is one of {', '.join(ROLES)}")
        columns.append((header_key(word), ROLES[role]))
    lists = []
    for word, kind in data.get("lists", {}).items():
        if kind not in {k.value for k in ListKind}:
            raise LayoutError(path, f"[lists] {word} = {kind!r}：应是 basic、cooperative 或 reclaimed / [lists] "
                                    f"{word} = {kind!r}: must be basic, cooperative or reclaimed")
        lists.append((re.sub(r"\s+", "", word), ListKind(kind)))
    categories = data.get("categories", {})
    responsibilities = data.get("responsibilities", {})
    separators = data.get("departments", {}).get("separators", "")
    if not isinstance(separators, str):
        raise LayoutError(path, "[departments] separators 应是字符串，每个字符都是分隔符 / [departments] separators "
                                "must be a string, each of its characters a separator")
    return Layout(
        source=str(path),
        columns=tuple(columns),
        lists=tuple(sorted(lists, key=lambda pair: -len(pair[0]))),
        heading=(
            _pattern(path, "[categories] heading", categories["heading"], "name") if "heading" in categories else None
        ),
        department_separators=separators,
        section=(
            _pattern(path, "[responsibilities] section", responsibilities["section"], "names")
            if "section" in responsibilities
            else None
        ),
    )
