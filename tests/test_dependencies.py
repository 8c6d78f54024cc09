"""The lock files pin every dependency of pyproject.toml, and `make lint`'s audit tells a vulnerable lock from
an advisory database it cannot reach."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+) \\\n((?:    --hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)", re.M)


def pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text(encoding="utf-8")
    return {canonical(m.group(1)): m.group(2) for m in PIN.finditer(text)}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(*extras: str) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"])
    for extra in extras:
        reqs += project["optional-dependencies"][extra]
    return {canonical(re.match(r"[A-Za-z0-9_.-]+", r).group(0)) for r in reqs}


def test_every_dependency_of_pyproject_is_pinned_with_hashes_in_the_lock():
    locked = pins("requirements.lock")
    missing = declared("dev") - set(locked)
    assert not missing, (
        f"run `make lock`: {sorted(missing)} are in pyproject.toml but not in requirements.lock"
    )
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    assert len(locked) == len(re.findall(r"^[A-Za-z0-9_.-]+==", text, re.M))  # every pin has its hashes
    assert "make lock" in text.splitlines()[1]  # the header says how to regenerate it


def test_the_bench_lock_is_the_main_lock_plus_the_bench_extra():
    main, bench = pins("requirements.lock"), pins("requirements-bench.lock")
    assert {k: bench[k] for k in main} == main  # same versions where both pin a package
    assert declared("bench") - declared() <= set(bench) and "pandas" not in main


def load_audit():
    spec = importlib.util.spec_from_file_location("audit_deps", ROOT / "scripts" / "audit_deps.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_known_vulnerability_fails_the_audit_and_names_it():
    report = {"dependencies": [
        {"name": "urllib3", "version": "1.26.0", "vulns": [{"id": "GHSA-x", "fix_versions": ["1.26.5"]}]},
        {"name": "rich", "version": "15.0.0", "vulns": []}]}  # fmt: skip
    code, message = load_audit().verdict(report)
    assert code == 1 and "urllib3 1.26.0: GHSA-x (fixed in 1.26.5)" in message


def test_a_database_that_knows_no_package_is_a_skip_not_a_pass():
    report = {"dependencies": [{"name": "rich", "skip_reason": "Dependency not found on PyPI"}]}
    code, message = load_audit().verdict(report)
    assert code == 0 and "skipped" in message and "no known vulnerabilities" not in message
    clean = {"dependencies": [{"name": "rich", "version": "15.0.0", "vulns": []}]}
    assert load_audit().verdict(clean) == (0, "pip-audit: no known vulnerabilities in 1 locked packages")


def test_an_unreachable_database_skips_the_audit_with_one_line(tmp_path):
    """The real pip-audit, through a proxy on a closed local port: nothing answers."""
    lock = tmp_path / "one.lock"
    lock.write_text("rich==15.0.0 --hash=sha256:" + "0" * 64 + "\n", encoding="utf-8")
    closed = "http://127.0.0.1:9"
    env = {**os.environ, "HTTPS_PROXY": closed, "https_proxy": closed, "HTTP_PROXY": closed, "http_proxy": closed,
           "NO_PROXY": "", "no_proxy": ""}  # fmt: skip
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "audit_deps.py"), str(lock)], env=env,
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.strip().splitlines()
    assert len(lines) == 1 and "skipped" in lines[0] and "cannot be reached" in lines[0], run.stdout
