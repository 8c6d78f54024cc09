"""Shared fixtures: a real DuckDB warehouse in a temporary folder, and writers of real GBK/UTF-8/XLSX files."""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from hqd.config import settings
from hqd.ingest.load import load_file
from hqd.ingest.summary import Summary
from hqd.warehouse import migrate
from hqd.warehouse.connection import connect
from hqd.warehouse.secret import load_secret

# A small region every test can rely on: one city, two counties, a neighbouring city outside the region.
REGIONS = [
    ["区划代码", "区划名称", "上级区划代码", "常住人口"],
    ["990000", "示例省", "", ""],
    ["990100", "示例市", "990000", "3000000"],
    ["990102", "甲区", "990100", "500000"],
    ["990121", "乙县", "990100", "400000"],
]
HOSP = "12990100MB1234567X"  # 示例市人民医院, tertiary general
COUNTY = "12990121MB7654321Y"  # 乙县人民医院, secondary
CLINIC = "12990121MB0000011A"  # 乙县某乡镇卫生院
INSTITUTIONS = [
    ["机构代码", "机构名称", "区划代码", "机构级别", "机构类别", "实有床位数"],
    [HOSP, "示例市人民医院", "990102", "三级", "综合医院", "1200"],
    [COUNTY, "乙县人民医院", "990121", "二级", "综合医院", "500"],
    [CLINIC, "乙县某镇卫生院", "990121", "一级", "乡镇卫生院", "40"],
]


def write_csv(path: Path, rows: list[list[object]], encoding: str = "gbk", delimiter: str = ",") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.datetime):
                    ws.write_datetime(r, c, value, date_fmt)
                elif value is not None and value != "":
                    ws.write(r, c, value)
    wb.close()
    return path


class Warehouse:
    """A fresh warehouse file with the test region loaded; `load` goes through the real loader."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cfg = settings()
        self.con = connect(self.cfg)
        migrate.upgrade(self.con)
        self.secret = load_secret(self.cfg.secret_path)

    def file(self, name: str, rows: list[list[object]], encoding: str = "gbk", delimiter: str = ",") -> Path:
        return write_csv(self.root / name, rows, encoding, delimiter)

    def load(self, kind: str, path: Path, **kw: object) -> Summary:
        return load_file(self.con, kind, path, secret=self.secret, **kw)

    def rows(self, sql: str, params: list[object] | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    def one(self, sql: str, params: list[object] | None = None) -> object:
        return self.con.execute(sql, params or []).fetchone()[0]

    def seed(self) -> Warehouse:
        assert self.load("regions", self.file("regions.csv", REGIONS)).quarantined == 0
        assert self.load("institutions", self.file("inst.csv", INSTITUTIONS)).quarantined == 0
        return self

    def reasons(self, import_id: int | None) -> list[tuple]:
        return self.rows(
            "SELECT row_number, field, rule FROM quarantine WHERE import_id = ? ORDER BY row_number, rule",
            [import_id],
        )


@pytest.fixture
def warehouse_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "hqd.duckdb"
    monkeypatch.setenv("HQD_DB", str(db))
    monkeypatch.delenv("HQD_SECRET", raising=False)
    return db


@pytest.fixture
def wh(tmp_path: Path, warehouse_env: Path) -> Iterator[Warehouse]:
    w = Warehouse(tmp_path)
    yield w
    w.con.close()


@pytest.fixture
def seeded(wh: Warehouse) -> Warehouse:
    return wh.seed()


DISCHARGE_HEADER = [
    "机构代码",
    "病案号",
    "住院次数",
    "性别",
    "年龄",
    "身份证号",
    "姓名",
    "联系电话",
    "入院途径",
    "入院时间",
    "出院时间",
    "主要诊断编码",
    "离院方式",
    "总费用",
    "西药费",
    "护理费",
    "其他诊断编码1",
    "其他诊断入院病情1",
    "手术及操作编码1",
    "切口等级1",
    "切口愈合类别1",
]


def discharge(mrn: str, **over: object) -> list[object]:
    """One valid discharge row; keyword arguments override cells by header."""
    base = {
        "机构代码": HOSP,
        "病案号": mrn,
        "住院次数": "1",
        "性别": "1",
        "年龄": "60",
        "身份证号": "110101196401011234",
        "姓名": "王小明",
        "联系电话": "13800138000",
        "入院途径": "2",
        "入院时间": "2024-03-01 08:00",
        "出院时间": "2024-03-05 10:00",
        "主要诊断编码": "I21.900",
        "离院方式": "1",
        "总费用": "10000",
        "西药费": "3000",
        "护理费": "500",
        "其他诊断编码1": "I10.x00",
        "其他诊断入院病情1": "1",
        "手术及操作编码1": "36.0601",
        "切口等级1": "2",
        "切口愈合类别1": "1",
    }
    base.update({k: v for k, v in over.items()})
    return [base[h] for h in DISCHARGE_HEADER]


def run_hqd(db: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the `hqd` command line as a user would, in its own process, on the warehouse `db`."""
    env = {**os.environ, "HQD_DB": str(db), "COLUMNS": "200"}
    env.pop("HQD_SECRET", None)
    proc = subprocess.run([sys.executable, "-m", "hqd.cli", *args], env=env, capture_output=True, text=True,
                          timeout=180)  # fmt: skip
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def table_fingerprint(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent content hash of every warehouse table."""
    out = {}
    tables = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND database_name = current_database()"
    ).fetchall()
    for (name,) in tables:
        count, digest = con.execute(
            f'SELECT count(*), coalesce(bit_xor(hash(t)), 0)::VARCHAR FROM "{name}" t'
        ).fetchone()
        out[name] = (count, digest)
    return out


Writer = Callable[..., Path]


@contextmanager
def demo_warehouse(
    root: Path, discharges: int, keep: Callable[[str], bool]
) -> Iterator[tuple[Warehouse, dict]]:
    """The demo region generated into `root` and the kinds `keep` accepts loaded through the real loaders
    into a warehouse of its own; yields it with the generator's manifest (its ground truth)."""
    import json

    from hqd.demo import generate

    files = generate(root / "data", seed=20240101, discharges=discharges)
    manifest = json.loads((root / "data" / "manifest.json").read_text(encoding="utf-8"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HQD_DB", str(root / "hqd.duckdb"))
        mp.delenv("HQD_SECRET", raising=False)
        w = Warehouse(root)
        for f in files:
            if keep(f.kind):
                w.load(f.kind, f.path)
        try:
            yield w, manifest
        finally:
            w.con.close()
