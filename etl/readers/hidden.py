"""What a reader leaves out because its application does not show it, said as a notice.

Excel's hidden rows, Word's hidden text (`w:vanish`) and a web page's hidden rows (`display:none`, `hidden`,
`visibility:hidden`) are not what a reader of the document sees, so they are not read as duties (cold review 21:
all three were loaded); the rows left out are named, one notice a table or sheet, with the document's issues. A
Word body's paragraphs all of hidden text are said the same way, one notice for the body (they were dropped unsaid).
"""

from __future__ import annotations

from luzhi.etl.model import Issue


def row_ranges(numbers: list[int], lang: str, most: int = 12) -> str:
    """Row numbers as a person counts them, runs joined (`3、5–6` / `3, 5–6`), the first `most` runs."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    words = [str(a) if a == b else f"{a}–{b}" for a, b in runs[:most]]
    comma = "、" if lang == "zh" else ", "
    return comma.join(words) + (f"{comma}…" if len(runs) > most else "")


ROWS = ("行", "row", "rows")
PARAGRAPHS = ("段", "paragraph", "paragraphs")


def hidden_rows(where: tuple[str, str], numbers: list[int], shown_in: tuple[str, str],
                unit: tuple[str, str, str] = ROWS) -> Issue:
    """The notice that rows `numbers` of `where` (zh, en: 工作表“A” / sheet “A”, 表 2 / table 2) are hidden and
    were not read; `shown_in` (zh, en) is where the user unhides them (Excel, Word, the page's HTML); `unit`: what
    the numbers count (zh, en singular, en plural), rows or a Word body's paragraphs."""
    one = len(numbers) == 1
    rows = row_ranges(numbers, "zh")
    space = " " if where[0][-1:].isascii() and where[0][-1:].isalnum() else ""  # 表 2 的, 工作表“A”的
    return Issue("hidden-rows-skipped", f"{where[0]}{space}的第 {rows} {unit[0]}是隐藏的"
                 f"（共 {len(numbers)} {unit[0]}），未读入；若其中有要载入的事项，请在{shown_in[0]}中取消隐藏后再试",
                 message_en=f"{unit[1] if one else unit[2]} {row_ranges(numbers, 'en')} of {where[1]} "
                 f"{'is' if one else 'are'} hidden and not read ({len(numbers)} in all); if they hold duties to load, "
                 f"unhide them in {shown_in[1]} and try again")
