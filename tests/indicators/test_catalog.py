"""The indicator catalog loads, refuses broken entries by file and id, and the README covers every indicator."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import hqd.indicators.catalog as catalog_module
from hqd.catalog import CatalogError
from hqd.indicators.catalog import indicators

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_the_catalog_loads_with_unique_official_ids():
    ids = [i.id for i in indicators()]
    assert len(ids) == len(set(ids))
    for must in ("gk3.04", "gk3.05", "gk3.06", "gk3.08", "gk3.09", "gk3.14", "gk2.13", "drg.groups", "drg.cmi",
                 "drg.time_index", "drg.cost_index", "drg.low_risk_mortality"):  # fmt: skip
        assert must in ids


def test_every_indicator_is_in_the_readme_coverage_table():
    missing = [i.id for i in indicators() if f"`{i.id}`" not in README]
    assert missing == []


def _broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: dict) -> str:
    root = tmp_path / "catalog"
    real = Path(catalog_module.catalog_dir())
    (root / "indicators").mkdir(parents=True)
    for name in ("elements.yaml", "switches.yaml", "valuesets.yaml"):
        (root / name).write_text((real / name).read_text(encoding="utf-8"), encoding="utf-8")
    (root / "indicators" / "broken.yaml").write_text(yaml.safe_dump({"indicators": [entry]}, allow_unicode=True),
                                                     encoding="utf-8")  # fmt: skip
    monkeypatch.setattr(catalog_module, "catalog_dir", lambda: root)
    monkeypatch.setattr("hqd.catalog.catalog_dir", lambda: root)
    catalog_module.indicators.cache_clear()
    try:
        with pytest.raises(CatalogError) as exc:
            catalog_module.indicators()
        return str(exc.value)
    finally:
        catalog_module.indicators.cache_clear()


GOOD = {"id": "gk3.99", "name_zh": "测试", "name_en": "Test", "unit": "%", "direction": "higher",
        "definition": "x", "numerator": {"count_where": "surgical"}, "denominator": {"count_where": "true"}}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"unit": "furlongs"}, "unknown unit"),
        ({"direction": "sideways"}, "unknown direction"),
        ({"numerator": {"count_where": "surgical AND ("}}, "does not parse"),
        ({"numerator": {"from": "values", "elements": {"no_such_element": 1}}}, "unknown data elements"),
        ({"id": "GK3-04"}, "malformed indicator id"),
        ({"numerator": {"count": "x"}}, "a part needs"),
        ({"numerator": {"from": "centre_cases", "quantile": "door_to_wire", "q": 1.5}}, "q between 0 and 1"),
    ],
)
def test_a_broken_entry_fails_naming_its_file_and_id(tmp_path, monkeypatch, change, words):
    message = _broken(tmp_path, monkeypatch, {**GOOD, **change})
    assert "indicators/broken.yaml" in message and words in message
    assert (change.get("id") or "gk3.99") in message
