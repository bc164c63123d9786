"""What `luzhi synth` learns from the five real documents: item texts and layout profiles.

Nothing here invents Chinese. Each seed document is parsed with the ETL itself; its items become
templates in which the seed's own place names (辽宁省, 鞍山市, 海城, 耿庄镇 …), its county-level
department prefix (市委组织部 in 海城市, 县民政局 in 左云县) and its township word (本镇, 乡党委) are
replaced by placeholders, so that a synthetic township of another county gets its own names back.
The layout of each seed (title and table of contents, header words, rows per page, headings or a
事项类别 column, HTML cells, multi-row items, page-break continuations, numbering gaps, duplicated
pages) is measured, not assumed: a synthetic document copies one seed's profile.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from luzhi.etl.department_names import plain_text
from luzhi.etl.departments import parse_reclaimed_cell, split_department_cell
from luzhi.etl.divisions import DivisionChain, name_forms, resolve_township
from luzhi.etl.parse import parse_bytes
from luzhi.etl.rows import Column, RowKind, parse_rows
from luzhi.etl.source import decode_source
from luzhi.ontology.types import ListKind

# Placeholders filled per township (str.format_map): P/F/C/T province, prefecture, county, township
# (full names), lower case their short forms (name_forms: 鞍山市 → 鞍山); D the county-level prefix of
# department names (县/区/市/旗); K the township word (镇/乡/街道/苏木).
_KIND_WORDS = ("本{k}", "{k}党委", "{k}政府", "{k}人大", "{k}纪委", "{k}本级", "{k}配合职责")
_COUNT = re.compile(r"[（(]\s*(?:共\s*)?\d+\s*项\s*[）)]")


@dataclass(frozen=True)
class SeedItem:
    """One item of a seed list as templates (see the placeholders above); texts keep their line breaks."""

    category: str
    title: str
    department: str  # cooperative: 对应上级部门; reclaimed: the whole 承接部门及工作方式 cell
    upper: str
    township: str


@dataclass(frozen=True)
class ListProfile:
    """How one seed writes one list: measured from its rows."""

    kind: ListKind
    size: int
    categories: tuple[tuple[str, int], ...]  # category and item count, in document order
    columns: tuple[Column, ...]
    header: str  # the header line as written (templated), e.g. 序号\t事项名称\t…\t{K}配合职责
    title: str | None  # the list title line (templated; a count is `{n}`)
    title_repeat: float  # share of later pages that repeat the list title (001: all; 000: none)
    page_sizes: tuple[int, ...]  # numbered rows on each page
    heading_tabs: tuple[int, ...]  # per heading row: trailing tabs, or -1 for a heading on its own line
    undeclared: float  # share of headings without a count
    html: float  # share of long cells written with HTML tags
    ordered: float  # among those, share written as <ol><li>
    multirow: float  # extra rows (the same 序号 again) per item: 002 cooperative 8, 28, 29
    continuation: float  # empty-序号 continuation rows per page break: 000:342
    separators: float  # separator lines (----) per page: 000:179
    gaps: int  # numbering gaps: 004 basic 70 → 83
    duplicate_pages: int  # verbatim repeated pages: 004 basic 115–125
    mismatches: int  # headings declaring another count than their rows: 001 cooperative 平安法治


@dataclass(frozen=True)
class SeedProfile:
    name: str
    front: tuple[str, ...]  # templated lines before the first list: 附件, title, 2025 年, 目录 …
    lists: tuple[ListProfile, ...]


@dataclass(frozen=True)
class Corpus:
    profiles: tuple[SeedProfile, ...]
    items: dict[ListKind, dict[str, tuple[SeedItem, ...]]]  # list → category → items of every seed


def seed_documents() -> list[Path]:
    """The bundled samples (data/samples) and the real documents that are not samples (data/seeds),
    each once: a seed that becomes a sample (issue 12 bundles 004) must not weigh twice."""
    root = resources.files("luzhi") / "data"
    found: dict[str, Path] = {}
    for folder in ("samples", "seeds"):
        if (root / folder).is_dir():
            for path in (root / folder).iterdir():
                if path.name.endswith(".txt"):
                    found.setdefault(path.name, Path(str(path)))
    return [found[name] for name in sorted(found)]


def department_prefix(chain: DivisionChain) -> str:
    """县/区/市/旗: how a township's county-level departments are prefixed (县民政局, 区民政局, 市民政局)."""
    home = chain.county
    if home is None:  # towns of 东莞市, 中山市 …: the prefecture-level city's departments
        return "市"
    for suffix in ("旗", "县", "区", "市"):
        if home.name.endswith(suffix):
            return suffix
    return "县"


def township_word(chain: DivisionChain) -> str:
    name = chain.township.name
    for word in ("街道", "苏木", "镇", "乡"):
        if name.endswith(word):
            return word
    return "乡镇"


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


class _Templater:
    """Replace a seed's own names by placeholders, longest match first, in one regex pass."""

    def __init__(self, chain: DivisionChain, departments: set[str]) -> None:
        prefix, word = department_prefix(chain), township_word(chain)
        mapping: dict[str, str] = {}
        levels = (("T", chain.township), ("P", chain.province), ("F", chain.prefecture), ("C", chain.county))
        for key, division in levels:  # the county last: 额敏县 and 额敏镇 share the short form 额敏
            if division is None:
                continue
            forms = name_forms(division.name)
            mapping[forms[0]] = "{" + key + "}"
            for form in forms[1:]:
                if len(form) >= 2:
                    mapping[form] = "{" + key.lower() + "}"
        for name in departments:
            if name.startswith(prefix) and len(name) >= 3:
                mapping.setdefault(name, "{D}" + _escape(name[1:]))
        # The seed's own county in other words: 全市, 本县, 县委, 团区委, 县政府, 县级, 县直 (001's 团区委 in 鸡冠区
        # would otherwise name a 区 in a 旗). Longer department names win (市委组织部 → {D}委组织部).
        for word in ("全{}", "本{}", "{}委", "团{}委", "{}政府", "{}级", "{}直"):
            mapping.setdefault(word.format(prefix), word.format("{D}"))
        for pattern in _KIND_WORDS:
            mapping.setdefault(pattern.format(k=word), pattern.replace("{k}", "{K}"))
        self._mapping = mapping
        self._pattern = re.compile("|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True)))

    def __call__(self, text: str) -> str:
        pieces, last = [], 0
        for match in self._pattern.finditer(text):
            pieces.append(_escape(text[last : match.start()]))
            pieces.append(self._mapping[match.group()])
            last = match.end()
        pieces.append(_escape(text[last:]))
        return "".join(pieces)


def _departments(doc) -> set[str]:
    names: set[str] = set()
    for item in doc.items:
        if item.list_kind is ListKind.COOPERATIVE:
            names.update(split_department_cell(plain_text(item.department_text)).names)
        elif item.list_kind is ListKind.RECLAIMED:
            names.update(parse_reclaimed_cell(item.department_text).departments.names)
    return names


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _profile_list(kind, doc, rows, template) -> ListProfile:
    """Measure one list from its rows (structure only; the items come from the parser)."""
    items = doc.items_of(kind)
    categories = tuple(Counter(item.category or "" for item in items).items())
    headers = [r for r in rows if r.kind is RowKind.HEADER]
    titles = [r for r in rows if r.kind is RowKind.LIST_TITLE]
    pages, count = [], 0
    heading_tabs: list[int] = []
    long_cells = html_cells = ordered = continuations = separators = 0
    declared = Counter(c.declared is not None for c in doc.category_counts if c.list_kind is kind)
    seen: set[int] = set()
    seen_lines: set[str] = set()
    repeats = 0
    for row in rows:
        if row.kind is RowKind.HEADER:
            if count:
                pages.append(count)
            count = 0
        elif row.kind is RowKind.SEPARATOR:
            separators += 1
        elif row.kind is RowKind.HEADING:
            heading_tabs.append(len(row.cells) - 1 if len(row.cells) > 1 else -1)
        elif row.kind is RowKind.CELLS:
            first = row.cells[0].strip()
            if row.heading is not None and not first:
                continue
            if not first:
                continuations += 1
                continue
            if first.isdigit():
                count += 1
                # The same 序号 again is a multi-row item, unless the whole line repeats (a duplicated page).
                repeats += int(first) in seen and row.line.text not in seen_lines
                seen.add(int(first))
                seen_lines.add(row.line.text)
            for cell in row.cells[2:]:
                if len(cell) > 40:
                    long_cells += 1
                    html_cells += "<" in cell
                    ordered += "<ol" in cell
    if count:
        pages.append(count)
    issues = Counter(i.code for i in doc.issues if i.list_kind is kind)
    title = None
    if titles:
        title = _COUNT.sub("（{n}项）", template(titles[0].line.text))
    return ListProfile(
        kind=kind,
        size=len(items),
        categories=categories,
        columns=headers[0].columns,
        header=template(headers[0].line.text),
        title=title,
        title_repeat=_share(len(titles) - 1, len(pages) - 1),
        page_sizes=tuple(pages),
        heading_tabs=tuple(heading_tabs),
        undeclared=_share(declared[False], declared[False] + declared[True]) if heading_tabs else 0.0,
        html=_share(html_cells, long_cells),
        ordered=_share(ordered, html_cells),
        multirow=_share(repeats, len(items)),
        continuation=_share(continuations, len(pages) - 1),
        separators=_share(separators, len(pages)),
        gaps=issues["numbering-gap"],
        duplicate_pages=issues["duplicate-page"],
        mismatches=issues["count-mismatch"],
    )


def _seed(path: Path, items: dict[ListKind, dict[str, list[SeedItem]]]) -> SeedProfile:
    data = path.read_bytes()
    doc = parse_bytes(data, path)
    chain = resolve_township(doc.title)
    template = _Templater(chain, _departments(doc))
    for item in doc.items:
        items[item.list_kind].setdefault(item.category or "", []).append(
            SeedItem(
                category=item.category or "",
                title=template(item.title),
                department=template(item.department_text),
                upper=template(item.upper_responsibility),
                township=template(item.township_responsibility),
            )
        )
    rows = list(parse_rows(decode_source(data, str(path))))
    starts = [i for i, r in enumerate(rows) if r.kind in (RowKind.LIST_TITLE, RowKind.HEADER)]
    front = [template(r.line.text) for r in rows[: starts[0]]]
    while front and not front[-1].strip():
        front.pop()
    # Split the rows per list at each list's first title/header (lists never come back: rows.py).
    bounds: list[tuple[ListKind, int]] = []
    for i, row in enumerate(rows):
        kind = row.list_kind if row.kind in (RowKind.LIST_TITLE, RowKind.HEADER) else None
        if kind is not None and all(kind is not k for k, _ in bounds):
            bounds.append((kind, i))
    lists = []
    for n, (kind, start) in enumerate(bounds):
        end = bounds[n + 1][1] if n + 1 < len(bounds) else len(rows)
        lists.append(_profile_list(kind, doc, rows[start:end], template))
    return SeedProfile(path.name, tuple(front), tuple(lists))


@cache
def load_corpus() -> Corpus:
    """Parse the seed documents once per process (about 0.3 s)."""
    items: dict[ListKind, dict[str, list[SeedItem]]] = {kind: {} for kind in ListKind}
    profiles = tuple(_seed(path, items) for path in seed_documents())
    frozen = {kind: {cat: tuple(found) for cat, found in cats.items()} for kind, cats in items.items()}
    return Corpus(profiles, frozen)
