"""Security headers on every response: a CSP with a fresh nonce that every inline script carries (and no
'unsafe-inline' for scripts), nosniff, no framing, same-origin referrers; no-store on everything but the
static files, so no page, API answer or export with patient-level or quarantined rows is cached."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import HOSP
from tests.web.site import signal_ids

TEMPLATES = Path(__file__).resolve().parents[2] / "src/hqd/web/templates"


def _csp(r) -> dict[str, str]:
    return {
        d.split()[0]: d for d in (x.strip() for x in r.headers["content-security-policy"].split(";")) if d
    }


def _check_common(r, *, cached: bool = False) -> None:
    csp = _csp(r)
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert "'self'" in csp["script-src"] and csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "same-origin"
    assert (r.headers.get("cache-control") == "no-store") != cached


def test_pages_carry_the_headers_and_inline_scripts_the_responses_nonce(client_for, site):
    c = client_for("city")
    sig = signal_ids(site)["990121"]
    seen_scripts = 0
    nonces = set()
    for path in (
        "/overview/990100",
        f"/org/{HOSP}?period=2024",
        "/explorer",
        f"/ews/{sig}",
        "/imports",
        "/ews",
        f"/records/gk3.04?org={HOSP}&period=2024",
        "/targets",
        "/programmes",
        "/counties",
        "/password",
    ):
        r = c.get(path)
        assert r.status_code == 200, path
        _check_common(r)
        nonce = re.search(r"'nonce-([^']+)'", _csp(r)["script-src"]).group(1)
        nonces.add(nonce)
        for tag in re.findall(r"<script[^>]*>", r.text):
            if "src=" not in tag:
                assert f'nonce="{nonce}"' in tag, (path, tag)
                seen_scripts += 1
        assert not re.search(r"\son[a-z]+=", r.text), path  # no inline event handlers (the CSP forbids them)
    assert seen_scripts >= 4  # overview, org, explorer and signal pages draw charts inline
    assert len(nonces) == 11  # a fresh nonce per response


def test_login_and_error_pages_carry_the_headers(client_for):
    c = client_for(None)
    _check_common(c.get("/login"))
    _check_common(c.get("/overview/990100"))  # 303 to the login form
    _check_common(client_for("hosp").get("/org/990121"))  # 403


def test_api_answers_and_exports_are_not_stored(client_for):
    c = client_for("admin")  # sees every import's quarantined rows
    for path in ("/api/me", f"/api/indicators/gk3.04/records?org={HOSP}&period=2024",
                 f"/api/indicators/gk3.04/records.csv?org={HOSP}&period=2024", "/api/imports/1/quarantine",
                 "/api/health"):  # fmt: skip
        r = c.get(path)
        assert r.status_code == 200, path
        _check_common(r)
    _check_common(client_for(None).get("/api/me"))  # 401


def test_static_files_may_be_cached_but_carry_the_other_headers(client_for):
    r = client_for(None).get("/static/app.css")
    assert r.status_code == 200
    _check_common(r, cached=True)


def test_no_template_has_an_inline_handler_or_a_script_without_the_nonce():
    for path in TEMPLATES.glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\son[a-z]+=", text), path.name
        for tag in re.findall(r"<script[^>]*>", text):
            assert "src=" in tag or 'nonce="{{ csp_nonce }}"' in tag, (path.name, tag)
