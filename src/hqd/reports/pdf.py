"""PDF reports through WeasyPrint: HTML with the system's Noto Sans CJK (Debian fonts-noto-cjk), so Chinese
renders as text (extractable, searchable), never as missing-glyph boxes."""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path

from hqd.reports.content import Report
from hqd.reports.svg import bar_chart

CSS = """
@page { size: A4; margin: 16mm 14mm; @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif; font-size: 9pt; color: #1d2733; }
h1 { font-size: 16pt; margin: 0 0 2mm; } h2 { font-size: 11pt; margin: 5mm 0 2mm; color: #1f4e79; }
.sub { color: #6b7785; margin-bottom: 4mm; }
table { border-collapse: collapse; width: 100%; } th, td { border: 0.5pt solid #c5ccd6; padding: 1mm 1.5mm; text-align: left; }
th { background: #e9eef5; } dl { display: grid; grid-template-columns: 45mm auto; gap: 1mm 3mm; } dt { color: #6b7785; }
"""


def _cell(x: object) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return f"{x:,.2f}"
    return escape(str(x))


def render_pdf(r: Report, out: Path) -> None:
    from weasyprint import HTML

    html = [f"<html><head><meta charset='utf-8'><style>{CSS}</style></head><body>",
            f"<h1>{escape(r.title_zh)}</h1><div class='sub'>{escape(r.title_en)} · {escape(r.subject)} · 统计期 period "
            f"{escape(r.period)} · 生成于 generated {datetime.now():%Y-%m-%d %H:%M}</div><dl>"]  # fmt: skip
    html += [f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in r.facts]
    html.append("</dl>")
    for title, labels, values in r.bars:
        html.append(bar_chart(title, labels, values))
    for title, header, rows in r.tables:
        html.append(f"<h2>{escape(title)}</h2>")
        if not rows:
            html.append("<p class='sub'>无 none</p>")
            continue
        html.append("<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr>")
        html += ["<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>" for row in rows]
        html.append("</table>")
    html.append("</body></html>")
    HTML(string="".join(html)).write_pdf(str(out))
