"""Reports (`hqd report`, and the download links of the pages): an institution's assessment report and a
region's monitoring report, as Excel or PDF, from the same functions as the pages."""

from __future__ import annotations

from pathlib import Path

import duckdb

from hqd.web.scope import Scope


def build_report(con: duckdb.DuckDBPyConnection, kind: str, code: str, period: str, fmt: str, out: Path,
                 scope: Scope | None = None) -> None:  # fmt: skip
    """Write the report of an institution (`kind` org) or a region for a period as xlsx or pdf."""
    from hqd.reports.content import admin_scope, org_report, region_report

    scope = scope or admin_scope(con)
    report = (org_report if kind == "org" else region_report)(con, scope, code, period)
    if fmt == "pdf":
        from hqd.reports.pdf import render_pdf

        render_pdf(report, out)
    else:
        from hqd.reports.xlsx import render_xlsx

        render_xlsx(report, out)
