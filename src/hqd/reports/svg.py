"""A horizontal bar chart as SVG, for the PDF reports: WeasyPrint renders SVG natively, so a chart needs no
browser and no plotting library; the labels use the same CJK font as the text."""

from __future__ import annotations

from html import escape


def bar_chart(title: str, labels: list[str], values: list[float], width: int = 640) -> str:
    if not values:
        return ""
    row, left, top = 20, 170, 28
    height = top + row * len(values) + 10
    peak = max(abs(v) for v in values) or 1.0
    span = width - left - 70
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-size="11" '
             f'font-family="Noto Sans CJK SC, sans-serif">',
             f'<text x="0" y="16" font-size="13" font-weight="bold">{escape(title)}</text>']  # fmt: skip
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = top + i * row
        w = max(1.0, abs(v) / peak * span)
        parts.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{escape(str(label)[:18])}</text>')
        parts.append(f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="{row - 6}" fill="#1f4e79"/>')
        parts.append(f'<text x="{left + w + 4:.1f}" y="{y + 13}">{v:,.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)
