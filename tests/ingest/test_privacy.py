"""Patient identifiers never reach the warehouse file in clear text, whatever happens to their row."""

from __future__ import annotations

import hashlib
import hmac

from tests.conftest import DISCHARGE_HEADER, discharge

from hqd.warehouse.secret import pseudonym

IDS = ["110101196401011234", "32010219850612345X", "440301200001019876"]
NAMES = ["欧阳娜娜", "司马相如", "诸葛孔明"]
PHONES = ["13912345678", "13698765432", "13500001111"]


def test_no_clear_text_identifier_appears_anywhere_in_the_duckdb_file(seeded, warehouse_env):
    rows = [
        DISCHARGE_HEADER,
        discharge("A1", 身份证号=IDS[0], 姓名=NAMES[0], 联系电话=PHONES[0]),
        discharge("A2", 身份证号=IDS[1], 姓名=NAMES[1], 联系电话=PHONES[1], 离院方式="7"),  # quarantined
        discharge("A3", 身份证号=IDS[2], 姓名=NAMES[2], 联系电话=PHONES[2]),
        discharge("A3", 身份证号=IDS[2], 姓名=NAMES[2], 联系电话=PHONES[2], 年龄="61"),
    ]  # key conflict
    s = seeded.load("discharges", seeded.file("d.csv", rows, encoding="utf-8"))
    assert (s.new, s.quarantined) == (1, 3)
    seeded.con.execute("CHECKPOINT")
    seeded.con.close()
    data = warehouse_env.read_bytes()
    wal = warehouse_env.with_name(warehouse_env.name + ".wal")
    if wal.exists():
        data += wal.read_bytes()
    for secret_text in [*IDS, *NAMES, *PHONES, IDS[1].lower()]:
        for encoding in ("utf-8", "gbk", "utf-16-le"):
            assert secret_text.encode(encoding) not in data, secret_text


def test_the_pseudonym_is_hmac_sha256_of_the_id_under_the_warehouse_secret(seeded):
    seeded.load(
        "discharges",
        seeded.file("d.csv", [DISCHARGE_HEADER, discharge("A1", 身份证号=" 32010219850612345x ")]),
    )
    stored = seeded.one("SELECT patient_key FROM discharges")
    expected = hmac.new(seeded.secret, b"32010219850612345X", hashlib.sha256).hexdigest()
    assert stored == expected == pseudonym(seeded.secret, "32010219850612345x")


def test_the_secret_lives_beside_the_warehouse_readable_by_its_owner_only(seeded, warehouse_env):
    secret_file = warehouse_env.with_name(warehouse_env.name + ".secret")
    assert secret_file.exists() and (secret_file.stat().st_mode & 0o777) == 0o600
    assert secret_file.read_bytes().strip() not in warehouse_env.read_bytes()


def test_the_same_person_links_across_files_and_kinds(seeded):
    seeded.load("discharges", seeded.file("d.csv", [DISCHARGE_HEADER, discharge("A1", 身份证号=IDS[0])]))
    rows = [
        [
            "结算ID",
            "身份证号",
            "参保地区划代码",
            "就医机构代码",
            "就医地区划代码",
            "医疗类别",
            "结算日期",
            "医疗费用总额",
            "医保基金支付金额",
        ],
        ["S1", IDS[0], "990121", "X", "990121", "住院", "2024-03-05", "100", "50"],
    ]
    seeded.load("claims", seeded.file("c.csv", rows))
    assert seeded.one("SELECT count(*) FROM discharges d JOIN claims c USING (patient_key)") == 1
