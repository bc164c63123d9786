"""A list whose 序号 starts again at 1 in each category (`一、党的建设` 1, 2, `二、经济发展` 1, 2 …).

Documents number their lists 1..n, and a duty's IRI is `…/{kind}/{序号}` (DESIGN.md, Identifiers). Some number
each category from 1 instead (cold review 18, P1-5: docs/H_percat.txt); read as 1..n, every category after the first
repeats the 序号 of the first, the build refused the document (SequenceUniqueShape) and `--force` minted `…/1-2`.

Such a list is recognised by its structure alone, once the whole list is read: two categories or more, every one
starting at 1 (a list numbered 1..n has one category starting at 1 at most), and the categories restarting
consistently. A restart is *consistent* when its category goes on from 1 (`1…5 | 1, 2`), *stray* when the numbers
after it go on from those before it (`1…5 | 1, 7, 8`: the 1 took the place of 6), and *lone* when its category has
no item after it (`1…5 | 1`: per category, or a 6 mistyped?). The list is per category when its consistent
restarts outnumber its stray ones (a slip inside one category of many), or when it has no stray restart and two
lone ones. A single stray restart in otherwise continuous numbering, or a single lone one, is no evidence (cold
review 19: it switched the whole list): the list is read 1..n and the restart reported (`numbering-restart`,
beside the `duplicate-sequence` it makes). A per-category list's items are numbered by their position in the
list, 1..n, which becomes their `lz:sequence` and IRI; the printed 序号 is kept as `DutyItem.sequence_in_category`
(`lz:sequenceInCategory`). A list numbered 1..n is never touched, so its IRIs stay those of its printed numbers.
Numbering slips are checked within each category instead of across the list.

A list numbered in outline (cold review 21, P0: `1<TAB>党的建设`, `1.1<TAB>…`, `1.2<TAB>…`, `2<TAB>…`, `2.1<TAB>…`) is
read the same way: the rows numbered `N` with `N.M` rows below them are its categories' headings (etl/items.py), the
`N.M` rows its items, each numbered by its position in the list, its `M` kept as `sequence_in_category`. Its outline
numbers say so by themselves, whatever the count of its categories (`outline_issues`).
"""

from __future__ import annotations

from dataclasses import replace

from luzhi.etl.model import DutyItem, Issue, LineSpan


def numbers_each_category(items: list[DutyItem]) -> bool:
    """Whether a list's items (in document order) number each category from 1: two categories or more (items
    before any category count as one), each category's first item is 序号 1, and its restarts say so: more
    consistent than stray ones, or none stray and two lone ones."""
    restarts = _restarts(items)
    if restarts is None:
        return False
    kinds = list(restarts.values())
    consistent, stray = kinds.count("consistent"), kinds.count("stray")
    return consistent > stray or (stray == 0 and kinds.count("lone") > 1)


def _restarts(items: list[DutyItem]) -> dict[int, str] | None:
    """Each category's first item after the list's first (by index) and how its category goes on: `consistent`
    (the next item of its category is numbered at most one above the item before the restart: 1…5 | 1, 2),
    `stray` (higher: 1…5 | 1, 7 goes on from 5) or `lone` (no next item in its category). None unless the list
    has two categories or more, each starting at 1."""
    first: dict[str | None, int] = {}
    for index, item in enumerate(items):
        first.setdefault(item.category, index)
    if len(first) < 2 or any(items[index].sequence != 1 for index in first.values()):
        return None
    kinds: dict[int, str] = {}
    for index in sorted(first.values())[1:]:
        after = items[index + 1] if index + 1 < len(items) else None
        if after is None or after.category != items[index].category:
            kinds[index] = "lone"
        else:
            kinds[index] = "stray" if after.sequence > items[index - 1].sequence + 1 else "consistent"
    return kinds


def renumber(items: list[DutyItem]) -> list[DutyItem]:
    """Each item numbered by its position in the list, keeping its printed 序号."""
    return [replace(item, sequence=position, sequence_in_category=item.sequence)
            for position, item in enumerate(items, start=1)]


def category_issues(items: list[DutyItem], list_name: str) -> list[Issue]:
    """The notice that says how the list was read, then the numbering slips within each category (a gap, a number
    used again with another title, a number going back), as `items.py` reports them across a 1..n list."""
    restart = next(item for index, item in enumerate(items) if index and item.sequence == 1)
    categories = len({item.category for item in items})
    return [Issue(
        "numbering-per-category",
        f"{list_name}的序号在每个类别内从 1 重新编起（{categories} 个类别）：事项按其在清单中的位置编为 1–{len(items)}"
        "（即其 IRI 与 lz:sequence），文件所印的序号保留为 lz:sequenceInCategory",
        LineSpan(restart.lines.first, restart.lines.first),
        restart.list_kind,
        message_en=f"the {restart.list_kind.value} list numbers its items from 1 again in each category ({categories} "
        f"categories): they are numbered by their position in the list, 1–{len(items)} (their IRIs and lz:sequence), "
        "and keep the printed 序号 as lz:sequenceInCategory",
    ), *_slips(items)]


def outline_issues(items: list[DutyItem], list_name: str, first: int) -> list[Issue]:
    """The notice that says how a list numbered in outline (`1.1`, `1.2`, `2.1` …, the first at line `first`) was
    read, then the numbering slips within each category."""
    kind, categories = items[0].list_kind, len({item.category for item in items})
    subcategories = len({(item.category, item.subcategory) for item in items if item.subcategory})
    sub = f"，在已有类别之下读作二级分类（{subcategories} 个）" if subcategories else ""
    sub_en = f"; under a category already given, as a sub-category ({subcategories})" if subcategories else ""
    return [Issue(
        "numbering-outline",
        f"{list_name}按层级编号（1、1.1、1.2……）：编号为 N 且其下有 N.1、N.2……的行读作类别标题"
        f"（{categories} 个类别）{sub}，N.M 的行读作其中的事项；"
        f"事项按其在清单中的位置编为 1–{len(items)}（即其 IRI 与 lz:sequence），"
        "所印编号中的 M 保留为 lz:sequenceInCategory",
        LineSpan(first, first),
        kind,
        message_en=f"the {kind.value} list is numbered in outline (1, 1.1, 1.2 …): a row numbered N with rows N.1, N.2 "
        f"… below it is read as a category heading ({categories} categories){sub_en}, the rows N.M as its items; "
        f"they are numbered by their position in the list, 1–{len(items)} (their IRIs and lz:sequence), and keep "
        "the M of their printed number as lz:sequenceInCategory",
    ), *_slips(items, by_subcategory=True)]


def _slips(items: list[DutyItem], *, by_subcategory: bool = False) -> list[Issue]:
    """Numbering slips within each category (a gap, a number used again with another title, a number going back);
    `by_subcategory`: within each sub-category of a category (an outline's `1` / `1.1` under `一、党的建设`)."""
    issues: list[Issue] = []
    last: dict[tuple[str | None, str], int] = {}
    seen: dict[tuple[str | None, str], set[int]] = {}
    for item in items:
        key, sequence = (item.category, item.subcategory if by_subcategory else ""), item.sequence
        previous, used = last.get(key, 0), seen.setdefault(key, set())
        name, name_en = _category_names(*key)
        span, kind = LineSpan(item.lines.first, item.lines.first), item.list_kind
        if sequence in used:
            issues.append(Issue("duplicate-sequence", f"{name}中序号 {sequence} 重复出现，且事项名称不同", span, kind,
                                message_en=f"in {name_en}, 序号 {sequence} is used again with another title"))
        elif sequence > previous + 1:
            gap = f"{previous + 1}" if sequence == previous + 2 else f"{previous + 1}–{sequence - 1}"
            issues.append(Issue("numbering-gap", f"{name}中序号从 {previous} 跳到 {sequence}，缺少 {gap}", span, kind,
                                message_en=f"in {name_en}, 序号 jumps from {previous} to {sequence}; {gap} missing"))
        elif sequence < previous:
            issues.append(Issue("numbering-order", f"{name}中序号从 {previous} 回到 {sequence}", span, kind,
                                message_en=f"in {name_en}, 序号 goes back from {previous} to {sequence}"))
        used.add(sequence)
        last[key] = max(previous, sequence)
    return issues


def restart_issues(items: list[DutyItem], list_name: str) -> list[Issue]:
    """Why a list whose categories each start at 1 is still read 1..n (`numbering-restart`, at each restart that
    is stray, else at its one lone restart); nothing for any other list."""
    restarts = _restarts(items)
    if restarts is None or numbers_each_category(items):
        return []
    stray = [index for index, kind in restarts.items() if kind == "stray"]
    issues = []
    for index in stray or list(restarts):
        item, before = items[index], items[index - 1].sequence
        name, name_en = _category_names(item.category)
        if stray:
            after = items[index + 1].sequence
            why, why_en = (f"其后的序号 {after} 接着此前的 {before} 编下去",
                           f"the 序号 after it, {after}, goes on from the {before} before it")
        else:
            why = "只有这一个类别重新编号，且其中只有这一项"
            why_en = "this is the only restart, and its category's only item"
        zh = (f"{list_name}的序号在{name}的第一项回到 1，但{why}，不足以说明本清单按类别分别编号：仍按全清单连续"
              "编号读取（序号 1 重复）；请对照原件核对这一行的序号")
        en = (f"the {item.list_kind.value} list's 序号 goes back to 1 at the first item of {name_en}, but {why_en}: "
              "no sign that the list numbers each category from 1, so it is still read as numbered 1..n (序号 1 used "
              "twice); check this row's 序号 against the original")
        issues.append(Issue("numbering-restart", zh, LineSpan(item.lines.first, item.lines.first), item.list_kind,
                            message_en=en))
    return issues


def _category_names(category: str | None, subcategory: str = "") -> tuple[str, str]:
    """A category (and sub-category) as the notices name it (Chinese, English); None: the items before any category
    heading."""
    if subcategory:
        return f"类别「{category or ''}」「{subcategory}」", f"category 「{category or ''}」, 「{subcategory}」"
    return (f"类别「{category}」", f"category 「{category}」") if category else (
        "未分类事项", "the items before any category")


def oversized_message(shown: str, digits: int, rest: str) -> str:
    """Why a row whose 序号 has more digits than any list has items (`999999999`) refuses its document, `中文 /
    English`: loading it under that number, or dropping it as "not a number", were both wrong (cold review 18, P2)."""
    return (
        f"序号「{shown}」有 {digits} 位数字，太大，不可能是清单事项的序号；这一行（「{rest[:40]}」）无法作为事项载入，"
        f"因此不予载入。请对照原件改正这一行的序号 / the 序号 「{shown}」 has {digits} digits: too large to be an item "
        f"number, so this row (「{rest[:40]}」) cannot be loaded as an item and the document is refused. Correct this "
        "row's 序号 from the original"
    )
