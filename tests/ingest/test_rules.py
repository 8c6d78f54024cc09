"""Every validation rule of the contract, one test each, named for its rule (test_rule_<rule id>)."""

from __future__ import annotations

import sys

from tests.conftest import CLINIC, COUNTY, DISCHARGE_HEADER, HOSP, discharge

from hqd.catalog import load_yaml


def quarantined(seeded, kind, rows, name="f.csv"):
    summary = seeded.load(kind, seeded.file(name, rows))
    assert summary.adds_up
    return summary, seeded.reasons(summary.import_id)


def test_every_rule_in_the_catalog_has_its_own_test():
    rules = load_yaml("rules.yaml")
    module = sys.modules[__name__]
    missing = [r for r in rules if not hasattr(module, f"test_rule_{r}")]
    assert missing == []


def test_rule_required(seeded):
    s, reasons = quarantined(seeded, "discharges", [DISCHARGE_HEADER, discharge("A1", 主要诊断编码="")])
    assert s.quarantined == 1 and reasons == [(2, "主要诊断编码", "required")]


def test_rule_invalid_number(seeded):
    _s, reasons = quarantined(seeded, "discharges", [DISCHARGE_HEADER, discharge("A1", 总费用="一万")])
    assert reasons == [(2, "总费用", "invalid_number")]


def test_rule_invalid_integer(seeded):
    _s, reasons = quarantined(seeded, "discharges", [DISCHARGE_HEADER, discharge("A1", 年龄="60.5")])
    assert reasons == [(2, "年龄", "invalid_integer")]


def test_rule_invalid_date(seeded):
    header = ["区划代码", "区划名称", "上级区划代码"]
    rows = [
        ["卡片编号", "疾病名称", "现住址区划代码", "发病日期", "报告日期"],
        ["C1", "水痘", "990102", "2024-13-45", "2024-03-05"],
    ]
    _s, reasons = quarantined(seeded, "idr-cases", rows)
    assert header and reasons == [(2, "发病日期", "invalid_date")]


def test_rule_invalid_datetime(seeded):
    _s, reasons = quarantined(
        seeded, "discharges", [DISCHARGE_HEADER, discharge("A1", 入院时间="2024-03-01 25:61")]
    )
    assert reasons == [(2, "入院时间", "invalid_datetime")]


def test_rule_invalid_period(seeded):
    rows = [["机构代码", "统计期", "数据项", "数值"], [HOSP, "2024年13月", "门诊人次", "100"]]
    _s, reasons = quarantined(seeded, "values", rows)
    assert reasons == [(2, "统计期", "invalid_period")]


def test_rule_invalid_code(seeded):
    s, reasons = quarantined(seeded, "discharges", [DISCHARGE_HEADER, discharge("A1", 离院方式="7")])
    assert reasons == [(2, "离院方式", "invalid_code")]
    message = seeded.one("SELECT message_zh FROM quarantine WHERE import_id = ?", [s.import_id])
    assert "1 医嘱离院" in message and "5 死亡" in message


def test_rule_invalid_bool(seeded):
    rows = [
        ["机构代码", "机构名称", "区划代码", "机构级别", "机构类别", "是否县级医院"],
        ["12990121MB0000099Z", "某医院", "990121", "二级", "综合医院", "也许"],
    ]
    _s, reasons = quarantined(seeded, "institutions", rows)
    assert reasons == [(2, "是否县级医院", "invalid_bool")]


def test_rule_invalid_org_code(seeded):
    _s, reasons = quarantined(seeded, "discharges", [DISCHARGE_HEADER, discharge("A1", 机构代码="ABC")])
    assert reasons == [(2, "机构代码", "invalid_org_code")]


def test_rule_invalid_region_code(seeded):
    rows = [["区划代码", "区划名称", "上级区划代码"], ["99012", "丙县", "990100"]]
    _s, reasons = quarantined(seeded, "regions", rows)
    assert reasons == [(2, "区划代码", "invalid_region_code")]


def test_rule_invalid_icd10(seeded):
    _s, reasons = quarantined(seeded, "discharges", [DISCHARGE_HEADER, discharge("A1", 其他诊断编码1="123")])
    assert reasons == [(2, "其他诊断编码1", "invalid_icd10")]


def test_rule_invalid_icd9(seeded):
    _s, reasons = quarantined(seeded, "discharges", [DISCHARGE_HEADER, discharge("A1", 手术及操作编码1="X1")])
    assert reasons == [(2, "手术及操作编码1", "invalid_icd9")]


def test_rule_out_of_range(seeded):
    _s, reasons = quarantined(seeded, "discharges", [DISCHARGE_HEADER, discharge("A1", 年龄="151")])
    assert reasons == [(2, "年龄", "out_of_range")]


def test_rule_unknown_institution(seeded):
    _s, reasons = quarantined(
        seeded, "discharges", [DISCHARGE_HEADER, discharge("A1", 机构代码="12990100MB9999999X")]
    )
    assert reasons == [(2, "机构代码", "unknown_institution")]


def test_rule_unknown_region(seeded):
    rows = [
        ["机构代码", "机构名称", "区划代码", "机构级别", "机构类别"],
        ["12990121MB0000099Z", "某医院", "990999", "二级", "综合医院"],
    ]
    _s, reasons = quarantined(seeded, "institutions", rows)
    assert reasons == [(2, "区划代码", "unknown_region")]


def test_rule_unknown_organisation(seeded):
    rows = [
        ["对象代码", "目标项", "比较", "目标值", "截止期"],
        ["990999", "居民健康素养水平", ">=", "30", "2025"],
    ]
    _s, reasons = quarantined(seeded, "targets", rows)
    assert reasons == [(2, "对象代码", "unknown_organisation")]


def test_rule_unknown_element(seeded):
    rows = [["机构代码", "统计期", "数据项", "数值"], [HOSP, "2024", "不存在的数据项", "1"]]
    _s, reasons = quarantined(seeded, "values", rows)
    assert reasons == [(2, "数据项", "unknown_element")]


def test_rule_key_conflict(seeded):
    rows = [DISCHARGE_HEADER, discharge("A1"), discharge("A2"), discharge("A1", 年龄="61")]
    s, reasons = quarantined(seeded, "discharges", rows)
    assert (s.new, s.quarantined) == (1, 2)
    assert reasons == [
        (2, "机构代码+病案号+住院次数", "key_conflict"),
        (4, "机构代码+病案号+住院次数", "key_conflict"),
    ]
    messages = [m for (m,) in seeded.rows("SELECT message_zh FROM quarantine ORDER BY row_number")]
    assert "第 4 行" in messages[0] and "第 2 行" in messages[1]


def test_rule_misaligned_row(seeded):
    rows = [DISCHARGE_HEADER, discharge("A1"), [*discharge("A2"), "多出来的", "列"], discharge("A3")[:-2]]
    s, reasons = quarantined(seeded, "discharges", rows)
    assert (s.read, s.new, s.quarantined) == (3, 1, 2)
    assert reasons == [(3, None, "misaligned_row"), (4, None, "misaligned_row")]
    messages = seeded.rows("SELECT message_zh, message_en FROM quarantine ORDER BY row_number")
    width = len(DISCHARGE_HEADER)
    assert f"该行有 {width + 2} 个单元格，而表头有 {width} 列" in messages[0][0]
    assert f"the row has {width - 2} cells where the header has {width} columns" in messages[1][1]


def test_rule_unclosed_quote(seeded, tmp_path):
    lines = [",".join(DISCHARGE_HEADER), ",".join(discharge("A1"))]
    lines.append(",".join(discharge("A2", 姓名='"王小明')))  # line 3: the quote is never closed
    lines += [",".join(discharge(f"B{i}")) for i in range(3)]  # lines 4-6, swallowed
    path = tmp_path / "d.csv"
    path.write_text("\n".join(lines) + "\n", encoding="gbk")
    s = seeded.load("discharges", path)
    assert (s.read, s.new, s.quarantined) == (5, 1, 4)
    assert seeded.reasons(s.import_id) == [(r, "姓名", "unclosed_quote") for r in (3, 4, 5, 6)]
    zh, en = seeded.rows("SELECT message_zh, message_en FROM quarantine ORDER BY row_number")[0]
    assert "第 3 行“姓名”列的引号未闭合，第 3–6 行被并入一个单元格" in zh
    assert "an unclosed quote in 姓名 on line 3 merged lines 3–6" in en


def test_rule_discharge_before_admission(seeded):
    row = discharge("A1", 入院时间="2024-03-05", 出院时间="2024-03-01")
    _s, reasons = quarantined(seeded, "discharges", [DISCHARGE_HEADER, row])
    assert reasons == [(2, "出院时间", "discharge_before_admission")]


def test_rule_cost_items_exceed_total(seeded):
    ok = discharge("A1", 总费用="3500", 西药费="3000.50", 护理费="500.40")  # 3500.90: within 1 yuan
    bad = discharge("A2", 总费用="3500", 西药费="3000.50", 护理费="500.60")  # 3501.10
    s, reasons = quarantined(seeded, "discharges", [DISCHARGE_HEADER, ok, bad])
    assert s.new == 1 and reasons == [(3, "总费用", "cost_items_exceed_total")]


def test_rule_amount_exceeds_total(seeded):
    rows = [
        [
            "结算ID",
            "参保地区划代码",
            "就医机构代码",
            "就医地区划代码",
            "医疗类别",
            "结算日期",
            "医疗费用总额",
            "医保基金支付金额",
        ],
        ["S1", "990121", COUNTY, "990121", "住院", "2024-03-05", "1000", "1000.01"],
        ["S2", "990121", COUNTY, "990121", "住院", "2024-03-05", "1000", "1000"],
    ]
    s, reasons = quarantined(seeded, "claims", rows)
    assert s.new == 1 and reasons == [(2, "医保基金支付金额", "amount_exceeds_total")]


def test_rule_time_before_onset(seeded):
    rows = [
        ["中心类型", "机构代码", "病例编号", "诊断分类", "发病时间", "到达医院时间"],
        ["胸痛", HOSP, "P1", "STEMI", "2024-03-01 10:00", "2024-03-01 09:00"],
    ]
    _s, reasons = quarantined(seeded, "centre-cases", rows)
    assert reasons == [(2, "到达医院时间", "time_before_onset")]


def test_rule_time_before_door(seeded):
    rows = [
        [
            "中心类型",
            "机构代码",
            "病例编号",
            "诊断分类",
            "发病时间",
            "首次医疗接触时间",
            "到达医院时间",
            "导丝通过时间",
        ],
        [
            "胸痛",
            HOSP,
            "P1",
            "STEMI",
            "2024-03-01 08:00",
            "2024-03-01 08:10",
            "2024-03-01 09:00",
            "2024-03-01 08:50",
        ],
        [
            "胸痛",
            HOSP,
            "P2",
            "STEMI",
            "2024-03-01 08:00",
            "2024-03-01 08:10",
            "2024-03-01 09:00",
            "2024-03-01 10:10",
        ],
    ]
    s, reasons = quarantined(seeded, "centre-cases", rows)
    assert s.new == 1 and reasons == [(2, "导丝通过时间", "time_before_door")]
    message = seeded.one("SELECT message_zh FROM quarantine WHERE import_id = ?", [s.import_id])
    assert "导丝通过时间" in message and "到达医院时间" in message


def test_rule_date_order(seeded):
    rows = [
        ["转诊单号", "转出机构代码", "转入机构代码", "转诊方向", "转诊日期", "接收日期"],
        ["R1", CLINIC, COUNTY, "上转", "2024-03-05", "2024-03-04"],
    ]
    _s, reasons = quarantined(seeded, "referrals", rows)
    assert reasons == [(2, "接收日期", "date_order")]


def test_rule_out_of_scope(seeded):
    from hqd.ingest.write_scope import WriteScope

    rows = [DISCHARGE_HEADER, discharge("A1", 机构代码=COUNTY), discharge("A2", 机构代码=HOSP)]
    s = seeded.load("discharges", seeded.file("f.csv", rows), scope=WriteScope.institution(COUNTY))
    assert s.adds_up and (s.new, s.quarantined) == (1, 1)
    assert seeded.reasons(s.import_id) == [(3, "机构代码", "out_of_scope")]
    [(zh, en)] = seeded.rows(
        "SELECT message_zh, message_en FROM quarantine WHERE import_id = ?", [s.import_id]
    )
    assert zh == f"“机构代码”的机构或区划“{HOSP}”不在您的权限范围（{COUNTY}）内，该行未导入"
    assert en == f"机构代码 '{HOSP}' lies outside your scope ({COUNTY}); the row was not loaded"


def test_rule_out_of_scope_stored(seeded):
    from hqd.ingest.write_scope import WriteScope

    header = ["转诊单号", "转出机构代码", "转入机构代码", "转诊方向", "转诊日期"]
    quarantined(seeded, "referrals", [header, ["R1", CLINIC, COUNTY, "上转", "2024-03-01"]], "first.csv")
    rows = [header, ["R1", COUNTY, CLINIC, "下转", "2024-03-02"]]
    s = seeded.load("referrals", seeded.file("f.csv", rows), scope=WriteScope.institution(COUNTY))
    assert s.adds_up and (s.new, s.updated, s.quarantined) == (0, 0, 1)
    assert seeded.reasons(s.import_id) == [(2, "转出机构代码", "out_of_scope_stored")]
    assert seeded.rows("SELECT from_org FROM referrals") == [(CLINIC,)]
    message = seeded.one("SELECT message_en FROM quarantine WHERE import_id = ?", [s.import_id])
    assert CLINIC in message and "cannot be replaced" in message


def test_rule_implausible_date(seeded):
    header = [*DISCHARGE_HEADER, "出生日期"]
    s, reasons = quarantined(seeded, "discharges", [header, [*discharge("A1"), "1800-01-01"]])
    assert reasons == [(2, "出生日期", "implausible_date")]
    message = seeded.one("SELECT message_zh FROM quarantine WHERE import_id = ?", [s.import_id])
    assert "出生日期" in message and "1800-01-01" in message and "1900-01-01" in message


def test_rule_future_date(seeded):
    rows = [
        ["卡片编号", "疾病名称", "现住址区划代码", "发病日期", "报告日期"],
        ["C1", "水痘", "990102", "2024-03-04", "2024-03-05"],
        ["C2", "水痘", "990102", "2024-03-04", "2999-03-05"],
    ]
    s, reasons = quarantined(seeded, "idr-cases", rows)
    assert s.new == 1 and (3, "报告日期", "future_date") in reasons
    message = seeded.one(
        "SELECT message_en FROM quarantine WHERE import_id = ? AND rule = 'future_date'", [s.import_id]
    )
    assert "报告日期" in message and "2999-03-05" in message


def test_rule_truncated_row(seeded, tmp_path):
    lines = [
        ",".join(DISCHARGE_HEADER),
        ",".join(discharge("A1")),
        ",".join(discharge("A2", 切口愈合类别1="甲")),
    ]
    data = "\n".join(lines).encode("gbk")
    path = tmp_path / "d.csv"
    path.write_bytes(data[:-1])  # the file ends half-way through 甲
    s = seeded.load("discharges", path)
    assert (s.status, s.encoding, s.read, s.new, s.quarantined) == ("accepted", "GBK", 2, 1, 1)
    assert seeded.reasons(s.import_id) == [
        (3, "切口愈合类别1", "truncated_row")
    ]  # cut inside 甲, the last cell
    assert "the file was cut off in the middle of line 3, in 切口愈合类别1" in seeded.one(
        "SELECT message_en FROM quarantine"
    )
