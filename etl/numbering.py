"""A list whose 序号 starts again at 1 in each category (`一、党的建设` 1, 2, `二、经济发展` 1, 2 …).

Documents number their lists 1..n, and a duty's IRI is `…/{kind}/{序号}` (DESIGN.md, Identifiers). Some number
each category from 1 instead (cold review 18, P1-5: docs/H_percat.txt); read as 1..n, every category after the first
repeats the 序号 of the first, the build refused the document (SequenceUniqueShape) and `--force` minted `…/1-2`.

Such a list is recognised by its structure alone, once the whole list is read: two categories or more, and every
one starting at 1 (a list numbered 1..n has one category starting at 1 at most). Its items are then numbered by
their position in the list, 1..n, which becomes their `lz:sequence` and IRI; the printed 序号 is kept as
`DutyItem.sequence_in_category` (`lz:sequenceInCategory`). A list numbered 1..n is never touched, so its IRIs
stay those of its printed numbers. Numbering slips are checked within each category instead of across the list.
"""

from __future__ import annotations

from dataclasses import replace

from luzhi.etl.model import DutyItem, Issue, LineSpan


def numbers_each_category(items: list[DutyItem]) -> bool:
    """Whether a list's items (in document order) number each category from 1: two categories or more (items
    before any category count as one), and each category's first item is 序号 1."""
    first: dict[str | None, int] = {}
    for item in items:
        first.setdefault(item.category, item.sequence)
    return len(first) > 1 and all(sequence == 1 for sequence in first.values())


def renumber(items: list[DutyItem]) -> list[DutyItem]:
    """Each item numbered by its position in the list, keeping its printed 序号."""
    return [replace(item, sequence=position, sequence_in_category=item.sequence)
            for position, item in enumerate(items, start=1)]


def category_issues(items: list[DutyItem], list_name: str) -> list[Issue]:
    """The notice that says how the list was read, then the numbering slips within each category (a gap, a number
    used again with another title, a number going back), as `items.py` reports them across a 1..n list."""
    restart = next(item for index, item in enumerate(items) if index and item.sequence == 1)
    categories = len({item.category for item in items})
    issues = [Issue(
        "numbering-per-category",
        f"{list_name}的序号在每个类别内从 1 重新编起（{categories} 个类别）：事项按其在清单中的位置编为 1–{len(items)}"
        "（即其 IRI 与 lz:sequence），文件所印的序号保留为 lz:sequenceInCategory",
        LineSpan(restart.lines.first, restart.lines.first),
        restart.list_kind,
        message_en=f"the {restart.list_kind.value} list numbers its items from 1 again in each category ({categories} "
        f"categories): they are numbered by their position in the list, 1–{len(items)} (their IRIs and lz:sequence), "
        "and keep the printed 序号 as lz:sequenceInCategory",
    )]
    last: dict[str | None, int] = {}
    seen: dict[str | None, set[int]] = {}
    for item in items:
        key, sequence = item.category, item.sequence
        previous, used = last.get(key, 0), seen.setdefault(key, set())
        name = f"类别「{key}」" if key else "未分类事项"
        name_en = f"category 「{key}」" if key else "the items before any category"
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


def oversized_message(shown: str, digits: int, rest: str) -> str:
    """Why a row whose 序号 has more digits than any list has items (`999999999`) refuses its document, `中文 /
    English`: loading it under that number, or dropping it as "not a number", were both wrong (cold review 18, P2)."""
    return (
        f"序号「{shown}」有 {digits} 位数字，太大，不可能是清单事项的序号；这一行（「{rest[:40]}」）无法作为事项载入，"
        f"因此不予载入。请对照原件改正这一行的序号 / the 序号 「{shown}」 has {digits} digits: too large to be an item "
        f"number, so this row (「{rest[:40]}」) cannot be loaded as an item and the document is refused. Correct this "
        "row's 序号 from the original"
    )
