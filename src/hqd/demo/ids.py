"""Identifiers that look real: 统一社会信用代码, 身份证号 with valid check digits, names and phone numbers."""

from __future__ import annotations

import zlib

import numpy as np

from hqd.demo.base import STR, lookup

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_ID_CHECK = "10X98765432"


def org_code(base8: str) -> str:
    """GB 11714 组织机构代码: 8 characters plus check character."""
    total = sum(int(c, 36) * w for c, w in zip(base8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return base8 + ("X" if check == 10 else "0" if check == 11 else str(check))


def uscc(region6: str, name: str, kind: str = "12") -> str:
    """GB 32100 统一社会信用代码 for a named body; the 9-character body is derived from the name."""
    digest = zlib.crc32(name.encode("utf-8"))
    if kind == "12":  # 事业单位 (public hospitals, health centres)
        body = org_code("MB" + f"{digest % 1_000_000:06d}")
    else:  # 民办非企业 / 企业 bodies carry a letter too
        body = org_code("MA" + _USCC_CHARS[digest % 31] + f"{(digest // 31) % 100_000:05d}")
    first17 = kind + region6 + body
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return first17 + _USCC_CHARS[(31 - total % 31) % 31]


def uscc_valid(code: str) -> bool:
    if len(code) != 18 or any(c not in _USCC_CHARS for c in code):
        return False
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31] == code[17]


def id_check_valid(code: str) -> bool:
    if len(code) != 18 or not code[:17].isdigit():
        return False
    total = sum(int(c) * int(w) for c, w in zip(code[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == code[17]


def id_numbers(area: np.ndarray, birth: np.ndarray, male: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """18-character 身份证号, unique within the call: area code + birth date + sequence (odd = male) + check."""
    n = len(area)
    area_i = np.asarray(area).astype(np.int64)
    birth_d = np.asarray(birth, dtype="datetime64[D]")
    y = birth_d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = birth_d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (birth_d - birth_d.astype("datetime64[M]")).astype(np.int64) + 1
    ymd = y * 10000 + m * 100 + d
    # rank within (area, birth date, sex) so the 3-digit sequence never repeats
    male_i = np.asarray(male).astype(np.int64)
    key = (area_i * 100_000_000 + ymd) * 2 + male_i
    order = np.lexsort((rng.random(n), key))
    sk = key[order]
    start = np.r_[0, np.flatnonzero(sk[1:] != sk[:-1]) + 1]
    rank_sorted = np.arange(n) - np.repeat(start, np.diff(np.r_[start, n]))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = rank_sorted
    offset = (ymd * 7 + area_i * 13) % 500
    seq = ((rank * 37 + offset) % 500) * 2 + male_i
    digits = np.empty((n, 17), dtype=np.int64)
    for i in range(6):
        digits[:, i] = area_i // 10 ** (5 - i) % 10
    for i in range(8):
        digits[:, 6 + i] = ymd // 10 ** (7 - i) % 10
    for i in range(3):
        digits[:, 14 + i] = seq // 10 ** (2 - i) % 10
    check = (digits @ _ID_WEIGHTS) % 11
    body = np.char.zfill((area_i * 10**11 + ymd * 1000 + seq).astype(str), 17)
    return np.strings.add(body.astype(STR), lookup(list(_ID_CHECK), check))


_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_MALE_CHARS = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳建国志文海峰亮成东晨"
_FEMALE_CHARS = "芳娜敏静丽艳娟霞秀英慧巧美婷雪琳晶妍茜倩颖玲燕红梅兰凤洁琴云莉萍月佳怡欣悦璐岚"


def names(male: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Fictional Chinese names: common surname + one or two given characters by sex."""
    n = len(male)
    sw = np.linspace(3.0, 0.3, len(_SURNAMES))
    surname = lookup(list(_SURNAMES), rng.choice(len(_SURNAMES), n, p=sw / sw.sum()))
    mc, fc = list(_MALE_CHARS), list(_FEMALE_CHARS)
    g1 = np.where(male, lookup(mc, rng.integers(0, len(mc), n)), lookup(fc, rng.integers(0, len(fc), n)))
    g2 = np.where(male, lookup(mc, rng.integers(0, len(mc), n)), lookup(fc, rng.integers(0, len(fc), n)))
    two = rng.random(n) < 0.7
    given = np.where(two, np.strings.add(g1.astype(STR), g2.astype(STR)), g1.astype(STR))
    return np.strings.add(surname, given)


def phones(n: int, rng: np.random.Generator) -> np.ndarray:
    prefix = lookup(
        ["130", "133", "135", "137", "138", "139", "150", "152", "158", "177", "186", "189"],
        rng.integers(0, 12, n),
    )
    rest = np.char.zfill(rng.integers(0, 100_000_000, n).astype(str), 8)
    return np.strings.add(prefix, rest.astype(STR))
