"""The text writer: the tab-separated layout of the seed extractions, which `luzhi build` reads today.

Each format is a function `SynthDocument -> bytes` registered in `WRITERS`; a docx/xlsx writer
would render the same pages as tables (and leave out SEPARATOR rows, which only text has).
"""

from __future__ import annotations

from luzhi.etl.synth.model import RowRole, SynthDocument

# 000:179 writes the separator cells at these widths.
_SEPARATOR_WIDTHS = (4, 12, 30, 30, 30, 30)


def render_txt(doc: SynthDocument) -> bytes:
    """Lines as in the seeds: the front matter (or two blank lines), then per list its title and its
    pages, each page a header and its rows followed by a blank line."""
    out = [*doc.front, ""] if doc.front else ["", ""]
    for lst in doc.lists:
        for number, page in enumerate(lst.pages):
            if lst.title and (number == 0 or page.repeat_title):
                out += [lst.title, ""]
            out.append("\t".join(lst.header))
            for row in page.rows:
                if row.role is RowRole.SEPARATOR:
                    out.append("\t".join("-" * width for width in _SEPARATOR_WIDTHS[: len(lst.header)]))
                elif row.standalone:
                    out += ["", row.cells[0], ""]
                else:
                    out.append("\t".join(row.cells))
            out.append("")
    return ("\n".join(out) + "\n").encode("utf-8")


WRITERS = {"txt": render_txt}
