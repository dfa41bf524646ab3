"""Tests for indicators.values: parsing of the free-text 指标值 (a pure module)."""

from decimal import Decimal

import pytest

from indicators.values import (
    COMPARATOR_LABELS,
    COMPARATOR_SYMBOLS,
    COMPARATORS,
    MONEY_UNITS,
    ParsedValue,
    is_money_unit,
    normalize_number,
    parse_value,
)

Q = None  # marks a qualitative expectation


def check(text, expected):
    """Assert parse_value(text) gives exactly `expected` = (comparator, number, unit) or Q."""
    parsed = parse_value(text)
    assert isinstance(parsed, ParsedValue)
    if expected is Q:
        assert parsed == ParsedValue(None, None, "")
        assert parsed.comparator is None
        assert parsed.number is None
        assert parsed.unit == ""
        assert parsed.qualitative is True
        return
    comparator, number, unit = expected
    assert parsed.comparator == comparator
    assert isinstance(parsed.number, Decimal)
    assert parsed.number == Decimal(number)
    # Same digits, not only the same value (no float rounding, no separators left).
    assert normalize_number(parsed.number) == normalize_number(Decimal(number))
    assert parsed.unit == unit
    assert parsed.qualitative is False


# Every 指标值 of the seed file /work/shared/seed/000_04b18271b5c80beb.txt.
SEED_VALUES = [
    ("≤266万元", ("<=", "266", "万元")),
    ("等于35人", ("=", "35", "人")),
    ("确保优化", Q),
    ("有效提高", Q),
    ("≥98%", (">=", "98", "%")),
    ("≤150万元", ("<=", "150", "万元")),
    ("等于23人", ("=", "23", "人")),
    ("保质保量", Q),
    ("等于1年", ("=", "1", "年")),
    ("等于100%", ("=", "100", "%")),
    ("≤25万元", ("<=", "25", "万元")),
    ("1个", ("=", "1", "个")),
    ("确保完成", Q),
    ("≤240万元", ("<=", "240", "万元")),
    ("≤1800吨", ("<=", "1800", "吨")),
    ("≤400000度", ("<=", "400000", "度")),
    ("确保无故障", Q),
    ("保障正常运转", Q),
    ("≤110万元", ("<=", "110", "万元")),
    ("≤12次", ("<=", "12", "次")),
    ("≥95%", (">=", "95", "%")),
    ("等于36人", ("=", "36", "人")),
    ("完全保障", Q),
    ("≥90%", (">=", "90", "%")),
    ("≤295万元", ("<=", "295", "万元")),
    ("等于33人", ("=", "33", "人")),
    ("确保提升", Q),
    ("≤5万元", ("<=", "5", "万元")),
    ("≥5000人", (">=", "5000", "人")),
    ("全面提高", Q),
    ("≤30万元", ("<=", "30", "万元")),
    ("≥5条", (">=", "5", "条")),
    ("力争全省前列", Q),
    ("≥9.5%", (">=", "9.5", "%")),
    ("≤12万元", ("<=", "12", "万元")),
    ("等于2人", ("=", "2", "人")),
    ("确保落实", Q),
]


@pytest.mark.parametrize(("text", "expected"), SEED_VALUES)
def test_seed_values(text, expected):
    check(text, expected)


def test_seed_list_is_complete():
    assert len(SEED_VALUES) == 37
    assert len({text for text, _ in SEED_VALUES}) == 37


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # symbols, half-width and full-width
        ("≥5", (">=", "5", "")),
        (">=5人", (">=", "5", "人")),
        ("≧5人", (">=", "5", "人")),
        ("＞＝98％", (">=", "98", "%")),
        ("＞5人", (">", "5", "人")),
        (">5人", (">", "5", "人")),
        ("＝35人", ("=", "35", "人")),
        ("=35人", ("=", "35", "人")),
        ("＜3天", ("<", "3", "天")),
        ("<3天", ("<", "3", "天")),
        ("＜＝3天", ("<=", "3", "天")),
        ("<=3天", ("<=", "3", "天")),
        ("≦3天", ("<=", "3", "天")),
        ("≤3天", ("<=", "3", "天")),
        # words
        ("大于等于266万元", (">=", "266", "万元")),
        ("大于或等于266万元", (">=", "266", "万元")),
        ("不低于95%", (">=", "95", "%")),
        ("不少于10次", (">=", "10", "次")),
        ("不小于10次", (">=", "10", "次")),
        ("至少3个", (">=", "3", "个")),
        ("达到98%", (">=", "98", "%")),
        ("大于5人", (">", "5", "人")),
        ("高于5人", (">", "5", "人")),
        ("多于5人", (">", "5", "人")),
        ("超过5人", (">", "5", "人")),
        ("等于35人", ("=", "35", "人")),
        ("为35人", ("=", "35", "人")),
        ("达35人", ("=", "35", "人")),
        ("小于3天", ("<", "3", "天")),
        ("低于3天", ("<", "3", "天")),
        ("少于3天", ("<", "3", "天")),
        ("小于等于3天", ("<=", "3", "天")),
        ("小于或等于3天", ("<=", "3", "天")),
        ("不高于5%", ("<=", "5", "%")),
        ("不超过5%", ("<=", "5", "%")),
        ("不多于5次", ("<=", "5", "次")),
        ("不大于5次", ("<=", "5", "次")),
        ("控制在5%", ("<=", "5", "%")),
        # spaces between the parts, full-width spaces around
        ("≥ 98 %", (">=", "98", "%")),
        ("大于等于 266 万元", (">=", "266", "万元")),
        ("  ≤266万元  ", ("<=", "266", "万元")),
        ("\u3000≤266万元\u3000", ("<=", "266", "万元")),
        ("\t等于 35 人\n", ("=", "35", "人")),
    ],
)
def test_comparators(text, expected):
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # longest match first: the longer word must win over its tail/head
        ("大于等于5人", (">=", "5", "人")),  # not 大于 + "等于5人"
        ("小于等于5人", ("<=", "5", "人")),  # not 小于
        ("不低于5人", (">=", "5", "人")),  # not 低于
        ("不少于5人", (">=", "5", "人")),  # not 少于
        ("不小于5人", (">=", "5", "人")),  # not 小于
        ("不高于5人", ("<=", "5", "人")),  # not 高于
        ("不多于5人", ("<=", "5", "人")),  # not 多于
        ("不大于5人", ("<=", "5", "人")),  # not 大于
        ("不超过5人", ("<=", "5", "人")),  # not 超过
        ("达到5人", (">=", "5", "人")),  # not 达
        (">=5人", (">=", "5", "人")),  # not >
        ("<=5人", ("<=", "5", "人")),  # not <
    ],
)
def test_longest_match_first(text, expected):
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("98%以上", (">=", "98", "%")),
        ("98%及以上", (">=", "98", "%")),
        ("98%或以上", (">=", "98", "%")),
        ("3天以内", ("<=", "3", "天")),
        ("3天以下", ("<=", "3", "天")),
        ("3天及以内", ("<=", "3", "天")),
        ("3天及以下", ("<=", "3", "天")),
        ("3个工作日内", ("<=", "3", "个工作日")),
        ("3天 以内", ("<=", "3", "天")),
        ("100以上", (">=", "100", "")),
        # a bracketed note says whether the bound counts
        ("95%（含）以上", (">=", "95", "%")),
        ("98%以上(含)", (">=", "98", "%")),
        ("3天（含）以内", ("<=", "3", "天")),
        ("5天（不含）以内", ("<", "5", "天")),
        ("90%（不含）以上", (">", "90", "%")),
        ("控制在5%以内", ("<=", "5", "%")),
        ("控制在5%以下", ("<=", "5", "%")),
        ("控制在 5% 以内", ("<=", "5", "%")),
        # framing prefixes give way to the suffix
        ("控制在90%以上", (">=", "90", "%")),
        ("达98%以上", (">=", "98", "%")),
        ("达到98%以上", (">=", "98", "%")),
        ("为3天以内", ("<=", "3", "天")),
        # same direction: the prefix is kept
        ("不低于98%以上", (">=", "98", "%")),
        ("大于98%以上", (">", "98", "%")),
        ("不超过3天以内", ("<=", "3", "天")),
        ("少于3天以内", ("<", "3", "天")),
        # contradiction -> qualitative
        ("不超过5天以上", Q),
        ("大于5天以内", Q),
    ],
)
def test_suffix_forms(text, expected):
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1个", ("=", "1", "个")),
        ("100%", ("=", "100", "%")),
        ("5条", ("=", "5", "条")),
        ("12人次", ("=", "12", "人次")),
        ("2次", ("=", "2", "次")),
        ("5", ("=", "5", "")),
        ("1.5亿元", ("=", "1.5", "亿元")),
        ("20万元/人", ("=", "20", "万元/人")),
        ("3个工作日", ("=", "3", "个工作日")),
        ("0.5‰", ("=", "0.5", "‰")),
        ("25℃", ("=", "25", "℃")),
        ("100m²", ("=", "100", "m²")),
        ("8 km", ("=", "8", "km")),
        ("5abcdef", ("=", "5", "abcdef")),  # 6 characters: longest unit accepted
    ],
)
def test_bare_number_means_equal(text, expected):
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("≥9.5%", (">=", "9.5", "%")),
        ("9.50%", ("=", "9.50", "%")),
        ("≤0.5万元", ("<=", "0.5", "万元")),
        ("等于12.25天", ("=", "12.25", "天")),
        ("≥0%", (">=", "0", "%")),
        ("≥９．５％", (">=", "9.5", "%")),
        # thousands separators
        ("1,800吨", ("=", "1800", "吨")),
        ("≤1,800吨", ("<=", "1800", "吨")),
        ("１，８００吨", ("=", "1800", "吨")),
        ("≤1,234,567.89元", ("<=", "1234567.89", "元")),
        ("≥12,000人次", (">=", "12000", "人次")),
        ("400000度", ("=", "400000", "度")),
        # full-width digits, symbols and letters
        ("≥９８％", (">=", "98", "%")),
        ("＞＝３５人", (">=", "35", "人")),
        ("＜＝１２次", ("<=", "12", "次")),
        ("等于１００％", ("=", "100", "%")),
        ("５ｋｍ", ("=", "5", "km")),
        ("98﹪", ("=", "98", "%")),
    ],
)
def test_numbers(text, expected):
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ranges are stored as ">=" the lower bound (the text keeps the upper one)
        ("90%-100%", (">=", "90", "%")),
        ("90%~100%", (">=", "90", "%")),
        ("90%～100%", (">=", "90", "%")),
        ("90%－100%", (">=", "90", "%")),
        ("90%—100%", (">=", "90", "%")),
        ("90%至100%", (">=", "90", "%")),
        ("90-100%", (">=", "90", "%")),
        ("90 - 100 %", (">=", "90", "%")),
        ("3到5天", (">=", "3", "天")),
        ("90%-100%之间", (">=", "90", "%")),
        ("为90%-100%", (">=", "90", "%")),
        ("1,000-2,000元", (">=", "1000", "元")),
        ("100%-90%", (">=", "90", "%")),  # written backwards: still the lower bound
        ("9.5-10", (">=", "9.5", "")),
        # not a sensible range
        ("90%-100天", Q),  # two different units
        ("≥90%-100%", Q),  # a real comparator on a range
        ("90%-100%以上", Q),
        ("90%-", Q),
        ("-5", Q),  # negative numbers are not supported
        ("5之间", Q),  # 之间 needs two bounds
    ],
)
def test_ranges(text, expected):
    check(text, expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\u3000",
        "确保优化",
        "力争全省前列",
        "保质保量",
        "有效提高",
        "确保无故障",
        "完全保障",
        "定性",
        "≥",  # comparator without a number
        "等于",
        "以上",
        "达标",  # 达 followed by words
        "为民服务",
        "力争全省前3名",  # number embedded in words
        "前3名",
        "确保达到100%",  # words before the comparator
        "100%完成",  # % followed by a phrase
        "3年内完成",  # comparator word inside the "unit"
        "5天以上完成",
        "1个以上工作日内",
        "12人次每年每人平均以上",  # "unit" longer than a unit
        "5abcdefg",  # 7 characters: too long for a unit
        "5个人员管理岗位",
        "1,80吨",  # bad thousands grouping
        "12,3456元",
        "1.2.3",
        "5.",
        "9.5e3",
        "5人3次",
        "≤5≤6",
        "≥≥5",
        "约100人",
        "第1名",
    ],
)
def test_qualitative(text, expected=Q):
    check(text, expected)


def test_none_is_qualitative():
    assert parse_value(None) == ParsedValue(None, None, "")


def test_parse_does_not_mutate_or_need_the_text_back():
    text = "＞＝９８％"
    parsed = parse_value(text)
    assert text == "＞＝９８％"
    assert parsed == ParsedValue(">=", Decimal(98), "%")


def test_number_is_exact_decimal():
    parsed = parse_value("≥0.1万元")
    assert parsed.number == Decimal("0.1")
    assert str(parsed.number) == "0.1"
    assert str(parse_value("1,800吨").number) == "1800"


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (Decimal("266.000"), "266"),
        (Decimal("9.50"), "9.5"),
        (Decimal(400000), "400000"),
        (Decimal("4E+5"), "400000"),
        (Decimal("1.2E+3"), "1200"),
        (Decimal("0.000"), "0"),
        (Decimal("-0"), "0"),
        (Decimal(0), "0"),
        (Decimal("0.050"), "0.05"),
        (Decimal("1E-7"), "0.0000001"),
        (Decimal(100), "100"),
        (Decimal("10.010"), "10.01"),
        (Decimal("266.000000"), "266"),  # as DecimalField(decimal_places=6) returns it
        (Decimal("1234567.890000"), "1234567.89"),
        (Decimal("-3.50"), "-3.5"),
        (266, "266"),
    ],
)
def test_normalize_number(number, expected):
    assert normalize_number(number) == expected


@pytest.mark.parametrize("bad", [9.5, "9.5", None, True])
def test_normalize_number_rejects_non_decimals(bad):
    with pytest.raises(TypeError):
        normalize_number(bad)


@pytest.mark.parametrize("bad", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_normalize_number_rejects_non_finite(bad):
    with pytest.raises(ValueError):
        normalize_number(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("≤266万元", "小于等于 266 万元"),
        ("大于等于266万元", "大于等于 266 万元"),
        ("等于35人", "等于 35 人"),
        ("≥98%", "大于等于 98%"),
        ("≥9.5%", "大于等于 9.5%"),
        ("＞5人", "大于 5 人"),
        ("＜3天", "小于 3 天"),
        ("1,800吨", "等于 1800 吨"),
        ("≥5", "大于等于 5"),
        ("0.50万元", "等于 0.5 万元"),
        ("0.5‰", "等于 0.5‰"),
        ("98%以上", "大于等于 98%"),
        ("确保优化", "定性"),
        ("", "定性"),
    ],
)
def test_describe(text, expected):
    assert parse_value(text).describe() == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (ParsedValue(">=", Decimal("266.000000"), "万元"), "大于等于 266 万元"),
        (ParsedValue("<=", Decimal("4E+5"), "度"), "小于等于 400000 度"),
        (ParsedValue("=", Decimal(1), ""), "等于 1"),
        (ParsedValue(None, None, ""), "定性"),
    ],
)
def test_describe_of_constructed_values(value, expected):
    assert value.describe() == expected


@pytest.mark.parametrize("text", [text for text, expected in SEED_VALUES if expected is not Q])
def test_describe_round_trips(text):
    parsed = parse_value(text)
    assert parse_value(parsed.describe()) == parsed


def test_constants():
    assert COMPARATORS == (">=", ">", "=", "<", "<=")
    assert COMPARATOR_SYMBOLS == {">=": "≥", ">": "＞", "=": "＝", "<": "＜", "<=": "≤"}
    assert COMPARATOR_LABELS == {
        ">=": "大于等于",
        ">": "大于",
        "=": "等于",
        "<": "小于",
        "<=": "小于等于",
    }
    assert set(COMPARATOR_SYMBOLS) == set(COMPARATORS) == set(COMPARATOR_LABELS)
    assert MONEY_UNITS == ("元", "万元", "亿元")


@pytest.mark.parametrize("symbol_code", list(COMPARATOR_SYMBOLS.items()))
def test_display_symbols_parse_back(symbol_code):
    code, symbol = symbol_code
    assert parse_value(f"{symbol}7人") == ParsedValue(code, Decimal(7), "人")


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("元", True),
        ("万元", True),
        ("亿元", True),
        (" 万元 ", True),
        ("人", False),
        ("%", False),
        ("万", False),
        ("", False),
        (None, False),
    ],
)
def test_is_money_unit(unit, expected):
    assert is_money_unit(unit) is expected


def test_money_unit_of_parsed_values():
    assert is_money_unit(parse_value("≤266万元").unit)
    assert not is_money_unit(parse_value("等于35人").unit)
    assert not is_money_unit(parse_value("确保优化").unit)


def test_parsed_value_is_frozen_and_validated():
    value = ParsedValue(">=", Decimal(1), "个")
    with pytest.raises(AttributeError):
        value.unit = "人"  # type: ignore[misc]
    with pytest.raises(ValueError):
        ParsedValue("≥", Decimal(1), "个")  # symbols are for display, codes are stored
    assert ParsedValue("<=", Decimal("266.000000"), "万元") == parse_value("≤266万元")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (ParsedValue(None, None, ""), True),
        (ParsedValue("=", Decimal(0), ""), False),
        (ParsedValue(">=", Decimal(98), "%"), False),
    ],
)
def test_qualitative_property(value, expected):
    assert value.qualitative is expected
