"""`make lint`: pip-audit over the lock files, against the advisory database of PyPI (or OSV).

The audit needs that database online. Where it cannot be reached — no network, a registry mirror that serves
packages but not their advisories (every package then comes back "not found") — one line says so and the
audit is skipped instead of failing the lint; it never reports "no known vulnerabilities" for packages it
could not look up. A known vulnerability fails the lint, naming package, version, advisory and fixed versions.

Usage: python scripts/audit_deps.py requirements.lock [more.lock ...]   (HQD_AUDIT_SERVICE=pypi|osv)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

UNREACHABLE = re.compile(
    r"ConnectionError|ProxyError|NameResolution|Max retries exceeded|timed out|Timeout|"
    r"Temporary failure in name resolution|Network is unreachable|SSLError"
)


def verdict(report: dict) -> tuple[int, str]:
    """(exit code, message) for pip-audit's JSON report: 0 clean or skipped, 1 vulnerable."""
    deps = report.get("dependencies", [])
    looked_up = [d for d in deps if "skip_reason" not in d]
    if deps and not looked_up:
        return 0, (
            f"pip-audit: skipped — none of {len(deps)} packages could be looked up in the advisory database "
            f"(e.g. {deps[0].get('skip_reason', '')!r}); it is not reachable from here"
        )
    found = [
        f"{d['name']} {d['version']}: {v['id']} (fixed in {', '.join(v.get('fix_versions') or []) or 'no release'})"
        for d in looked_up
        for v in d.get("vulns", [])
    ]
    if found:
        return 1, "pip-audit: known vulnerabilities in the locked packages:\n  " + "\n  ".join(found)
    skipped = len(deps) - len(looked_up)
    tail = f" ({skipped} not found in the database and not audited)" if skipped else ""
    return 0, f"pip-audit: no known vulnerabilities in {len(looked_up)} locked packages{tail}"


def audit(lock: Path, service: str) -> tuple[int, str]:
    cmd = [str(Path(sys.executable).with_name("pip-audit")), "-r", str(lock), "--disable-pip",
           "--progress-spinner", "off", "-f", "json", "-s", service, "--timeout", "15"]  # fmt: skip
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return 0, f"pip-audit: skipped — the advisory database ({service}) did not answer within 10 minutes"
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        if UNREACHABLE.search(run.stderr):
            last = run.stderr.strip().splitlines()[-1][:160]
            return 0, f"pip-audit: skipped — the advisory database ({service}) cannot be reached: {last}"
        return run.returncode or 1, f"pip-audit failed on {lock}:\n{run.stderr.strip()}"
    return verdict(report)


def main(argv: list[str]) -> int:
    service = os.environ.get("HQD_AUDIT_SERVICE", "pypi")
    worst = 0
    for lock in argv or ["requirements.lock"]:
        code, message = audit(Path(lock), service)
        print(f"{lock}: {message}")
        worst = max(worst, code)
        if code == 0 and "skipped" in message:
            break  # the database is unreachable: the other lock files would only say it again
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
