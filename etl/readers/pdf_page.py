"""One PDF page as PDFium (pypdfium2) reads it: its characters, and the straight segments of its drawn paths.

What etl/readers/pdf.py reads rows from, in pdfplumber's shapes (a character and an edge are dicts of `x0`, `x1`,
`top`, `bottom` …, from the page's top), so that pdfplumber's table finder takes the edges as they are. PDFium
is C: each call here is short, and the loops look at the reader's time limit every `CHECK_EVERY` steps.
"""

from __future__ import annotations

import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from luzhi.etl.readers.time_limit import Deadline


def page_chars(page: pdfium.PdfPage, top_y: float, deadline: Deadline) -> list[dict]:
    """The page's characters as pdfplumber names them (`text`, `x0`, `x1`, `top`, `bottom` from the page's top,
    `size`, `upright`), in the order the content stream draws them.

    PDFium adds characters of its own between words and lines (`IsGenerated`), and now and then takes a real
    space glyph for one of its own, or for a line break: 区人社局 团区委, two departments in a cell, read
    区人社局团区委. White space it generated between two characters of one line, in a gap wide enough for a
    space glyph (`_SPACE_GAP`), is kept as the space there was; any other it generated is left out, as pdfminer
    (the reader before) saw none there."""
    chars: list[dict] = []
    box, x, baseline = pdfium_c.FS_RECTF(), ctypes.c_double(), ctypes.c_double()
    text_page = page.get_textpage()
    try:
        count = text_page.count_chars()
        pending_space = False  # PDFium generated white space after the last character kept
        for i in range(count):
            if i % CHECK_EVERY == 0:
                deadline.check()
            code = pdfium_c.FPDFText_GetUnicode(text_page, i)
            if pdfium_c.FPDFText_IsGenerated(text_page, i) == 1:
                pending_space = code in (0x20, 0x0D, 0x0A)  # a line break, too, where the line goes on
                continue
            if not 0 < code < 0x110000 or 0xD800 <= code < 0xE000:
                continue
            pdfium_c.FPDFText_GetLooseCharBox(text_page, i, box)  # the advance's width, as pdfminer's: not the ink's
            pdfium_c.FPDFText_GetCharOrigin(text_page, i, x, baseline)
            size = pdfium_c.FPDFText_GetFontSize(text_page, i)
            top = top_y - baseline.value - _ASCENT * size  # one top for a line's characters, whatever their glyphs
            char = {"text": chr(code), "x0": box.left, "x1": box.right, "top": top, "bottom": top + size,
                    "size": size, "upright": pdfium_c.FPDFText_GetCharAngle(text_page, i) == 0}
            if pending_space and chars and (space := _space_between(chars[-1], char)):
                chars.append(space)
            chars.append(char)
            pending_space = False
    finally:
        text_page.close()
    return chars


# A character's box as pdfminer drew it: a font size tall, from the font's descent (about a fifth of the size
# below the baseline) up. PDFium's own "loose" box gives each glyph its own top, 0.8–1.2 pt apart on one line.
_ASCENT = 0.8
_SPACE_GAP = (0.15, 1.0)  # a space glyph's width, in font sizes: LibreOffice's is 0.3 in a CJK font


def _space_between(before: dict, after: dict) -> dict | None:
    """A space filling the gap between two characters of one line, if the gap is a space's width and is not
    the room a word processor leaves between a Chinese character and a Latin letter or digit (LibreOffice's
    autospace: 24项 is drawn 24 项, with no space in the text)."""
    gap, size = after["x0"] - before["x1"], before["size"]
    same_line = abs(after["top"] - before["top"]) < 0.5 * size
    if not (same_line and _SPACE_GAP[0] * size <= gap <= _SPACE_GAP[1] * size):
        return None
    if _ideograph(before["text"]) and _latin(after["text"]) or _latin(before["text"]) and _ideograph(after["text"]):
        return None
    return {**before, "text": " ", "x0": before["x1"], "x1": after["x0"]}


def _ideograph(text: str) -> bool:
    return "\u3400" <= text <= "\u9fff" or "\uf900" <= text <= "\ufaff" or text >= "\U00020000"


def _latin(text: str) -> bool:
    return text.isascii() and text.isalnum()


CHECK_EVERY = 4096  # characters, page objects or path segments read between two looks at the time limit
_MOVE = pdfium_c.FPDF_SEGMENT_MOVETO
_PATH, _FORM = pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM
_MAX_FORM_DEPTH = 15  # forms drawn inside forms, as far as pypdfium2's own walk goes


def page_edges(page: pdfium.PdfPage, top_y: float, deadline: Deadline) -> tuple[list[dict], list[dict]]:
    """The vertical and the horizontal straight segments of the page's paths (a ruled line, a side of a cell's
    rectangle), at least 1 pt long, in page coordinates from the top: pdfplumber's edges."""
    edges: tuple[list[dict], list[dict]] = ([], [])
    x, y = ctypes.c_float(), ctypes.c_float()
    matrix = pdfium_c.FS_MATRIX()

    def walk(count, get, parent, outer: pdfium.PdfMatrix, depth: int) -> None:
        for index in range(count(parent)):
            if index % CHECK_EVERY == 0:
                deadline.check()
            obj = get(parent, index)
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind not in (_PATH, _FORM) or not pdfium_c.FPDFPageObj_GetMatrix(obj, matrix):
                continue
            placed = pdfium.PdfMatrix.from_raw(matrix).multiply(outer)  # its own matrix, then its form's
            if kind == _FORM:
                if depth < _MAX_FORM_DEPTH:
                    walk(pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject, obj, placed,
                         depth + 1)
                continue
            start = last = None
            for number in range(pdfium_c.FPDFPath_CountSegments(obj)):
                if number % CHECK_EVERY == CHECK_EVERY - 1:
                    deadline.check()
                segment = pdfium_c.FPDFPath_GetPathSegment(obj, number)
                pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
                across, up = placed.on_point(x.value, y.value)
                point = (across, top_y - up)
                if pdfium_c.FPDFPathSegment_GetType(segment) == _MOVE or last is None:
                    start = point
                else:
                    _add_edge(edges, last, point)
                if pdfium_c.FPDFPathSegment_GetClose(segment):
                    _add_edge(edges, point, start)
                last = point

    walk(pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject, page, pdfium.PdfMatrix(), 0)
    return edges


def _add_edge(edges: tuple[list[dict], list[dict]], one: tuple[float, float], other: tuple[float, float]) -> None:
    (x0, top), (x1, bottom) = sorted((one, other), key=lambda point: (point[1], point[0]))
    x0, x1 = sorted((x0, x1))
    width, height = x1 - x0, bottom - top
    if width < 1e-3 <= height and height >= 1:  # pdfplumber's prefilter: edges under 1 pt are none
        edges[0].append({"object_type": "curve_edge", "x0": x0, "x1": x0, "top": top, "bottom": bottom,
                         "width": 0.0, "height": height, "orientation": "v"})
    elif height < 1e-3 <= width and width >= 1:
        edges[1].append({"object_type": "curve_edge", "x0": x0, "x1": x1, "top": top, "bottom": top,
                         "width": width, "height": 0.0, "orientation": "h"})
