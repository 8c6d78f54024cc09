"""What each kind of 目标项 resolves to, and the ordered rating scales."""

from __future__ import annotations

import pytest

from hqd.targets.items import resolve
from hqd.targets.scales import scales


@pytest.mark.parametrize(
    ("item", "kind", "key"),
    [
        ("gk3.04", "indicator", "gk3.04"),
        ("日间手术占择期手术比例", "indicator", "gk3.03"),  # a unique Chinese name
        ("国考等级", "grade", "grade"),
        ("国考排名百分位", "rank_percentile", "rank_percentile"),
        ("电子病历系统应用水平", "rating", "电子病历系统应用水平"),
        ("互联互通", "rating", "互联互通标准化成熟度"),  # an alias of the rating item
        ("联盟成员单位数", "count", "联盟成员单位数"),
        ("新技术新项目数", "count", "新技术新项目数"),
        ("培训人次", "count", "培训人次"),
        ("每千人口托位数", "derived", "每千人口托位数"),
        ("居民健康素养水平", "element", "health_literacy"),
        ("托位数", "element", "childcare_places"),
    ],
)
def test_each_kind_of_item_resolves(item, kind, key):
    m = resolve(item)
    assert (m.kind, m.key) == (kind, key)


def test_an_ambiguous_name_or_an_unknown_item_resolves_to_nothing():
    assert resolve("出院患者手术占比") is None  # gk3.04 and gk2.01 share the name: give the id
    assert resolve("不存在的目标项") is None


def test_interoperability_grades_put_jia_above_yi():
    s = scales()["互联互通标准化成熟度"]
    order = ["一级", "二级", "三级", "四级乙等", "四级甲等", "五级乙等", "五级甲等"]
    assert [s.ordinal(x) for x in order] == [1, 2, 3, 4, 5, 6, 7]
    assert s.ordinal("5乙") == s.ordinal("五级 乙等") == 6
    assert s.ordinal("六级甲等") is None


def test_numbered_levels_accept_their_usual_spellings():
    emr = scales()["电子病历系统应用水平"]
    assert emr.ordinal("6级") == emr.ordinal("６级") == emr.ordinal("六级") == emr.ordinal("6") == 6
    assert emr.label(6) == "6级"
    assert [scales()[i].ordinal("5级") for i in ("智慧服务", "智慧管理")] == [5, 5]
    assert scales()["智慧服务"].ordinal("6级") is None
