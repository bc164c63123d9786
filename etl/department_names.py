"""Department names: clean, normalise to a canonical key, and type them.

Hand-written cells spell one department several ways (市卫健委 / 市卫健局 / 市卫生健康局) and prefix it
with its level or division (市, 县, 鸡冠, 鞍山市 …). `normalise_department` turns every spelling into a
key so that spellings of one department in one county merge, and `department_type` maps it to a
concept of ontology/department-types.ttl. The rules are deterministic and conservative: only the
alias table and the mechanical clean-ups below merge spellings; see docs/departments.md.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from rdflib import Graph
from rdflib.namespace import SKOS

from luzhi.etl.divisions import name_forms, place_names

# --- cleaning -----------------------------------------------------------------------------------

_BLOCK_TAG = re.compile(r"<\s*/?\s*(?:p|br|li|ol|ul|div|tr|td|th|table)\b[^>]*>", re.I)
# A tag is `<` or `</` then a letter: `<[^>]*>` also took "占地面积<5亩且建筑>200平方米" for one and
# deleted the text between (cold review), as etl/rows.py's _HTML_TAG already knew.
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?\s*>")
_HSPACE = re.compile(r"[ \t\u3000\xa0]+")
EDGE = " \t\n\u3000\xa0：:，,。.;；、-—_=*·"  # stripped from both ends of a name


def plain_text(text: str) -> str:
    """Cell text without HTML: block tags become line breaks, entities are decoded, lines trimmed."""
    text = _TAG.sub("", _BLOCK_TAG.sub("\n", text))
    lines = (_HSPACE.sub(" ", line).strip() for line in html.unescape(text).splitlines())
    return "\n".join(line for line in lines if line)


def spelling(name: str) -> str:
    """A name as written, minus HTML and whitespace: the form kept as prefLabel/altLabel."""
    return re.sub(r"\s+", "", plain_text(name)).strip(EDGE)


PAREN = re.compile(r"[（(][^（）()]*[）)]")

# --- recognising a name by its structure -----------------------------------------------------------

# A department name ends like this (after any parenthetical): 局, 委员会, 大队, 中心, 公司, 园区 …; 人大, 政协
# and 党校 are bodies by name (县人大, 县政协, 县委党校: typed people-congress, political-consultative, party-school).
ORG_END = re.compile(
    r"(?:局|委|委员会|部|办|办公室|中心|会|联|队|院|所|站|馆|公司|室|处|厅|团|机关|组|社|署|台|政府|园区|开发区"
    r"|人大|政协|党校)$"
)
# The words of the part a department plays (etl/department_phrases.py gives each its role): after a name
# (区住建局牵头, 区城管局配合) or between two (区住建局配合区城管局, 区民政局会同区财政局). No place's name holds one
# (the table's only one is 会同县, read as the place, `_word_outside_places`).
LEAD_WORDS = ("牵头负责", "牵头", "主责", "主办", "负责")
SUPPORT_WORDS = ("配合", "协助", "协办", "参与", "协同")
ROLE_VERBS = (*LEAD_WORDS, *SUPPORT_WORDS, "会同")
# The verbs a reclaimed duty is handed on with (移交区城管委, 上收至县自然资源局): one list for every pattern that
# reads them (etl/reclaimed_cells.py), and none of them is ever inside a department's name.
HAND_OVER_VERBS = ("移交", "移送", "转交", "划转", "划归", "收回", "收归", "上收", "交由")
# Never inside a department name: sentence punctuation, quotes, the verbs and prepositions of a sentence about
# one (上报县民政局, 由县人社局开展, 移交区城管委, 转交城管委 …: cold review 21 loaded 移交区城市管理委员会, and
# 转交城管委负责 an organisation 转交城管委) and the role verbs no name holds (区住建局配合区城管局 is two
# departments; 协同, 参与 … may be a body's: 协同发展办公室).
_NOT_IN_NAME = re.compile(r"[，。；：,;:！？“”\"《》\s]|负责|开展|进行|对|将|向|由|报|的|在|按|做好"
                          r"|配合|协助|会同|牵头|" + "|".join(HAND_OVER_VERBS))
# Whose department it is, written first: a level (县, 市 …) or a division name (塔城地区, 额敏县 …). A division
# name holds no role verb: `配合区城管局`, glued after 区住建局, was 区城管局 of a place 配合区 (cold review 19b).
_OWNER_PREFIX = re.compile(r"^(?:县|市|区|旗|州|盟|省|自治区|地区|[\u4e00-\u9fff]{2,8}?(?:省|市|州|盟|地区|县|区|旗))")
_ROLE_VERB = re.compile("|".join(ROLE_VERBS))


def is_generic(phrase: str) -> bool:
    """A phrase naming a class of departments, not one department: 各行业主管部门, 区直政法各单位 …

    Real departments end in 部/局/委/办 …, never in 部门 or 单位; and 各/其他/相关/有关 at the start
    mean "whichever departments apply" (seen in every sample document).
    """
    return phrase.endswith(("部门", "单位", "部门等", "单位等")) or phrase.startswith(
        ("各", "其他", "其它", "相关", "有关")
    )


def looks_like_department(name: str, *, owner_required: bool = False) -> bool:
    """Whether a name is a department by its structure, known or not (issue 12).

    A department cell lists names like 县教育和科学技术局, 县残疾人联合会, 工业园区, 商工信局; no lexicon
    can hold every county's bureaus, so a name is recognised by its shape: an organisational ending
    (or a short form of the alias table), no sentence punctuation or verbs, not a generic phrase. In
    running text (`owner_required`) it must also start with its owner (县, 市, 塔城地区 …), so that
    `二、县公安局` is a department and `二、救灾捐赠款物的组织代收` is not.
    """
    core = PAREN.sub("", name.strip())
    if not 2 <= len(core) <= 30 or is_generic(core):
        return False
    if _word_outside_places(core):
        return False
    if owner_required and not begins_with_owner(core):
        return False
    return bool(ORG_END.search(core)) or _squash(core) in _ALIAS


def begins_with_owner(name: str) -> bool:
    """Whether a name begins with its owner (`_OWNER_PREFIX`); one holding a role verb must be a place of the table
    (会同县民政局), not any words before a level (配合区城管局, 会同市城管局)."""
    owner = _OWNER_PREFIX.match(name)
    return owner is not None and (not _ROLE_VERB.search(owner.group()) or owner.group() in place_names())


def _word_outside_places(name: str) -> bool:
    """Whether a word no name holds (`_NOT_IN_NAME`) is in `name` other than wholly inside a division name: 佳木斯市
    生态环境局向阳分局's 向 is 向阳区's, not the 向 of 向县民政局报告 (a 10,000-township synthetic build quarantined
    向阳区's and 将乐县's lists); but 移交城管委's 移交 only overlaps 交城 (交城县), and is the verb (polish 22: an
    organisation 移交城管委 was loaded)."""
    words = list(_NOT_IN_NAME.finditer(name))
    if not words:
        return False  # most names: the places are looked for only when a word needs them (a name is tried often)
    spans = _place_spans(name)
    return any(not any(start <= word.start() and word.end() <= end for start, end in spans) for word in words)


def _place_spans(text: str) -> list[tuple[int, int]]:
    """Where division names are in `text`, longest first from left to right, not overlapping."""
    places = place_names()
    spans, at = [], 0
    while at < len(text):
        length = next((n for n in range(min(8, len(text) - at), 1, -1) if text[at:at + n] in places), 0)
        if length:
            spans.append((at, at + length))
        at += length or 1
    return spans


# --- normalising a name --------------------------------------------------------------------------

# Common short forms → canonical key (both written without 和/与, see _squash). Only spellings that
# certainly name the same department are listed; e.g. 农业农村局 and 农业农村和水务局 stay apart.
_ALIASES: dict[str, tuple[str, ...]] = {
    "卫生健康局": ("卫健委", "卫健局", "卫生健康委", "卫生健康委员会"),
    "市场监督管理局": ("市场局", "市场监管局", "市监局", "市场监督局"),
    "人力资源社会保障局": ("人社局", "人力社保局"),
    "住房城乡建设局": ("住建局", "住建委", "住房城乡建设管理局", "住房城乡建设委员会"),
    "发展改革局": ("发改局", "发改委", "发展改革委", "发展改革委员会"),
    "工业信息化局": ("工信局",),
    "商务工业信息化局": ("商工信局",),  # 额敏县 (004 reclaimed 30) for 县商务和工业信息化局 (004 cooperative 70)
    "文化旅游局": ("文旅局",),
    "文化广电旅游局": ("文广旅局", "文化广电体育旅游局"),
    "教育体育局": ("教体局",),
    "科学技术局": ("科技局",),
    "自然资源规划局": ("自规局",),
    "应急管理局": ("应急局",),
    "医疗保障局": ("医保局",),
    "退役军人事务局": ("退役军人局",),
    "林业草原局": ("林草局",),
    "交通运输局": ("交通局",),
    "城市管理局": ("城管局",),
    "生态环境局": ("环保局", "环境保护局"),
    "民族宗教事务局": ("民宗局",),
    "投资促进局": ("投促局",),
    "行政审批服务管理局": ("审批局", "行政审批局", "行政审批服务局"),
    "机关事务管理局": ("机关事务局",),
    "不动产登记中心": ("不动产中心",),
    "残疾人联合会": ("残联",),
    "妇女联合会": ("妇联",),
    "科学技术协会": ("科协",),
    "总工会": ("工会",),
    "纪委监委": ("纪委", "监委", "纪检委", "纪律检查委员会", "纪委监察委", "纪律检查委员会监察委员会"),
    "政府办公室": ("政府办", "人民政府办公室", "人民政府办"),
    "人民法院": ("法院",),
    "人民检察院": ("检察院",),
    "消防救援大队": ("消防大队",),
    "交通警察大队": ("交警大队",),
    # Party organs, after 县委/市委/区委 has become 党委 (see _canonical_body).
    "党委政法委员会": ("党委政法委",),
    "党委办公室": ("党委办",),
    "党委巡察办公室": ("党委巡察办", "党委巡察工作办公室"),
    "党委保密机要局": ("党委保密局", "党委机要局"),
    "党委机构编制委员会办公室": ("党委编办",),
    "党委网络安全信息化委员会办公室": ("党委网信办",),
    "党委统一战线工作部": ("党委统战部",),
}
_ALIAS = {variant: key for key, variants in _ALIASES.items() for variant in (key, *variants)}
ALIAS_VARIANTS_LAST = frozenset(variant[-1] for variant in _ALIAS)  # etl/responsibilities.py's quick refusal
_LEAGUE = re.compile(r"^(?:共青团|团)(.{0,8}?)(?:委员会|委)$")
_BRANCH = re.compile(r"^(?P<dept>[^分]{2,14}?局)(?P<place>[^局]{2,8}?)分局$")
_LEVEL_CHARS = "县区旗"
_CITY_PREFIX = re.compile(r"^[^局]{1,8}?(?:市|州|盟|地区)(?=[^局]{2,}局$)")


def _squash(text: str) -> str:
    """Drop 和/与 inside a name: 住房和城乡建设局 = 住房城乡建设局, 人力资源和社会保障局 = 人力资源社会保障局."""
    return text[:1] + re.sub(r"[和与]", "", text[1:])


@dataclass(frozen=True)
class NameContext:
    """The divisions a department name may start with, and which of them is home (county usually)."""

    names: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (level, full name, forms)
    home: str = ""  # level of the home division, '' without context

    def name_of(self, level: str) -> str:
        return next((full for lvl, full, _ in self.names if lvl == level), "")


@cache
def name_context(county_name: str, prefecture_name: str, province_name: str = "") -> NameContext:
    names = tuple(
        (level, full, name_forms(full))
        for level, full in (("province", province_name), ("prefecture", prefecture_name), ("county", county_name))
        if full
    )
    home = "county" if county_name else "prefecture" if prefecture_name else "province" if province_name else ""
    return NameContext(names, home)


def _owner_of_city(ctx: NameContext) -> str:
    """Which division `市` means: the county when it is a 县级市 (海城市), else the prefecture (鸡西市 for
    鸡冠区), else a municipality's province (北京市 for 东城区)."""
    county, prefecture, province = ctx.name_of("county"), ctx.name_of("prefecture"), ctx.name_of("province")
    if county.endswith("市") or (not county and prefecture):
        return "county" if county else "prefecture"
    if prefecture:
        return "prefecture"
    return "province" if province.endswith("市") else "county"


def _strip_owner(name: str, ctx: NameContext) -> tuple[str, str]:
    """(owner, rest): who a name belongs to by its prefix. Without context the owner is the level
    character as written (市/县/区/旗) or '' — enough to tell 市交通局 from 区交通运输局."""
    forms = sorted(((f, lvl, f == full) for lvl, full, fs in ctx.names for f in fs), key=lambda p: -len(p[0]))
    for form, level, is_full in forms:
        # A short form needs more left over: in 公安县, 公安分局 is not 公安 + 分局.
        if name.startswith(form) and len(name) - len(form) >= (2 if is_full else 3):
            return level, name[len(form) :]
    first = name[:1]
    if first in _LEVEL_CHARS and len(name) > 2:
        return ("county" if ctx.home else first), name[1:]
    if first in "州盟" and len(name) > 2 and ctx.name_of("prefecture").endswith(first):
        return "prefecture", name[1:]
    # 市市场局 is 市 + 市场局, but 市场监督管理局 alone has no level prefix.
    if first == "市" and len(name) > 2 and not (name.startswith("市场") and _squash(name) in _ALIAS):
        return (_owner_of_city(ctx) if ctx.home else first), name[1:]
    return (ctx.home or ""), name


def _canonical_body(body: str) -> str:
    if body.startswith("委") and len(body) > 2:  # 县委组织部 → 党委组织部 (the 县 already stripped)
        body = "党委" + body[1:]
    body = _squash(body)
    return _ALIAS.get(body, body)


# Bounded (a national build sees millions of strings), and per process: the same few hundred names
# recur in every document of a county and in every county (24,231 calls for 24 synthetic townships,
# 6.5 % of pass 1's profile; bench/results/pass1.md). The result is two strings, so sharing it is safe.
@lru_cache(maxsize=1 << 16)
def analyse_name(name: str, ctx: NameContext) -> tuple[str, str]:
    """(owner, canonical body) of one department name."""
    text = spelling(name)
    text = PAREN.sub("", text) or text  # 县公安局（县交通警察大队） is 县公安局
    if text.endswith("机关") and len(text) > 4:  # 市妇女联合会机关 is 市妇女联合会
        text = text[:-2]
    league = _LEAGUE.match(text)
    if league:  # 团区委, 共青团扎兰屯市委: the Communist Youth League committee of that level
        owner, rest = _strip_owner(league.group(1) + "团委", ctx)
        return (owner if rest == "团委" else ctx.home), "共青团委员会"
    owner, rest = _strip_owner(text, ctx)
    branch = _BRANCH.match(rest)
    if branch:  # 鞍山市生态环境局海城分局: the prefecture bureau's branch in this county
        place = branch.group("place")
        county_forms = next((forms for lvl, _, forms in ctx.names if lvl == "county"), ())
        if not ctx.home or place in county_forms:
            _, dept = _strip_owner(branch.group("dept"), ctx)
            if not ctx.home:  # 鞍山市生态环境局 → 生态环境局, as it would be with the division names
                dept = _CITY_PREFIX.sub("", dept)
            return (ctx.home and "county"), _canonical_body(dept)[:-1] + "分局"
    return owner, _canonical_body(rest)


def qualified_key(owner: str, body: str, ctx: NameContext) -> str:
    if not ctx.home:
        return owner + body  # owner is the level character as written, or ''
    if owner == ctx.home:
        return body
    return ctx.name_of(owner) + body


def normalise_department(name: str, county_name: str = "", prefecture_name: str = "", province_name: str = "") -> str:
    """The canonical key of a department name in one county's documents.

    Variants merge: 市卫健委 = 市卫健局 = 市卫生健康局 → 卫生健康局 in 海城市 (a 县级市, so 市 is the
    county). Departments of another level keep their division's name: 市交通局 in 鸡冠区 is 鸡西市's →
    鸡西市交通运输局. A prefecture bureau's county branch becomes X分局: 鞍山市生态环境局海城分局 →
    生态环境分局. Without division names, the level character stays in the key (市…, 区…).
    """
    ctx = name_context(county_name, prefecture_name, province_name)
    owner, body = analyse_name(name, ctx)
    return qualified_key(owner, body, ctx)


# --- department types ----------------------------------------------------------------------------


@cache
def _type_keywords() -> tuple[tuple[str, str], ...]:
    """(keyword, type key) from the skos:hiddenLabel of each concept in ontology/department-types.ttl."""
    graph = Graph()
    graph.parse(
        data=(resources.files("luzhi.ontology") / "department-types.ttl").read_text(encoding="utf-8"),
        format="turtle",
    )
    prefix = "https://w3id.org/luzhi/def#deptype-"
    pairs = [
        (str(label), str(concept)[len(prefix) :])
        for concept, label in graph.subject_objects(SKOS.hiddenLabel)
        if str(concept).startswith(prefix)
    ]
    return tuple(sorted(pairs))


def type_of_body(body: str) -> str:
    # The function named first wins (发改工信和科技商务局 is development-reform), then the longest
    # keyword (科学技术协会 over 科学技术); merged bureaus are typed by their first-named function.
    best: tuple[int, int, str] | None = None
    for keyword, key in _type_keywords():
        position = body.find(keyword)
        if position >= 0:
            candidate = (position, -len(keyword), key)
            if best is None or candidate < best:
                best = candidate
    return best[2] if best else "other"


def department_type(name: str) -> str:
    """The type concept key (`natural-resources` for lz:deptype-natural-resources), or `other`."""
    _, body = analyse_name(name, NameContext())
    return type_of_body(body)
