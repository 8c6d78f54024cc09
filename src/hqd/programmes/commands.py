"""`hqd programme`: one page per county, group, centre, county hospital, project or rating item; each
programme's module adds its command to this group."""

from __future__ import annotations

import typer

programme_app = typer.Typer(help="改革项目监测 / reform programmes", no_args_is_help=True)


@programme_app.callback()
def _group() -> None:
    """Keep every programme a named sub-command."""


def _register() -> None:
    """The pages of issue 7: the five centres, the Thousand County Project, assistance, ratings."""
    from hqd.programmes import assistance, centres, county_hospitals, ratings

    programme_app.command("centres")(centres.centres)
    programme_app.command("county-hospitals")(county_hospitals.county_hospitals_page)
    programme_app.command("assistance")(assistance.assistance)
    programme_app.command("ratings")(ratings.ratings)


_register()
