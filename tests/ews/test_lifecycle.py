"""The signal lifecycle: new → verified → dismissed | confirmed, every decision with who, when and why."""

from __future__ import annotations

import datetime as dt
import json
from itertools import product

import pytest
from tests.ews.test_counts import load_cards
from tests.ews.test_runner import FIXED, FIXED_CARDS, rules_file
from typer.testing import CliRunner

from hqd.ews.commands import ews_app
from hqd.ews.lifecycle import LifecycleError, confirm, decide, decisions, dismiss, list_signals, verify
from hqd.ews.runner import run_period

STATUSES = ["new", "verified", "dismissed", "confirmed"]
ALLOWED = {("new", "verified"), ("verified", "dismissed"), ("verified", "confirmed")}
T0 = dt.datetime(2024, 7, 3, 9, 0)


@pytest.fixture
def two(seeded, tmp_path):
    """A warehouse with the two fixed-threshold signals of FIXED_CARDS; returns it and their ids."""
    load_cards(seeded, FIXED_CARDS)
    run_period(seeded.con, "2024-07", rules_path=rules_file(tmp_path, FIXED))
    ids = [r[0] for r in seeded.rows("SELECT signal_id FROM ews_signals ORDER BY time_point")]
    return seeded, ids


def walk_to(con, signal_id: int, status: str) -> None:
    """Bring a new signal to a status through the legal path."""
    if status != "new":
        verify(con, signal_id, user="a", at=T0)
    if status in ("dismissed", "confirmed"):
        decide(con, signal_id, status, user="b", at=T0 + dt.timedelta(hours=1))


@pytest.mark.parametrize(("start", "to"), [(s, t) for s, t in product(STATUSES, STATUSES) if t != "new"])
def test_only_the_lifecycle_transitions_are_allowed(two, start, to):
    wh, (sid, _) = two
    walk_to(wh.con, sid, start)
    if (start, to) in ALLOWED:
        decide(wh.con, sid, to, user="c")
        assert wh.one("SELECT status FROM ews_signals WHERE signal_id = ?", [sid]) == to
    else:
        with pytest.raises(LifecycleError, match=f"signal {sid} is {start} and cannot become {to}"):
            decide(wh.con, sid, to, user="c")
        assert wh.one("SELECT status FROM ews_signals WHERE signal_id = ?", [sid]) == start
        steps = {"new": 0, "verified": 1, "dismissed": 2, "confirmed": 2}[start]
        assert len(decisions(wh.con, sid)) == steps  # the refused decision was not recorded


def test_each_decision_records_who_and_when_and_the_audit_trail(two):
    wh, (a, b) = two
    verify(wh.con, a, user="张三", note="电话核实", at=T0)
    dismiss(wh.con, a, user="李四", note="重复报告", at=T0 + dt.timedelta(hours=5))
    verify(wh.con, b, user="张三", at=T0)
    confirm(wh.con, b, user="王五", at=T0 + dt.timedelta(days=1))
    row = wh.rows(
        "SELECT status, verified_by, verified_at, dismissed_by, dismissed_at, confirmed_by, confirmed_at"
        " FROM ews_signals WHERE signal_id = ?",
        [a],
    )
    assert row == [("dismissed", "张三", T0, "李四", T0 + dt.timedelta(hours=5), None, None)]
    assert wh.rows("SELECT status, confirmed_by FROM ews_signals WHERE signal_id = ?", [b]) == [
        ("confirmed", "王五")
    ]
    trail = [(d.from_status, d.to_status, d.user, d.at, d.note) for d in decisions(wh.con, a)]
    assert trail == [
        ("new", "verified", "张三", T0, "电话核实"),
        ("verified", "dismissed", "李四", T0 + dt.timedelta(hours=5), "重复报告"),
    ]


def test_an_illegal_decision_leaves_no_trace(two):
    wh, (a, _) = two
    with pytest.raises(LifecycleError):
        dismiss(wh.con, a, user="x")
    assert wh.one("SELECT count(*) FROM ews_signal_decisions") == 0
    assert wh.rows("SELECT status, verified_by FROM ews_signals WHERE signal_id = ?", [a]) == [("new", None)]


def test_unknown_signal_and_missing_user_are_refused(two):
    wh, (a, _) = two
    with pytest.raises(LifecycleError, match="signal 999 does not exist"):
        verify(wh.con, 999, user="x")
    with pytest.raises(LifecycleError, match="--user must name who decides"):
        verify(wh.con, a, user="  ")


def test_decisions_survive_a_rerun_of_the_period(two, tmp_path):
    wh, (a, _) = two
    verify(wh.con, a, user="张三", at=T0)
    run_period(wh.con, "2024-07", rules_path=rules_file(tmp_path, FIXED, "again.yaml"))
    assert wh.rows("SELECT status, verified_by FROM ews_signals WHERE signal_id = ?", [a]) == [
        ("verified", "张三")
    ]
    assert wh.one("SELECT count(*) FROM ews_signals") == 2


def test_list_filters_by_status_and_disease(two):
    wh, (a, b) = two
    verify(wh.con, a, user="x")
    assert [s["signal_id"] for s in list_signals(wh.con)] == [b, a]  # newest time point first
    assert [s["signal_id"] for s in list_signals(wh.con, status="new")] == [b]
    assert list_signals(wh.con, disease="水痘") == []
    with pytest.raises(LifecycleError, match="status 'open' is not one of"):
        list_signals(wh.con, status="open")


def test_cli_takes_a_signal_through_its_lifecycle(two):
    _, (a, _) = two
    cli = CliRunner()
    out = cli.invoke(ews_app, ["verify", str(a), "--user", "张三", "--note", "已电话核实"])
    assert out.exit_code == 0 and "new → verified by 张三" in out.output
    assert cli.invoke(ews_app, ["confirm", str(a), "--user", "李四"]).exit_code == 0
    listed = cli.invoke(ews_app, ["signals", "--status", "confirmed", "--json"])
    objects = [json.loads(line) for line in listed.output.splitlines() if line.startswith("{")]
    assert [(o["signal_id"], o["status"], o["confirmed_by"]) for o in objects] == [(a, "confirmed", "李四")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["dismiss", "{a}", "--user", "x"], "signal {a} is new and cannot become dismissed"),
        (["verify", "4242", "--user", "x"], "signal 4242 does not exist"),
        (["verify", "{a}"], "--user must name who decides"),
        (["signals", "--status", "closed"], "status 'closed' is not one of"),
    ],
)
def test_cli_user_errors_are_one_bilingual_sentence_and_exit_1(two, args, message):
    _, (a, _) = two
    out = CliRunner().invoke(ews_app, [x.format(a=a) for x in args])
    assert out.exit_code == 1 and "Traceback" not in out.output
    assert message.format(a=a) in out.output and "；" in out.output
