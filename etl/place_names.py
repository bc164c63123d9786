"""Whether two places a document writes (its title's, a list title's) name the same township.

A document titled 「北京市平谷区峪口镇履行职责事项清单」 heads its lists
「峪口镇基本履职事项清单」; sample 002 is titled 呼伦贝尔市扎兰屯市卧牛河镇 and heads its
lists 呼伦贝尔扎兰屯市卧牛河镇. Both name one township, and the notice that said they
differ (`title-mismatch`, cold review 21, P1) sent a person to check what needed no check.

A place is read as its divisions, each ending in the word of its level (省, 市, 区 …), and
its township last. Two places agree when their townships are written alike and the
divisions one names above it, without their level words (呼伦贝尔 for 呼伦贝尔市), end
those the other names. Only another place is a mismatch: 西塘镇 or 大峪口镇 under a title
naming 峪口镇, 顺义区峪口镇 under one naming 平谷区峪口镇.
"""

from __future__ import annotations

import re

# A division above a township, up to the word of its level (longer words first: 自治区 before 区), which no other
# level word follows: the 州 of 贵州省, 播州区, 杭州市 is part of a name (cold review 32: 贵州省遵义市播州区枫香镇 was
# read as the township 区枫香镇, and 枫香镇's lists told they named another place).
_LEVELS = "特别行政区|自治区|自治州|自治县|自治旗|地区|省|市|盟|州|县|区|旗"
_DIVISION = re.compile(rf".+?(?:{_LEVELS})(?!省|市|区|县|盟|旗|州)")
_LEVEL_WORD = re.compile(rf"(?:{_LEVELS})$")


def _divisions(place: str) -> tuple[str, str]:
    """`北京市平谷区峪口镇` → (`北京平谷`, `峪口镇`): the divisions above the township without their level words,
    and the township."""
    upper, rest = [], place
    while (match := _DIVISION.match(rest)) is not None and match.end() < len(rest):
        upper.append(_LEVEL_WORD.sub("", match.group()))
        rest = rest[match.end():]
    return "".join(upper), rest


def same_place(first: str, second: str) -> bool:
    """Whether two places name the same township: the same township, and the divisions above it of the one
    naming fewer ending those of the other (a short name, a full one, any tail of the division chain)."""
    if first == second:
        return True
    (upper_a, township_a), (upper_b, township_b) = _divisions(first), _divisions(second)
    return township_a == township_b and (upper_a.endswith(upper_b) or upper_b.endswith(upper_a))
