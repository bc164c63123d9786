"""The five bundled documents: the parser must find exactly what a reader finds.

Every expected number below was established by READING the documents (lines listed with
`awk '{printf "%d: %s\\n", NR, substr($0,1,100)}' FILE`), not by running the parser: each
category's number is the count of 序号 between its heading (or 事项类别 value) and the next one,
checked against the declared `（N项）`; the comment gives the source lines. Where a document
is inconsistent (001's 平安法治 heading declares 8 items, its rows hold 7) the rows win and
the inconsistency must be reported. docs/parsing.md explains the ambiguous cases.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from luzhi.etl.model import ListKind, ParsedDocument
from luzhi.etl.parse import parse_document, read_source, unaccounted_lines
from luzhi.etl.rows import parse_sequence, split_cells

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
B, C, R = ListKind.BASIC, ListKind.COOPERATIVE, ListKind.RECLAIMED

# file → title, title line, and per list: declared total (list title), then
# (category, declared by its heading or None, real count) in document order.
EXPECTED: dict[str, dict] = {
    "000_d4a0698a49e5e74d.txt": {
        "title": ("辽宁省鞍山市海城市耿庄镇", 3),  # line 3
        B: (
            None,
            [  # lines 11–156, headings with counts, no list total
                ("党的建设", 24, 24),  # heading 14; 序号 1–24 on lines 15–42
                ("经济发展", 13, 13),  # heading 43; 25–37, lines 44–58
                ("民生服务", 16, 16),  # heading 59; 38–53, lines 60–79
                ("平安法治", 5, 5),  # heading 80; 54–58, lines 81–87
                ("乡村振兴", 19, 19),  # heading 88; 59–77, lines 89–109
                ("生态环保", 12, 12),  # heading 110; 78–89, lines 113–126
                ("城乡建设", 6, 6),  # heading 127; 90–95, lines 128–133
                ("文化和旅游", 2, 2),  # heading 134; 96–97, lines 135–138
                ("应急管理及消防", 5, 5),  # heading 139; 98–102, lines 140–144
                ("综合政务", 9, 9),  # heading 145; 103–111, lines 146–156
            ],
        ),
        C: (
            None,
            [  # lines 158–394
                ("党的建设", 9, 9),  # heading 161; 1–9, lines 162–174
                ("经济发展", 14, 14),  # heading 176 (outside the table); 10–23, lines 178–200
                ("民生服务", 21, 21),  # heading 202; 24–44, lines 204–234
                ("平安法治", 8, 8),  # heading 235; 45–52, lines 238–247
                ("乡村振兴", 18, 18),  # heading 250 (after a repeated header); 53–70, lines 251–276
                ("自然资源", 19, 19),  # heading 279; 71–89, lines 280–306
                ("生态环保", 6, 6),  # heading 308; 90–95, lines 310–320
                ("城乡建设", 14, 14),  # heading 321; 96–109, lines 322–344 (107 continues on 342)
                ("文化和旅游", 5, 5),  # heading 345; 110–114, lines 346–354
                ("卫生健康", 3, 3),  # heading 355; 115–117, lines 356–358
                ("应急管理及消防", 11, 11),  # heading 359; 118–128, lines 362–378
                ("教育培训监管", 2, 2),  # heading 380; 129–130, lines 382–386
                ("市场监管", 5, 5),  # heading 387; 131–135, lines 388–394
            ],
        ),
        R: (
            None,
            [  # lines 396–501
                ("经济发展", 1, 1),  # heading 399; 1, line 400
                ("平安法治", 3, 3),  # heading 401; 2–4, lines 402–404
                ("乡村振兴", 4, 4),  # heading 405; 5–8, lines 406–411
                ("社会管理", 7, 7),  # heading 412; 9–15, lines 413–421
                ("社会保障", 5, 5),  # heading 422; 16–20, lines 423–429
                ("自然资源", 7, 7),  # heading 430; 21–27, lines 431–439
                ("生态环保", 3, 3),  # heading 441; 28–30, lines 443–448
                ("城乡建设", 8, 8),  # heading 450; 31–38, lines 452–461
                ("卫生健康", 7, 7),  # heading 462; 39–45, lines 463–471
                ("应急管理及消防", 19, 19),  # heading 472; 46–64, lines 475–499
                ("市场监管", 1, 1),  # heading 500; 65, line 501
            ],
        ),
        # rows folded into an item: 342 (empty 序号 after the header on 341, continues 107)
        "merged": {C: {107: (339, 342)}},
        "issues": [],
    },
    "001_a7c2025eaec9b519.txt": {
        "title": ("黑龙江省鸡西市鸡冠区西郊乡", 3),
        B: (
            None,
            [  # lines 11–158; the list title is repeated on every page
                ("党的建设", 25, 25),  # heading 14; 1–25, lines 15–47
                ("经济发展", 6, 6),  # heading 48; 26–31, lines 49–58
                ("民生服务", 10, 10),  # heading 59; 32–41, lines 60–73
                ("平安法治", 15, 15),  # heading 74; 42–56, lines 75–97
                ("乡村振兴", 10, 10),  # heading 98; 57–66, lines 99–112
                ("生态环保", 5, 5),  # heading 113; 67–71, lines 114–118
                ("城乡建设", 7, 7),  # heading 119; 72–78, lines 120–130
                ("文化和旅游", 3, 3),  # heading 131; 79–81, lines 132–134
                ("应急管理及消防", 5, 5),  # heading 139; 82–86, lines 140–144
                ("综合政务", 9, 9),  # heading 145; 87–95, lines 146–158
            ],
        ),
        C: (
            None,
            [  # lines 160–516
                ("党的建设", 14, 14),  # heading 163; 1–14, lines 164–193
                ("经济发展", 8, 8),  # heading 194; 15–22, lines 195–210
                ("民生服务", 39, 39),  # heading 215; 23–61, lines 216–294
                ("平安法治", 8, 7),  # heading 295 says 8; rows hold 62–68 (7 numbers), lines 300–323
                ("乡村振兴", 18, 18),  # heading 324; 69–86, lines 325–362
                ("社会管理", 4, 4),  # heading 363; 87–90, lines 364–371
                ("安全稳定", 3, 3),  # heading 376; 91–93, lines 377–383
                ("自然资源", 6, 6),  # heading 384; 94–99, lines 389–402
                ("生态环保", 14, 14),  # heading 403; 100–113, lines 404–433
                ("城乡建设", 4, 4),  # heading 434; 114–117, lines 435–438
                ("文化和旅游", 4, 4),  # heading 443; 118–121, lines 444–451
                ("卫生健康", 7, 7),  # heading 452; 122–128, lines 453–467
                ("应急管理与消防", 10, 10),  # heading 469, written 与 (not 及); 129–138, lines 471–501
                ("综合政务", 6, 6),  # heading 506; 139–144, lines 507–516
            ],
        ),
        R: (
            None,
            [  # lines 518–609
                ("城乡建设", 14, 14),  # heading 521; 1–14, lines 522–543
                ("生态环保", 13, 13),  # heading 544; 15–27, lines 545–565
                ("民生服务", 10, 10),  # heading 566; 28–37, lines 567–580
                ("卫生健康", 5, 5),  # heading 581; 38–42, lines 586–590
                ("乡村振兴", 8, 8),  # heading 591; 43–50, lines 592–603
                ("应急管理及消防", 1, 1),  # heading 604; 51, line 609
            ],
        ),
        # 323 and 500: empty 序号 right after a repeated header, continuing 68 and 137
        "merged": {C: {68: (318, 323), 137: (495, 500)}},
        "issues": [("count-mismatch", 295, C)],
    },
    "002_abfaf3bcc1fa4131.txt": {
        # line 5: `内蒙古自治区呼伦贝尔市扎兰屯市 卧牛河镇履行职责事项清单`; lines 3 (附件：4) and 7 (2025 年)
        # are front matter, lines 9–13 the table of contents
        "title": ("内蒙古自治区呼伦贝尔市扎兰屯市卧牛河镇", 5),
        B: (
            109,
            [  # list title line 15 declares 109 and writes the place 呼伦贝尔扎兰屯市 (no 市)
                ("党的建设", 30, 30),  # heading 18; 1–30, lines 19–50
                ("经济发展", 7, 7),  # heading 51; 31–37, lines 52–60
                ("民生服务", 18, 18),  # heading 61; 38–55, lines 62–81
                ("平安法治", 9, 9),  # heading 82; 56–64, lines 83–91
                ("乡村振兴", 11, 11),  # heading 94; 65–75, lines 95–105
                ("城乡建设", 4, 4),  # heading 106; 76–79, lines 107–110
                ("生态环保", 14, 14),  # heading 113; 80–93, lines 114–127
                ("文化和旅游", 4, 4),  # heading 130; 94–97, lines 131–134
                ("综合政务", 12, 12),  # heading 135; 98–109, lines 136–147
            ],
        ),
        C: (
            74,
            [  # list title line 149 declares 74
                ("党的建设", 5, 5),  # heading 152; 1–5, lines 153–159
                ("民生服务", 15, 15),  # heading 160; 6–20, lines 161–190; 8 is written twice (167, 170)
                ("平安法治", 10, 10),  # heading 191; 21–30, lines 194–227; 28 and 29 three times each
                ("乡村振兴", 15, 15),  # heading 228; 31–45, lines 229–251
                ("城乡建设", 6, 6),  # heading 254; 46–51, lines 255–262
                ("生态环保", 17, 17),  # heading 263; 52–68, lines 266–290
                ("文化和旅游", 3, 3),  # heading 293; 69–71, lines 294–296
                ("综合政务", 3, 3),  # heading 299; 72–74, lines 300–302
            ],
        ),
        R: (
            104,
            [  # list title line 304 declares 104
                ("民生服务", 12, 12),  # heading 307; 1–12, lines 308–321
                ("平安法治", 21, 21),  # heading 322; 13–33, lines 323–353
                ("乡村振兴", 11, 11),  # heading 354; 34–44, lines 355–369
                ("城乡建设", 29, 29),  # heading 372; 45–73, lines 373–411
                ("生态环保", 24, 24),  # heading 412; 74–97, lines 413–448
                ("综合政务", 7, 7),  # heading 451; 98–104, lines 452–458
            ],
        ),
        # the same 序号 again, one row per department (title and departments repeated)
        "merged": {C: {8: (167, 170), 28: (209, 215), 29: (218, 224)}},
        # the three list titles name the place 呼伦贝尔扎兰屯市卧牛河镇, the title 呼伦贝尔市扎兰屯市卧牛河镇: the same
        # township with 市 left out, no mismatch (cold review 21, P1; their title-mismatch notices were pinned here)
        "issues": [],
    },
    "003_0efb92fe02733c88.txt": {
        # line 3 is both the document title and the basic list title: 大同市左云县小京庄乡基本履职事项清单
        "title": ("大同市左云县小京庄乡", 3),
        B: (
            None,
            [  # 事项类别 column, no declared counts
                ("党的建设", None, 22),  # 1–22, lines 6–35
                ("经济发展", None, 8),  # 23–30, lines 36–45
                ("民生服务", None, 17),  # 31–47, lines 48–70
                ("平安法治", None, 10),  # 48–57, lines 71–84
                ("乡村振兴", None, 17),  # 58–74, lines 85–107
                ("生态环保", None, 5),  # 75–79, lines 108–114
                ("城乡建设", None, 9),  # 80–88, lines 115–127
                ("文化和旅游", None, 7),  # 89–95, lines 128–136
                ("行政执法", None, 8),  # 96–103, lines 139–148
                ("综合政务", None, 8),  # 104–111, lines 149–160
            ],
        ),
        C: (
            None,
            [  # lines 162–315, 6 columns
                ("经济发展", None, 1),  # 1, line 165
                ("市场监管", None, 2),  # 2–3, lines 166–169
                ("民生服务", None, 3),  # 4–6, lines 170–174
                ("社会保障", None, 8),  # 7–14, lines 175–188
                ("卫生健康", None, 1),  # 15, line 189
                ("平安法治", None, 1),  # 16, line 190
                ("社会管理", None, 2),  # 17–18, lines 193–194
                ("乡村振兴", None, 9),  # 19–27, lines 197–211
                ("生态环保", None, 17),  # 28–44, lines 214–248
                ("自然资源", None, 9),  # 45–53, lines 251–263
                ("城乡建设", None, 6),  # 54–59, lines 264–275
                ("交通运输", None, 4),  # 60–63, lines 276–285
                ("文化和旅游", None, 2),  # 64–65, lines 288–289
                ("应急管理及消防", None, 9),  # 66–74, lines 292–314
                ("综合政务", None, 1),  # 75, line 315
            ],
        ),
        R: (
            None,
            [  # lines 317–394, 4 columns
                ("市场监管", None, 7),  # 1–7, lines 320–328
                ("民生服务", None, 2),  # 8–9, lines 329–330
                ("社会保障", None, 2),  # 10–11, lines 331–334
                ("卫生健康", None, 2),  # 12–13, lines 335–336
                ("平安法治", None, 1),  # 14, line 337
                ("乡村振兴", None, 3),  # 15–17, lines 338–342
                ("生态环保", None, 1),  # 18, line 345
                ("自然资源", None, 6),  # 19–24, lines 346–355
                ("城乡建设", None, 4),  # 25–28, lines 356–361
                ("文化和旅游", None, 1),  # 29, line 362
                ("应急管理及消防", None, 7),  # 30–36, lines 363–371
                ("行政执法", None, 15),  # 37–51, lines 374–394
            ],
        ),
        "merged": {},
        "issues": [],
    },
    "004_ae6ba3a08a864098.txt": {
        # 额敏镇 (新疆塔城地区额敏县): no document title; line 3 is the basic list title and names the place.
        "title": ("塔城地区额敏县额敏镇", 3),
        B: (
            None,
            [  # lines 3–125, 事项类别 column, no declared counts; 序号 70 (line 85) is followed by 83 (line 88)
                ("党的建设", None, 24),  # 1–24, lines 6–33
                ("经济发展", None, 3),  # 25–27, lines 34–36
                ("民生服务", None, 6),  # 28–33, lines 37–42
                ("平安法治", None, 2),  # 34–35, lines 43–46
                ("乡村振兴", None, 9),  # 36–44, lines 47–55
                ("精神文明建设", None, 3),  # 45–47, lines 56–60
                ("社会管理", None, 3),  # 48–50, lines 61–63
                ("安全稳定", None, 3),  # 51–53, lines 64–66
                ("社会保障", None, 4),  # 54–57, lines 67–70
                ("自然资源", None, 4),  # 58–61, lines 71–76
                ("生态环保", None, 6),  # 62–67, lines 77–82
                ("城乡建设", None, 3),  # 68–70, lines 83–85
                ("卫生健康", None, 4),  # 83–86, lines 88–91 (71–82 are missing from the document)
                ("应急管理及消防", None, 7),  # 87–93, lines 92–98
                ("市场监管", None, 3),  # 94–96, lines 99–101
                ("投资促进", None, 1),  # 97, line 104
                ("综合政务", None, 9),  # 98–106, lines 105–113; lines 115–125 repeat the page 103–113
            ],
        ),
        C: (
            None,
            [  # lines 127–273, 6 columns; the header on line 251 misspells 对上上级部门
                ("党的建设", None, 13),  # 1–13, lines 130–146
                ("经济发展", None, 1),  # 14, line 147
                ("民生服务", None, 8),  # 15–22, lines 150–159
                ("平安法治", None, 2),  # 23–24, lines 160–163
                ("乡村振兴", None, 11),  # 25–35, lines 164–180
                ("社会管理", None, 3),  # 36–38, lines 181–183
                ("安全稳定", None, 1),  # 39, line 186
                ("社会保障", None, 5),  # 40–44, lines 187–193
                ("自然资源", None, 12),  # 45–56, lines 194–209
                ("生态环保", None, 9),  # 57–65, lines 210–220
                ("城乡建设", None, 11),  # 66–76, lines 221–235
                ("商贸流通", None, 1),  # 77, line 236
                ("文化和旅游", None, 5),  # 78–82, lines 237–243
                ("卫生健康", None, 2),  # 83–84, lines 244–245
                ("应急管理及消防", None, 12),  # 85–96, lines 248–263, written 应急管理 及消防 (a wrap)
                ("市场监管", None, 5),  # 97–101, lines 264–270
                ("综合政务", None, 2),  # 102–103, lines 271–272
                ("教育培训", None, 1),  # 104, line 273
            ],
        ),
        R: (
            None,
            [  # lines 275–354, 上收履职事项清单, its title repeated on every page
                ("民生服务", None, 10),  # 1–10, lines 278–287
                ("乡村振兴", None, 3),  # 11–13, lines 288–294
                ("社会保障", None, 2),  # 14–15, lines 295–296
                ("自然资源", None, 12),  # 16–27, lines 297–312
                ("生态环保", None, 5),  # 28–32, lines 313–321
                ("城乡建设", None, 14),  # 33–46, lines 322–339
                ("交通运输", None, 2),  # 47–48, lines 340–341
                ("卫生健康", None, 2),  # 49–50, lines 346–347
                ("应急管理及消防", None, 5),  # 51–55, lines 348–352
                ("市场监管", None, 2),  # 56–57, lines 353–354
            ],
        ),
        "merged": {},
        "issues": [("numbering-gap", 88, B), ("duplicate-page", 115, B)],
        "gaps": {B: range(71, 83)},
        "skipped": ((115, 125),),
    },
}
# Every list runs 1..N without a hole (checked by reading each list's 序号 column top to bottom),
# except 004's basic list, which jumps from 70 to 83; only 004 has a duplicated page.


@pytest.fixture(scope="module")
def parsed() -> dict[str, ParsedDocument]:
    return {name: parse_document(SAMPLES / name) for name in EXPECTED}


def test_all_samples_are_covered() -> None:
    assert sorted(p.name for p in SAMPLES.glob("*.txt")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_title(parsed: dict[str, ParsedDocument], name: str) -> None:
    title, line = EXPECTED[name]["title"]
    doc = parsed[name]
    assert (doc.title, doc.title_lines.first, doc.title_lines.last) == (title, line, line)


@pytest.mark.parametrize("kind", [B, C, R])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_counts_per_list_and_category(parsed: dict[str, ParsedDocument], name: str, kind: ListKind) -> None:
    declared_total, categories = EXPECTED[name][kind]
    doc = parsed[name]
    items = doc.items_of(kind)
    assert len(items) == sum(real for _, _, real in categories)
    # every list is numbered 1..N with no repeat and no hole but those the document has
    gap = EXPECTED[name].get("gaps", {}).get(kind, range(0))
    assert [item.sequence for item in items] == [n for n in range(1, len(items) + len(gap) + 1) if n not in gap]
    got = [(c.category, c.declared, c.parsed) for c in doc.category_counts if c.list_kind is kind]
    assert got == categories
    # the counts are the items' own categories, not a separate tally that could drift
    assert [(name_, sum(1 for i in items if i.category == name_)) for name_, _, _ in categories] == [
        (name_, real) for name_, _, real in categories
    ]
    (listed,) = [lc for lc in doc.list_counts if lc.list_kind is kind]
    assert (listed.declared, listed.parsed) == (declared_total, len(items))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_inconsistencies_are_reported_and_nothing_else(parsed: dict[str, ParsedDocument], name: str) -> None:
    doc = parsed[name]
    got = [(i.code, i.lines.first if i.lines else None, i.list_kind) for i in doc.issues]
    assert got == EXPECTED[name]["issues"]
    skipped = tuple((span.first, span.last) for span in doc.skipped_duplicate_pages)
    assert skipped == EXPECTED[name].get("skipped", ())
    assert all(issue.message for issue in doc.issues)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_merged_rows_keep_their_lines(parsed: dict[str, ParsedDocument], name: str) -> None:
    doc = parsed[name]
    merged = EXPECTED[name]["merged"]
    multi = {
        kind: {i.sequence: (i.lines.first, i.lines.last) for i in doc.items_of(kind) if i.lines.first != i.lines.last}
        for kind in ListKind
    }
    assert {kind: spans for kind, spans in multi.items() if spans} == merged
    # one folded row per extra source row with content: 342 | 323, 500 | 170, 212, 215, 221, 224
    assert doc.merged_rows == {0: 1, 1: 2, 2: 5, 3: 0, 4: 0}[int(name[:3])]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_line_is_accounted_for(parsed: dict[str, ParsedDocument], name: str) -> None:
    assert unaccounted_lines(parsed[name], read_source(SAMPLES / name)) == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_provenance_points_at_the_item_rows(parsed: dict[str, ParsedDocument], name: str) -> None:
    lines = read_source(SAMPLES / name)
    for item in parsed[name].items:
        first = split_cells(lines[item.lines.first - 1].text)
        assert parse_sequence(first[0]) == item.sequence
        last = split_cells(lines[item.lines.last - 1].text)
        assert last[0].strip() == "" or parse_sequence(last[0]) == item.sequence
        for field in (item.title, item.department_text, item.upper_responsibility, item.township_responsibility):
            assert "<p>" not in field and "</p>" not in field and "<ol" not in field and "<ul" not in field


def test_cell_texts_survive_merging(parsed: dict[str, ParsedDocument]) -> None:
    # 000:339 ends 上级部门职责 with 指导农村公路防灾, 000:342 goes on 及突发事件处置 (a page break mid-word)
    road = next(i for i in parsed["000_d4a0698a49e5e74d.txt"].items_of(C) if i.sequence == 107)
    assert "指导农村公路防灾及突发事件处置" in road.upper_responsibility
    assert road.township_responsibility.endswith("4.配合做好镇管农村公路沿线无主高立柱广告牌的拆除工作。")
    # 002 cooperative 28: three rows, one per group of departments; each part kept once
    quake = next(i for i in parsed["002_abfaf3bcc1fa4131.txt"].items_of(C) if i.sequence == 28)
    assert quake.title == "防震减灾救灾"
    for part in ("市应急管理局主要职责：", "市民政局主要职责：", "市卫生健康委员会主要职责："):
        assert quake.upper_responsibility.count(part) == 1
    # 001:425 wraps a title inside the cell: 上级部门审批建设 项目造成的违法图 斑整改
    patch = next(i for i in parsed["001_a7c2025eaec9b519.txt"].items_of(C) if i.sequence == 109)
    assert patch.title == "上级部门审批建设项目造成的违法图斑整改"
    # department cells keep their separators for etl.departments
    assert patch.department_text == "自规局鸡冠分局 区城管局 区农业农村局"
