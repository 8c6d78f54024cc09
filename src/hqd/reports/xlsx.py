"""Excel reports through xlsxwriter: a summary sheet with native Excel charts, one sheet per table.

Every cell is written through `hqd.tabular.write_cells`, so no text of a report can become a formula."""

from __future__ import annotations

from pathlib import Path

from hqd.reports.content import Report
from hqd.tabular import workbook, write_cells


def render_xlsx(r: Report, out: Path) -> None:
    wb = workbook(out)
    bold = wb.add_format({"bold": True})
    title = wb.add_format({"bold": True, "font_size": 14})
    ws = wb.add_worksheet("概要 summary")
    write_cells(ws, 0, 0, [r.title_zh], title)
    write_cells(ws, 1, 0, [f"{r.title_en} · {r.subject} · 统计期 period {r.period}"])
    for i, (k, v) in enumerate(r.facts, start=3):
        write_cells(ws, i, 0, [k], bold)
        write_cells(ws, i, 1, [v])
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 40)
    row = len(r.facts) + 5
    for n, (name, labels, values) in enumerate(r.bars):
        data = wb.add_worksheet(f"图{n + 1} chart{n + 1}")
        write_cells(data, 0, 0, ["项 label", "值 value"], bold)
        for i, (label, value) in enumerate(zip(labels, values, strict=True), start=1):
            write_cells(data, i, 0, [label, value])
        chart = wb.add_chart({"type": "bar"})
        chart.add_series({"name": name, "categories": [data.name, 1, 0, len(labels), 0],
                          "values": [data.name, 1, 1, len(labels), 1]})  # fmt: skip
        chart.set_title({"name": name})
        chart.set_legend({"none": True})
        ws.insert_chart(row, 0, chart, {"x_scale": 1.4, "y_scale": 1.2})
        row += 20
    for n, (name, header, rows) in enumerate(r.tables):
        sheet = wb.add_worksheet(f"{n + 1} {name}"[:31].replace("/", " "))
        write_cells(sheet, 0, 0, header, bold)
        for i, values in enumerate(rows, start=1):
            write_cells(sheet, i, 0, values)
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, len(header), 16)
    wb.close()
