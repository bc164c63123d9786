"""A table row's 序号 cell → its number: the forms documents write it in, and outline numbers (`1.2`).

Read after NFKC, so full-width digits, brackets and stops fold to ASCII (`１２）` is `12)`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from luzhi.etl.headings import chinese_number

# A 序号 as documents write it, read after NFKC (full-width digits, brackets and stops fold): `1`, `1.`, `1、`, `12)`,
# `12）`, `(2)`, `（2）`, `第3项`, `第3条` (cold review 21: those after `1、` were dropped as "not a number").
_SEQUENCE = re.compile(r"^(?:(\d{1,5})\s*[.、)]?|\(\s*(\d{1,5})\s*\)|第\s*(\d{1,5})\s*[项条])$")
# An outline number, `1.2`: item 2 of the row numbered 1 (cold review 21, P0: such items were dropped and their
# categories' rows, `1<TAB>党的建设`, loaded as duties); also three levels (`1.2.3`) and the dash form (`1-2`, `1-2-3`),
# one separator throughout (`1.2-3` is no number). A row `1.2.3` read as "not a number" dropped a duty with a notice.
_OUTLINE = re.compile(r"^(\d{1,3})\s*([.-])\s*(\d{1,4})(?:\s*\2\s*(\d{1,4}))?\s*[.、)]?$")
# A number written as a decimal, `1.0`, `12.00` (a spreadsheet's float, or a document copying one; cold review 21, P0:
# `1.0`, `2.0` … were read as outline numbers N.0, each of its category's item 0, all duplicates): the number N.
_DECIMAL = re.compile(r"^(\d{1,5})\.0+$")
# A 序号 in Chinese numerals, `五`, `五、`, `（五）` (`(五)` after NFKC): a category's ordinal as often as an item's.
_NUMERALS = "[一二三四五六七八九十百零〇两]{1,6}"
_IN_WORDS = re.compile(rf"^(?:\(\s*({_NUMERALS})\s*\)|({_NUMERALS}))\s*[、.,]?$")


# A 序号 typed with a letter for a digit, then the row's text (`1O、加强…`, `l2 落实…`: O for 0, l or I for 1), read
# after NFKC: a row numbered as duties are whose number cannot be read, so a duty the list may be short of.
_MISTYPED = re.compile(r"^(?=[OoIl\d]*\d)(?=[\d]*[OoIl])([\dOoIl]{2,5})(?:\s*[、.)]\s*|\s+)(?=\S)")


@dataclass(frozen=True)
class Number:
    """A 序号 as read: `sequence`, and for an outline number (`1.2`, `1.2.3`) the numbers of the rows above it,
    `parents` (`(1,)`, `(1, 2)`)."""

    sequence: int
    parents: tuple[int, ...] = ()

    @property
    def path(self) -> tuple[int, ...]:
        """The whole number, each level's part: `1.2` → (1, 2); a plain `3` → (3,)."""
        return (*self.parents, self.sequence)


def parse_number(cell: str) -> Number | None:
    """A 序号 cell: a plain number in any of the forms `parse_sequence` reads, `1.0`, or an outline number `1.2`,
    `1.2.3`, `1-2`."""
    text = unicodedata.normalize("NFKC", cell).strip()
    decimal = _DECIMAL.match(text)
    if decimal is not None:
        return Number(int(decimal.group(1)))
    outline = _OUTLINE.match(text)
    if outline is not None:
        parts = [int(part) for part in outline.group(1, 3, 4) if part is not None]
        return Number(parts[-1], tuple(parts[:-1]))
    sequence = parse_sequence(text)
    return Number(sequence) if sequence is not None else None


def parse_sequence(cell: str) -> int | None:
    """`1`, `1.`, `1、`, `1）`, `(1)`, `（1）`, `第1项`, full-width `１２` → int; anything else (`1.2` too) → None."""
    match = _SEQUENCE.match(unicodedata.normalize("NFKC", cell).strip())
    return int(next(group for group in match.groups() if group)) if match else None


def number_in_words(cell: str) -> int | None:
    """`五`, `五、`, `（五）`, `十二.` → 5, 5, 5, 12: a 序号 cell in Chinese numerals; anything else → None. Whether it
    numbers a duty or a category, only the numbers around it tell (etl/items.py)."""
    match = _IN_WORDS.match(unicodedata.normalize("NFKC", cell).strip())
    return chinese_number(match.group(1) or match.group(2)) if match else None


def mistyped_number(text: str) -> str | None:
    """The number part of a line or cell that starts as a numbered row does but with a letter among its digits (`1O、
    加强…` → `1O`), else None: such a row is no item, and the duty it holds is not read."""
    match = _MISTYPED.match(unicodedata.normalize("NFKC", text).strip())
    return match.group(1) if match else None


def oversized_sequence(cell: str) -> str | None:
    """The digits of a 序号 too long to be an item's (`999999999`: `_SEQUENCE` takes five at most), else None."""
    match = re.fullmatch(r"(?:\(\s*|第\s*)?(\d{6,})\s*[.、)项条]?", unicodedata.normalize("NFKC", cell).strip())
    return match.group(1) if match else None
