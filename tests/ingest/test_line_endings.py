"""Files saved with any line ends (LF, CRLF, old-Mac CR, mixed) and with broken quoting load with every row
the user sees accounted for, numbered as the user sees it."""

from __future__ import annotations

from tests.conftest import DISCHARGE_HEADER, discharge

HEAD = ",".join(DISCHARGE_HEADER)


def line(mrn: str, **over: object) -> str:
    return ",".join(str(c) for c in discharge(mrn, **over))


def test_a_gbk_file_with_old_mac_line_ends_loads_with_nothing_lost(seeded, tmp_path):
    lines = [
        "2024年出院病人明细",  # line 1, a title
        HEAD,  # line 2
        line("A1"),
        "",  # line 4, blank
        line("A2", 离院方式="7"),  # line 5: bad
        line("A3"),
    ]
    path = tmp_path / "mac.csv"
    path.write_bytes("\r".join(lines).encode("gbk") + b"\r")
    s = seeded.load("discharges", path)
    assert (s.status, s.encoding, s.read, s.new, s.quarantined) == ("accepted", "GBK", 3, 2, 1)
    assert seeded.reasons(s.import_id) == [(5, "离院方式", "invalid_code")]
    assert s.sheets[0]["header_row"] == 2
    assert sorted(m for (m,) in seeded.rows("SELECT mrn FROM discharges")) == ["A1", "A3"]


def test_mixed_line_ends_each_end_one_line(seeded, tmp_path):
    # LF, CRLF and CR in one file; "\r\r\n" is a CR and then a CRLF: one blank line between.
    data = (
        HEAD + "\r\n"  # line 1
        + line("A1") + "\n"  # 2
        + line("A2") + "\r"  # 3
        + line("A3", 年龄="abc") + "\r\r\n"  # 4, then 5 blank
        + line("A4")  # 6, no line end at all
    )  # fmt: skip
    path = tmp_path / "mixed.csv"
    path.write_bytes(data.encode("gbk"))
    s = seeded.load("discharges", path)
    assert (s.read, s.new, s.quarantined) == (4, 3, 1)
    assert seeded.reasons(s.import_id) == [(4, "年龄", "invalid_integer")]


def test_a_quoted_cell_broken_by_a_cr_is_one_row_in_a_cr_file(seeded, tmp_path):
    multi = discharge("A2")
    multi[DISCHARGE_HEADER.index("姓名")] = '"王\r小明"'
    lines = [HEAD, line("A1"), ",".join(multi), line("A3", 离院方式="7")]
    path = tmp_path / "d.csv"
    path.write_bytes("\r".join(lines).encode("gbk"))
    s = seeded.load("discharges", path)
    assert (s.read, s.new, s.quarantined) == (3, 2, 1)
    assert seeded.reasons(s.import_id) == [(5, "离院方式", "invalid_code")]


def test_an_unclosed_quote_in_the_middle_quarantines_the_lines_it_merged(seeded, tmp_path):
    lines = [HEAD, line("A1")]  # lines 1-2
    lines.append(line("A2", 病案号='"A2'))  # 3: a quote opens a cell…
    lines += [line("B1"), "", line("B2")]  # 4-6, swallowed (5 is blank)
    lines.append(line("A3", 病案号='A3"'))  # 7: …and a stray quote closes it
    lines += [line("A4"), line("A5", 年龄="abc")]  # 8-9 are read as usual
    path = tmp_path / "d.csv"
    path.write_bytes("\r\n".join(lines).encode("gbk") + b"\r\n")
    s = seeded.load("discharges", path)
    # rows as the user sees them: 2, 3, 4, 6, 7, 8, 9
    assert (s.read, s.new, s.quarantined) == (7, 2, 5) and s.adds_up
    assert seeded.reasons(s.import_id) == [
        *[(r, "病案号", "unclosed_quote") for r in (3, 4, 6, 7)],  # the quote opened in 病案号
        (9, "年龄", "invalid_integer"),
    ]
    zh, en, value, data = seeded.rows(
        "SELECT message_zh, message_en, value, row_data FROM quarantine WHERE row_number = 6"
    )[0]
    assert "第 3 行“病案号”列的引号未闭合，第 3–7 行被并入一个单元格" in zh
    assert "an unclosed quote in 病案号 on line 3 merged lines 3–7" in en
    assert value is None and data is None
    assert sorted(m for (m,) in seeded.rows("SELECT mrn FROM discharges")) == ["A1", "A4"]


def test_an_unclosed_quote_on_the_last_line_quarantines_that_line(seeded, tmp_path):
    lines = [HEAD, line("A1"), line("A2"), line("A3", 总费用='"10000')]
    path = tmp_path / "d.csv"
    path.write_bytes("\n".join(lines).encode("gbk"))  # no final line end either
    s = seeded.load("discharges", path)
    assert (s.read, s.new, s.quarantined) == (3, 2, 1)
    assert seeded.reasons(s.import_id) == [(4, "总费用", "unclosed_quote")]
    assert "an unclosed quote in 总费用 on line 4 merged lines 4–4" in seeded.one(
        "SELECT message_en FROM quarantine"
    )


def test_a_quote_inside_a_cell_is_part_of_the_text(seeded, tmp_path):
    lines = [HEAD, line("A1", 病案号='A"1'), line("A2")]
    path = tmp_path / "d.csv"
    path.write_bytes("\n".join(lines).encode("gbk") + b"\n")
    s = seeded.load("discharges", path)
    assert (s.read, s.new, s.quarantined) == (2, 2, 0)
    assert sorted(m for (m,) in seeded.rows("SELECT mrn FROM discharges")) == ['A"1', "A2"]


def test_a_bom_a_nul_byte_and_a_row_cut_short_by_truncation_do_not_crash_the_load(seeded, tmp_path):
    data = "\ufeff" + "\r\n".join([HEAD, line("A1"), line("A2", 病案号="A\x002"), line("A3")]) + "\r\n"
    cut = line("A4")[:40]  # the file ends in the middle of a row
    path = tmp_path / "d.csv"
    path.write_bytes((data + cut).encode("utf-8"))
    s = seeded.load("discharges", path)
    assert (s.status, s.encoding, s.read) == ("accepted", "UTF-8-BOM", 4) and s.adds_up
    assert seeded.reasons(s.import_id) == [(5, None, "misaligned_row")]
    assert seeded.one("SELECT count(*) FROM discharges") == 3


def test_a_file_cut_in_the_middle_of_a_character_loads_all_but_the_cut_row(seeded, tmp_path):
    for encoding in ("gbk", "utf-8"):
        seeded.con.execute("DELETE FROM discharges")
        data = "\r\n".join([HEAD, line("A1"), line("A2", 姓名="欧阳娜娜")]).encode(encoding)
        path = tmp_path / f"d-{encoding}.csv"
        path.write_bytes(data[: data.index("欧".encode(encoding)) + 1])  # half of 欧, in line 3
        s = seeded.load("discharges", path)
        assert (s.status, s.read, s.new, s.quarantined) == ("accepted", 2, 1, 1), encoding
        assert seeded.reasons(s.import_id) == [(3, "姓名", "truncated_row")]  # cut inside 欧 of 姓名
        assert seeded.one("SELECT value IS NULL AND row_data IS NULL FROM quarantine WHERE import_id = ?",
                          [s.import_id])  # fmt: skip


def test_a_file_with_bad_bytes_inside_is_still_rejected_with_a_sentence(seeded, tmp_path):
    data = "\n".join([HEAD, line("A1"), line("A2")]).encode("gbk")
    path = tmp_path / "d.csv"
    path.write_bytes(data[:-10] + b"\xff" + data[-10:])
    s = seeded.load("discharges", path)
    assert s.status == "rejected" and "d.csv" in s.message and "GB18030" in s.message


def test_parallel_ranges_number_lines_with_crlf_and_cr_ends(seeded, tmp_path, monkeypatch):
    import hqd.ingest.encoding as encoding

    monkeypatch.setattr(encoding, "PARALLEL_MIN_BYTES", 0)  # force two ranges on a small file
    parts, expected_bad = [HEAD + "\r\n"], []
    number = 1
    for i in range(1, 201):
        number += 1
        bad = i % 40 == 0
        if bad:
            expected_bad.append(number)
        parts.append(line(f"A{i}", **({"离院方式": "7"} if bad else {})) + ("\r" if i % 7 == 0 else "\r\n"))
    path = tmp_path / "d.csv"
    path.write_bytes("".join(parts).encode("gbk"))
    s = seeded.load("discharges", path)
    assert (s.read, s.new, s.quarantined) == (200, 195, 5)
    assert [r for r, _f, _rule in seeded.reasons(s.import_id)] == expected_bad


def test_an_unclosed_quote_in_a_file_read_in_parallel_ranges_loses_no_row(seeded, tmp_path, monkeypatch):
    import hqd.ingest.encoding as encoding

    monkeypatch.setattr(encoding, "PARALLEL_MIN_BYTES", 0)
    lines = [HEAD] + [line(f"A{i}", **({"病案号": f'"A{i}'} if i == 4 else {})) for i in range(1, 201)]
    path = tmp_path / "d.csv"
    path.write_bytes("\n".join(lines).encode("gbk") + b"\n")
    s = seeded.load("discharges", path)
    assert s.read == 200 and s.adds_up
    rows = [r for r, _f, rule in seeded.reasons(s.import_id) if rule == "unclosed_quote"]
    assert rows == list(range(5, 5 + len(rows))) and len(rows) == s.quarantined  # line 5 onwards, contiguous
    messages = {m for (m,) in seeded.rows("SELECT message_en FROM quarantine")}
    assert all(m.startswith("an unclosed quote in 病案号 on line 5 merged lines 5–") for m in messages)
