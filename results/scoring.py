"""The year-end self-evaluation's scoring (财预〔2020〕10号 defaults), shown on the rules page.

- Budget execution: 10 points × 执行率 (全年执行数 ÷ 全年预算数), capped at 10.
- Indicators: 90 points, by default 产出 50, 效益 30, 满意度 10; 成本 rows count with
  产出 (they take their share of its 50). A level 1 without rows passes its points to
  the others in proportion. Each level 1's points are split evenly among its rows
  (the last row takes the rounding). Weights may be edited per row; they must add
  up to 90.
- ≥ / ＞ / ＝ targets: the full weight when met, otherwise actual ÷ target × weight.
- ≤ / ＜ targets: the full weight when met, falling linearly to 0 at twice the target.
- Qualitative rows: the unit picks the level (达成 80–100 %, 部分达成 60–80 %,
  未达成 0–60 % of the weight) and the points within it.
- Grades: 优 ≥ 90, 良 80–90, 中 60–80, 差 < 60.

Scores are kept with two decimals (rounded half up); the total is the sum of the
rounded scores, so the printed figures add up.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models

from indicators import framework

BUDGET_POINTS = Decimal(10)
INDICATOR_POINTS = Decimal(90)
TOTAL_POINTS = BUDGET_POINTS + INDICATOR_POINTS
# Level 1 → default points; 成本 rows are counted with 产出.
LEVEL1_POINTS = {
    framework.OUTPUT: Decimal(50),
    framework.BENEFIT: Decimal(30),
    framework.SATISFACTION: Decimal(10),
}
# An actual from this share of its target needs an explanation (a target set too low).
FAR_ABOVE = Decimal("1.3")
CENT = Decimal("0.01")
# What scoring writes on a form and on a row.
FORM_RESULTS = ("execution_rate", "budget_score", "total", "grade", "behind", "ahead")
ROW_RESULTS = ("score",)


class Achievement(models.TextChoices):
    """定性指标的完成程度, each a band of the weight."""

    ACHIEVED = "achieved", "达成"
    PARTIAL = "partial", "部分达成"
    MISSED = "missed", "未达成"


# Band of each level as shares of the weight: [low, high] for 达成, [low, high) below.
BANDS = {
    Achievement.ACHIEVED: (Decimal("0.8"), Decimal(1)),
    Achievement.PARTIAL: (Decimal("0.6"), Decimal("0.8")),
    Achievement.MISSED: (Decimal(0), Decimal("0.6")),
}
GRADES = ((Decimal(90), "优"), (Decimal(80), "良"), (Decimal(60), "中"), (Decimal(0), "差"))
POOR_GRADES = ("中", "差")


def cents(value):
    return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def points_text(value):
    """`8.33`, `10`, `9.5` as printed (empty for None)."""
    if value is None:
        return ""
    text = f"{cents(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def grade_of(total):
    if total is None:
        return ""
    return next(label for floor, label in GRADES if total >= floor)


def budget_score(budget_full, executed):
    """10 × 执行率, capped at 10; None until both figures are known."""
    if executed is None or not budget_full:
        return None
    return cents(min(executed / budget_full, Decimal(1)) * BUDGET_POINTS)


def group_of(level1, level2):
    """The level 1 whose points a row shares: 成本 rows share 产出's."""
    level1 = framework.canonical_level1(level1) or framework.level1_of(level2)
    if level1 == framework.COST or level1 is None:
        return framework.OUTPUT
    return level1


def default_weights(rows):
    """The default 分值 of each row (objects with level1, level2), in order; they add up
    to 90 whenever there is a row."""
    groups = {}
    for index, row in enumerate(rows):
        groups.setdefault(group_of(row.level1, row.level2), []).append(index)
    if not groups:
        return []
    present = sum(LEVEL1_POINTS[group] for group in groups)
    weights = [Decimal(0)] * len(rows)
    given = Decimal(0)
    names = list(groups)
    for n, group in enumerate(names):
        if n == len(names) - 1:
            points = INDICATOR_POINTS - given
        else:
            points = cents(LEVEL1_POINTS[group] * INDICATOR_POINTS / present)
        given += points
        members = groups[group]
        share = cents(points / len(members))
        for index in members:
            weights[index] = share
        weights[members[-1]] = points - share * (len(members) - 1)
    return weights


def row_score(weight, comparator, target, actual):
    """The score of a quantitative row (target and actual in the same unit)."""
    if weight is None or actual is None or target is None:
        return None
    if comparator in ("<=", "<"):
        if actual <= target:
            return cents(weight)
        if target <= 0:
            return Decimal("0.00")
        return cents(weight * max(Decimal(0), (2 * target - actual) / target))
    if target <= 0 or actual >= target:
        return cents(weight)
    return cents(weight * max(Decimal(0), actual / target))


def band_error(level, points, weight):
    """Why `points` do not lie in the band of `level` for `weight` (None when they do)."""
    if level not in BANDS or points is None or weight is None:
        return None
    low, high = (cents(share * weight) for share in BANDS[level])
    label = Achievement(level).label
    if level == Achievement.ACHIEVED:
        if not low <= points <= high:
            return f"“{label}”的得分应在{points_text(low)}至{points_text(high)}分之间（分值的80%–100%）。"
    elif not low <= points < high:
        shares = "60%–80%" if level == Achievement.PARTIAL else "0–60%"
        return f"“{label}”的得分应不低于{points_text(low)}分、低于{points_text(high)}分（分值的{shares}）。"
    return None
