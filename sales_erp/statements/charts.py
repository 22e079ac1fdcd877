"""Charts of the data-analysis report as SVG, drawn from the data (WeasyPrint renders inline SVG).

Three kinds are needed and each is a few dozen lines, so no chart library: a line chart (daily trend),
a donut (carrier split) and horizontal bars (accounts). Text is escaped; numbers get 万 / 亿 on axes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape

FONT = "ErpCJK, 'Noto Sans CJK SC', sans-serif"
AXIS = "#666"
GRID = "#e3e6ea"


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int]
    color: str
    dashed: bool = False


def nice_ceiling(value: float, *, ticks: int = 5) -> tuple[float, float]:
    """(top, step) of an axis from 0 holding `value`, with steps of 1, 2 or 5 × 10^k."""
    if value <= 0:
        return 1.0, 0.2
    raw = value / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return step * math.ceil(value / step), step


def axis_number(value: float) -> str:
    """1,500 → 1,500; 25,000 → 2.5万; 300,000,000 → 3亿."""
    if value >= 1e8:
        return f"{value / 1e8:g}亿"
    if value >= 1e4:
        return f"{value / 1e4:g}万"
    return f"{value:,.0f}" if value == int(value) else f"{value:g}"


def _text(x: float, y: float, text: str, *, size: float = 9, anchor: str = "start", color: str = "#333") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{color}" '
        f'font-family="{FONT}">{escape(text)}</text>'
    )


def _legend(series: Sequence[tuple[str, str]], *, x: float, y: float) -> list[str]:
    parts: list[str] = []
    for label, color in series:
        parts.append(f'<rect x="{x:.1f}" y="{y - 7:.1f}" width="10" height="8" fill="{color}"/>')
        parts.append(_text(x + 13, y, label))
        x += 22 + 10 * len(label)
    return parts


def line_chart_svg(*, x_labels: Sequence[str], series: Sequence[Series], width: int = 680, height: int = 240) -> str:
    """One polyline per series over the same x positions; every k-th x label so they do not collide."""
    left, right, top, bottom = 52, 12, 26, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for s in series for v in s.values), default=0)
    ceiling, step = nice_ceiling(peak)
    n = len(x_labels)

    def x_at(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y_at(v: float) -> float:
        return top + plot_h - plot_h * v / ceiling

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
    ]
    tick = 0.0
    while tick <= ceiling + step / 2:
        y = y_at(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(_text(left - 5, y + 3, axis_number(tick), size=8, anchor="end", color=AXIS))
        tick += step
    every = max(1, math.ceil(n / 16))
    for i, label in enumerate(x_labels):
        if i % every == 0 or i == n - 1:
            x = x_at(i)
            parts.append(
                f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 3}" stroke="{AXIS}"/>'
            )
            parts.append(_text(x_at(i), top + plot_h + 14, label, size=8, anchor="middle", color=AXIS))
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{AXIS}"/>')
    for s in series:
        points = " ".join(f"{x_at(i):.1f},{y_at(v):.1f}" for i, v in enumerate(s.values))
        dash = ' stroke-dasharray="5,3"' if s.dashed else ""
        parts.append(f'<polyline points="{points}" fill="none" stroke="{s.color}" stroke-width="1.6"{dash}/>')
    parts += _legend([(s.label, s.color) for s in series], x=left, y=14)
    parts.append("</svg>")
    return "".join(parts)


def donut_chart_svg(*, parts: Sequence[tuple[str, int, str]], width: int = 320, height: int = 200) -> str:
    """Shares of a whole: (label, value, color); the legend gives value and percentage."""
    total = sum(value for _, value, _ in parts)
    cx, cy, r_out, r_in = 95, height / 2, 78, 46
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">']
    ring = f'cx="{cx}" cy="{cy}" r="{(r_out + r_in) / 2}" fill="none" stroke-width="{r_out - r_in}"'
    if total <= 0:
        out.append(f'<circle {ring} stroke="{GRID}"/>')
    shown = [(label, value, color) for label, value, color in parts if value > 0]
    if len(shown) == 1:
        out.append(f'<circle {ring} stroke="{shown[0][2]}"/>')
    elif shown:
        angle = -math.pi / 2
        for _, value, color in shown:
            sweep = 2 * math.pi * value / total
            end = angle + sweep
            large = 1 if sweep > math.pi else 0
            x1, y1 = cx + r_out * math.cos(angle), cy + r_out * math.sin(angle)
            x2, y2 = cx + r_out * math.cos(end), cy + r_out * math.sin(end)
            x3, y3 = cx + r_in * math.cos(end), cy + r_in * math.sin(end)
            x4, y4 = cx + r_in * math.cos(angle), cy + r_in * math.sin(angle)
            out.append(
                f'<path d="M{x1:.2f},{y1:.2f} A{r_out},{r_out} 0 {large} 1 {x2:.2f},{y2:.2f} '
                f'L{x3:.2f},{y3:.2f} A{r_in},{r_in} 0 {large} 0 {x4:.2f},{y4:.2f} Z" fill="{color}" stroke="#fff"/>'
            )
            angle = end
    out.append(_text(cx, cy - 2, "计费条数", size=8, anchor="middle", color=AXIS))
    out.append(_text(cx, cy + 11, f"{total:,}", size=10, anchor="middle"))
    y = cy - 12 * len(parts) + 8
    for label, value, color in parts:
        share = f"{100 * value / total:.1f}%" if total else "—"
        out.append(f'<rect x="190" y="{y - 8:.1f}" width="10" height="10" fill="{color}"/>')
        out.append(_text(205, y, f"{label}  {value:,}  {share}"))
        y += 24
    out.append("</svg>")
    return "".join(out)


def bar_chart_svg(*, items: Sequence[tuple[str, int]], color: str, width: int = 680, bar: int = 14) -> str:
    """Horizontal bars, one per item, value at the bar's end."""
    left, right, top = 110, 70, 6
    height = top + len(items) * (bar + 6) + 6
    peak = max((value for _, value in items), default=0) or 1
    plot_w = width - left - right
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">']
    y = top
    for label, value in items:
        w = plot_w * value / peak
        out.append(_text(left - 6, y + bar - 3, label, size=8, anchor="end"))
        out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar}" fill="{color}"/>')
        out.append(_text(left + w + 4, y + bar - 3, f"{value:,}", size=8, color=AXIS))
        y += bar + 6
    out.append("</svg>")
    return "".join(out)
