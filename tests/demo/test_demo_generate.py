"""The demo generator: every kind written, deterministic, and its manifest true to what the files contain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from tests.demo import demo_contract as cc

from hqd.demo import DemoFile, generate
from hqd.demo.base import KINDS
from hqd.demo.ids import id_check_valid, uscc_valid

N = 6000
SEED = 20240101


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[DemoFile], dict]:
    root = tmp_path_factory.mktemp("demo")
    files = generate(root, seed=SEED, discharges=N)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    return root, files, manifest


@pytest.fixture(scope="module")
def known(demo: tuple[Path, list[DemoFile], dict]) -> tuple[set[str], set[str], dict[str, str]]:
    root = demo[0]
    rows = cc.read_sheets(root / "reference/医疗卫生机构.csv")[0][3]
    insts = {r[0]: r[2] for r in rows if r[3]}  # an institution without 机构级别 is quarantined, so unknown
    regions = {r[0] for f in demo[1] if f.kind == "regions" for r in cc.read_sheets(f.path)[0][3]}
    return set(insts), regions, insts


def _malformed(manifest: dict) -> dict[str, set[tuple[str | None, int]]]:
    out: dict[str, set[tuple[str | None, int]]] = defaultdict(set)
    for m in manifest["malformed"]:
        out[m["file"]].add((m["sheet"], m["row"]))
    return out


def test_every_kind_in_load_order(demo: tuple[Path, list[DemoFile], dict]) -> None:
    root, files, manifest = demo
    assert {f.kind for f in files} == set(KINDS)
    assert [f.kind for f in files[:5]] == [
        "regions",
        "institutions",
        "codes-icd10",
        "codes-icd9cm3",
        "codes-drg",
    ]
    facts = [f.kind for f in files[5:]]
    assert facts.index("discharges") < facts.index("claims")
    assert all(f.path.is_file() and f.path.is_relative_to(root) for f in files)
    assert len(manifest["files"]) == len(files)
    kinds = {f.path.suffix for f in files if f.kind == "discharges"}
    assert kinds == {".csv", ".txt", ".xlsx"}


def test_same_seed_same_bytes(demo: tuple[Path, list[DemoFile], dict], tmp_path: Path) -> None:
    root = demo[0]
    code = (
        "import sys; from pathlib import Path; from hqd.demo import generate; "
        f"generate(Path(sys.argv[1]), seed={SEED}, discharges={N})"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345")
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, env=env)
    mine = sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())
    theirs = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert mine == theirs
    differ = [str(p) for p in mine if (root / p).read_bytes() != (tmp_path / p).read_bytes()]
    assert differ == []


def test_text_files_decode(demo: tuple[Path, list[DemoFile], dict]) -> None:
    root, _, manifest = demo
    for f in manifest["files"]:
        raw = (root / f["file"]).read_bytes()
        if f["encoding"] == "gbk":
            assert not raw.startswith(b"\xef\xbb\xbf")
            raw.decode("gbk")  # strict
        elif f["encoding"] == "utf-8-sig":
            assert raw.startswith(b"\xef\xbb\xbf")
            raw.decode("utf-8-sig")
        elif f["encoding"] == "utf-8":
            raw.decode("utf-8")
        else:
            assert raw[:2] == b"PK"
    assert {f["encoding"] for f in manifest["files"]} == {"gbk", "utf-8", "utf-8-sig", "xlsx"}


def test_malformed_rows_are_exactly_those_in_manifest(
    demo: tuple[Path, list[DemoFile], dict], known: tuple[set[str], set[str], dict[str, str]]
) -> None:
    root, files, manifest = demo
    inst, regions, _ = known
    expected = _malformed(manifest)
    for f in manifest["files"]:
        got = cc.flagged_rows(f["kind"], root / f["file"], inst, regions)
        assert got == expected.get(f["file"], set()), f["file"]
    by_path = {str(f.path.relative_to(root)): f.malformed_rows for f in files}
    for rel, rows in expected.items():
        assert by_path[rel] == len(rows)
    total_rows = sum(f["rows"] for f in manifest["files"])
    assert 0.003 < len(manifest["malformed"]) / total_rows < 0.008
    assert len({m["kind"] for m in manifest["malformed"]}) >= 12


def _clean_rows(root: Path, rel: str, bad: set[tuple[str | None, int]]):
    """Rows of every data sheet that the manifest does not list as malformed (a 说明 sheet is not data)."""
    for sheet, header_row, header, rows in cc.read_sheets(root / rel):
        names = [cc.norm_header(h) for h in header]
        if len(names) < 4:
            continue
        for i, r in enumerate(rows):
            if (sheet, header_row + 1 + i) not in bad and any(r):
                yield dict(zip(names, r, strict=False))


def _pick(row: dict[str, str], *names: str) -> str:
    return next(row[n] for n in names if n in row)


def test_in_county_share_in_claims(demo: tuple[Path, list[DemoFile], dict]) -> None:
    root, _, manifest = demo
    bad = _malformed(manifest)
    counts: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for f in manifest["files"]:
        if f["kind"] != "claims":
            continue
        for r in _clean_rows(root, f["file"], bad[f["file"]]):
            if _pick(r, "医疗类别", "就诊类型") != "住院":
                continue
            insured = _pick(r, "参保地区划代码", "参保地")
            year = int(r["结算日期"][:4])
            counts[(insured, year)][0] += _pick(r, "就医地区划代码", "就医地") == insured
            counts[(insured, year)][1] += 1
    shares = {}
    for county in manifest["in_county_share"]["counties"]:
        for year, designed in county["designed"].items():
            inside, total = counts[(county["code"], int(year))]
            shares[(county["code"], int(year))] = inside / total
            assert inside / total == pytest.approx(designed, abs=0.006), (county["name"], year)
    s2025 = sorted(v for (c, y), v in shares.items() if y == 2025)
    assert s2025[-1] > 0.9 and 0.87 < s2025[-2] < 0.895 and s2025[0] < 0.78


def test_in_county_share_in_discharges(
    demo: tuple[Path, list[DemoFile], dict], known: tuple[set[str], set[str], dict[str, str]]
) -> None:
    root, _, manifest = demo
    inst_region = known[2]
    bad = _malformed(manifest)
    counts: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for f in manifest["files"]:
        if f["kind"] != "discharges":
            continue
        for r in _clean_rows(root, f["file"], bad[f["file"]]):
            home = _pick(r, "现住址区划代码", "现住址编码", "常住地区划代码")
            where = inst_region[_pick(r, "机构代码", "ZZJGDM", "组织机构代码")]
            year = cc.parse_date(_pick(r, "出院时间", "CYSJ")).year
            counts[(home, year)][0] += where == home
            counts[(home, year)][1] += 1
    for county in manifest["in_county_share"]["counties"]:
        for year, designed in county["designed"].items():
            inside, total = counts[(county["code"], int(year))]
            assert inside / total == pytest.approx(designed, abs=0.006), (county["name"], year)
            assert county["discharges"][year] == pytest.approx(inside / total, abs=1e-4)


def test_cost_items_within_total_except_malformed(demo: tuple[Path, list[DemoFile], dict]) -> None:
    root, _, manifest = demo
    exceed = {
        (m["file"], m["sheet"], m["row"])
        for m in manifest["malformed"]
        if m["kind"] == "cost_items_exceed_total"
    }
    assert exceed
    subs = manifest["cost_subitems"]
    seen = 0
    for f in manifest["files"]:
        if f["kind"] != "discharges":
            continue
        for sheet, header_row, header, rows in cc.read_sheets(root / f["file"]):
            names = [cc.norm_header(h) for h in header]
            if "西药费" not in names:
                continue
            for i, r in enumerate(rows):
                row = dict(zip(names, r, strict=False))
                total = cc.parse_number(_pick(row, "总费用", "ZFY"))
                if total is None:
                    continue
                items = sum(
                    cc.parse_number(row[c]) or 0 for c in manifest["cost_items"] if row[c] not in cc.EMPTY
                )
                if (f["file"], sheet, header_row + 1 + i) in exceed:
                    assert items > total + 1
                    seen += 1
                    continue
                assert items <= total + 1
                for sub, parent in subs.items():
                    assert cc.parse_number(row[sub]) <= cc.parse_number(row[parent]) + 0.001
    assert seen == len(exceed)


def test_outbreaks_stand_out(demo: tuple[Path, list[DemoFile], dict]) -> None:
    root, _, manifest = demo
    bad = _malformed(manifest)
    onsets: dict[tuple[str, str], list[str]] = defaultdict(list)
    for f in manifest["files"]:
        if f["kind"] != "idr-cases":
            continue
        for r in _clean_rows(root, f["file"], bad[f["file"]]):
            if _pick(r, "审核状态", "卡片状态") == "已删除":
                continue
            day = cc.parse_date(r["发病日期"]).strftime("%Y-%m-%d")
            onsets[(_pick(r, "疾病名称", "病种"), _pick(r, "现住址区划代码", "现住地址国标"))].append(day)
    assert {o["disease"] for o in manifest["outbreaks"]} >= {"手足口病", "其他感染性腹泻病", "霍乱"}
    for o in manifest["outbreaks"]:
        days = onsets[(o["disease"], o["county"])]
        inside = sum(o["start"] <= d <= o["end"] for d in days)
        same_window_before = sum(
            f"{int(o['start'][:4]) - 1}{o['start'][4:]}" <= d <= f"{int(o['end'][:4]) - 1}{o['end'][4:]}"
            for d in days
        )
        assert inside >= o["extra_cases"]
        assert inside > same_window_before + o["extra_cases"] // 2
    years = {d[:4] for v in onsets.values() for d in v}
    assert {"2022", "2023", "2024", "2025"} <= years


def test_manifest_ground_truth(demo: tuple[Path, list[DemoFile], dict]) -> None:
    _, _, manifest = demo
    names = [e["name"] for e in manifest["value_elements"]]
    assert len(names) == len(set(names))
    for required in ("门诊人次", "医疗收入", "执业医师人数", "门诊患者满意度", "托位数", "居民健康素养水平"):
        assert required in names
    items = {(t["对象代码"], t["目标项"]) for t in manifest["targets"]}
    assert ("990100", "每千人口托位数") in items and ("990122", "县域内住院人次占比") in items
    assert {t["expected"] for t in manifest["targets"]} == {"met", "not met", None}
    assert len(manifest["cost_items"]) == 24
    assert manifest["facts"]["alliance"]["active_members_at_year_end"]["2025"] >= 150
    for m in manifest["malformed"]:
        assert m["row"] >= 2 and m["kind"] and m["detail"]


def test_identifiers_look_real(demo: tuple[Path, list[DemoFile], dict]) -> None:
    root, _, manifest = demo
    rows = cc.read_sheets(root / "reference/医疗卫生机构.csv")[0][3]
    assert all(uscc_valid(r[0]) for r in rows)
    rel = next(f["file"] for f in manifest["files"] if f["kind"] == "claims")
    ids = [r[1] for r in cc.read_sheets(root / rel)[0][3][:2000]]
    assert all(id_check_valid(x) for x in ids)


def test_key_conflicts_spare_ground_truth(demo: tuple[Path, list[DemoFile], dict]) -> None:
    """A loader may quarantine both rows of a key conflict; the earlier one must never carry ground truth."""
    root, _, manifest = demo
    counties = {c["code"] for c in manifest["in_county_share"]["counties"]}
    originals: dict[str, set[tuple[str | None, int]]] = defaultdict(set)
    for m in manifest["malformed"]:
        if m["kind"] == "key_conflict":
            originals[m["file"]].add((m["sheet"], m["related_row"]))
    assert originals
    kinds = {f["file"]: f["kind"] for f in manifest["files"]}
    for rel, wanted in originals.items():
        for sheet, header_row, header, rows in cc.read_sheets(root / rel):
            names = [cc.norm_header(h) for h in header]
            for i, r in enumerate(rows):
                if (sheet, header_row + 1 + i) not in wanted:
                    continue
                row = dict(zip(names, r, strict=False))
                if kinds[rel] == "claims":
                    assert _pick(row, "医疗类别", "就诊类型") != "住院"
                elif kinds[rel] == "discharges":
                    assert _pick(row, "现住址区划代码", "现住址编码", "常住地区划代码") not in counties
                elif kinds[rel] == "referrals":
                    assert row["转诊方向"] != "下转"
