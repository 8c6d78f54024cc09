"""Every role × scope × route: the status is what the scope allows, and no response names an institution or
county the user may not see (a hospital user gets other institutions only as anonymous numbers)."""

from __future__ import annotations

import re

import pytest
from tests.conftest import CLINIC, COUNTY, HOSP
from tests.web.site import SEES, USERS, signal_ids

ORGS = [HOSP, COUNTY, CLINIC]
REGIONS = ["990100", "990102", "990121"]
SECRET = {HOSP, COUNTY, CLINIC, "990102", "990121"}  # codes that must not appear outside their scope
OWN_COUNTY = {"hosp": {"990102"}, "countyhosp": {"990121"}}  # a hospital's scorecard names its own county
HAS_VALUE = {("gk3.04", HOSP), ("gk2.01", COUNTY)}


def _expected(user: str, kind: str, target: str | None, extra: str | None = None) -> int:
    role, _ = USERS[user]
    sees = target is None or target in SEES[user]
    if kind in ("users", "audit"):
        return 200 if role == "admin" else 403
    if kind in ("signals",):
        return 403 if role == "hospital" else 200
    if kind == "signal":
        return 403 if role == "hospital" or not sees else 200
    if kind == "overview":
        return 200 if sees else 403
    if kind in ("scorecard", "gap", "org_report"):
        return 200 if sees else 403
    if kind == "records":
        if not sees:
            return 403
        return 200 if (extra, target) in HAS_VALUE else 404
    return 200  # lists filtered to the scope


def _cases(site) -> list[tuple[str, str, str | None, str | None]]:
    sig = signal_ids(site)
    cases: list[tuple[str, str, str | None, str | None]] = []
    for r in REGIONS:
        cases.append(("overview", f"/api/overview/{r}?period=2024", r, None))
    for o in ORGS + REGIONS:
        cases.append(("scorecard", f"/api/scorecard/{o}?period=2024", o, None))
    for o in ORGS:
        cases.append(("gap", f"/api/scorecard/{o}/gap?period=2024", o, None))
        cases.append(("org_report", f"/api/reports/org/{o}?period=2024&format=xlsx", o, None))
        for ind in ("gk3.04", "gk2.01"):
            cases.append(("records", f"/api/indicators/{ind}/records?org={o}&period=2024", o, ind))
            cases.append(("records", f"/api/indicators/{ind}/records.csv?org={o}&period=2024", o, ind))
    for county, sid in sig.items():
        cases.append(("signal", f"/api/signals/{sid}", county, None))
        cases.append(("signal", f"/api/signals/{sid}/series", county, None))
    for path in ("/api/indicators/gk3.04?period=2024", "/api/indicators/gk2.01?period=2024", "/api/targets",
                 "/api/programmes", "/api/programmes/gk3?period=2024", "/api/programmes/gk2?period=2024",
                 "/api/imports", "/api/orgs", "/api/me", "/api/periods", "/api/indicators",
                 "/api/counties?period=2024"):  # fmt: skip
        cases.append(("list", path, None, None))
    cases += [("signals", "/api/signals", None, None), ("users", "/api/users", None, None),
              ("audit", "/api/audit", None, None)]  # fmt: skip
    return cases


@pytest.mark.parametrize("user", list(USERS))
def test_every_route_allows_exactly_the_scope_and_leaks_nothing(site, client_for, user):
    c = client_for(user)
    hidden = SECRET - SEES[user] - OWN_COUNTY.get(user, set())
    for kind, path, target, extra in _cases(site):
        r = c.get(path)
        assert r.status_code == _expected(user, kind, target, extra), (user, path, r.text[:300])
        if kind in ("audit", "users"):
            continue  # the admin's own logs name what was asked for
        body = r.text if r.headers.get("content-type", "").startswith(("application/json", "text/")) else ""
        # a refusal may repeat what was asked; county codes are also digits inside institution codes
        leaked = {code for code in hidden - {target} if re.search(rf"(?<![0-9A-Z]){code}(?![0-9A-Z])", body)}
        assert not leaked, (user, path, leaked)


def test_a_hospital_user_sees_peers_only_as_anonymous_numbers(site, client_for):
    c = client_for("hosp")
    d = c.get("/api/indicators/gk2.01?period=2024").json()["data"]
    # gk2.01 is COUNTY's (secondary) indicator: 1 of its 2 discharges operated = 50 %
    assert d["values"] == [] and d["peer_distribution"] == [50.0]
    assert COUNTY not in c.get("/api/indicators/gk2.01?period=2024").text
    assert c.get("/api/indicators/gk2.01?period=2024&level=county").status_code == 403
