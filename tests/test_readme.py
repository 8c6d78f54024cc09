"""Docs that cannot drift: every CLI command, every input kind and every setting is in the README."""

from __future__ import annotations

from pathlib import Path

import typer.main

from hqd.cli import app
from hqd.ingest.spec import kinds

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group: typer.Typer, prefix: str = "hqd") -> list[str]:
    click_group = typer.main.get_group(group)
    out = []
    for name, command in click_group.commands.items():
        if hasattr(command, "commands"):
            out += [f"{prefix} {name} {sub}" for sub in command.commands]
        else:
            out.append(f"{prefix} {name}")
    return out


def test_every_cli_command_is_in_the_readme():
    missing = [c for c in _commands(app) if f"`{c}" not in README]
    assert missing == []


def test_every_input_kind_is_in_the_readme():
    assert [k for k in kinds() if f"`{k}`" not in README] == []


def test_every_setting_is_in_the_readme():
    for setting in ("HQD_DB", "HQD_SECRET", "HQD_MEMORY_LIMIT", "HQD_THREADS"):
        assert setting in README
    assert "make demo" in README and "make test" in README
