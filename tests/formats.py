"""Write a bundled text document as the other formats townships publish, with the real tools.

Word and Excel files are written with python-docx and openpyxl, CSV with the csv module (as Excel saves it),
PDF is LibreOffice's conversion of the Word file (`soffice --headless --convert-to pdf`, Debian's
libreoffice-writer-nogui, see tests/setup-system.sh), HTML is rendered as a page of `<table>`s. Each line of the text
becomes a paragraph (one cell) or a table row (tab-separated cells); consecutive rows form one table; a blank
line is an empty paragraph. A cell's HTML (`<p>`, `<ol>`) is what a web page would carry; in Word and Excel it
becomes one paragraph (one line) per block, as a person would have typed it.
"""

from __future__ import annotations

import csv
import html
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt
from openpyxl import Workbook
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV

from luzhi.etl.rows import parse_sequence
from luzhi.etl.text import cell_text

_SPACE = re.compile(r"\s+")
FONT = "WenQuanYi Zen Hei"  # fonts-wqy-zenhei: LibreOffice needs CJK glyphs to write CJK text into the PDF


def blocks(text: str) -> Iterator[tuple[str, list[list[str]]]]:
    """("paragraph", [[text]]) or ("table", rows of cells), in order."""
    rows: list[list[str]] = []
    for line in text.rstrip("\n").split("\n"):
        if "\t" in line:
            rows.append(line.split("\t"))
            continue
        if rows:
            yield "table", rows
            rows = []
        yield "paragraph", [[line]]
    if rows:
        yield "table", rows


_BLOCK_START = re.compile(r"^\s*<\s*(?:p|ol|ul|li|div|br)\b", re.IGNORECASE)


def _typed(raw: str, *, continued: bool = False) -> str:
    """A cell as typed into Word or Excel: the HTML's blocks as lines, entities as characters. In a
    row continued from the page before (no 序号), a cell starting with a block (`<p>6. 鸡冠交警大队…`,
    001 line 323) starts with an empty paragraph: its text begins a new paragraph."""
    typed = cell_text(raw)
    return "\n" + typed if typed and continued and _BLOCK_START.match(raw) else typed


def write_docx(text: str, target: Path) -> Path:
    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(6)
    style.font.name = FONT
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    style.paragraph_format.space_after = Pt(0)
    section = document.sections[0]
    # A tall, wide page: LibreOffice then breaks no table row over two pages (the longest cell of
    # the samples fits), as a person would have set the table for printing.
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Inches(22), Inches(22)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(0.4))
    for kind, rows in blocks(text):
        if kind == "paragraph":
            document.add_paragraph(rows[0][0])
            continue
        width = max(len(row) for row in rows)
        table = document.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        for row, cells in zip(table.rows, rows, strict=True):
            properties = row._tr.get_or_add_trPr()
            cant_split = OxmlElement("w:cantSplit")
            properties.append(cant_split)
            continued = not cells[0].strip()
            for cell, raw in zip(row.cells, [*cells, *[""] * (width - len(cells))], strict=True):
                lines = _typed(raw, continued=continued).split("\n") if raw.strip() else [""]
                cell.paragraphs[0].text = lines[0]
                for line in lines[1:]:
                    cell.add_paragraph(line)
    document.save(target)
    return target


def write_xlsx(text: str, target: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "履职事项清单"
    for number, line in enumerate(text.rstrip("\n").split("\n"), start=1):
        continued = "\t" in line and not line.split("\t")[0].strip()
        for column, raw in enumerate(line.split("\t"), start=1):
            typed = _typed(raw, continued=continued)
            if not typed:
                continue
            sequence = parse_sequence(typed) if column == 1 and typed.isdigit() else None
            sheet.cell(row=number, column=column, value=sequence if sequence is not None else typed)
    workbook.save(target)
    return target


def write_csv(text: str, target: Path, encoding: str = "utf-8-sig") -> Path:
    """As Excel's 另存为 CSV writes the workbook `write_xlsx` makes: its cells typed (a cell of several paragraphs
    quoted, its line breaks kept), comma-separated, UTF-8 with a BOM or the system's GB18030."""
    with open(target, "w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        for line in text.rstrip("\n").split("\n"):
            continued = "\t" in line and not line.split("\t")[0].strip()
            writer.writerow([_typed(raw, continued=continued) for raw in line.split("\t")])
    return target


def write_html(text: str, target: Path) -> Path:
    parts = ['<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8"><title>履职事项清单</title></head><body>']
    for kind, rows in blocks(text):
        if kind == "paragraph":
            parts.append(f"<p>{html.escape(rows[0][0].strip())}</p>")
            continue
        parts.append('<table border="1">')
        for cells in rows:
            # the cell's own HTML (<p>, <ol>) is the page's markup; its plain text is escaped
            parts.append("<tr>" + "".join(f"<td>{_markup(cell)}</td>" for cell in cells) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>\n")
    target.write_text("\n".join(parts), encoding="utf-8")
    return target


def _markup(cell: str) -> str:
    return cell if "<" in cell else html.escape(cell)


def convert_to_pdf(documents: list[Path], outdir: Path) -> list[Path]:
    """All Word files to PDF in one LibreOffice run (starting it costs seconds)."""
    profile = outdir / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            *map(str, documents),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return [outdir / (path.stem + ".pdf") for path in documents]


def write_cell_lines(text: str, target: Path) -> Path:
    """The text as copied from a web page's table: every cell on its own line, an empty cell an
    empty line, each row as wide as the header above it (the header too: one word per line)."""
    out: list[str] = []
    width = 0
    for line in text.rstrip("\n").split("\n"):
        if "\t" not in line:
            out.append(line)
            continue
        cells = line.split("\t")
        if cells[0].strip() in ("序号", "编号"):
            width = len([cell for cell in cells if cell.strip()])
        out.extend(cell.strip() for cell in [*cells, *[""] * (width - len(cells))][:width])
    target.write_text("\n".join(out) + "\n", encoding="utf-8")
    return target


def without_provenance(graph: Graph, *, squeeze_text: bool, base: str = "http://127.0.0.1:5000") -> Graph:
    """The graph without provenance: prov:* triples and those of the source document and the build
    (their IRIs and checksums name the file). `squeeze_text` drops white space from zh literals."""
    kept = Graph()
    for s, p, o in graph:
        if str(p).startswith(str(PROV)):
            continue
        if any(
            isinstance(term, URIRef) and str(term).startswith((f"{base}/source/", f"{base}/id/build/"))
            for term in (s, o)
        ):
            continue
        if squeeze_text and isinstance(o, Literal) and o.language == "zh":
            o = Literal(_SPACE.sub("", str(o)), lang="zh")
        kept.add((s, p, o))
    return kept
