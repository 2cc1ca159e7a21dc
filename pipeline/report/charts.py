"""Inline SVG charts drawn in Python: no script, no font file, no network.

Each function returns one ``<svg>`` element (a string) sized in CSS pixels, with its figures also
written as text labels, so the page reads the same printed in black and white.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

from pipeline.report.layout import display_width

FONT = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','SimHei','PingFang SC',sans-serif"
PALETTE = ("#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1", "#9C755F", "#BAB0AC", "#FF9DA7")
TEXT = "#222"
GRID = "#ddd"
SMALL = 12  # px: the smallest text of a chart, 9 pt on paper


def _text_px(text: str, size: float) -> float:
    return display_width(text) * size * 0.55


def _svg(width: float, height: float, body: list[str], label: str) -> str:
    return (
        f'<svg role="img" aria-label="{escape(label)}" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'font-family="{escape(FONT)}" font-size="12" fill="{TEXT}">' + "".join(body) + "</svg>"
    )


def _t(x: float, y: float, text: str, anchor: str = "start", size: int = 12, weight: str = "normal", fill: str = TEXT) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" font-weight="{weight}" '
        f'fill="{fill}">{escape(str(text))}</text>'
    )


def _ticks(v: float, most: int = 5) -> list[float]:
    """Axis ticks from 0 past ``v`` at a round step (1, 2 or 5 x 10^k, never below 1: counts are
    whole), at most ``most`` steps."""
    if v <= 0:
        return [0.0, 1.0]
    mag = 10 ** max(0, math.floor(math.log10(v)) - 1)
    while True:
        for m in (1, 2, 5):
            step = m * mag
            n = math.ceil(v / step)
            if n <= most:
                return [step * k for k in range(n + 1)]
        mag *= 10


def _legend(names: Sequence[str], colors: Sequence[str], x: float, y: float, width: float) -> tuple[list[str], float]:
    """Legend items laid out in rows within ``width``; returns the elements and the height used."""
    out, cx, cy = [], x, y
    for name, color in zip(names, colors):
        w = 18 + _text_px(name, 12) + 16
        if cx + w > x + width and cx > x:
            cx, cy = x, cy + 20
        out.append(f'<rect x="{cx:.1f}" y="{cy - 10:.1f}" width="12" height="12" fill="{color}"/>')
        out.append(_t(cx + 16, cy, name))
        cx += w
    return out, cy - y + 20


def stacked_bars(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    label: str,
    width: int = 900,
    bar: int = 22,
) -> str:
    """Horizontal bars, one per category, stacked by series; the total is written after each bar."""
    left = max([_text_px(c, 12) for c in categories], default=40) + 14
    right = 60
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(series))]
    legend, legend_h = _legend([s[0] for s in series], colors, left, 18, width - left - right)
    top = 18 + legend_h + 6
    totals = [sum(s[1][i] or 0 for s in series) for i in range(len(categories))]
    ticks = _ticks(max(totals, default=0))
    top_value = ticks[-1]
    plot_w = width - left - right
    body = list(legend)
    height = top + len(categories) * (bar + 10) + 26
    for tick in ticks:
        gx = left + plot_w * tick / top_value
        body.append(f'<line x1="{gx:.1f}" y1="{top - 4:.1f}" x2="{gx:.1f}" y2="{height - 22:.1f}" stroke="{GRID}"/>')
        body.append(_t(gx, height - 8, f"{tick:g}", "middle", SMALL))
    for i, cat in enumerate(categories):
        y = top + i * (bar + 10)
        body.append(_t(left - 8, y + bar * 0.7, cat, "end"))
        x = left
        for (name, values), color in zip(series, colors):
            v = values[i] or 0
            if v <= 0:
                continue
            w = plot_w * v / top_value
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar}" fill="{color}"><title>{escape(f"{cat} {name}：{v:g}")}</title></rect>')
            if w > _text_px(f"{v:g}", SMALL) + 4:
                body.append(_t(x + w / 2, y + bar * 0.7, f"{v:g}", "middle", SMALL, fill="#fff"))
            x += w
        body.append(_t(x + 6, y + bar * 0.7, f"{totals[i]:g}", size=12, weight="bold"))
    return _svg(width, height, body, label)


def rate_bars(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    label: str,
    reference: float | None = None,
    reference_label: str = "全县",
    width: int = 440,
    bar: int = 14,
) -> str:
    """Grouped horizontal bars of rates (0-1) per category, with an optional reference line."""
    left = max([_text_px(c, 12) for c in categories], default=40) + 14
    right = 48
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(series))]
    legend, legend_h = _legend([s[0] for s in series], colors, left, 18, width - left - right)
    top = 18 + legend_h + (22 if reference is not None else 6)
    group = bar * len(series) + 8
    plot_w = width - left - right
    height = top + len(categories) * group + 26
    body = list(legend)
    for k in range(5):
        gx = left + plot_w * k / 4
        body.append(f'<line x1="{gx:.1f}" y1="{top - 4:.1f}" x2="{gx:.1f}" y2="{height - 22:.1f}" stroke="{GRID}"/>')
        body.append(_t(gx, height - 8, f"{25 * k}%", "middle", SMALL))
    for i, cat in enumerate(categories):
        y0 = top + i * group
        body.append(_t(left - 8, y0 + group / 2 + 2, cat, "end"))
        for j, ((name, values), color) in enumerate(zip(series, colors)):
            v = values[i]
            y = y0 + j * bar
            if v is None:
                body.append(_t(left + 2, y + bar - 1, "无数据", size=SMALL, fill="#888"))
                continue
            w = plot_w * max(0.0, min(1.0, v))
            body.append(f'<rect x="{left:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar - 1}" fill="{color}"><title>{escape(f"{cat} {name}：{v * 100:.1f}%")}</title></rect>')
            body.append(_t(left + w + 4, y + bar - 1, f"{v * 100:.1f}%", size=SMALL))
    if reference is not None:
        rx = left + plot_w * max(0.0, min(1.0, reference))
        body.append(f'<line x1="{rx:.1f}" y1="{top - 6:.1f}" x2="{rx:.1f}" y2="{height - 22:.1f}" stroke="#333" stroke-dasharray="4 3"/>')
        body.append(_t(rx, top - 8, f"{reference_label} {reference * 100:.1f}%", "middle", SMALL))
    return _svg(width, height, body, label)


def _point_labels(labels: list[tuple[float, float, str, str]], top: float, gap: float = 13) -> list[str]:
    """Each point's figure to its right, in its series' colour, moved down where figures at the same
    quarter would overlap one another (never onto a dot: they sit 6 px right of it)."""
    out, placed = [], {}
    for y, x, text, color in sorted(labels):
        taken = placed.setdefault(round(x), [])
        ly = max([y + 4, *[t + gap for t in taken]]) if taken else y + 4
        taken.append(ly)
        out.append(_t(x + 6, max(ly, top), text, "start", SMALL, fill=color))
    return out


def lines(
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    label: str,
    fmt: Callable[[float], str] = lambda v: f"{v:g}",
    percent_axis: bool = False,
    width: int = 440,
    height: int = 260,
) -> str:
    """Lines over quarters, a point and its figure at each quarter (a single quarter is a point)."""
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(series))]
    left, right = 48, 24
    legend, legend_h = _legend([s[0] for s in series], colors, left, 18, width - left - right)
    top = 18 + legend_h + 14
    bottom = height - 28
    values = [v for _, vs in series for v in vs if v is not None]
    ticks = [k / 4 for k in range(5)] if percent_axis else _ticks(max(values, default=0))
    top_value = ticks[-1]
    plot_w = width - left - right
    body = list(legend)
    for tick in ticks:
        gy = bottom - (bottom - top) * tick / top_value
        body.append(f'<line x1="{left}" y1="{gy:.1f}" x2="{width - right}" y2="{gy:.1f}" stroke="{GRID}"/>')
        body.append(_t(left - 6, gy + 4, f"{tick * 100:g}%" if percent_axis else f"{tick:g}", "end", SMALL))
    n = len(x_labels)
    xs = [left + (plot_w * (i + 0.5) / n) for i in range(n)]
    labels: list[tuple[float, float, str, str]] = []
    for x, lab in zip(xs, x_labels):
        body.append(_t(x, height - 8, lab, "middle", SMALL))
    for (name, vs), color in zip(series, colors):
        pts = [(x, bottom - (bottom - top) * (v / top_value)) if v is not None else None for x, v in zip(xs, vs)]
        run: list[tuple[float, float]] = []
        for p in pts + [None]:
            if p is None:
                if len(run) > 1:
                    body.append(
                        f'<polyline fill="none" stroke="{color}" stroke-width="2" points="'
                        + " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                        + '"/>'
                    )
                run = []
            else:
                run.append(p)
        for p, v in zip(pts, vs):
            if p is not None:
                body.append(f'<circle cx="{p[0]:.1f}" cy="{p[1]:.1f}" r="3.5" fill="{color}"><title>{escape(f"{name}：{fmt(v)}")}</title></circle>')
        labels.extend((p[1], p[0], fmt(v), color) for p, v in zip(pts, vs) if p is not None)
    body += _point_labels(labels, top)
    return _svg(width, height, body, label)
