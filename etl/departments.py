"""Departments of a duty list: the registry that merges the spellings of one department and names it.

One department is written several ways across a document (市卫健委, 市卫健局); the registry keys each mention
by its normalised name (luzhi.etl.department_names) and gives each department its stable slug. The cells are
split elsewhere and re-exported here for the callers: department cells by luzhi.etl.department_cells,
reclaimed duties' 承接部门 cells by luzhi.etl.reclaimed_cells; docs/departments.md lists every rule and the
sample cell that forced it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from functools import cache, lru_cache

from luzhi.etl.department_cells import DepartmentCell, split_department_cell, with_role_columns
from luzhi.etl.department_names import (
    NameContext,
    analyse_name,
    department_type,
    is_generic,
    name_context,
    normalise_department,
    plain_text,
    qualified_key,
    spelling,
    type_of_body,
)
from luzhi.etl.divisions import lineage
from luzhi.etl.model import DutyItem, ListKind
from luzhi.etl.reclaimed_cells import Reclaimed, parse_reclaimed_cell
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
    "department_mentions",
    "department_type",
    "is_generic",
    "normalise_department",
    "parse_reclaimed_cell",
    "plain_text",
    "split_department_cell",
    "with_role_columns",
]

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
