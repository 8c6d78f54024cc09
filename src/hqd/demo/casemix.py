"""Case types: which diagnoses, procedures, DRGs, ages, stays and risks each kind of admission has."""

from __future__ import annotations

from dataclasses import dataclass

# a package: procedure codes (principal first), probability at tertiary / secondary / primary, surgical ADRG
Package = tuple[tuple[str, ...], float, float, float, str]


@dataclass(frozen=True)
class CaseType:
    key: str
    dx: tuple[tuple[str, float, str], ...]  # principal diagnosis, probability, medical ADRG
    dept: str
    male: float
    age: tuple  # ("norm", mean, sd, lo, hi) | ("exp", lo, scale, hi) | ("days", lo, hi)
    los: float  # median stay at a tertiary hospital (days)
    season: str
    emerg: float  # share admitted through 急诊
    mort: float  # in-hospital death probability (tertiary, before case adjustments)
    weights: str  # relative frequency per hospital group: T TCM MCH S STCM P
    packages: tuple[Package, ...] = ()
    pool: str = "adult"
    profile: str = "medical"
    day_surgery: bool = False
    injury: bool = False
    pathology: str | None = None
    birth_weight: tuple[int, int] | None = None
    extra_dx: tuple[str, ...] = ()  # other diagnoses every case carries (e.g. the tumour for 化疗)

    def weight(self, group: str) -> float:
        for part in self.weights.split():
            g, w = part.split(":")
            if g == group:
                return float(w)
        return 0.0


def _p(codes: str, t: float, s: float, p: float, adrg: str) -> Package:
    return (tuple(codes.split()), t, s, p, adrg)


# fmt: off
CASE_TYPES: tuple[CaseType, ...] = (
    # respiratory
    CaseType("pneu_adult", (("J18.900", 0.7, "ES3"), ("J15.900", 0.3, "ES3")), "呼吸内科", 0.55,
             ("norm", 63, 16, 18, 96), 8, "winter", 0.35, 0.012, "T:5 TCM:6 S:8 STCM:8 P:14"),
    CaseType("pneu_child", (("J18.000", 0.8, "ES3"), ("J18.900", 0.2, "ES3")), "儿科", 0.55,
             ("exp", 0.09, 2.6, 14), 6, "winter", 0.3, 0.0004, "T:3 MCH:14 S:6 STCM:2 P:5", pool="child"),
    CaseType("copd", (("J44.100", 0.6, "ET2"), ("J44.000", 0.4, "ET2")), "呼吸内科", 0.68,
             ("norm", 71, 9, 42, 96), 9, "winter", 0.4, 0.011, "T:3 TCM:6 S:6 STCM:7 P:8"),
    CaseType("bronchitis", (("J20.900", 1.0, "EX2"),), "儿科", 0.52, ("exp", 1, 8, 80), 5, "winter", 0.2, 0.0,
             "T:0.5 TCM:1 MCH:3 S:2 STCM:3 P:10", pool="child"),
    CaseType("urti", (("J06.900", 1.0, "DT1"),), "儿科", 0.52, ("exp", 1, 5, 70), 4, "winter", 0.2, 0.0,
             "T:0.3 MCH:3 S:1.5 STCM:2 P:8", pool="child"),
    CaseType("influenza", (("J11.100", 0.7, "ES3"), ("J10.100", 0.3, "ES3")), "感染科", 0.5,
             ("exp", 1, 30, 95), 6, "flu", 0.5, 0.002, "T:1 TCM:1 MCH:2 S:2 STCM:1 P:2"),
    CaseType("asthma", (("J45.900", 1.0, "EX1"),), "呼吸内科", 0.45, ("norm", 45, 20, 5, 90), 6, "winter", 0.4,
             0.0005, "T:1 TCM:1 MCH:1 S:1 STCM:1 P:1"),
    # circulatory
    CaseType("ami", (("I21.900", 0.5, "FR1"), ("I21.000", 0.25, "FR1"), ("I21.100", 0.15, "FR1"),
                     ("I21.400", 0.1, "FR1")), "心血管内科", 0.72, ("norm", 66, 12, 30, 97), 8, "cardio", 0.85,
             0.05, "T:3 TCM:0.5 S:1.5 STCM:0.2",
             (_p("36.0700 88.5600", 0.72, 0.18, 0, "FM1"), _p("99.1000", 0.03, 0.22, 0, "FR1"),
              _p("88.5600", 0.08, 0.05, 0, "FM3")), profile="interventional"),
    CaseType("chd", (("I20.000", 0.5, "FR3"), ("I25.103", 0.5, "FR4")), "心血管内科", 0.6,
             ("norm", 65, 10, 35, 95), 6, "cardio", 0.3, 0.002, "T:6 TCM:4 S:5 STCM:4 P:5",
             (_p("36.0700 88.5600", 0.32, 0.08, 0, "FM1"), _p("88.5600", 0.28, 0.12, 0, "FM3")),
             profile="interventional"),
    CaseType("hf", (("I50.900", 0.6, "FR2"), ("I11.000", 0.4, "FR2")), "心血管内科", 0.5,
             ("norm", 75, 9, 40, 99), 9, "cardio", 0.5, 0.03, "T:3 TCM:3 S:4 STCM:4 P:4"),
    CaseType("htn", (("I10.x00", 1.0, "FV2"),), "心血管内科", 0.5, ("norm", 64, 11, 30, 95), 7, "cardio", 0.2,
             0.001, "T:1.5 TCM:3 S:4 STCM:5 P:9"),
    CaseType("af", (("I48.900", 1.0, "FU2"),), "心血管内科", 0.55, ("norm", 70, 10, 35, 95), 7, "flat", 0.4,
             0.004, "T:2 TCM:1 S:1.5 STCM:1 P:0.5", (_p("37.3400", 0.25, 0.02, 0, "FL1"),),
             profile="interventional"),
    CaseType("stroke", (("I63.900", 0.7, "BR2"), ("I63.500", 0.3, "BR2")), "神经内科", 0.58,
             ("norm", 68, 11, 30, 98), 11, "cardio", 0.7, 0.02, "T:6 TCM:6 S:7 STCM:6 P:3",
             (_p("39.7400 88.4100", 0.06, 0.01, 0, "BE2"), _p("99.1000", 0.08, 0.06, 0, "BL1"))),
    CaseType("ich", (("I61.900", 0.7, "BR1"), ("I61.000", 0.3, "BR1")), "神经外科", 0.62,
             ("norm", 62, 12, 25, 95), 16, "cardio", 0.95, 0.09, "T:1.5 TCM:0.3 S:1.2 STCM:0.2",
             (_p("01.2400 01.3910", 0.2, 0.04, 0, "BB2"), _p("01.3910", 0.15, 0.12, 0, "BB2")),
             profile="surgical"),
    CaseType("tia", (("G45.900", 1.0, "BR2"),), "神经内科", 0.55, ("norm", 64, 11, 30, 95), 6, "cardio", 0.5,
             0.0005, "T:1 TCM:1.5 S:1.5 STCM:2 P:1.5"),
    CaseType("stroke_rehab", (("I69.300", 1.0, "XR2"),), "康复医学科", 0.57, ("norm", 67, 10, 35, 95), 18, "flat",
             0.05, 0.001, "T:0.8 TCM:6 S:1.5 STCM:5 P:2",
             (_p("93.8900 17.91100", 0.8, 0.8, 0.7, "XR2"), _p("93.3900", 0.15, 0.15, 0.2, "XR2")),
             profile="rehab"),
    # digestive
    CaseType("chole", (("K80.100", 0.5, "HU1"), ("K80.200", 0.3, "HU1"), ("K80.000", 0.2, "HU1")), "普通外科",
             0.42, ("norm", 52, 14, 18, 92), 6, "flat", 0.3, 0.0005, "T:3 TCM:1.5 S:3 STCM:1.5 P:0.8",
             (_p("51.2300", 0.85, 0.72, 0.05, "HC2"), _p("51.2200", 0.03, 0.08, 0.02, "HC2")),
             profile="surgical"),
    CaseType("appendicitis", (("K35.800", 0.8, "GZ1"), ("K35.300", 0.2, "GZ1")), "普通外科", 0.52,
             ("norm", 34, 16, 6, 85), 6, "flat", 0.85, 0.0002, "T:2 TCM:1 MCH:0.3 S:3 STCM:1.5 P:0.8",
             (_p("47.0100", 0.85, 0.65, 0.1, "GD2"), _p("47.0900", 0.1, 0.3, 0.3, "GD2")), profile="surgical"),
    CaseType("hernia", (("K40.900", 1.0, "GZ1"),), "普通外科", 0.9, ("norm", 58, 18, 2, 90), 4, "flat", 0.05,
             0.0001, "T:1.5 TCM:0.8 MCH:0.3 S:2 STCM:1 P:0.5",
             (_p("53.0400", 0.35, 0.7, 0.5, "GE1"), _p("17.1200", 0.62, 0.25, 0, "GE1")), profile="surgical",
             day_surgery=True),
    CaseType("gastritis", (("K29.700", 0.4, "GW1"), ("K29.500", 0.3, "GW1"), ("K25.900", 0.3, "GU2")),
             "消化内科", 0.5, ("norm", 50, 15, 16, 90), 6, "flat", 0.2, 0.0002,
             "T:1.5 TCM:3 S:3 STCM:4 P:6", (_p("45.1600", 0.5, 0.4, 0.15, ""),)),
    CaseType("gi_bleed", (("K92.200", 1.0, "GS1"),), "消化内科", 0.62, ("norm", 62, 15, 18, 95), 8, "flat", 0.8,
             0.015, "T:1.5 TCM:0.8 S:1.5 STCM:0.8 P:0.3",
             (_p("44.4300 99.0400", 0.35, 0.15, 0, "GK2"), _p("99.0400", 0.2, 0.2, 0, "GS1"))),
    CaseType("pancreatitis", (("K85.900", 1.0, "HT2"),), "消化内科", 0.6, ("norm", 50, 15, 16, 90), 10, "flat",
             0.8, 0.01, "T:1.2 TCM:0.5 S:1 STCM:0.5 P:0.2"),
    CaseType("gastroenteritis", (("A09.000", 0.5, "GW1"), ("K52.900", 0.3, "GW1"), ("A08.400", 0.2, "GW1")),
             "消化内科", 0.5, ("exp", 0.5, 22, 90), 4, "enteric", 0.45, 0.0001,
             "T:0.8 TCM:1.5 MCH:3 S:3 STCM:3 P:10", pool="child"),
    CaseType("colon_polyp", (("K63.500", 1.0, "GZ1"),), "消化内科", 0.58, ("norm", 56, 11, 25, 85), 3, "flat",
             0.02, 0.0001, "T:2.5 TCM:1 S:1.5 STCM:0.8", (_p("45.4200 45.2300", 0.9, 0.8, 0, "GK3"),),
             day_surgery=True),
    CaseType("cirrhosis", (("K74.600", 1.0, "HS2"),), "消化内科", 0.7, ("norm", 58, 11, 25, 90), 12, "flat", 0.5,
             0.03, "T:1 TCM:0.8 S:0.8 STCM:0.5 P:0.2"),
    CaseType("hepatitis_b", (("B18.100", 1.0, "HS3"),), "感染科", 0.65, ("norm", 45, 12, 18, 85), 10, "flat",
             0.1, 0.001, "T:1 TCM:1 S:0.8 STCM:0.8"),
    # oncology
    CaseType("lung_ca", (("C34.900", 1.0, "ER1"),), "胸外科", 0.65, ("norm", 63, 10, 30, 92), 12, "flat", 0.1,
             0.02, "T:2.5 TCM:0.5 S:0.6 STCM:0.2",
             (_p("32.4100", 0.25, 0.02, 0, "EB1"), _p("33.2400", 0.15, 0.1, 0, "ER1")), profile="surgical",
             pathology="M81403/3"),
    CaseType("gastric_ca", (("C16.900", 1.0, "GR1"),), "胃肠外科", 0.68, ("norm", 64, 10, 30, 92), 14, "flat",
             0.1, 0.02, "T:1.5 TCM:0.3 S:0.5 STCM:0.1", (_p("43.7x00", 0.3, 0.08, 0, "GB1"),),
             profile="surgical", pathology="M81403/3"),
    CaseType("crc", (("C18.900", 0.55, "GR1"), ("C20.x00", 0.45, "GR1")), "胃肠外科", 0.6,
             ("norm", 63, 11, 28, 92), 14, "flat", 0.1, 0.015, "T:1.6 TCM:0.3 S:0.5 STCM:0.1",
             (_p("17.3300", 0.16, 0.02, 0, "GB2"), _p("45.7300", 0.06, 0.06, 0, "GB2"),
              _p("48.6300", 0.1, 0.03, 0, "GB2")), profile="surgical", pathology="M81403/3"),
    CaseType("breast_ca", (("C50.900", 1.0, "JR1"),), "乳腺外科", 0.0, ("norm", 52, 11, 25, 88), 10, "flat", 0.02,
             0.002, "T:1.5 TCM:0.2 MCH:1 S:0.4",
             (_p("85.4500", 0.35, 0.1, 0, "JA2"), _p("85.4300", 0.1, 0.05, 0, "JB2")), profile="surgical",
             pathology="M85003/3"),
    CaseType("liver_ca", (("C22.000", 1.0, "HR1"),), "肝胆外科", 0.78, ("norm", 58, 11, 28, 90), 12, "flat", 0.15,
             0.03, "T:1.2 TCM:0.2 S:0.3", (_p("99.2501 38.9100", 0.35, 0.05, 0, "RD1"),
                                            _p("50.2200", 0.12, 0, 0, "HB1")),
             profile="interventional", pathology="M81703/3"),
    CaseType("thyroid_ca", (("C73.x00", 1.0, "KR1"),), "甲状腺外科", 0.25, ("norm", 45, 12, 18, 85), 6, "flat",
             0.02, 0.0002, "T:1.2 TCM:0.2 S:0.3",
             (_p("06.4x00", 0.6, 0.1, 0, "KD1"), _p("06.2x00", 0.3, 0.2, 0, "KD2")), profile="surgical",
             pathology="M82603/3"),
    CaseType("chemo", (("Z51.100", 1.0, "RE1"),), "肿瘤科", 0.58, ("norm", 58, 11, 20, 88), 4, "flat", 0.02,
             0.002, "T:7 TCM:0.8 MCH:0.5 S:1.5 STCM:0.3", (_p("99.2500 38.9300", 1.0, 1.0, 0, "RE1"),),
             profile="chemo"),
    CaseType("radiotherapy", (("Z51.000", 1.0, "RC1"),), "肿瘤科", 0.55, ("norm", 58, 11, 20, 88), 20, "flat",
             0.0, 0.002, "T:1", (_p("92.2400", 1.0, 1.0, 0, "RC1"),), profile="chemo"),
    # obstetrics and gynaecology
    CaseType("delivery", (("O80.000", 0.7, "OR1"), ("O80.900", 0.3, "OR1")), "产科", 0.0,
             ("norm", 29, 4.5, 18, 44), 3, "birth", 0.5, 0.00002, "T:1.5 MCH:24 S:5 STCM:1 P:0.4",
             (_p("73.5900", 0.7, 0.7, 0.8, "OR1"), _p("73.6x00 75.6900", 0.3, 0.3, 0.2, "OC1")),
             pool="obstetric", profile="obstetric"),
    CaseType("caesarean", (("O82.000", 0.6, "OB1"), ("O82.900", 0.4, "OB1")), "产科", 0.0,
             ("norm", 31, 4.5, 18, 46), 5, "birth", 0.4, 0.00005, "T:1.2 MCH:16 S:4 STCM:0.6",
             (_p("74.1x00", 1.0, 1.0, 1.0, "OB1"),), pool="obstetric", profile="obstetric"),
    CaseType("ectopic", (("O00.100", 1.0, "OT1"),), "妇科", 0.0, ("norm", 29, 5, 17, 45), 6, "flat", 0.7,
             0.0001, "T:0.6 MCH:2 S:0.8 STCM:0.2",
             (_p("66.6200", 0.8, 0.7, 0, "OE1"), _p("99.2901", 0.15, 0.2, 0, "OT1")), profile="surgical"),
    CaseType("fibroid", (("D25.900", 1.0, "NZ1"),), "妇科", 0.0, ("norm", 45, 6, 25, 65), 7, "flat", 0.02, 0.0001,
             "T:1.2 TCM:0.5 MCH:3 S:1.2 STCM:0.5",
             (_p("68.4100", 0.5, 0.25, 0, "NC1"), _p("68.2900", 0.35, 0.5, 0, "NC1")), profile="surgical"),
    # neonates
    CaseType("neo_jaundice", (("P59.900", 1.0, "PU1"),), "新生儿科", 0.55, ("days", 2, 14), 5, "birth", 0.3, 0.0,
             "T:0.8 MCH:6 S:1.2", pool="neonate", profile="neonatal", birth_weight=(2550, 4200)),
    CaseType("preterm_lbw", (("P07.300", 1.0, "PS2"),), "新生儿科", 0.52, ("days", 0, 2), 21, "birth", 0.6, 0.012,
             "T:0.4 MCH:1.5 S:0.1", pool="neonate", profile="neonatal", birth_weight=(1500, 1999)),
    CaseType("preterm", (("P07.300", 1.0, "PS3"),), "新生儿科", 0.52, ("days", 0, 3), 12, "birth", 0.5, 0.003,
             "T:0.6 MCH:2.5 S:0.3", pool="neonate", profile="neonatal", birth_weight=(2000, 2499)),
    CaseType("nrds", (("P22.000", 1.0, "PR1"),), "新生儿科", 0.58, ("days", 0, 1), 16, "birth", 0.8, 0.035,
             "T:0.3 MCH:1 S:0.05", (_p("96.7100", 0.6, 0.3, 0, "PK1"),), pool="neonate", profile="neonatal",
             birth_weight=(1000, 2600)),
    # orthopaedics and trauma
    CaseType("hip_fx", (("S72.000", 0.6, "IR2"), ("S72.100", 0.4, "IR2")), "骨科", 0.35, ("norm", 78, 9, 45, 99),
             12, "cardio", 0.9, 0.01, "T:1.5 TCM:1.5 S:1.5 STCM:1",
             (_p("81.5200", 0.35, 0.2, 0, "IC2"), _p("81.5100", 0.15, 0.05, 0, "IC2"),
              _p("79.3500", 0.3, 0.4, 0, "IF3")), profile="surgical", injury=True),
    CaseType("knee_oa", (("M17.900", 1.0, "IU1"),), "骨科", 0.3, ("norm", 66, 8, 40, 90), 10, "flat", 0.02,
             0.0003, "T:1 TCM:3 S:1 STCM:2 P:0.5",
             (_p("81.5400", 0.45, 0.1, 0, "IC2"), _p("17.91100 93.3500", 0.05, 0.1, 0.3, "IU1")),
             profile="surgical"),
    CaseType("hip_oa", (("M16.900", 1.0, "IU1"),), "骨科", 0.4, ("norm", 64, 9, 40, 90), 10, "flat", 0.02,
             0.0003, "T:0.5 TCM:0.8 S:0.3 STCM:0.3", (_p("81.5100", 0.6, 0.2, 0, "IC2"),), profile="surgical"),
    CaseType("disc", (("M51.202", 1.0, "IU2"),), "骨科", 0.55, ("norm", 48, 12, 20, 85), 9, "flat", 0.05, 0.0001,
             "T:1.5 TCM:5 S:2 STCM:4 P:1",
             (_p("80.5100", 0.3, 0.15, 0, "IB3"), _p("81.0800 80.5100", 0.1, 0.02, 0, "IB2"),
              _p("17.91100 17.92120 93.3500", 0.1, 0.2, 0.4, "IU2")), profile="surgical"),
    CaseType("back_pain", (("M54.500", 1.0, "IU2"),), "针灸推拿科", 0.45, ("norm", 55, 13, 20, 90), 10, "flat",
             0.02, 0.0, "T:0.3 TCM:4 S:0.5 STCM:3 P:3", (_p("17.91100 17.92120 17.91330", 0.6, 0.8, 0.7, "IU2"),),
             profile="tcm"),
    CaseType("radius_fx", (("S52.500", 1.0, "IS1"),), "骨科", 0.4, ("norm", 50, 22, 4, 92), 6, "winter", 0.8,
             0.0, "T:1 TCM:1.5 S:1.5 STCM:1.5 P:0.3",
             (_p("79.3200", 0.55, 0.4, 0, "IF1"), _p("79.0200", 0.2, 0.3, 0.3, "IS1")), profile="surgical",
             injury=True),
    CaseType("tbi", (("S06.000", 0.5, "BY1"), ("S06.500", 0.3, "BY1"), ("S06.600", 0.2, "BY1")), "神经外科", 0.7,
             ("norm", 48, 19, 3, 92), 9, "flat", 0.95, 0.03, "T:1.5 TCM:0.3 S:1.5 STCM:0.5 P:0.2",
             (_p("01.2400 01.3100", 0.12, 0.05, 0, "BB1"),), profile="surgical", injury=True),
    CaseType("rib_fx", (("S22.400", 1.0, "EU1"),), "胸外科", 0.7, ("norm", 56, 14, 18, 92), 10, "flat", 0.9, 0.004,
             "T:1 TCM:0.5 S:1 STCM:0.5 P:0.3", (_p("34.0400", 0.15, 0.1, 0, "EU1"),), injury=True),
    # urology, renal, endocrine
    CaseType("stone", (("N20.000", 0.5, "LX1"), ("N20.100", 0.5, "LX1")), "泌尿外科", 0.65,
             ("norm", 48, 13, 18, 85), 5, "summer", 0.4, 0.0001, "T:2 TCM:1 S:2 STCM:1 P:0.3",
             (_p("98.5100", 0.2, 0.3, 0, "LX1"), _p("55.0400", 0.25, 0.1, 0, "LB1"),
              _p("56.0x00", 0.2, 0.15, 0, "LC1")), profile="surgical"),
    CaseType("bph", (("N40.x00", 1.0, "MZ1"),), "泌尿外科", 1.0, ("norm", 71, 8, 50, 95), 7, "flat", 0.1, 0.0005,
             "T:1 TCM:0.8 S:1 STCM:0.8 P:0.2", (_p("60.2900", 0.6, 0.45, 0, "MB1"),), profile="surgical"),
    CaseType("uti", (("N39.000", 1.0, "LU1"),), "肾内科", 0.3, ("norm", 55, 20, 2, 95), 6, "summer", 0.4, 0.001,
             "T:0.8 TCM:1 MCH:0.5 S:1.5 STCM:1.5 P:2"),
    CaseType("ckd5", (("N18.500", 1.0, "LR1"),), "肾内科", 0.58, ("norm", 60, 13, 20, 92), 10, "flat", 0.4, 0.015,
             "T:1.5 TCM:0.8 S:1 STCM:0.5", (_p("39.9500 38.9500", 0.6, 0.6, 0, "LL1"),)),
    CaseType("diabetes", (("E11.900", 0.5, "KS1"), ("E11.400", 0.3, "KS1"), ("E11.500", 0.2, "KS1")), "内分泌科",
             0.55, ("norm", 60, 12, 20, 92), 9, "flat", 0.15, 0.001, "T:2 TCM:4 S:3 STCM:4 P:5"),
    # eye, ENT, infections, other
    CaseType("cataract", (("H25.900", 0.7, "CW1"), ("H25.000", 0.3, "CW1")), "眼科", 0.45, ("norm", 70, 8, 45, 95),
             3, "flat", 0.0, 0.0, "T:2 TCM:0.5 S:2 STCM:0.5", (_p("13.4100 13.7000", 0.95, 0.85, 0, "CB3"),),
             profile="surgical", day_surgery=True),
    CaseType("tonsil", (("J35.000", 0.5, "DZ1"), ("J35.300", 0.5, "DZ1")), "耳鼻喉科", 0.55,
             ("exp", 3, 9, 60), 4, "flat", 0.0, 0.0, "T:0.8 MCH:0.8 S:0.8 STCM:0.2",
             (_p("28.2x00", 0.45, 0.4, 0, "DE2"), _p("28.3x00", 0.45, 0.3, 0, "DE2")), pool="child",
             profile="surgical"),
    CaseType("hfmd", (("B08.401", 1.0, "SU1"),), "儿科", 0.6, ("exp", 1, 1.6, 8), 5, "hfmd", 0.3, 0.0,
             "T:0.3 MCH:2 S:1 STCM:0.5 P:1", pool="child"),
    CaseType("sepsis", (("A41.900", 1.0, "SR1"),), "重症医学科", 0.58, ("norm", 67, 15, 18, 98), 14, "winter", 0.9,
             0.15, "T:0.8 TCM:0.2 S:0.4 STCM:0.1", (_p("96.0400 96.7100", 0.3, 0.15, 0, "SR1"),)),
    CaseType("tb", (("A16.200", 0.6, "ES1"), ("A15.000", 0.4, "ES1")), "感染科", 0.68, ("norm", 50, 18, 15, 90), 12,
             "flat", 0.1, 0.005, "T:0.6 S:0.4 STCM:0.2", (_p("33.2400", 0.2, 0.05, 0, "ES1"),)),
    CaseType("vertigo", (("H81.100", 0.5, "DS1"), ("R42.x00", 0.5, "BZ1")), "神经内科", 0.35,
             ("norm", 58, 14, 18, 92), 6, "flat", 0.4, 0.0, "T:1 TCM:3 S:2 STCM:3 P:3"),
)

# other diagnoses: (code, weight within pool, CC level 0/1/2)
POOLS: dict[str, tuple[tuple[str, float, int], ...]] = {
    "adult": (("I10.x00", 0.3, 0), ("E11.900", 0.14, 0), ("E78.500", 0.12, 0), ("I25.103", 0.09, 0),
              ("K76.000", 0.06, 0), ("N18.900", 0.04, 1), ("D64.900", 0.05, 1), ("E87.600", 0.05, 1),
              ("I48.900", 0.04, 1), ("J44.900", 0.04, 1), ("Z95.501", 0.03, 0), ("I69.300", 0.03, 0),
              ("J96.000", 0.012, 2), ("N17.900", 0.008, 2), ("I50.900", 0.015, 2)),
    "child": (("D64.900", 0.25, 1), ("E87.600", 0.1, 1), ("R50.900", 0.5, 0), ("J45.900", 0.15, 0)),
    "obstetric": (("O42.900", 0.35, 0), ("O24.400", 0.25, 0), ("O70.000", 0.2, 0), ("D64.900", 0.12, 1),
                  ("O14.100", 0.04, 2), ("O72.100", 0.04, 1)),
    "neonate": (("Z38.000", 0.6, 0), ("P59.900", 0.25, 0), ("P23.900", 0.15, 1)),
}

# post-operative complications coded as other diagnoses with 入院病情 = 4 (national complication list)
COMPLICATIONS: tuple[tuple[str, float], ...] = (
    ("T81.000", 0.22), ("T81.400", 0.18), ("J18.900", 0.18), ("I80.200", 0.12), ("I26.900", 0.05),
    ("N17.900", 0.07), ("T81.300", 0.06), ("K91.800", 0.05), ("J95.800", 0.04), ("T81.200", 0.03),
)
EXTERNAL_CAUSES = ("W01.x00", "W19.x00", "V89.200", "W20.x00", "X59.900")
EXTRA_DIAGNOSTICS = ("87.4100", "87.0300", "88.9100", "88.7600", "89.5200")
CHEMO_TUMOURS = ("C34.900", "C16.900", "C18.900", "C20.x00", "C50.900", "C22.000", "C53.900", "C61.x00")

HOSPITAL_GROUP = {"T_GEN": "T", "T_UNI": "T", "T_TCM": "TCM", "T_MCH": "MCH", "S_GEN": "S", "S_TCM": "STCM",
                  "P_THC": "P", "P_CHC": "P"}
# fmt: on
