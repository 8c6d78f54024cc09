"""No clear-text identifier (身份证号, names, phones) survives a broken file: not in the DuckDB file or its
WAL, not in the quarantine table or its exports, not in the web application's import API and page.

The property test over the web application is tests/web/test_broken_uploads.py; it uses the helpers here.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from pathlib import Path

import pytest
from tests.conftest import DISCHARGE_HEADER, discharge

from hqd.ingest import parse, quarantine
from hqd.ingest.spec import Field

SURNAMES = ["欧阳", "司马", "诸葛", "慕容", "上官", "皇甫", "东方", "令狐"]
GIVEN = ["娜娜", "相如", "孔明", "婉儿", "无忌", "飞燕", "子瞻", "青莲"]
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(rng: random.Random) -> str:
    """A realistic 18-digit 身份证号 with its GB 11643 (ISO 7064 MOD 11-2) check character."""
    region = rng.choice(["110101", "320102", "440301", "510104", "990121"])
    born = f"{rng.randint(1930, 2015)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = region + born + f"{rng.randint(0, 999):03d}"
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]
    return body + check


def people(seed: int, n: int) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        phone = "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))
        out.append((id_number(rng), name, phone))
    return out


def secrets_of(persons: list[tuple[str, str, str]]) -> list[str]:
    return [x for p in persons for x in (*p, p[0].lower())]


def leaked(data: bytes, secrets: list[str]) -> list[str]:
    """The secrets found in `data` in UTF-8 or GBK (one pass: a warehouse file is megabytes)."""
    forms = {s.encode(enc): s for s in secrets for enc in ("utf-8", "gbk")}
    pattern = re.compile(b"|".join(re.escape(f) for f in forms))
    return sorted({forms[m.group()] for m in pattern.finditer(data)})


def warehouse_bytes(db: Path, con) -> bytes:
    """The warehouse file and its WAL as they are, then the file again after a checkpoint."""
    wal = db.with_name(db.name + ".wal")
    data = db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    con.execute("CHECKPOINT")
    return data + db.read_bytes()


def export_bytes(con, import_id: int, tmp: Path) -> bytes:
    data = b""
    for suffix in (".csv", ".xlsx"):
        out = tmp / f"q{import_id}{suffix}"
        quarantine.export(con, import_id, out)
        if suffix == ".csv":
            data += out.read_bytes()
        else:
            with zipfile.ZipFile(out) as z:
                data += b"".join(z.read(name) for name in z.namelist())
    return data


def test_an_identifier_cell_that_fails_a_check_keeps_no_value(seeded, warehouse_env, monkeypatch):
    # hqd has no check on a 身份证号 cell yet; one is simulated here (any check, as later ones will be).
    real = parse._field_issues

    def with_id_check(f: Field, slot: str, src, parsed: str, issues: parse.Issues) -> None:
        real(f, slot, src, parsed, issues)
        if f.type == "id_hash":
            cond = f"NOT regexp_full_match({parse.norm(slot)}, '[0-9]{{17}}[0-9Xx]')"
            issues.add(cond, src.labels[slot], parse.raw(slot), "invalid_code")

    monkeypatch.setattr(parse, "_field_issues", with_id_check)
    bad_id = "11010119640101123"  # 17 digits: fails the check
    rows = [DISCHARGE_HEADER, discharge("A1"), discharge("A2", 身份证号=bad_id, 姓名="欧阳娜娜")]
    s = seeded.load("discharges", seeded.file("d.csv", rows))
    assert (s.read, s.new, s.quarantined) == (2, 1, 1)
    assert seeded.rows("SELECT row_number, field, value, rule FROM quarantine") == [
        (3, "身份证号", None, "invalid_code")
    ]
    row_data = seeded.one("SELECT row_data FROM quarantine")
    assert "身份证号" not in row_data and "姓名" not in row_data and "联系电话" not in row_data
    data = warehouse_bytes(warehouse_env, seeded.con)
    assert leaked(data, [bad_id, "欧阳娜娜", "13800138000"]) == []


def test_a_quarantined_row_keeps_its_other_cells_but_no_identifier(seeded):
    person = people(7, 1)[0]
    row = discharge("A1", 身份证号=person[0], 姓名=person[1], 联系电话=person[2], 年龄="abc")
    s = seeded.load("discharges", seeded.file("d.csv", [DISCHARGE_HEADER, row]))
    assert s.quarantined == 1
    value, row_data = seeded.rows("SELECT value, row_data FROM quarantine")[0]
    assert value == "abc" and '"病案号":"A1"' in row_data.replace(" ", "")
    assert leaked(row_data.encode(), secrets_of([person])) == []


BREAKS = [",", '"', "\t", "\n", "\r\n", "\r"]
N_ROWS = 6


def clean_file(persons: list[tuple[str, str, str]]) -> list[str]:
    lines = [",".join(DISCHARGE_HEADER)]
    for i, (pid, name, phone) in enumerate(persons):
        lines.append(",".join(discharge(f"P{i}", 身份证号=pid, 姓名=name, 联系电话=phone)))
    return lines


def user_rows(text: str) -> int:
    """Data rows as a user counts them: non-blank lines after the header, any line end ending a line."""
    lines = re.split(r"\r\n|\r|\n", text)
    return sum(1 for t in lines[1:] if t.strip(" \t,"))


@pytest.mark.parametrize("char", BREAKS)
def test_each_kind_of_break_in_each_identifier_keeps_it_out_of_the_warehouse(seeded, warehouse_env, char):
    persons = people(11, 3)
    lines = clean_file(persons)
    for number, column in enumerate(("身份证号", "姓名", "联系电话"), start=1):
        cells = lines[number].split(",")
        i = DISCHARGE_HEADER.index(column)
        cells[i] = cells[i][:2] + char + cells[i][2:]
        lines[number] = ",".join(cells)
    path = Path(seeded.root) / "d.csv"
    text = "\n".join(lines) + "\n"
    path.write_bytes(text.encode("gbk"))
    s = seeded.load("discharges", path)
    assert s.adds_up and s.read == user_rows(text)
    data = warehouse_bytes(warehouse_env, seeded.con) + export_bytes(seeded.con, s.import_id, seeded.root)
    assert leaked(data, secrets_of(persons)) == []
    assert leaked(io.BytesIO(data).getvalue(), [p[0][:2] + char + p[0][2:] for p in persons]) == []


def test_an_xlsx_with_a_misaligned_and_a_bad_row_keeps_no_identifier(seeded, warehouse_env, tmp_path):
    from tests.conftest import write_xlsx

    persons = people(23, 3)
    rows = [DISCHARGE_HEADER]
    for i, (pid, name, phone) in enumerate(persons):
        rows.append(discharge(f"X{i}", 身份证号=pid, 姓名=name, 联系电话=phone))
    rows[2] = [*rows[2][:5], "多", *rows[2][5:]]  # a cell inserted: the identifiers shift right
    rows[3][DISCHARGE_HEADER.index("离院方式")] = "7"  # not a code
    s = seeded.load("discharges", write_xlsx(tmp_path / "d.xlsx", {"Sheet1": rows}))
    assert (s.read, s.new, s.quarantined) == (3, 1, 2)
    assert seeded.rows("SELECT row_number, rule FROM quarantine ORDER BY row_number") == [
        (3, "misaligned_row"),
        (4, "invalid_code"),
    ]
    data = warehouse_bytes(warehouse_env, seeded.con) + export_bytes(seeded.con, s.import_id, tmp_path)
    assert leaked(data, secrets_of(persons)) == []
