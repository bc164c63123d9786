"""Word's automatic numbering → the number Word shows before each paragraph.

A 序号 cell numbered by Word (a paragraph's `w:numPr`, or its style's, as the built-in "List Number" style
has) holds no text: python-docx reads it empty, and the rows read as page-break continuations merged separate
duties into one (cold review 18). The number is Word's to compute, from `word/numbering.xml`:

- a paragraph's list is `numId` + level `ilvl`, from its own `w:numPr`, else from its style or the styles that
  style is based on (`numId` 0 takes numbering away); a level left out by a style is the level naming that
  style (`w:lvl/w:pStyle`), else 0;
- `numId` → `w:num` → `w:abstractNum` (through `w:numStyleLink` to a numbering style's list, as Word does); a
  `w:num`'s `w:lvlOverride` replaces a level, and its `w:startOverride` restarts the count the first time a
  paragraph of that `w:num` reaches that level;
- paragraphs are counted in document order, body and tables alike, **per abstract list**: two `w:num`s of one
  `w:abstractNum` continue each other (LibreOffice renders them so, as Word does: the reviewer's document,
  all "List Number", shows its cooperative items as 5 and 6 after four basic ones); a level restarts after a
  higher level is used (`w:lvlRestart` says after which, 0 never); a level shown (`%1` in `%1.%2`) but not yet
  used counts from its start, as LibreOffice does;
- the level's `w:lvlText` is filled with each level's count in that level's `w:numFmt` (all decimal under
  `w:isLgl`), followed by its `w:suff` (a tab, as a space here; a space; nothing).

Formats: the decimal ones (1, 01, １, ①, ⒈, ⑴, - 1 -), letters and Roman numerals, Chinese counting (一、
十一、一百零一), its legal form (壹拾壹), digit by digit (一〇), 甲乙丙 and 子丑寅 as far as they go, and a
custom `001, 002, …` (zero-padded); a bullet or `none` shows no number (a bullet is no number) and adds nothing.
Any other format (Hebrew, Thai, ordinal words …) is `UnknownFormat`, which the reader refuses naming the place:
guessing a number there would be loading a guess. A hidden number (`w:vanish` on the level) is counted but
not shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_LEVELS = 9
# Paragraphs Word does not count in the body's lists: a drawing's alternative content repeats its text box.
_NOT_COUNTED = frozenset({f"{MC}Fallback", f"{W}txbxContent"})


@dataclass(frozen=True)
class Label:
    """The number Word shows before a paragraph, and what separates it from the paragraph's text."""

    text: str
    separator: str


@dataclass(frozen=True)
class UnknownFormat:
    """A numbered paragraph whose number format this reader cannot write (`w:numFmt`)."""

    format: str


@dataclass(frozen=True)
class _Level:
    key: str  # the abstract list whose counts this level shares
    start: int
    format: str
    text: str | None  # w:lvlText; None: no number shown
    restart: int | None  # w:lvlRestart
    legal: bool  # w:isLgl: every level's count in decimal
    separator: str
    hidden: bool
    start_override: int | None


def paragraph_numbers(body: etree._Element, numbering: etree._Element | None,
                      styles: etree._Element | None) -> dict[etree._Element, Label | UnknownFormat]:
    """Each numbered paragraph of `body` (a `w:body`) → the number Word shows before it."""
    if numbering is None:
        return {}
    lists = _Lists(numbering, styles)
    counts: dict[str, list[int | None]] = {}
    overridden: set[tuple[str, int]] = set()
    numbers: dict[etree._Element, Label | UnknownFormat] = {}
    for paragraph in body.iter(f"{W}p"):
        found = lists.numbering_of(paragraph)
        if found is None or any(ancestor.tag in _NOT_COUNTED for ancestor in paragraph.iterancestors()):
            continue
        num_id, ilvl = found
        level = lists.level(num_id, ilvl)
        if level is None:
            continue
        count = counts.setdefault(level.key, [None] * _LEVELS)
        if level.start_override is not None and (num_id, ilvl) not in overridden:
            overridden.add((num_id, ilvl))
            count[ilvl] = level.start_override
        else:
            count[ilvl] = level.start if count[ilvl] is None else count[ilvl] + 1
        for higher in range(ilvl):
            if count[higher] is None:
                above = lists.level(num_id, higher)
                count[higher] = above.start if above is not None else 1
        for deeper in range(ilvl + 1, _LEVELS):
            below = lists.level(num_id, deeper)
            after = below.restart if below is not None and below.restart is not None else deeper
            if ilvl < after:
                count[deeper] = None
        numbers[paragraph] = _label(lists, num_id, level, count)
    return {paragraph: label for paragraph, label in numbers.items() if isinstance(label, UnknownFormat) or label.text}


def _label(lists: _Lists, num_id: str, level: _Level, count: list[int | None]) -> Label | UnknownFormat:
    if level.text is None or level.hidden or level.format in ("bullet", "none"):
        return Label("", "")
    unknown: list[str] = []

    def number(match: re.Match[str]) -> str:
        index = int(match.group(1)) - 1
        shown = lists.level(num_id, index)
        value = count[index] if count[index] is not None else (shown.start if shown is not None else 1)
        name = "decimal" if level.legal or shown is None else shown.format
        written = format_number(value or 0, name)
        if written is None:
            unknown.append(name)
            return ""
        return written

    text = re.sub(r"%([1-9])", number, level.text)
    return UnknownFormat(unknown[0]) if unknown else Label(text, level.separator)


class _Lists:
    """numbering.xml and styles.xml, looked up by id."""

    def __init__(self, numbering: etree._Element, styles: etree._Element | None) -> None:
        self.nums = {n.get(f"{W}numId"): n for n in numbering.iterchildren(f"{W}num")}
        self.abstracts = {a.get(f"{W}abstractNumId"): a for a in numbering.iterchildren(f"{W}abstractNum")}
        self.styles: dict[str | None, etree._Element] = {}
        self.default_style: str | None = None
        for style in styles.iterchildren(f"{W}style") if styles is not None else ():
            self.styles[style.get(f"{W}styleId")] = style
            if style.get(f"{W}type") == "paragraph" and style.get(f"{W}default") in ("1", "true", "on"):
                self.default_style = style.get(f"{W}styleId")
        self._levels: dict[tuple[str, int], _Level | None] = {}
        self._by_style: dict[str | None, tuple[str | None, str | None]] = {}

    def numbering_of(self, paragraph: etree._Element) -> tuple[str, int] | None:
        """(numId, ilvl) of a paragraph, or None when it is not numbered."""
        properties = paragraph.find(f"{W}pPr")
        direct = properties.find(f"{W}numPr") if properties is not None else None
        num_id, ilvl = _val(direct, "numId"), _val(direct, "ilvl")
        if num_id is None:  # the style's list; its level the paragraph's own, else the style's
            style_id = _val(properties, "pStyle") or self.default_style
            num_id, inherited = self._style_numbering(style_id)
            if ilvl is None and num_id is not None:
                ilvl = inherited if inherited is not None else self._level_of_style(num_id, style_id)
        if num_id is None or num_id == "0" or num_id not in self.nums:
            return None
        try:
            level = int(ilvl or 0)
        except ValueError:
            return None
        return (num_id, level) if 0 <= level < _LEVELS else None

    def _style_numbering(self, style_id: str | None) -> tuple[str | None, str | None]:
        """(numId, ilvl) a paragraph style gives, each from the nearest style of its `basedOn` chain that sets it."""
        if style_id not in self._by_style:
            num_id = ilvl = None
            seen: set[str | None] = set()
            current = style_id
            while current in self.styles and current not in seen and (num_id is None or ilvl is None):
                seen.add(current)
                inherited = self.styles[current].find(f"{W}pPr/{W}numPr")
                num_id = num_id if num_id is not None else _val(inherited, "numId")
                ilvl = ilvl if ilvl is not None else _val(inherited, "ilvl")
                current = _val(self.styles[current], "basedOn")
            self._by_style[style_id] = (num_id, ilvl)
        return self._by_style[style_id]

    def _abstract(self, num_id: str) -> etree._Element | None:
        """The abstract list of a `w:num`, following `w:numStyleLink` to the numbering style's own list."""
        for _ in range(5):  # a link names a style that names a list: a loop is a broken file, not a list
            num = self.nums.get(num_id)
            abstract = self.abstracts.get(_val(num, "abstractNumId")) if num is not None else None
            link = _val(abstract, "numStyleLink") if abstract is not None else None
            if link is None:
                return abstract
            style = self.styles.get(link)
            num_id = _val(style.find(f"{W}pPr/{W}numPr"), "numId") if style is not None else None
            if num_id is None:
                return None
        return None

    def _level_of_style(self, num_id: str, style_id: str | None) -> str | None:
        abstract = self._abstract(num_id)
        for lvl in abstract.iterchildren(f"{W}lvl") if abstract is not None else ():
            if style_id is not None and _val(lvl, "pStyle") == style_id:
                return lvl.get(f"{W}ilvl")
        return None

    def level(self, num_id: str, ilvl: int) -> _Level | None:
        if (num_id, ilvl) not in self._levels:
            self._levels[num_id, ilvl] = self._read_level(num_id, ilvl)
        return self._levels[num_id, ilvl]

    def _read_level(self, num_id: str, ilvl: int) -> _Level | None:
        abstract = self._abstract(num_id)
        if abstract is None:
            return None
        override = next((o for o in self.nums[num_id].iterchildren(f"{W}lvlOverride")
                         if o.get(f"{W}ilvl") == str(ilvl)), None)
        lvl = override.find(f"{W}lvl") if override is not None else None
        if lvl is None:
            lvl = next((x for x in abstract.iterchildren(f"{W}lvl") if x.get(f"{W}ilvl") == str(ilvl)), None)
        if lvl is None:
            return None
        text = lvl.find(f"{W}lvlText")
        separator = {"space": " ", "nothing": ""}.get(_val(lvl, "suff") or "tab", " ")
        hidden = lvl.find(f"{W}rPr/{W}vanish")
        return _Level(
            key=abstract.get(f"{W}abstractNumId") or "",
            start=_int(_val(lvl, "start"), 0),
            format=_format(lvl),
            text=None if text is None or text.get(f"{W}null") in ("1", "true") else text.get(f"{W}val", ""),
            restart=_int(_val(lvl, "lvlRestart"), None),
            legal=lvl.find(f"{W}isLgl") is not None and _val(lvl, "isLgl") not in ("0", "false", "off"),
            separator=separator,
            hidden=hidden is not None and hidden.get(f"{W}val") not in ("0", "false", "off"),
            start_override=_int(_val(override, "startOverride"), None) if override is not None else None,
        )


def _val(element: etree._Element | None, child: str) -> str | None:
    if element is None:
        return None
    found = element.find(f"{W}{child}")
    return None if found is None else found.get(f"{W}val")


def _int(text: str | None, default: int | None) -> int | None:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _format(lvl: etree._Element) -> str:
    """`w:numFmt`, or Word 2010's `mc:AlternateContent` around it: a custom `001, 002, 003, …` (zero-padded to
    its width), else the fallback format Word wrote for older readers."""
    direct = lvl.find(f"{W}numFmt")
    choices = [direct] if direct is not None else list(lvl.iterfind(f"{MC}AlternateContent/*/{W}numFmt"))
    for choice in choices:
        name = choice.get(f"{W}val") or "decimal"
        if name != "custom":
            return name
        padded = re.match(r"^(0*)1\s*,", choice.get(f"{W}format") or "")
        if padded:
            return f"zero-padded-{len(padded.group(1)) + 1}"
    return "decimal"


# -- number formats ------------------------------------------------------------------------------------------

_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_CHINESE = "零一二三四五六七八九"
_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_IDEOGRAPH_DIGITS = "〇一二三四五六七八九"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def _enclosed(ranges: tuple[tuple[int, int, int], ...]) -> Callable[[int], str]:
    """Numbers first..last written as one character from `code` on; beyond them, plain decimal (as Word)."""
    def write(n: int) -> str:
        for first, last, code in ranges:
            if first <= n <= last:
                return chr(code + n - first)
        return str(n)
    return write


def _letters(n: int, upper: bool) -> str | None:
    if n < 1:
        return None
    letter = chr(ord("A" if upper else "a") + (n - 1) % 26)
    return letter * ((n - 1) // 26 + 1)  # Word: … z, aa, bb …


def _roman(n: int, upper: bool) -> str | None:
    if not 1 <= n <= 3999:
        return None
    written = ""
    for value, symbol in _ROMAN:
        while n >= value:
            written, n = written + symbol, n - value
    return written if upper else written.lower()


def _counting(n: int, digits: str, units: str, short_ten: bool) -> str | None:
    """Chinese counting below 10⁸: 十一, 一百零一, 一千零一十 (digits 零一…九, units 十百千)."""
    if not 0 <= n < 10**8:
        return None
    if n < 10:
        return digits[n]
    if n >= 10_000:
        high, low = divmod(n, 10_000)
        rest = "" if low == 0 else (digits[0] if low < 1000 else "") + (_counting(low, digits, units, False) or "")
        return (_counting(high, digits, units, short_ten) or "") + "万" + rest
    written, zero = "", False
    for power in (3, 2, 1, 0):
        digit = n // 10**power % 10
        if digit == 0:
            zero = bool(written)
            continue
        if zero:
            written += digits[0]
            zero = False
        written += digits[digit] + ("" if power == 0 else units[power - 1])
    if short_ten and 10 <= n < 20:
        written = written[1:]  # 十一, not 一十一
    return written


_FORMATS: dict[str, Callable[[int], str | None]] = {
    "decimal": str,
    "decimalHalfWidth": str,
    "decimalZero": lambda n: f"{n:02d}",
    "decimalFullWidth": lambda n: str(n).translate(_FULL_WIDTH),
    "decimalFullWidth2": lambda n: str(n).translate(_FULL_WIDTH),
    "decimalEnclosedCircle": _enclosed(((1, 20, 0x2460), (21, 35, 0x3251), (36, 50, 0x32B1))),
    "decimalEnclosedCircleChinese": _enclosed(((1, 20, 0x2460), (21, 35, 0x3251), (36, 50, 0x32B1))),
    "decimalEnclosedFullstop": _enclosed(((1, 20, 0x2488),)),
    "decimalEnclosedParen": _enclosed(((1, 20, 0x2474),)),
    "numberInDash": lambda n: f"- {n} -",
    "upperLetter": lambda n: _letters(n, True),
    "lowerLetter": lambda n: _letters(n, False),
    "upperRoman": lambda n: _roman(n, True),
    "lowerRoman": lambda n: _roman(n, False),
    "chineseCounting": lambda n: _counting(n, _CHINESE, "十百千", True),
    "chineseCountingThousand": lambda n: _counting(n, _CHINESE, "十百千", True),
    "japaneseCounting": lambda n: _counting(n, _CHINESE, "十百千", True),
    "taiwaneseCounting": lambda n: _counting(n, _CHINESE, "十百千", True),
    "taiwaneseCountingThousand": lambda n: _counting(n, _CHINESE, "十百千", True),
    "chineseLegalSimplified": lambda n: _counting(n, _LEGAL, "拾佰仟", False),
    "ideographDigital": lambda n: "".join(_IDEOGRAPH_DIGITS[int(d)] for d in str(n)),
    "taiwaneseDigital": lambda n: "".join(_IDEOGRAPH_DIGITS[int(d)] for d in str(n)),
    "ideographTraditional": lambda n: _HEAVENLY_STEMS[n - 1] if 1 <= n <= 10 else None,
    "ideographZodiac": lambda n: _EARTHLY_BRANCHES[n - 1] if 1 <= n <= 12 else None,
}


def format_number(n: int, name: str) -> str | None:
    """`n` written in Word's number format `name`, or None when this reader cannot write it."""
    if name.startswith("zero-padded-"):
        return str(n).zfill(int(name.removeprefix("zero-padded-")))
    write = _FORMATS.get(name)
    return write(n) if write is not None and n >= 0 else None
