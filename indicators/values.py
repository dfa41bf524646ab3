"""Parse the free-text 指标值 (target value) of a performance indicator.

A 指标值 is written by hand, e.g. ``≤266万元``, ``等于35人``, ``≥98%``, ``1个``,
``3天以内`` or plain qualitative text (定性) such as ``确保优化``.  The caller
keeps the text exactly as written; :func:`parse_value` only derives its parts:
a comparator code (one of :data:`COMPARATORS`), a :class:`~decimal.Decimal`
number and a unit.  Text that is not ``[comparator] number [unit] [suffix]`` is
qualitative (all parts empty).

Pure Python, no Django import, so it can be used anywhere (import scripts,
checks, tests).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "COMPARATORS",
    "COMPARATOR_LABELS",
    "COMPARATOR_SYMBOLS",
    "MONEY_UNITS",
    "QUALITATIVE",
    "QUALITATIVE_LABEL",
    "ParsedValue",
    "is_money_unit",
    "normalize_number",
    "parse_value",
    "usual_unit_differs",
]

# Canonical comparator codes, as stored in the DB / JSON.
COMPARATORS = (">=", ">", "=", "<", "<=")
# How a comparator is shown in the UI and in generated sheets.
COMPARATOR_SYMBOLS = {">=": "≥", ">": "＞", "=": "＝", "<": "＜", "<=": "≤"}
COMPARATOR_LABELS = {
    ">=": "大于等于",
    ">": "大于",
    "=": "等于",
    "<": "小于",
    "<=": "小于等于",
}

MONEY_UNITS = ("元", "万元", "亿元")

QUALITATIVE_LABEL = "定性"


def is_money_unit(unit: str | None) -> bool:
    """True when ``unit`` is an amount of money (元 / 万元 / 亿元)."""
    return (unit or "").strip() in MONEY_UNITS


def usual_unit_differs(unit: str | None, usual: str | None) -> bool:
    """Whether ``unit`` differs from the ``usual`` one (元, 万元 and 亿元 measure alike)."""
    unit, usual = (unit or "").strip(), (usual or "").strip()
    if not unit or not usual or unit == usual:
        return False
    return not (is_money_unit(unit) and is_money_unit(usual))


# --------------------------------------------------------------------------
# Notation tables.  Everything below is matched *after* full-width ASCII has
# been folded to half-width, so ``＞＝`` is written here as ``>=`` etc.
# --------------------------------------------------------------------------

# Words and symbols that may precede the number.  Matched longest first, so
# 大于等于 wins over 大于 and 不低于 over 低于.
PREFIX_WORDS: dict[str, tuple[str, ...]] = {
    ">=": (
        "≥",
        "≧",
        "≮",
        ">=",
        "=>",
        "大于等于",
        "大于或等于",
        "不低于",
        "不少于",
        "不小于",
        "至少",
        "最少",
        "达到",
    ),
    ">": (">", "大于", "高于", "多于", "超过"),
    "=": ("=", "==", "等于", "为", "达"),
    "<": ("<", "小于", "低于", "少于", "不足", "不到"),
    "<=": (
        "≤",
        "≦",
        "≯",
        "<=",
        "=<",
        "小于等于",
        "小于或等于",
        "不高于",
        "不超过",
        "不多于",
        "不大于",
        "未超过",
        "最多",
        "控制在",
    ),
}

# Prefixes that only frame the number and give way to an explicit suffix:
# ``达98%以上`` is >=, ``控制在90%以上`` is >= (控制在 alone means <=, as in
# ``控制在5%以内``).  All "=" prefixes are framing as well.
FRAMING_PREFIXES = frozenset({"控制在"})

# Words that may follow the number and its unit (``98%以上``, ``3天以内``).
# In Chinese usage 以上/以下/以内 include the number itself.
# A bracketed note says whether the bound itself counts: ``95%（含）以上`` is >= 95%,
# ``5天（不含）以内`` is < 5天 (brackets are half-width here, after folding).
SUFFIX_WORDS: dict[str, tuple[str, ...]] = {
    ">=": ("以上", "及以上", "或以上", "(含)以上", "以上(含)"),
    "<=": (
        "以下",
        "及以下",
        "或以下",
        "以内",
        "及以内",
        "之内",
        "内",
        "(含)以下",
        "以下(含)",
        "(含)以内",
        "以内(含)",
    ),
    ">": ("(不含)以上", "以上(不含)"),
    "<": ("(不含)以下", "以下(不含)", "(不含)以内", "以内(不含)"),
}

# Trailing word allowed only after a range: ``90%-100%之间``.
RANGE_SUFFIXES = ("之间",)

# Separators between the two bounds of a range (after full-width folding,
# ``～`` is ``~`` and ``－`` is ``-``).
RANGE_SEPARATORS = ("-", "~", "—", "–", "〜", "至", "到")

# Longest unit that is still a unit (``个工作日``, ``万元/人``); anything longer
# is a phrase, and the whole text is qualitative.
MAX_UNIT_LENGTH = 6

# Units written straight after the number in describe() (``98%``, not ``98 %``).
TIGHT_UNITS = ("%", "‰")


def _longest_first(table: dict[str, tuple[str, ...]]) -> tuple[tuple[str, str], ...]:
    pairs = [(word, code) for code, words in table.items() for word in words]
    return tuple(sorted(pairs, key=lambda pair: len(pair[0]), reverse=True))


_PREFIXES = _longest_first(PREFIX_WORDS)
_SUFFIXES = _longest_first(SUFFIX_WORDS)

# Comparator words inside a "unit" mean it is a phrase, e.g. ``3年内完成``.
_COMPARATOR_WORDS = tuple(word for word, _ in _PREFIXES + _SUFFIXES if not word.isascii())

# Direction of each comparator, to detect ``不超过5天以上`` (contradiction).
_DIRECTION = {">=": 1, ">": 1, "=": 0, "<": -1, "<=": -1}

# Full-width ASCII (U+FF01..U+FF5E) and the ideographic space to half-width.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALF_WIDTH[0x3000] = ord(" ")
_HALF_WIDTH[0xFE6A] = ord("%")  # small percent sign ﹪

# Digits with optional thousands separators, optional decimal part.
_NUMBER = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
# A unit: letters (CJK or Latin) and a few unit symbols; no digits, no
# punctuation, no comparator or range symbols.
_UNIT = r"(?:[^\W\d_]|[%‰/℃°²³·])*"

_SINGLE_RE = re.compile(rf"(?P<number>{_NUMBER})\s*(?P<unit>{_UNIT})")
_RANGE_RE = re.compile(
    rf"(?P<low>{_NUMBER})\s*(?P<low_unit>{_UNIT})\s*"
    rf"(?:{'|'.join(map(re.escape, RANGE_SEPARATORS))})\s*"
    rf"(?P<high>{_NUMBER})\s*(?P<unit>{_UNIT})"
)


@dataclass(frozen=True)
class ParsedValue:
    """The parsed parts of a 指标值; all empty for qualitative text."""

    comparator: str | None  # one of COMPARATORS, or None when qualitative
    number: Decimal | None  # None when qualitative
    unit: str = ""  # "" when none / qualitative

    def __post_init__(self):
        if self.comparator is not None and self.comparator not in COMPARATORS:
            raise ValueError(f"unknown comparator {self.comparator!r}; expected one of {COMPARATORS}")
        if self.unit is None:
            object.__setattr__(self, "unit", "")

    @property
    def qualitative(self) -> bool:
        return self.number is None

    def describe(self) -> str:
        """Chinese description for the UI: ``大于等于 266 万元``, ``等于 98%`` or ``定性``."""
        if self.qualitative:
            return QUALITATIVE_LABEL
        parts = [
            COMPARATOR_LABELS[self.comparator or "="],
            normalize_number(self.number),
        ]
        if self.unit in TIGHT_UNITS:
            parts[-1] += self.unit
        elif self.unit:
            parts.append(self.unit)
        return " ".join(parts)


QUALITATIVE = ParsedValue(None, None, "")


def normalize_number(d: Decimal | int) -> str:
    """Canonical string of a number: no exponent, no trailing zeros.

    ``Decimal("266.000")`` -> ``"266"``, ``Decimal("9.50")`` -> ``"9.5"``,
    ``Decimal("4E+5")`` -> ``"400000"``.
    """
    if isinstance(d, bool) or not isinstance(d, (Decimal, int)):
        raise TypeError(f"normalize_number() expects a Decimal, got {type(d).__name__}")
    d = Decimal(d)
    if not d.is_finite():
        raise ValueError(f"not a finite number: {d}")
    if d.is_zero():
        return "0"
    return format(d.normalize(), "f")


def parse_value(text: str | None) -> ParsedValue:
    """Parse a 指标值 into (comparator, number, unit), or qualitative.

    Accepted shape, with any spaces between the parts::

        [prefix comparator] number [unit] [suffix comparator]

    * the comparator defaults to "=" (``1个``);
    * a suffix (以上 / 以内 / 以下 …) overrides a framing prefix (等于, 为,
      达, 控制在); a suffix pointing the other way than a real comparator
      (``不超过5天以上``) makes the text qualitative;
    * a range ``90%-100%`` (also ``~``, ``至``, optional ``之间``) is stored as
      ">=" its lower bound, in the unit of the upper bound (the first bound's
      unit may be omitted, ``90-100%``; two different units are qualitative).
      The original text still holds the upper bound;
    * anything else — including numbers embedded in words (``全省前3名``) or
      followed by a phrase longer than a unit — is qualitative.
    """
    text = (text or "").translate(_HALF_WIDTH).strip()
    if not text:
        return QUALITATIVE

    prefix, code = _match_prefix(text)
    body = text[len(prefix) :].strip()
    suffix, suffix_code = _match_suffix(body)
    body = body[: len(body) - len(suffix)].strip()

    single = _SINGLE_RE.fullmatch(body)
    if single:
        if suffix in RANGE_SUFFIXES:  # 之间 needs two bounds
            return QUALITATIVE
        unit = single["unit"]
        number = single["number"]
    else:
        parsed = _parse_range(body, prefix, code, suffix)
        if parsed is None:
            return QUALITATIVE
        number, unit = parsed
        code, suffix_code = ">=", None

    if not _is_unit(unit):
        return QUALITATIVE
    comparator = _combine(prefix, code, suffix_code)
    if comparator is None:
        return QUALITATIVE
    return ParsedValue(comparator, Decimal(number.replace(",", "")), unit)


def _match_prefix(text: str) -> tuple[str, str | None]:
    for word, code in _PREFIXES:
        if text.startswith(word):
            return word, code
    return "", None


def _match_suffix(text: str) -> tuple[str, str | None]:
    for word, code in _SUFFIXES:
        if text.endswith(word):
            return word, code
    for word in RANGE_SUFFIXES:
        if text.endswith(word):
            return word, None
    return "", None


def _parse_range(body: str, prefix: str, code: str | None, suffix: str) -> tuple[str, str] | None:
    """Lower bound and unit of ``low[unit] - high unit``; None if not a range.

    A range cannot carry a real comparator (``≥90%-100%``) nor 以上/以内.
    """
    if code is not None and not _is_framing(prefix, code):
        return None
    if suffix and suffix not in RANGE_SUFFIXES:
        return None
    match = _RANGE_RE.fullmatch(body)
    if match is None or match["low_unit"] not in ("", match["unit"]):
        return None
    low, high = match["low"], match["high"]
    lower = min(low, high, key=lambda n: Decimal(n.replace(",", "")))
    return lower, match["unit"]


def _combine(prefix: str, code: str | None, suffix_code: str | None) -> str | None:
    """Comparator from the prefix and suffix; None when they contradict."""
    if suffix_code is None:
        return code or "="
    if code is None or _is_framing(prefix, code):
        return suffix_code
    if _DIRECTION[code] == _DIRECTION[suffix_code]:
        return code  # 大于98%以上: the prefix is the more precise one
    return None


def _is_framing(prefix: str, code: str) -> bool:
    return code == "=" or prefix in FRAMING_PREFIXES


def _is_unit(unit: str) -> bool:
    if len(unit) > MAX_UNIT_LENGTH:
        return False
    # ``%`` / ``‰`` are whole units: ``100%完成`` is a phrase.
    if any(symbol in unit for symbol in TIGHT_UNITS) and unit not in TIGHT_UNITS:
        return False
    return not any(word in unit for word in _COMPARATOR_WORDS)
