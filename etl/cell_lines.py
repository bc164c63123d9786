"""Text copied from a web page, one table cell per line → the tab-separated rows the parser reads.

Copying an HTML table out of a browser often gives each cell its own line: the header as
`序号` / `事项名称` / `对应上级部门` … on consecutive lines, then each row's cells on the next lines
(an empty cell an empty line). The layout is recognised by its structure, never guessed: a run of
two or more consecutive one-cell lines that are all known column names, starting with 序号 (or 编号)
and naming 事项名称, is a header of k columns; every row after it is the next k lines. At a row
boundary, a title, a category heading, a page number or another such header run stands alone; a
blank line there separates pages unless a row follows it whose first cell is empty (a row continued
from the page before). Each regrouped row remembers the original lines it came from, so every line
number the parser reports is mapped back (`original_span`).
"""

from __future__ import annotations

from dataclasses import dataclass

from luzhi.etl.columns import REPEATABLE
from luzhi.etl.model import LineSpan, SourceLine
from luzhi.etl.numbers import parse_number
from luzhi.etl.rows import Column, RowKind, classify_line, column_of


@dataclass(frozen=True)
class Regrouped:
    lines: tuple[SourceLine, ...]
    spans: tuple[LineSpan, ...]  # for each regrouped line, the original lines it came from

    def original_span(self, span: LineSpan) -> LineSpan:
        return LineSpan(self.spans[span.first - 1].first, self.spans[span.last - 1].last)


def _header_run(lines: list[SourceLine], start: int) -> list[Column] | None:
    columns: list[Column] = []
    index = start
    while index < len(lines) and "\t" not in lines[index].text and lines[index].text.strip():
        column = column_of(lines[index].text)
        if column is None or (column in columns and column not in REPEATABLE):
            break
        columns.append(column)
        index += 1
    # 事项内容 alone is the title (etl/columns.py `settle`)
    if len(columns) >= 2 and columns[0] is Column.SEQUENCE and {Column.TITLE, Column.DESCRIPTION} & set(columns):
        return columns
    return None


_STANDALONE = (RowKind.DOC_TITLE, RowKind.LIST_TITLE, RowKind.HEADING, RowKind.PAGE_NUMBER, RowKind.CONTINUED,
               RowKind.TOC)


def _standalone(line: SourceLine) -> bool:
    return classify_line(line).kind in _STANDALONE


def regroup_cell_lines(lines: list[SourceLine]) -> Regrouped | None:
    """The rows of a one-cell-per-line document, or None when the document has tab-separated
    rows or no header run (it is read as it is)."""
    if any("\t" in line.text for line in lines):
        return None
    out: list[tuple[str, LineSpan]] = []
    width = 0
    index = 0
    while index < len(lines):
        line = lines[index]
        header = _header_run(lines, index)
        if header is not None:
            width = len(header)
            out.append(("\t".join(lines[index + i].text.strip() for i in range(width)), _span(lines, index, width)))
            index += width
            continue
        text = line.text.strip()
        after_header = (
            bool(out) and out[-1][0].count("\t") == width - 1 and _header_run(lines, index - width) is not None
        )
        page_break = not text and not after_header and _page_break(lines, index)
        if not width or _standalone(line) or page_break:
            out.append((line.text, _span(lines, index, 1)))
            index += 1
            continue
        cells = [lines[i].text.strip() for i in range(index, min(index + width, len(lines)))]
        out.append(("\t".join(cells), _span(lines, index, len(cells))))
        index += len(cells)
    if not any(_header_run(lines, i) for i in range(len(lines))):
        return None
    path = lines[0].path if lines else ""
    regrouped = tuple(SourceLine(path, number, text) for number, (text, _) in enumerate(out, start=1))
    return Regrouped(regrouped, tuple(span for _, span in out))


def _span(lines: list[SourceLine], index: int, count: int) -> LineSpan:
    return LineSpan(lines[index].lineno, lines[min(index + count, len(lines)) - 1].lineno)


def _page_break(lines: list[SourceLine], index: int) -> bool:
    """A blank line at a row boundary: a page separator, unless a row with an empty first cell
    starts here (its other cells follow, and they are not a header, a title or a heading). Right
    after a header the next lines are always a row (001 line 323 continues 68 after a header)."""
    following = lines[index + 1] if index + 1 < len(lines) else None
    if following is None or not following.text.strip() or _standalone(following):
        return True
    if _header_run(lines, index + 1) is not None:
        return True
    return parse_number(following.text.strip()) is not None  # the next row starts right after
