"""Render bench/results/scale.jsonl (written by bench/scale_bench.py): the markdown tables, the national
extrapolation and the plot bench/results/scale.png (issue 13).

The plot draws every run in scale.jsonl (the newest solid, older ones dotted, each labelled with its
time and commit); a markdown section holds the rows of one run, measured under the same load.

    python bench/scale_report.py [--readme]   # redraw the plot from scale.jsonl [and print the README table]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: write files only
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

RESULTS = Path(__file__).parent / "results"
COUNTRY = 38_700  # townships and street offices (issue 13)
SERIES = (("duty_html", "duty HTML"), ("duty_ttl", "duty Turtle"), ("town_html", "township HTML"),
          ("town_ttl", "township Turtle"), ("search_html", "search"))


def read_rows() -> list[dict]:
    path = RESULTS / "scale.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _latency(cell: dict) -> str:
    if cell["p50_ms"] is None:
        return f"— ({cell['errors']} errors)"
    errors = f", {cell['errors']} err" if cell["errors"] else ""
    return f"{cell['p50_ms']:g} / {cell['p99_ms']:g}{errors}"


def extrapolation(row: dict) -> str:
    """Linear in townships from one measured size: every document is built, loaded and stored on its own."""
    factor = COUNTRY / row["townships"]
    build = row["build"]
    return (f"Extrapolated linearly to {COUNTRY:,} townships from the {row['townships']:,} measured "
            f"(×{factor:.1f}; an extrapolation, not a measurement): build {build['wall_s'] * factor / 3600:.1f} h "
            f"wall, {build['cpu_s'] * factor / 3600:.1f} CPU-hours, store {row['store_mb'] * factor / 1024:.0f} GB, "
            f"{row['quads'] * factor / 1e6:.0f} M quads; peak RSS is not extrapolated (measured "
            f"{build['peak_tree_rss_mb']:,.0f} MB for the process tree at {row['townships']:,}).")


def markdown(rows: list[dict]) -> str:
    """One run's section for scale.md."""
    first = rows[0]
    lines = [
        f"## {first['run']} (commit {first['commit']}, synth seed {first['seed']}, "
        f"{first['concurrency']} client connections)",
        "",
        f"`luzhi build` arguments beyond the files: `{' '.join(first['build_args']) or 'none'}`. "
        "Latencies are p50 / p99 in ms; load = the 1-minute load average (2 cores) during that step.",
        "",
        "| townships | quads | build wall s | build CPU s | CPU s / township | peak RSS, tree MB | largest process MB "
        "| store MB | load (build) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        b = r["build"]
        lines.append(f"| {r['townships']:,} | {r['quads']:,} | {b['wall_s']:,} | {b['cpu_s']:,} | "
                     f"{b['cpu_s'] / r['townships']:.2f} | {b['peak_tree_rss_mb']:,} | {b['max_process_rss_mb']:,} | "
                     f"{r['store_mb']:,} | {b['load']} |")
    lines += ["", "| townships | " + " | ".join(label for _, label in SERIES) + " | load (serving) |",
              "|---:|" + "---:|" * len(SERIES) + "---:|"]
    for r in rows:
        load = max(r["serve"][key]["load"] for key, _ in SERIES)
        lines.append(f"| {r['townships']:,} | " + " | ".join(_latency(r["serve"][key]) for key, _ in SERIES)
                     + f" | {load} |")
    lines += ["", extrapolation(max(rows, key=lambda r: r["townships"])), ""]
    return "\n".join(lines)


def append_markdown(rows: list[dict]) -> None:
    path = RESULTS / "scale.md"
    if not path.exists():
        path.write_text("# Scale benchmark (issue 13)\n\nWritten by `python bench/scale_bench.py`; newest run last.\n",
                        encoding="utf-8")
    with path.open("a", encoding="utf-8") as out:
        out.write("\n" + markdown(rows))


def plot(rows: list[dict]) -> Path:
    """One line per run and measure: the newest run solid, older runs (e.g. before a change) dotted."""
    runs: dict[str, list[dict]] = {}
    for row in rows:
        runs.setdefault(f"{row['run']} ({row['commit']})", []).append(row)
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.6))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    sizes: set[int] = set()
    for age, (run, measured) in enumerate(reversed(list(runs.items()))):
        style = "-" if age == 0 else ":"
        measured = sorted(measured, key=lambda r: r["townships"])
        x = [r["townships"] for r in measured]
        sizes.update(x)
        left.plot(x, [r["build"]["wall_s"] for r in measured], "o" + style, color=colours[0], label=f"wall, {run}")
        left.plot(x, [r["build"]["cpu_s"] for r in measured], "s" + style, color=colours[1], label=f"CPU, {run}")
        for colour, (key, label) in zip(colours, SERIES, strict=False):
            points = [(r["townships"], r["serve"][key]["p50_ms"]) for r in measured if r["serve"][key]["p50_ms"]]
            right.plot([p[0] for p in points], [p[1] for p in points], "o" + style, color=colour,
                       label=label if age == 0 else None)
    left.set(xscale="log", yscale="log", xlabel="townships", ylabel="seconds",
             title="luzhi build: wall and CPU (all processes)")
    right.set(xscale="log", yscale="log", xlabel="townships", ylabel="p50 ms (2 connections)",
              title="dereference and search (dotted: older runs)")
    for axes in (left, right):
        axes.set_xticks(sorted(sizes), [f"{n:,}" for n in sorted(sizes)])
        axes.minorticks_off()
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize=7)
    figure.suptitle("luzhi at scale on a shared 2-core machine (load averages in bench/results/scale.md)",
                    fontsize=9)
    figure.tight_layout()
    out = RESULTS / "scale.png"
    figure.savefig(out, dpi=110)
    plt.close(figure)
    return out


def readme_table(rows: list[dict]) -> str:
    """Every measured row, compact, for the README (p50 / p99 ms at 2 connections)."""
    lines = ["| run (commit) | townships | quads | build wall / CPU s | peak RSS MB | store MB | load | duty HTML "
             "| duty Turtle | township HTML | search p50 |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        b, v = r["build"], r["serve"]
        search = v["search_html"]
        errors = f" ({search['errors']} errors)" if search["errors"] else ""
        lines.append(f"| {r['run']} ({r['commit']}) | {r['townships']:,} | {r['quads']:,} | {b['wall_s']:,.0f} / "
                     f"{b['cpu_s']:,.0f} | {b['peak_tree_rss_mb']:,.0f} | {r['store_mb']:,.0f} | {b['load']:.0f} | "
                     f"{_latency(v['duty_html'])} | {_latency(v['duty_ttl'])} | {_latency(v['town_html'])} | "
                     f"{search['p50_ms'] or '—'}{errors} |")
    return "\n".join(lines)


def main() -> None:
    rows = read_rows()
    print(f"wrote {plot(rows)}")
    if "--readme" in sys.argv:
        print(readme_table(rows))
        print(extrapolation(max(rows, key=lambda r: (r["run"], r["townships"]))))


if __name__ == "__main__":
    main()
