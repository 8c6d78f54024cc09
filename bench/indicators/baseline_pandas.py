"""The same indicators in pandas: tables read from the warehouse into data frames, then merged and grouped."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from single_disease import RULES

CATALOG = Path(__file__).resolve().parents[2] / "src" / "hqd" / "catalog"
KEY = ["org_code", "mrn", "admission_no"]


def compute(db: Path, year: str) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    y = int(year)
    d = con.execute(
        "SELECT org_code, mrn, admission_no, los_days, total_cost, discharge_mode, admission_route, day_surgery, "
        "principal_dx, age, age_days, drg_code FROM discharges WHERE discharge_time >= ? AND discharge_time < ?",
        [f"{y}-01-01", f"{y + 1}-01-01"]).df()  # fmt: skip
    inst = con.execute("SELECT org_code, level FROM institutions").df()
    procs = con.execute(
        "SELECT org_code, mrn, admission_no, seq, code, incision_class, healing FROM discharge_procedures"
    ).df()
    dx = con.execute(
        "SELECT org_code, mrn, admission_no, code, poa FROM discharge_diagnoses WHERE poa = '4'"
    ).df()
    codes = con.execute("SELECT code, category, surgery_level, minimally_invasive FROM codes_icd9cm3").df()
    drg = con.execute("SELECT drg_code, weight, low_risk FROM codes_drg").df()
    d = d.merge(inst, on="org_code")
    procs = procs.merge(d[KEY], on=KEY).merge(codes, on="code", how="left")
    cat = procs["category"].isin(["手术", "介入治疗"])
    procs = procs.assign(surg=cat, mini=cat & procs["minimally_invasive"].fillna(False).astype(bool),
                         g4=cat & (procs["surgery_level"] == 4), g3=cat & (procs["surgery_level"] == 3),
                         ci=procs["incision_class"] == "2",
                         ssi=(procs["incision_class"] == "2") & (procs["healing"] == "3"))  # fmt: skip
    pflags = procs.groupby(KEY)[["surg", "mini", "g4", "g3", "ci", "ssi"]].any().reset_index()
    principal = procs[procs["seq"] == 1][[*KEY, "code"]].rename(columns={"code": "principal_proc"})
    pflags = pflags.merge(principal, on=KEY, how="left")
    with (CATALOG / "codes" / "complications.csv").open(encoding="utf-8") as fh:
        prefixes = tuple(r["prefix"] for r in csv.DictReader(fh))
    dx = dx.merge(d[KEY], on=KEY)
    dx["comp"] = dx["code"].str.startswith(prefixes)
    xflags = dx.groupby(KEY)["comp"].any().reset_index()
    f = d.merge(pflags, on=KEY, how="left").merge(xflags, on=KEY, how="left")
    for c in ("surg", "mini", "g4", "g3", "ci", "ssi", "comp"):
        f[c] = f[c].fillna(False).astype(bool)
    f["died"] = f["discharge_mode"] == "5"
    f["day"] = f["day_surgery"].fillna(False).astype(bool)
    f["obst"] = f["principal_dx"].str[:1].isin(["O", "P"]) | (
        (f["age"].fillna(1) == 0) & (f["age_days"] <= 28)
    )
    f["grp"] = (
        f["drg_code"].notna() & ~f["drg_code"].isin(["", "0000", "000"]) & (f["drg_code"].str[:2] != "QY")
    )
    ref = f[f["grp"]].groupby("drg_code").agg(ref_cost=("total_cost", "mean"), ref_los=("los_days", "mean"))
    f = f.merge(drg, on="drg_code", how="left").merge(ref, on="drg_code", how="left")
    f["elective"] = f["surg"] & (f["admission_route"] != "1")
    f["lowrisk"] = f["grp"] & f["low_risk"].fillna(False).astype(bool)
    f["rw_ok"] = f["grp"] & f["weight"].notna()
    f["t_ok"] = f["grp"] & (f["ref_los"] > 0) & f["los_days"].notna()
    f["c_ok"] = f["grp"] & (f["ref_cost"] > 0)
    f["t"] = np.where(f["t_ok"], f["los_days"] / f["ref_los"], np.nan)
    f["c"] = np.where(f["c_ok"], f["total_cost"] / f["ref_cost"], np.nan)
    f["w"] = np.where(f["rw_ok"], f["weight"], np.nan)
    flags = {
        "day_el": f["elective"] & f["day"], "el": f["elective"], "surg": f["surg"], "all": True,
        "mini": f["surg"] & f["mini"], "g4": f["surg"] & f["g4"], "comp": f["surg"] & ~f["obst"] & f["comp"],
        "cpop": f["surg"] & ~f["obst"], "ssi": f["ssi"], "ci": f["ci"], "lr_died": f["lowrisk"] & f["died"],
        "lr": f["lowrisk"], "g3": f["surg"] & f["g3"], "rw_ok": f["rw_ok"], "t_ok": f["t_ok"], "c_ok": f["c_ok"],
    }  # fmt: skip
    dx_, pr_, age_ = f["principal_dx"].fillna(""), f["principal_proc"].fillna(""), f["age"]
    for code, (_, rule) in RULES.items():
        hit = pd.Series([rule(a, b, None if pd.isna(c) else int(c)) for a, b, c in zip(dx_, pr_, age_, strict=True)],
                        index=f.index)  # fmt: skip
        flags[f"sd_{code}"] = hit
        flags[f"sd_{code}_died"] = hit & f["died"]
        f[f"sd_{code}_los"] = np.where(hit, f["los_days"], np.nan)
        f[f"sd_{code}_cost"] = np.where(hit, f["total_cost"], np.nan)
    g = pd.DataFrame({k: pd.Series(v, index=f.index).astype(int) for k, v in flags.items()})
    for code in RULES:
        g[f"sd_{code}_los"] = f[f"sd_{code}_los"]
        g[f"sd_{code}_cost"] = f[f"sd_{code}_cost"]
    g[["org_code", "level", "los_days", "t", "c", "w"]] = f[["org_code", "level", "los_days", "t", "c", "w"]]
    s = g.groupby(["org_code", "level"]).sum(min_count=1)
    groups = f[f["grp"]].groupby("org_code")["drg_code"].nunique()
    out = {}
    for (org, level), r in s.iterrows():
        if level == "三级":
            pairs = {"gk3.03": ("day_el", "el"), "gk3.04": ("surg", "all"), "gk3.05": ("mini", "surg"),
                     "gk3.06": ("g4", "surg"), "gk3.08": ("comp", "cpop"), "gk3.09": ("ssi", "ci"),
                     "gk3.14": ("lr_died", "lr")}  # fmt: skip
            for ident, (a, b) in pairs.items():
                out[f"{ident}|{org}"] = [float(r[a]), float(r[b])]
        if level == "二级":
            out[f"gk2.03|{org}"] = [float(r["g3"]), float(r["surg"])]
            out[f"gk2.13|{org}"] = [float(r["los_days"]), float(r["all"])]
        out[f"drg.groups|{org}"] = [float(groups.get(org, 0)), None]
        out[f"drg.cmi|{org}"] = [_f(r["w"]), float(r["rw_ok"])]
        out[f"drg.time_index|{org}"] = [_f(r["t"]), float(r["t_ok"])]
        out[f"drg.cost_index|{org}"] = [_f(r["c"]), float(r["c_ok"])]
        out[f"drg.low_risk_mortality|{org}"] = [float(r["lr_died"]), float(r["lr"])]
        if level == "二级":
            out[f"gk2.01|{org}"] = [float(r["surg"]), float(r["all"])]
            out[f"gk2.02|{org}"] = [float(r["mini"]), float(r["surg"])]
            out[f"gk2.04|{org}"] = [float(r["comp"]), float(r["cpop"])]
            out[f"gk2.05|{org}"] = [float(r["lr_died"]), float(r["lr"])]
        if level == "三级":
            for code in RULES:
                n = float(r[f"sd_{code}"])
                out[f"gk3.10.{code}.cases|{org}"] = [n, None]
                out[f"gk3.10.{code}.los|{org}"] = [_f(r[f"sd_{code}_los"]), n]
                out[f"gk3.10.{code}.cost|{org}"] = [_f(r[f"sd_{code}_cost"]), n]
                out[f"gk3.10.{code}.mortality|{org}"] = [float(r[f"sd_{code}_died"]), n]
    return out


def _f(x: float) -> float | None:
    return None if pd.isna(x) else float(x)
