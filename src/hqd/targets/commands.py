"""`hqd targets`: every loaded target against its deadline, printed as a board and optionally exported."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hqd.scoring.commands import check_out, console, fail, warehouse


def targets(
    org: Annotated[
        str | None, typer.Option(help="只看这个对象（机构或区划代码）/ only this institution or region")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="输出 .csv 或 .xlsx / write the board to a file")] = None,
) -> None:
    """目标达成看板 / Each target as met, on track, at risk, missed or no data, with its trend and reason."""
    from hqd.targets import board

    check_out(out)
    with warehouse() as con:
        subject = org.upper() if org else None
        if (
            subject
            and not con.execute("SELECT count(*) FROM targets WHERE subject_code = ?", [subject]).fetchone()[
                0
            ]
        ):
            raise fail(f"对象 {org} 没有已导入的目标 / no targets are loaded for {org}")
        table = board.rows(con, board.evaluate_all(con, subject))
        board.save(con, table, subject)
    if not table:
        console.print(
            "没有已导入的目标，请先 hqd load targets FILE / no targets loaded; run hqd load targets FILE"
        )
        return
    board.print_board(table, console)
    if out is not None:
        board.write(table, out)
        console.print(f"已导出 {len(table)} 行到 {out} / wrote {len(table)} row(s) to {out}")
