"""A table header written over two rows: a group's name over its sub-columns, as merged cells make it.

    序号 | 事项名称 | 配合部门（merged over two columns） | 上级部门职责 | 镇配合职责
         |          | 牵头            | 配合              |              |

Word and Excel give a cell merged across columns once, in its first column, and a cell merged down the rows in
every row it spans (etl/readers): the upper row has a blank beside a group's name for each further column the
group spans, the lower row names the group's sub-columns, and under every other column it holds nothing or that
column's own name again. Read together, column by column, a sub-column is named by both rows: 配合部门/牵头
(cold review 21: the blank beside 配合部门 was refused as an unknown column, and the message asked for a layout
profile entry for a column with no name). etl/columns.py `role_of_pair` says which column the two words name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_WHITESPACE = re.compile(r"\s+")
# A sub-column's name is a header word: no digit, no sentence punctuation (a row of cells has them: 牵头：县公安局)
_NO_NAME = re.compile(r"[\d，。；：,.;:！？!?]")


@dataclass(frozen=True)
class TwoRowHeader:
    cells: tuple[str, ...]  # each column's name as reports give it: 配合部门/牵头, or the upper row's
    parts: tuple[tuple[str, str] | None, ...]  # (group, sub-column) of a column both rows name


def combine_header_rows(upper: Sequence[str], lower: Sequence[str]) -> TwoRowHeader | None:
    """The header that `upper` and `lower` make together, or None when `lower` is not the second row of a
    two-row header: it must name every column of a group (a name in `upper` followed by blanks) and nothing
    else than the upper row's own name under any other column, and there must be a group."""
    if len(lower) <= len(upper) and all(cell.strip() for cell in upper):
        return None  # no column beside a group's name: every line of a document is asked
    width = max(len(upper), len(lower))
    up = [_WHITESPACE.sub("", cell) for cell in upper] + [""] * (width - len(upper))
    down = [_WHITESPACE.sub("", cell) for cell in lower] + [""] * (width - len(lower))
    starts = [index for index, text in enumerate(up) if text]
    if not starts or starts[0] != 0:
        return None
    cells: list[str] = []
    parts: list[tuple[str, str] | None] = []
    for start, end in zip(starts, [*starts[1:], width], strict=True):
        group, subs = up[start], down[start:end]
        if end - start == 1:
            if subs[0] and subs[0] != group:
                return None
            cells.append(group)
            parts.append(None)
        elif all(subs) and group not in subs and not any(_NO_NAME.search(sub) for sub in subs):
            cells += [f"{group}/{sub}" for sub in subs]
            parts += [(group, sub) for sub in subs]
        else:
            return None
    if not any(parts):
        return None
    return TwoRowHeader(tuple(cells), tuple(parts))
