"""Category headings: `一、党的建设（24项）` and the other ways documents number, qualify and count them.

A heading is an ordinal, a name, maybe notes in brackets and maybe a count (docs/parsing.md, Headings):
- ordinals: `一、` `一.` `一，`, a numeral and a space (`一 党的建设`), `（一）`, `第一类` / `第一部分` / `第一章` …
  (`第一类：社会管理`), Roman `Ⅰ、` `II.`; Arabic `1.` `1、` `（1）` only with a count (`1.党的建设（2项）`): without
  one, `1.加强党的政治建设` may as well be an item whose 序号 and 事项名称 share a cell;
- counts: `（24项）` `（共24项）` `（二十四项）` `（24）` after the name, or unbracketed ` 24项` `共24项` ` 二十四项`;
  a bracketed count with 项 may also stand inside the name (`党的建设（共2项）工作`: name 党的建设工作), and a colon
  may end the heading (`基本职责（52项）：`), as some documents write them (cold review 19);
- notes: any other bracket after the name (`应急管理（含消防）`) stays in the name: it is the document's own wording
  of the category (etl/categories.py merges spellings by rule, and `含消防` is no spelling of `应急管理`);
- tentative: a short name and nothing else (`平安法治`), or a numeral alone in the 序号 cell and a name beside it
  (`二<TAB>应急管理`, which may as well be an item of a list numbered 一, 二 …): a heading only where the assembler
  sees an item right after it.

A line that starts like a heading but cannot be read (brackets that do not pair, an Arabic ordinal without a
count, a colon in the name …) is a `Doubt`: the assembler refuses the document if an item follows it, since
that item would otherwise be filed silently under the category before (cold review 18, P0-2).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from luzhi.etl.text import collapse_spaces, join_cjk

_N = "一二三四五六七八九十百零〇两"
_ROMAN = "\u2160-\u216b\u2170-\u217b"  # Ⅰ–Ⅻ, ⅰ–ⅻ
_ORDINAL = re.compile(
    rf"^(?:[{_N}]+\s*[、.．，,]|[{_N}]+\s+(?=\S)|[（(]\s*[{_N}]+\s*[）)]\s*[、.．]?"
    rf"|第\s*[{_N}\d]+\s*(?:大类|类|部分|章|节|篇)\s*[、.．:：]?|[{_ROMAN}]\s*[、.．]?|[IVX]{{1,4}}\s*[、.．])\s*"
)
# `1.1` is a sub-number and `2025 年` a year, neither an ordinal.
_ARABIC = re.compile(r"^(?:\d{1,3}\s*[、.．](?!\d)|\d{1,3}\s+(?=\D)|[（(]\s*\d{1,3}\s*[）)]\s*[、.．]?)\s*")
# The word a count is written with: 项 mostly, but also `（3个）`, `（3条）`, `（共3个事项）`, `（3件）`
# (cold review 21, P0: `一、党的建设（3个）` was a category 党的建设（3个）, its count unread).
COUNT_UNIT = r"(?:个事项|项|个|条|件)"
_PAREN_COUNT = re.compile(
    rf"^[（(]\s*(?:共\s*)?(?:(?P<digits>\d{{1,4}})\s*{COUNT_UNIT}?|(?P<chinese>[{_N}]{{1,6}})\s*{COUNT_UNIT})\s*[）)]$"
)
# A count inside the name (`党的建设（共2项）工作`): with 项, since `（2）` there may as well be a note.
_INNER_COUNT = re.compile(
    rf"[（(]\s*(?:共\s*)?(?:(?P<digits>\d{{1,4}})|(?P<chinese>[{_N}]{{1,6}}))\s*{COUNT_UNIT}\s*[）)]\s*(?=[^\s（()）])"
)
# Patterns that open with white space start after a non-space (`(?<!\s)`): searched from every position of a long run
# of spaces, they were quadratic (35 s for a category cell of 10,000 spaces).
_ANY_COUNT = re.compile(rf"[（(]\s*(?:共\s*)?(?:\d{{1,4}}|[{_N}]{{1,6}})\s*{COUNT_UNIT}\s*[）)]")
_TRAILING_COLON = re.compile(r"(?<!\s)\s*[:：]\s*$")
_BARE_DIGIT_COUNT = re.compile(rf"(?<!\s)\s*(?:共\s*)?(?P<digits>\d{{1,4}})\s*{COUNT_UNIT}$")
_BARE_CHINESE_COUNT = re.compile(rf"(?<!\s)(?:\s+(?:共\s*)?|共\s*)(?P<chinese>[{_N}]{{1,6}})\s*{COUNT_UNIT}$")
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff"
_IDEOGRAPH = re.compile(rf"[{_HAN}]")
_BARE_NAME = re.compile(rf"^[{_HAN}][{_HAN}、]{{0,10}}[{_HAN}]$")  # 2–12 characters: 平安法治, 应急管理、消防
_SENTENCE = re.compile(r"[，。；！？,;!?]")
_NOTE_PUNCT = re.compile(r"[，。；：！？,;:!?]")
_BRACKET = re.compile(r"[（()）]")
_LONE_NUMERAL = re.compile(rf"^[{_N}]+$")
_DIGIT_VALUES = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
                 "九": 9}
# Words naming a kind of duties: a bare name holding one (`共性职责`, `其他事项`, `党建类`) is a category, never the
# wrapped rest of an item's title (etl/items.py).
_CATEGORY_WORD = re.compile(r"类|职责|事项")
# A category going on over a page (cold review 21: `一、党的建设（续）` was a new category 党的建设（续）): a bracketed
# 续 / 续表 / 接上页 note, or 续表 after the name. The note says where the table goes on, not what the category is.
_CONTINUED_NOTE = re.compile(r"^[（(]\s*(?:续|续表|续上表|续前表|接上页|接上表|接前页)\s*[）)]$")
_CONTINUED_WORD = re.compile(r"(?<!\s)\s*(?:续表|续上表|续前表)$")
# A list named without 清单 (`一、基本履职事项（7项）`, `稻田镇上级部门收回事项`; cold review 32: read as a category
# of the list before, its count as that category's): one of the three lists' names, after the township at most, never
# after other words (`其他配合事项` may be a category). A list title (etl/rows.py), not a heading.
BARE_LIST_TITLE = re.compile(
    r"^(?P<place>(?:\S{0,30}?(?:乡|镇|街道|苏木|办事处|政府))?)\s*"
    r"(?P<name>(?:履行)?(?:(?:基本|配合|协同)(?:履职|职责|履行职责)?|(?:上级部门|上级)?(?:收回|上收)的?)事项)\s*"
    rf"(?:[（(]\s*(?:共\s*)?(?P<count>\d+)\s*{COUNT_UNIT}\s*[）)])?\s*[:：]?$"
)
MAX_NAME = 20  # the longest category in the five samples is 7 characters (应急管理及消防); item titles run longer


@dataclass(frozen=True)
class Heading:
    """A category heading: its name (whitespace normalised) and the count it declares, if any.

    `tentative`: written without an ordinal (`平安法治`), or with a numeral alone in the 序号 cell (`二<TAB>应急管理`);
    such a line is a heading only right before an item (etl/items.py). `continued`: marked as going on from a page
    before (`一、党的建设（续）`, `党的建设 续表`); `name` is without the mark."""

    name: str
    declared: int | None
    tentative: bool = False
    continued: bool = False


@dataclass(frozen=True)
class Doubt:
    """A line shaped like a heading (an ordinal and a short name) that cannot be read as one, and why."""

    why: str
    why_en: str
    arabic: bool = False  # `1.党的建设`: as likely an item whose 序号 and 事项名称 share a cell


def chinese_number(text: str) -> int:
    """`二十四` → 24, `一百零五` → 105, `十` → 10 (counts and ordinals as documents write them)."""
    total, digit = 0, 0
    for char in text:
        if char == "十":
            total, digit = total + (digit or 1) * 10, 0
        elif char == "百":
            total, digit = total + (digit or 1) * 100, 0
        else:
            digit = _DIGIT_VALUES[char]
    return total + digit


def read_heading(filled: Sequence[str]) -> Heading | Doubt | None:
    """What a line is as a heading, from its filled cells: a `Heading`, a `Doubt`, or None when it is not shaped
    like one. In one cell, a number and a name are one text (`1.党的建设`); across cells (`1<TAB>党的建设`) an
    Arabic number is a 序号 and no ordinal. A heading is split over two cells at most (`九、应急管理<TAB>及消防`):
    a row filling three is an item's, whatever its first cell says."""
    if len(filled) > 2:
        return None
    text, one_cell = collapse_spaces(" ".join(filled)), len(filled) == 1
    ordinal, arabic = _ORDINAL.match(text), False
    if ordinal is None:
        if not one_cell:
            return None  # every table row is asked: an item row (`1<TAB>…`) stops here
        ordinal = _ARABIC.match(text)
        arabic = ordinal is not None
    if ordinal is None:
        if "清单" in text or not _BARE_NAME.match(_CONTINUED_WORD.sub("", _BRACKET.split(text)[0]).strip()):
            return None
        read = _name_and_count(text)
        return Heading(read.name, read.declared, tentative=True) if isinstance(read, Heading) else None
    rest = text[ordinal.end():]
    if not _IDEOGRAPH.search(rest) or "清单" in rest or BARE_LIST_TITLE.match(rest):
        return None  # `一、基本履职事项清单`, `一、基本履职事项` are list titles
    read = _name_and_count(rest)
    if arabic and isinstance(read, Heading) and read.declared is None:
        return Doubt("以阿拉伯数字编号又没有注明项数，分不清是类别标题还是序号与事项名称写在同一格的事项",
                     "it is numbered with an Arabic numeral and declares no count: it may be a category heading or "
                     "an item whose 序号 and 事项名称 share one cell", arabic=True)
    if arabic and isinstance(read, Doubt):
        return Doubt(read.why, read.why_en, arabic=True)
    if isinstance(read, Heading) and not one_cell and _LONE_NUMERAL.match(filled[0]):
        # `二<TAB>应急管理`: a numeral alone in the 序号 cell numbers a heading, or an item of a list numbered 一, 二 …
        return Heading(read.name, read.declared, tentative=True)
    return read


def _name_and_count(rest: str) -> Heading | Doubt | None:
    """The name, notes and count after the ordinal (`应急管理（含消防）（1项）`, `党的建设（共2项）工作：`)."""
    rest, declared, continued = _TRAILING_COLON.sub("", rest.strip()), None, False
    inner = _INNER_COUNT.search(rest)
    if inner is not None and inner.start() > 0:
        declared = _count(inner)
        rest = rest[: inner.start()] + rest[inner.end():]
    bare_count = _BARE_DIGIT_COUNT.search(rest) or _BARE_CHINESE_COUNT.search(rest)
    if bare_count is not None and bare_count.start() > 0:
        if declared is not None:
            return Doubt("注明了两个项数", "it declares two counts")
        declared = _count(bare_count)
        rest = rest[: bare_count.start()].rstrip()
    notes: list[str] = []
    while rest.endswith(("）", ")")):
        start = max(rest.rfind("（"), rest.rfind("("))
        note = rest[start:]
        if start <= 0 or len(_BRACKET.findall(note)) != 2:
            return Doubt("括号不成对", "its brackets do not pair up")
        rest = rest[:start].rstrip()
        counted = _PAREN_COUNT.match(note)
        if _CONTINUED_NOTE.match(note):
            continued = True
        elif counted is None:
            notes.insert(0, note)
        elif declared is not None:
            return Doubt("注明了两个项数", "it declares two counts")
        else:
            declared = _count(counted)
    continued_word = _CONTINUED_WORD.search(rest)
    if continued_word and continued_word.start() > 0:
        rest, continued = rest[: continued_word.start()], True
    if _SENTENCE.search(rest):
        return None  # `一、负责禁毒宣传教育，组织禁毒宣传`: a sentence, not a name
    if _BRACKET.search(rest):
        return Doubt("括号不成对，或括注后面还有文字", "its brackets do not pair up, or text follows a bracketed note")
    if any(_NOTE_PUNCT.search(note) for note in notes) or re.search(r"[:：]", rest):
        return Doubt("名称或括注中有标点", "its name or a bracketed note holds punctuation")
    if len(rest) > MAX_NAME:
        return Doubt(f"名称超过 {MAX_NAME} 个字", f"its name is longer than {MAX_NAME} characters")
    if not _IDEOGRAPH.search(rest):
        return None
    return Heading(join_cjk(rest + "".join(notes)), declared, continued=continued)


def outline_heading(text: str) -> Heading:
    """The category a row numbered `N` heads in a list numbered in outline (`1<TAB>党的建设（2项）`, then `1.1`, `1.2`):
    its name and count read as a heading's; a name no heading could have (a sentence) is kept as written."""
    read = _name_and_count(text)
    return read if isinstance(read, Heading) else Heading(join_cjk(collapse_spaces(text)), None)


def marked_as_heading(text: str) -> bool:
    """Whether a line starts with an ordinal as headings and numbered points do (`二、`, `（二）`, `第二类`, `2.`,
    `（2）`) or declares a count (`…（5项）`): such a line starts something of its own, never the wrapped rest of a
    cell, even where it is too long to be read as a heading."""
    text = collapse_spaces(text.replace("\t", " "))
    return _ORDINAL.match(text) is not None or _ARABIC.match(text) is not None or _ANY_COUNT.search(text) is not None


def _count(match: re.Match[str]) -> int:
    digits = match.group("digits") if "digits" in match.groupdict() else None
    return int(digits) if digits else chinese_number(match.group("chinese"))


def says_category(name: str) -> bool:
    """Whether a bare name says it is a category (`共性职责`, `其他事项`, `党建类`), not the end of a title."""
    return _CATEGORY_WORD.search(name) is not None


def wrapped_line_message(text: str, sequence: int, header: str, joined: str, *, bare: bool = True,
                         ) -> tuple[str, str]:
    """The notice for a line read as the wrapped rest of the item above's cell (Chinese, English); `bare`: a short
    name, which could have been a heading, rather than text no heading is written as."""
    shown = joined if len(joined) <= 40 else f"…{joined[-39:]}"
    quoted = text if len(text) <= 30 else f"{text[:29]}…"
    if bare:
        why = "没有编号、项数或“类”“职责”“事项”等字样，其后的序号也没有从 1 重新编起，不像类别标题"
        why_en = ("with no number, count or word such as 类, 职责 or 事项, and the numbering after it does not start "
                  "again at 1: it does not look like a category heading, and")
        then = (f"若它是类别标题，请改写为「二、{quoted}」的形式，"
                "或用 --layout 版式文件的 [categories] heading 写明这种标题")
        then_en = (f"If it is a category heading, write it as 「二、{quoted}」, or describe such headings in a "
                   "--layout profile ([categories] heading)")
    else:
        why, why_en = "没有编号，也不是类别标题的写法", "with no number and not written as a category heading:"
        then, then_en = "若不是，请对照原件改正", "If it is not, correct the document"
    return (
        f"「{quoted}」紧接在序号 {sequence} 的事项之后，{why}，已读作该事项「{header}」的续行：「{shown}」；{then}",
        f"「{quoted}」 follows the item of 序号 {sequence} directly, {why_en} it is read as the rest of that item's "
        f"「{header}」: 「{shown}」. {then_en}",
    )


def category_cell(text: str) -> tuple[str, int | None]:
    """A 事项类别 cell's category and the count it declares, read as a heading is: `一、党的建设（3项）` →
    (党的建设, 3), `党的建设（续）` → (党的建设, None) (the mark says it goes on from the page before); a text no
    heading is made of (`1.党的建设`, a sentence) stays as it is. Cold review 32: `一、党的建设（3项）` and
    `一、党的建设（1项）` in two lists' cells were two categories, their counts never checked."""
    read = read_heading([text]) if text else None
    if not isinstance(read, Heading):
        return text, None
    return read.name, read.declared


def continued_message(line: str, name: str) -> tuple[str, str]:
    """The notice for a heading marked 续 with no category of its name before it in its list (Chinese, English)."""
    text = line.strip().replace("\t", " ")[:40]
    return (
        f"「{text}」标明续接前一页的类别，但本清单前面没有类别「{name}」：读作新类别「{name}」；前一页可能缺失，"
        "请对照原件核对",
        f"「{text}」 says it goes on with a category from a page before, but the list has no category 「{name}」 "
        f"before it: read as a new category 「{name}」. A page may be missing; check against the original",
    )


def outline_plain_message(sequence: int) -> tuple[str, str]:
    """The notice for a row numbered `N` read as an item in a list numbered in outline (Chinese, English)."""
    return (
        f"清单按层级编号（1、1.1……），序号 {sequence} 这一行却没有读作类别标题（其下没有 {sequence}.1 等编号的事项，"
        "或这一行除名称外还写有其他内容）：已读作事项；请对照原件核对编号",
        f"the list is numbered in outline (1, 1.1 …) but the row numbered {sequence} is not read as a category "
        f"heading (no item numbered {sequence}.1 … follows it, or it holds more than a name): it is read as an item; "
        "check the numbering against the original",
    )


def outline_mismatch_message(parent: str, above: str, category: str | None) -> tuple[str, str]:
    """The notice for an item numbered `N.M` under the category row of another number (Chinese, English)."""
    name, name_en = (f"「{category}」", f"「{category}」") if category else ("（无类别）", "(none)")
    return (
        f"序号 {parent}.x 的事项前面没有编号为 {parent} 的类别行（上一个类别行编号为 {above}，类别{name}）："
        "已归入该类别；请对照原件核对编号",
        f"the items numbered {parent}.x have no category row numbered {parent} before them (the category row above is "
        f"numbered {above}, category {name_en}): they are filed under that category; check the numbering against the "
        "original",
    )


def unread_heading_message(line: str, doubt: Doubt, sequence: int, category: str | None) -> str:
    """Why a document whose item follows an unreadable heading is refused, and what to do (`中文 / English`)."""
    text = line.strip().replace("\t", " ")[:40]
    under = f"上一类别「{category}」" if category else "无类别"
    under_en = f"the category before it, 「{category}」," if category else "no category"
    split = "，或把事项的序号与事项名称分成两格" if doubt.arabic else ""
    split_en = ", or put an item's 序号 and 事项名称 in cells of their own" if doubt.arabic else ""
    return (
        f"「{text}」像是类别标题，但无法读出：{doubt.why}。其后的事项（序号 {sequence} 起）会被归入{under}，"
        f"因此不予载入。请改写为「二、类别名称（N项）」的形式{split}，或用 --layout 版式文件的 [categories] heading "
        f"写明这种标题 / 「{text}」 looks like a category heading but cannot be read: {doubt.why_en}. The items after "
        f"it (from 序号 {sequence}) would be filed under {under_en} so the document is refused. Write it as "
        f"「二、name（N项）」{split_en}, or describe such headings in a --layout profile ([categories] heading)"
    )



def subpoints_message(label: str, sequence: str, category: str | None) -> tuple[str, str]:
    """The notice for rows numbered below a duty's (`1.1`, `1.2` under `1`) read as its sub-points (Chinese,
    English); `category`: the heading above that already gives the category ("": a row numbered above the duty's
    does), None: the duty's row holds more than a name."""
    if category == "":
        why, why_en = "上一级编号已给出其类别", "a row numbered above it already gives its category"
    elif category:
        why = f"类别已由上一级标题「{category}」给出"
        why_en = f"the heading 「{category}」 above already gives the category"
    else:
        why, why_en = "这一行除名称外还写有其他内容", "that row holds more than a name"
    return (
        f"序号 {sequence} 这一行下有编号为 {label} 等的行；{why}，因此序号 {sequence} 读作一项事项，"
        "其下各行读作它的分项，以所印编号写入该事项的说明（dct:description），不作为单独的事项；请对照原件核对",
        f"the row numbered {sequence} has rows numbered {label} … below it; {why_en}, so the row numbered "
        f"{sequence} is read as one duty and the rows below it as its sub-points, kept with their printed numbers "
        "in its description (dct:description), not as duties of their own; check against the original",
    )
