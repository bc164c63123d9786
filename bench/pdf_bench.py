"""How long reading a list published as PDF takes: luzhi's reader (PDFium) against pdfplumber's own reading of
the same pages (pdfminer: what the reader ran on until session 24), in one run, as a ratio.

Each bundled document is written as Word and converted to PDF by LibreOffice (tests/formats.py), as the format
tests do. For each file: `read_pdf` whole (characters, ruling lines, tables, cell texts), and pdfplumber opening
it and taking each page's characters and tables, which is only the part of the old reader before its own cell
logic (so the ratio understates the old reader's total). Best of `--repeat` runs each.

    .venv/bin/python bench/pdf_bench.py [--repeat 3] [--out bench/results/pdf.md]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pdfplumber

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from formats import convert_to_pdf, write_docx  # noqa: E402 (the tests' writers, by path)

from luzhi.etl.build import bundled_documents  # noqa: E402
from luzhi.etl.readers.pdf import read_pdf  # noqa: E402


def best(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def pdfplumber_pages(path: Path) -> None:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.chars, page.find_tables()  # noqa: B018 (read for their cost)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--repeat", type=int, default=3)
    options.add_argument("--out", type=Path, default=Path("bench/results/pdf.md"))
    args = options.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        words = [write_docx(d.read_text(encoding="utf-8"), Path(folder) / f"{d.stem}.docx")
                 for d in bundled_documents()]
        for pdf in convert_to_pdf(words, Path(folder)):
            data = pdf.read_bytes()
            with pdfplumber.open(pdf) as opened:
                pages = len(opened.pages)
            ours = best(args.repeat, lambda data=data, name=pdf.name: list(read_pdf(data, name)))
            theirs = best(args.repeat, lambda pdf=pdf: pdfplumber_pages(pdf))
            rows.append((pdf.name, pages, len(data), ours, theirs))
            print(f"{pdf.name}: {pages} pages, luzhi {ours:.2f} s, pdfplumber {theirs:.2f} s", flush=True)
    total_ours, total_theirs = sum(r[3] for r in rows), sum(r[4] for r in rows)
    lines = [
        "# Reading a list published as PDF (bench/pdf_bench.py)",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, best of {args.repeat}, one run; the machine "
        "is shared, so compare the columns, not runs.",
        "",
        "| file | pages | bytes | luzhi `read_pdf` (PDFium) s | pdfplumber pages + tables (pdfminer) s | ratio |",
        "|---|---:|---:|---:|---:|---:|",
        *(f"| {name} | {pages} | {size:,} | {ours:.2f} | {theirs:.2f} | {theirs / ours:.1f}× |"
          for name, pages, size, ours, theirs in rows),
        f"| all | {sum(r[1] for r in rows)} | | {total_ours:.2f} | {total_theirs:.2f} | "
        f"{total_theirs / total_ours:.1f}× |",
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
