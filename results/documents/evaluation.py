"""The self-evaluation form (项目支出绩效自评表) as a layout, computed once.

Nine columns on A4 portrait, as the national table: the funds (年初预算数, 全年预算数（A）,
全年执行数（B）, 分值 10, 执行率（B/A）, 得分) by source, the annual goal against what was
achieved, one row per approved annual indicator (一级 | 二级 | 三级 | 年度指标值（A）|
实际完成值（B）| 分值 | 得分 | 偏差原因分析及改进措施), the total of 100 with the grade, and
every score a reviewer changed with the reason. The HTML page, the Excel writer and
the PDF all draw from it; cells the unit fills in carry `field`, so the workbook can
be filled offline and read back (`readers.values_from_grid`).
"""

from django.utils.timezone import localtime

from projects.documents.layout import Block, Row, merge_runs

from .. import scoring
from ..models import FUND_COLUMNS, FUND_PARTS, amount, percent
from ..scoring import Achievement, points_text
from .layout import _cell, _label, _sign_block, form_heading, form_sheet

COLUMNS = 9
WIDTHS = (9, 10, 16, 12, 12, 10, 8, 14, 16)
COLUMN_CLASSES = tuple(f"e-c{n}" for n in range(COLUMNS))
TITLE = "项目支出绩效自评表"
FUNDS_LABEL = "项目资金（万元）"
FUNDS_ROWS = ("年度资金总额", *(label for _, label in FUND_PARTS))
PART_HINT = "按资金来源填写金额（万元）；各来源合计应等于年度资金总额。"
INDICATOR_HEADER = (
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值（A）",
    "实际完成值（B）",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
)
TOTAL_LABEL = "总分"
ADJUST_LABEL = "审核调整"
LEVEL_CHOICES = tuple(Achievement.labels)
AMOUNT_HINT = "填写金额（万元），如 240 或 12.5。"
VALUE_HINT = "按年度指标值的写法填写数值和计量单位，如“20人”“97%”“230万元”。"
LEVEL_HINT = "定性指标选择完成程度：达成（分值的80%–100%）、部分达成（60%–80%）、未达成（0–60%）。"
POINTS_HINT = "定性指标在所选完成程度的范围内填写得分。"
WEIGHT_HINT = "各指标分值合计须为90分。"
REASON_HINT = "得分低于分值，或实际完成值达到指标值130%以上时必填。"


def score_text(row):
    """`9`, or `9（原8.33）` when a reviewer changed the score."""
    if row.adjusted is None:
        return points_text(row.score)
    return f"{points_text(row.adjusted)}（原{points_text(row.score)}）"


def adjustment_text(row):
    who = row.adjusted_by.get_full_name() or row.adjusted_by.get_username() if row.adjusted_by else ""
    when = f"{localtime(row.adjusted_at):%Y年%m月%d日}" if row.adjusted_at else ""
    by = f"（审核人{who}，{when}）" if who else ""
    return (
        f"{row.label}得分由{points_text(row.score)}分调整为{points_text(row.adjusted)}分。"
        f"理由：{row.adjust_reason}{by}"
    )


def _funds_block(form):
    head = Row(
        [
            _label(FUNDS_LABEL, 0, rowspan=5),
            _label("", 1, 2),
            _label("年初预算数", 3),
            _label("全年预算数（A）", 4),
            _label("全年执行数（B）", 5),
            _label("分值", 6),
            _label("执行率（B/A）", 7),
            _label("得分", 8),
        ],
        "funds",
    )
    total = Row(
        [
            _cell(FUNDS_ROWS[0], "label", 1, 2, header=True),
            _cell(amount(form.budget_initial), "number", 3),
            _cell(amount(form.budget_full), "number", 4, field="budget_full", hint=AMOUNT_HINT),
            _cell(amount(form.executed), "number", 5, field="executed", hint=AMOUNT_HINT),
            _cell(points_text(scoring.BUDGET_POINTS), "computed", 6),
            _cell(percent(form.execution_rate), "computed", 7),
            _cell(points_text(form.budget_score), "computed", 8),
        ],
        "funds",
    )
    parts = [
        Row(
            [
                _cell(label, "label", 1, 2, header=True),
                *(
                    _cell(
                        amount(getattr(form, f"{part}_{column}")),
                        "number",
                        col,
                        field=f"{part}_{column}",
                        hint=PART_HINT,
                    )
                    for col, (column, _) in zip((3, 4, 5), FUND_COLUMNS, strict=True)
                ),
                _cell("—", "computed", 6),
                _cell(percent(form.part_rate(part)), "computed", 7),
                _cell("—", "computed", 8),
            ],
            "funds",
        )
        for part, label in FUND_PARTS
    ]
    return Block(kind="funds", bodies=[[head, total, *parts]])


def _indicator_rows(rows, start, editable):
    """Rows of one goal; an editable form's qualitative 得分 cell holds the unit's points
    (what an import reads back), a submitted one's the score as it counts."""
    drawn = []
    for index, row in enumerate(rows, start=start):
        key = f"rows.{index}."
        if row.is_qualitative:
            actual = _cell(
                row.level_label, "target", 4, field=key + "level", choices=LEVEL_CHOICES, hint=LEVEL_HINT
            )
            shown = points_text(row.points) if editable else score_text(row)
            score = _cell(shown, "score", 6, field=key + "points", hint=POINTS_HINT)
        else:
            actual = _cell(row.actual, "target", 4, field=key + "actual", hint=VALUE_HINT)
            score = _cell(score_text(row), "computed", 6)
        drawn.append(
            Row(
                [
                    _cell(row.level3, "level3", 2),
                    _cell(row.target, "target", 3),
                    actual,
                    _cell(points_text(row.weight), "score", 5, field=key + "weight", hint=WEIGHT_HINT),
                    score,
                    _cell(row.reason, "value", 7, 2, field=key + "reason", hint=REASON_HINT),
                ],
                "indicator",
            )
        )
    return merge_runs(
        drawn, [(0, "level1", [r.level1 for r in rows]), (1, "level2", [r.level2 for r in rows])], keep_col=0
    )


def build_evaluation_sheet(form, rows=None):
    """The printed self-evaluation form of `form` (round and rows loaded)."""
    rows = list(form.rows.all()) if rows is None else rows
    round_ = form.round
    heading, basic = form_heading(form, TITLE, f"（{round_.year}年度）", COLUMNS, split=5)
    overall = Block(kind="overall")
    overall.bodies.append(
        [
            Row(
                [
                    _label("年度总体目标", 0, rowspan=2),
                    _label("预期目标", 1, 4),
                    _label("实际完成情况", 5, 4),
                ],
                "overall",
            ),
            Row(
                [
                    _cell(form.goal_text, "value", 1, 4),
                    _cell(form.summary, "value", 5, 4, field="summary", hint="简述全年目标的实际完成情况。"),
                ],
                "overall",
            ),
        ]
    )
    table = Block(kind="table", term="indicators")
    header = [_label(text, col) for col, text in enumerate(INDICATOR_HEADER[:7])]
    header.append(_label(INDICATOR_HEADER[7], 7, 2))
    table.head.append(Row(header, "header"))
    goals = []
    for row in rows:
        if not goals or goals[-1][0] != row.goal_name:
            goals.append((row.goal_name, []))
        goals[-1][1].append(row)
    start = 0
    for name, goal_rows in goals:
        body = _indicator_rows(goal_rows, start, form.is_editable)
        start += len(goal_rows)
        if len(goals) > 1:
            body.insert(0, Row([_cell(name, "subhead", 0, COLUMNS)], "goal"))
        table.bodies.append(body)
    grade = f"自评等级：{form.grade}" if form.grade else "自评等级："
    table.bodies.append(
        [
            Row(
                [
                    _label(TOTAL_LABEL, 0, 5),
                    _cell(points_text(scoring.TOTAL_POINTS), "computed", 5),
                    _cell(points_text(form.total), "total", 6),
                    _cell(grade, "grade", 7, 2),
                ],
                "total",
            )
        ]
    )
    adjusted = [row for row in rows if row.adjusted is not None]
    if adjusted:
        table.bodies.append(
            [
                Row(
                    [_label(ADJUST_LABEL, 0), _cell(adjustment_text(row), "adjustment", 1, COLUMNS - 1)],
                    "adjust",
                )
                for row in adjusted
            ]
        )
    blocks = [heading, basic, _funds_block(form), overall, table, _sign_block(form, COLUMNS)]
    return form_sheet(form, TITLE, blocks, (COLUMNS, WIDTHS, COLUMN_CLASSES), "evaluation")
