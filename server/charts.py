"""Bar charts drawn on the server as SVG (issue 14): a township's lists by category.

Server-side so the chart is there without JavaScript, in a screenshot, a printout and a feed
reader; each bar carries a `<title>` with its numbers and the page keeps the same numbers in a
table, so nothing is only in the picture. Text is escaped by markupsafe like every template value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Series:
    """One colour of a stacked bar: a list (basic, cooperative, reclaimed)."""

    name: str
    colour: str  # a fill attribute, not CSS: the SVG stays coloured where the stylesheet is not applied


@dataclass(frozen=True)
class Bar:
    label: str
    values: tuple[int, ...]  # one per series
    href: str | None = None

    @property
    def total(self) -> int:
        return sum(self.values)


ROW_HEIGHT, BAR_HEIGHT, LABEL_WIDTH, PLOT_WIDTH, LEGEND_HEIGHT = 26, 18, 150, 420, 28
FONT = 'font-family="WenQuanYi Zen Hei, Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"'


def stacked_bars(title: str, series: Sequence[Series], bars: Sequence[Bar], colon: str = ": ") -> Markup:
    """Horizontal stacked bars, longest total first as given; the scale is the largest total."""
    largest = max((bar.total for bar in bars), default=0) or 1
    width = LABEL_WIDTH + PLOT_WIDTH + 50
    height = LEGEND_HEIGHT + ROW_HEIGHT * len(bars) + 6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" {FONT} font-size="13">',
        f"<title>{escape(title)}</title>",
    ]
    x = LABEL_WIDTH
    for s in series:
        parts.append(f'<rect fill="{s.colour}" x="{x}" y="6" width="12" height="12"/>')
        parts.append(f'<text x="{x + 16}" y="17">{escape(s.name)}</text>')
        x += 16 + 14 * len(s.name) + 18
    for row, bar in enumerate(bars):
        y = LEGEND_HEIGHT + row * ROW_HEIGHT
        label = f'<text x="{LABEL_WIDTH - 8}" y="{y + 14}" text-anchor="end">{escape(bar.label)}</text>'
        parts.append(f'<a href="{escape(bar.href)}">{label}</a>' if bar.href else label)
        x = float(LABEL_WIDTH)
        for s, value in zip(series, bar.values, strict=True):
            if value:
                w = PLOT_WIDTH * value / largest
                parts.append(
                    f'<rect fill="{s.colour}" x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{BAR_HEIGHT}">'
                    f"<title>{escape(bar.label)} · {escape(s.name)}{colon}{value}</title></rect>"
                )
                x += w
        parts.append(f'<text x="{x + 5:.1f}" y="{y + 15}" class="total">{bar.total}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
