"""`hqd programme`: one page per county, group, centre, county hospital, project or rating item; each
programme's module adds its command to this group."""

from __future__ import annotations

import typer

programme_app = typer.Typer(help="改革项目监测 / reform programmes", no_args_is_help=True)


@programme_app.callback()
def _group() -> None:
    """Keep every programme a named sub-command."""
