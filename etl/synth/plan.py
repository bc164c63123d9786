"""Plan one synthetic township's document: lists, categories, items, pages and planned mess.

Every choice comes from the corpus (etl/synth/corpus.py) and one `random.Random` seeded with the run's
seed and the township code, so a township's document does not depend on how many others are made.
A list takes its size and category mix from one seed's list of the same kind (size ±20 %), its items
from every seed's items of each category, and its layout from the seed the document copies.
"""

from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass

from luzhi.etl.divisions import DivisionChain, DivisionError, name_forms, resolve_township
from luzhi.etl.rows import Column
from luzhi.etl.synth.corpus import Corpus, ListProfile, SeedItem, department_prefix, township_word
from luzhi.etl.synth.model import CategoryPlan, ListPlan, Messiness, Page, RowRole, SynthDocument, TableRow
from luzhi.ontology.types import ListKind

_NUMERALS = "一二三四五六七八九十"
_HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z][^>]*>")
_LONG = 40  # cells longer than this are the ones the seeds write with HTML (corpus._profile_list)
_TEXT_OF = {
    Column.DEPARTMENT: "department",
    Column.UPPER_RESPONSIBILITY: "upper",
    Column.TOWNSHIP_RESPONSIBILITY: "township",
    Column.RECEIVER: "department",
}
_SLOTS = {Column.SEQUENCE: "sequence", Column.CATEGORY: "category", Column.TITLE: "title"}


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 13 → 十三, 21 → 二十一 (headings never pass 99)."""
    if n <= 10:
        return _NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _NUMERALS[tens - 1]) + "十" + (_NUMERALS[ones - 1] if ones else "")


@dataclass(frozen=True)
class Rates:
    """Rare mess per list, over all seeds (one seed alone says 0 or 1): of the fifteen lists, 004's
    basic list has the one numbering gap and the one duplicated page; of the nine lists with headings,
    001's cooperative list has the one count mismatch."""

    gaps: float
    duplicate_pages: float
    mismatches: float

    @classmethod
    def of(cls, corpus: Corpus) -> Rates:
        lists = [lst for profile in corpus.profiles for lst in profile.lists]
        headed = [lst for lst in lists if lst.heading_tabs] or lists
        return cls(
            gaps=sum(lst.gaps for lst in lists) / len(lists),
            duplicate_pages=sum(lst.duplicate_pages for lst in lists) / len(lists),
            mismatches=sum(lst.mismatches for lst in headed) / len(headed),
        )


def place_fills(chain: DivisionChain) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Values for the corpus placeholders: in texts (a missing level borrows the next one, so that
    `{F}生态环境局{c}分局` still names a body), in titles (a missing level is left out, as titles do),
    and in titles with every name in full (when a short form is ambiguous)."""
    levels = {"P": chain.province, "F": chain.prefecture, "C": chain.county, "T": chain.township}
    common = {"D": department_prefix(chain), "K": township_word(chain)}
    text = dict(common)
    borrowed = {
        "P": chain.province or chain.prefecture or chain.county,
        "F": chain.prefecture or chain.county or chain.province,
        "C": chain.county or chain.prefecture or chain.province,
        "T": chain.township,
    }
    for key, division in borrowed.items():
        name = division.name if division else ""
        text[key], text[key.lower()] = name, name_forms(name)[-1] if name else ""
    title, full = dict(common), dict(common)
    for key, division in levels.items():
        name = division.name if division else ""
        title[key], title[key.lower()] = name, name_forms(name)[-1] if name else ""
        full[key] = full[key.lower()] = name
    return text, title, full


def _allocate(categories: tuple[tuple[str, int], ...], size: int) -> list[tuple[str, int]]:
    """Spread `size` items over the categories in proportion (largest remainder), dropping empty ones."""
    base = sum(n for _, n in categories)
    shares = [n * size / base for _, n in categories]
    counts = [int(share) for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: size - sum(counts)]:
        counts[i] += 1
    return [(name, n) for (name, _), n in zip(categories, counts, strict=True) if n]


class _Pager:
    """Cuts a list's rows into pages as the layout does, adding the planned page-break mess."""

    def __init__(self, profile: ListProfile, rng: random.Random, make_row) -> None:
        self.profile, self.rng, self.make_row = profile, rng, make_row
        self.pages: list[Page] = []
        self.rows: list[TableRow] = []
        self.capacity = rng.choice(profile.page_sizes)
        self.numbered = 0
        self.last: tuple[int, str, dict[str, str]] | None = None  # the page's last row, if a plain item
        self.continuations = 0

    def add(self, row: TableRow, item: tuple[int, str, dict[str, str]] | None = None) -> None:
        if row.role in (RowRole.ITEM, RowRole.MORE) and self.numbered >= self.capacity:
            self.break_page(continue_item=True)
        self.rows.append(row)
        self.numbered += row.role in (RowRole.ITEM, RowRole.MORE)
        self.last = item

    def break_page(self, continue_item: bool) -> None:
        """End the page; maybe carry the tail of its last item's long cell over to the next page."""
        carried = None
        column = Column.RECEIVER if self.profile.kind is ListKind.RECLAIMED else Column.UPPER_RESPONSIBILITY
        if (
            continue_item
            and self.last is not None
            and self.profile.kind is not ListKind.BASIC
            and column in self.profile.columns
            and self.rng.random() < self.profile.continuation
        ):
            sequence, category, texts = self.last
            lines = texts[_TEXT_OF[column]].split("\n")
            if len(lines) >= 2:
                cut = self.rng.randint(1, len(lines) - 1)
                head = {**texts, _TEXT_OF[column]: "\n".join(lines[:cut])}
                self.rows[-1] = self.make_row(RowRole.ITEM, sequence, category, head)
                cells = [""] * (self.profile.columns.index(column) + 1)
                cells[-1] = " ".join(lines[cut:])  # appended directly to the cell above (000:339/342)
                carried = TableRow(RowRole.CONTINUATION, tuple(cells))
                self.continuations += 1
        if self.rng.random() < self.profile.separators:
            self.rows.append(TableRow(RowRole.SEPARATOR, ()))
        self.flush()
        if carried is not None:
            self.rows.append(carried)

    def flush(self) -> None:
        if self.rows:
            repeat = bool(self.pages) and self.rng.random() < self.profile.title_repeat
            self.pages.append(Page(tuple(self.rows), repeat))
        self.rows, self.numbered, self.last = [], 0, None
        self.capacity = self.rng.choice(self.profile.page_sizes)


def _cell(text: str, profile: ListProfile, rng: random.Random) -> str:
    """A long cell as the layout writes it: `<p>` paragraphs, an `<ol>` list, or lines joined by spaces."""
    lines = text.split("\n")
    if _HTML_TAG.search(text) or (len(text) > _LONG and rng.random() < profile.html):
        escaped = [html.escape(line, quote=False) for line in lines]
        if rng.random() < profile.ordered:
            return '<ol style="list-style-type: decimal;">' + "".join(f"<li>{x}</li>" for x in escaped) + "</ol>"
        return " ".join(f"<p>{x}</p>" for x in escaped)
    return " ".join(lines)


def _texts(item: SeedItem, fill: dict[str, str], rng: random.Random) -> dict[str, str]:
    title = item.title.format_map(fill)
    if title.endswith("工作") and len(title) > 6 and rng.random() < 0.2:
        title = title[:-2]  # light variation: 做好燃气管理工作 / 做好燃气管理 are both written
    return {
        "title": title,
        "department": item.department.format_map(fill),
        "upper": item.upper.format_map(fill),
        "township": item.township.format_map(fill),
    }


def _plan_list(layout: ListProfile, source: ListProfile, corpus: Corpus, rates: Rates, fills, rng, mess):
    """One list: size and categories from `source`, pages and mess from `layout`."""
    text_fill, title_fill = fills
    kind = layout.kind
    size = max(1, round(source.size * rng.uniform(0.8, 1.2)))
    groups = _allocate(source.categories, size)
    headed = Column.CATEGORY not in layout.columns
    gap_at = rng.randint(2, size) if size > 1 and rng.random() < rates.gaps else 0
    gap = rng.randint(1, 12) if gap_at else 0
    mismatch_at = rng.randrange(len(groups)) if headed and rng.random() < rates.mismatches else -1

    # What each column holds, looked up once per list (make_row runs for every row: the hot loop).
    slots = tuple(_SLOTS.get(column) or _TEXT_OF[column] for column in layout.columns)

    def make_row(role: RowRole, sequence: int, category: str, texts: dict[str, str]) -> TableRow:
        cells = []
        for slot in slots:
            if slot == "sequence":
                cells.append(str(sequence))
            elif slot == "category":
                cells.append(category)
            elif slot == "title":
                cells.append(texts["title"])
            else:
                cells.append(_cell(texts[slot], layout, rng))
        return TableRow(role, tuple(cells))

    pager = _Pager(layout, rng, make_row)
    plans, position = [], 0
    for index, (category, count) in enumerate(groups):
        declared: int | None = None
        if headed:
            if rng.random() >= layout.undeclared:
                declared = count
                if index == mismatch_at:
                    declared = count + (1 if count == 1 else rng.choice((-1, 1)))
                    mess["count_mismatches"] += 1
            tabs = rng.choice(layout.heading_tabs or (1,))
            text = f"{chinese_numeral(index + 1)}、{category}" + (f"（{declared}项）" if declared is not None else "")
            pager.add(TableRow(RowRole.HEADING, (text,) + ("",) * max(tabs, 0), standalone=tabs < 0))
        plans.append(CategoryPlan(category, declared, count))
        pool = corpus.items[kind][category]
        picks = rng.sample(pool, count) if count <= len(pool) else [rng.choice(pool) for _ in range(count)]
        for item in picks:
            position += 1
            sequence = position + (gap if gap_at and position >= gap_at else 0)
            texts = _texts(item, text_fill, rng)
            parts = texts["upper"].split("\n")
            if kind is ListKind.COOPERATIVE and len(parts) >= 2 and rng.random() < layout.multirow:
                # 002 writes such an item once per group of departments, each row on a new page.
                cut = rng.randint(1, len(parts) - 1)
                pager.add(make_row(RowRole.ITEM, sequence, category, {**texts, "upper": "\n".join(parts[:cut])}))
                pager.break_page(continue_item=False)
                pager.add(make_row(RowRole.MORE, sequence, category, {**texts, "upper": "\n".join(parts[cut:])}))
                mess["multi_row_items"] += 1
                mess["extra_rows"] += 1
            else:
                pager.add(make_row(RowRole.ITEM, sequence, category, texts), (sequence, category, texts))
    pager.flush()
    pages = pager.pages
    mess["continuation_rows"] += pager.continuations
    mess["extra_rows"] += pager.continuations
    mess["numbering_gaps"] += bool(gap_at)
    if rng.random() < rates.duplicate_pages:
        # 004:115–125 repeats 104–113 verbatim; only a page of plain items, not followed by a row that
        # continues its last item, so that skipping the copy changes nothing else.
        plain = [
            i
            for i, page in enumerate(pages)
            if all(row.role is RowRole.ITEM for row in page.rows)
            and (i + 1 == len(pages) or pages[i + 1].rows[0].role is RowRole.ITEM)
        ]
        if plain:
            at = rng.choice(plain)
            pages.insert(at + 1, Page(pages[at].rows))
            mess["duplicate_pages"] += 1
    title = None
    if layout.title is not None:
        title = layout.title.format_map({**title_fill, "n": size})
    if layout.title is not None and "{n}" in layout.title:
        total = size
    elif headed and all(plan.declared is not None for plan in plans):
        total = sum(plan.declared for plan in plans)
    else:
        total = None
    header = tuple(layout.header.format_map(text_fill).split("\t"))
    return ListPlan(kind, title, header, tuple(pages), total, tuple(plans))


def _title_fill(profile, code: str, fills: tuple[dict, dict, dict]) -> dict[str, str] | None:
    """The title placeholders' values under which the document's title resolves to `code` alone:
    the layout's own forms, else every name in full; None when even that is ambiguous."""
    lines = [line for line in profile.front if "{T}" in line] + [lst.title for lst in profile.lists if lst.title]
    for fill in fills[1:]:
        title = lines[0].format_map({**fill, "n": 0})
        try:
            if resolve_township(title).township.code == code:
                return fill
        except DivisionError:
            continue
    return None


def plan_document(name: str, chain: DivisionChain, corpus: Corpus, rates: Rates, seed: int) -> SynthDocument | None:
    """The whole document for one township, or None when no title of it resolves to that township alone."""
    code = chain.township.code
    rng = random.Random(f"{seed}:{code}")
    layout = rng.choice(corpus.profiles)
    fills = place_fills(chain)
    title_fill = _title_fill(layout, code, fills)
    if title_fill is None:
        return None
    mess = dict.fromkeys(vars(Messiness()), 0)
    lists = []
    for profile in layout.lists:
        source = next(lst for lst in rng.choice(corpus.profiles).lists if lst.kind is profile.kind)
        lists.append(_plan_list(profile, source, corpus, rates, (fills[0], title_fill), rng, mess))
    mess["html_cells"] = sum(
        "<" in cell for lst in lists for page in lst.pages for row in page.rows for cell in row.cells
    )
    front = tuple(line.format_map(title_fill) for line in layout.front)
    return SynthDocument(name, code, chain.label(), layout.name, front, tuple(lists), Messiness(**mess))
