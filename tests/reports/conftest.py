"""The report tests run on the dashboard tests' hand-made site."""

from tests.web.conftest import site, site_file  # noqa: F401  (fixtures)
