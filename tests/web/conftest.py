"""Fixtures of the dashboard tests: the hand-made site (built once, copied per test), the real application
over it, and logged-in clients."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import Warehouse
from tests.web.site import PASSWORD, build

from hqd.web.app import create_app


@pytest.fixture(scope="session")
def site_file(tmp_path_factory) -> Path:
    """The site's warehouse, built once through the real loader, compute, targets and early warning."""
    root = tmp_path_factory.mktemp("site")
    db = root / "hqd.duckdb"
    saved = {k: os.environ.get(k) for k in ("HQD_DB", "HQD_SECRET")}
    os.environ["HQD_DB"] = str(db)
    os.environ.pop("HQD_SECRET", None)
    try:
        w = Warehouse(root)
        build(w, root)
        w.con.close()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return db


@pytest.fixture
def site(site_file: Path, tmp_path: Path, warehouse_env: Path) -> Iterator[Warehouse]:
    """A private copy of the site for one test (tests write: uploads, decisions, the audit log)."""
    shutil.copy(site_file, warehouse_env)
    shutil.copy(
        site_file.with_name(site_file.name + ".secret"),
        warehouse_env.with_name(warehouse_env.name + ".secret"),
    )
    w = Warehouse(tmp_path)
    yield w
    w.con.close()


@pytest.fixture
def app(site):
    return create_app()


def log_in(c: TestClient, user: str, password: str = PASSWORD) -> str:
    """Log the client in through the API and have it send the session's CSRF token; the token."""
    r = c.post("/api/login", json={"username": user, "password": password})
    assert r.status_code == 200, r.text
    token = r.json()["data"]["csrf_token"]
    c.headers["X-CSRF-Token"] = token
    return token


@pytest.fixture
def client_for(app) -> Iterator[Callable[[str | None], TestClient]]:
    """A client logged in as the named user (None: not logged in); each has its own cookie jar and sends its
    session's CSRF token (X-CSRF-Token) with every request, as the pages' forms and scripts do."""
    made: list[TestClient] = []

    def make(user: str | None) -> TestClient:
        c = TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)
        c.__enter__()
        made.append(c)
        if user is not None:
            log_in(c, user)
        return c

    yield make
    for c in made:
        c.__exit__(None, None, None)
