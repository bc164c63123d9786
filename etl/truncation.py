"""Whether a document shows that it was cut short, and the notice that says so.

A file cut short (a download that stopped, a copy that ended at a page) and a layout the parser misread leave the
same marks in the data: a row short of a cell, fewer items than declared. Calling every such mark a cut (cold
review 21: a misread layout was blamed on 「文件可能在此被截断」) sent people looking for a missing end that was not
missing. A cut is said only where the evidence is a cut: the file ends with an item (nothing but page furniture
after its last row) and that last item, or its list or category, is short — a cell its list fills everywhere else
is empty, or a count declared above it is not reached. Anywhere else the marks are said for what they are
(`count-mismatch`, the CooperativeCellsShape result), with no guess at the cause.
"""

from __future__ import annotations

from luzhi.etl.model import CategoryCount, DutyItem, Issue, LineSpan, ListCount, ListKind

# The cells every item of a list fills, by the fields that hold them, and the header the notice names each by. A
# take-back duty no longer done may leave its 承接部门 empty and say so under 工作方式 (tests/fixtures/documents/
# extra_columns.txt): either field holds that cell.
_CELLS = {
    ListKind.COOPERATIVE: {("department_text",): "对应上级部门", ("upper_responsibility",): "上级部门职责",
                           ("township_responsibility",): "配合职责"},
    ListKind.RECLAIMED: {("department_text", "way_of_working"): "承接部门及工作方式"},
}


def cut_short(items: tuple[DutyItem, ...], lists: tuple[ListCount, ...], categories: tuple[CategoryCount, ...],
              last_line: int) -> Issue | None:
    """The `cut-short` notice when the document's last item ends the file (`last_line`, its last line of content)
    and is short: a cell empty that the other items of its list fill, or its list's or category's declared count
    not reached; else None."""
    if not items or items[-1].lines.last < last_line:
        return None
    last = items[-1]
    siblings = [item for item in items[:-1] if item.list_kind is last.list_kind]
    evidence: list[tuple[str, str]] = [
        (f"这一行缺少同一清单其他事项都写了的「{header}」格", f"its row lacks the 「{header}」 cell the list's other "
         "items fill")
        for names, header in _CELLS.get(last.list_kind, {}).items()
        if not _filled(last, names) and any(_filled(item, names) for item in siblings)
    ]
    category = next((c for c in reversed(categories) if c.list_kind is last.list_kind
                     and c.category == last.category), None)
    if category is not None and category.declared is not None and category.declared > category.parsed:
        evidence.append((f"类别「{category.category}」声明 {category.declared} 项，只解析出 {category.parsed} 项",
                         f"its category 「{category.category}」 declares {category.declared} items and "
                         f"{category.parsed} were parsed"))
    listed = next((c for c in lists if c.list_kind is last.list_kind), None)
    if listed is not None and listed.declared is not None and listed.declared > listed.parsed:
        evidence.append((f"清单声明 {listed.declared} 项，只解析出 {listed.parsed} 项",
                         f"its list declares {listed.declared} items and {listed.parsed} were parsed"))
    if not evidence:
        return None
    number = last.sequence_in_category or last.sequence
    return Issue(
        "cut-short",
        f"文件在这一事项（序号 {number}）处结束，而{'；'.join(zh for zh, _ in evidence)}："
        "文件可能在此被截断，请对照原件补全",
        LineSpan(last.lines.last, last.lines.last),
        last.list_kind,
        message_en=f"the file ends with this item (序号 {number}), and {'; '.join(en for _, en in evidence)}: the file "
        "may be cut short here; complete it from the original",
    )


def _filled(item: DutyItem, names: tuple[str, ...]) -> bool:
    return any(getattr(item, name) for name in names)


def missing_list_message(kind: ListKind, name: str, line: int, after_all: bool) -> tuple[str, str]:
    """The notice for a list the table of contents names (at `line`) and the body lacks (Chinese, English). Only a
    list that would come after every list the body has (`after_all`) is where a cut would have lost it; one between
    them is no cut, but a list whose title or header was not recognised."""
    if after_all:
        why = "正文在此之前的清单之后就结束了：文件可能不完整（被截断），请对照原件补全"
        why_en = "the body ends before it: the file may be cut short; complete it from the original"
    else:
        why = "正文中却没有，而其后的清单都在：它的标题或表头可能未被识别，请对照原件核对"
        why_en = ("the body has none, while the lists after it are there: its title or header may not have been "
                  "recognised; check against the original")
    return (f"目录第 {line} 行列出了{name}，{why}",
            f"the table of contents (line {line}) names the {kind.value} list ({name}) but {why_en}")
