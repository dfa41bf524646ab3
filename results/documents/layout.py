"""The monitoring form (项目支出绩效目标执行监控表) as a layout, computed once.

Eleven columns on A4 landscape: the official table's 一级 | 二级 | 三级 | 年度指标值 |
截至X月实际完成值 | 全年预计完成值 | 偏差原因分析 | 完成目标可能性 | 备注, with the computed
完成进度（实际/预期）and 预警 after the values. The funds, the overall goal and the
indicator rows share the columns, so what is reported lines up with what is
computed. Cells the unit fills in carry `field` (the key the readers return), so
the Excel written from this layout can be filled offline and read back.
"""

from django.utils.timezone import localtime

from projects.documents.layout import Block, Cell, Row, Sheet, merge_runs

from ..models import Cause, FormStatus, Kind, Light, Likelihood, amount, percent

COLUMNS = 11
WIDTHS = (10, 11, 18, 12, 13, 13, 14, 7, 21, 10, 20)
COLUMN_CLASSES = tuple(f"m-c{n}" for n in range(COLUMNS))
UNIT_PREFIX = "填报单位："
AMOUNT_UNIT = "金额单位：万元"
MARK_PREFIX = "未确认"
MARK_NOTE = "此表尚未经审核人确认"
FUNDS_LABEL = "项目资金（万元）"
OVERALL_LABEL = "年度总体目标"
LIGHT_ROLES = {
    Light.NONE: "light-none",
    Light.GREEN: "light-green",
    Light.YELLOW: "light-yellow",
    Light.RED: "light-red",
}
# Cells whose text the system computes: an uploaded file may hold stale ones.
COMPUTED_ROLES = ("mark", "computed", "sign", "total", "grade", "adjustment", *LIGHT_ROLES.values())
REASONS_HINT = (
    "写偏差原因的类别和说明，如“经费保障、人员保障：上半年人员未到位”。类别可选："
    + "、".join(Cause.labels)
    + "。"
)
VALUE_HINT = "按年度指标值的写法填写数值和计量单位，如“20人”“97%”“100万元”。"
AMOUNT_HINT = "填写金额（万元），如 266 或 12.5。"
LIKELIHOOD_CHOICES = tuple(Likelihood.labels)


def table_header(period):
    return (
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        f"{period}实际完成值",
        "全年预计完成值",
        "完成进度（实际/预期）",
        "预警",
        "偏差原因分析",
        "完成目标可能性",
        "备注（改进措施）",
    )


def _cell(text, role, col, colspan=1, *, header=False, field="", choices=(), hint="", rowspan=1):
    return Cell(
        text=text or "",
        role=role,
        col=col,
        colspan=colspan,
        rowspan=rowspan,
        header=header,
        field=field,
        choices=choices,
        hint=hint,
    )


def _label(text, col, colspan=1, rowspan=1):
    return _cell(text, "label", col, colspan, header=True, rowspan=rowspan)


def progress_text(expected, progress, qualitative=False):
    """`37.6%／50.0%` (actual / expected); `定性` for a qualitative row."""
    if qualitative:
        return "定性"
    if progress is None:
        return ""
    return f"{percent(progress)}／{percent(expected)}"


def light_text(light, ahead=False):
    if light == Light.NONE:
        return ""
    return Light(light).label + ("（超前）" if ahead else "")


def _light(light, ahead, col):
    return _cell(light_text(light, ahead), LIGHT_ROLES[light], col)


def _funds_block(form, period):
    head = Row(
        [
            _label(FUNDS_LABEL, 0, 2, rowspan=2),
            _label("年初预算数", 2),
            _label("全年预算数", 3),
            _label(f"{period}执行数", 4),
            _label("全年预计执行数", 5),
            _label("执行率（实际/预期）", 6),
            _label("预警", 7),
            _label("偏差原因", 8, 3),
        ],
        "funds",
    )
    share = form.round.time_share
    rate = progress_text(share, form.execution_rate)
    values = Row(
        [
            _cell(amount(form.budget_initial), "number", 2),
            _cell(amount(form.budget_full), "number", 3, field="budget_full", hint=AMOUNT_HINT),
            _cell(amount(form.executed), "number", 4, field="executed", hint=AMOUNT_HINT),
            _cell(amount(form.forecast), "number", 5, field="forecast", hint=AMOUNT_HINT),
            _cell(rate, "computed", 6),
            _light(form.funds_light, form.funds_ahead, 7),
            _cell(
                form.funds_reason, "value", 8, 3, field="funds_reason", hint="执行率落后于时间进度时必填。"
            ),
        ],
        "funds",
    )
    return Block(kind="funds", bodies=[[head, values]])


def _indicator_rows(rows, start):
    """Rows of one goal; `start` is the index of its first row in the whole form."""
    drawn = []
    for index, row in enumerate(rows, start=start):
        key = f"rows.{index}."
        drawn.append(
            Row(
                [
                    _cell(row.level3, "level3", 2),
                    _cell(row.target, "target", 3),
                    _cell(row.actual, "target", 4, field=key + "actual", hint=VALUE_HINT),
                    _cell(row.forecast, "target", 5, field=key + "forecast", hint=VALUE_HINT),
                    _cell(progress_text(row.expected, row.progress, row.is_qualitative), "computed", 6),
                    _light(row.light, row.ahead, 7),
                    _cell(row.reasons_text, "value", 8, field=key + "reasons", hint=REASONS_HINT),
                    _cell(
                        Likelihood(row.likelihood).label if row.likelihood else "",
                        "target",
                        9,
                        field=key + "likelihood",
                        choices=LIKELIHOOD_CHOICES,
                    ),
                    _cell(row.note, "value", 10, field=key + "note", hint="黄灯、红灯的指标必填改进措施。"),
                ],
                "indicator",
            )
        )
    return merge_runs(
        drawn, [(0, "level1", [r.level1 for r in rows]), (1, "level2", [r.level2 for r in rows])], keep_col=0
    )


def form_heading(form, title, subtitle, columns, split):
    """The heading (未确认 mark, title, subtitle, 填报单位 | 金额单位) and the first rows of the
    basic block (项目名称; 主管部门 | 实施单位) that every results form starts with; `split` is
    the column where the right half (金额单位, 实施单位) begins. The basic rows are one body,
    for the caller to continue."""
    heading = Block(kind="heading")
    if form.status != FormStatus.CONFIRMED:
        mark = f"{MARK_PREFIX}（{form.get_status_display()}）"
        heading.head.append(Row([_cell(mark, "mark", 0, columns)], "mark"))
    heading.head.append(Row([_cell(title, "title", 0, columns)], "title"))
    heading.head.append(Row([_cell(subtitle, "subtitle", 0, columns)], "subtitle"))
    heading.head.append(
        Row(
            [
                _cell(f"{UNIT_PREFIX}{form.department_name}", "unit", 0, split),
                _cell(AMOUNT_UNIT, "amount", split, columns - split),
            ],
            "unit",
        )
    )
    basic = Block(kind="basic")
    basic.bodies.append(
        [
            Row([_label("项目名称", 0, 2), _cell(form.project_name, "value", 2, columns - 2)], "basic"),
            Row(
                [
                    _label("主管部门", 0, 2),
                    _cell(form.authority_name, "value", 2, split - 2),
                    _label("实施单位", split, 2),
                    _cell(form.department_name, "value", split + 2, columns - split - 2),
                ],
                "basic",
            ),
        ]
    )
    return heading, basic


def build_form_sheet(form, rows=None):
    """The printed form of `form` (round and rows loaded: `with_rows()`): the monitoring
    form, or the self-evaluation form of an evaluation round (`evaluation`)."""
    if form.round.kind == Kind.EVALUATION:
        from .evaluation import build_evaluation_sheet

        return build_evaluation_sheet(form, rows)
    rows = list(form.rows.all()) if rows is None else rows
    round_ = form.round
    period = round_.period
    heading, basic = form_heading(
        form, round_.form_title, f"（{round_.year}年度　{round_.cutoff_label}）", COLUMNS, split=6
    )
    basic.bodies[0].append(
        Row(
            [
                _label("项目类型", 0, 2),
                _cell(form.project_type_label, "value", 2, 4),
                _label("截止日期", 6, 2),
                _cell(round_.cutoff_text, "value", 8, 3),
            ],
            "basic",
        )
    )
    overall = Block(kind="overall")
    overall.bodies.append(
        [
            Row(
                [
                    _label(OVERALL_LABEL, 0, 2, rowspan=2),
                    _label("全年预期目标", 2, 4),
                    _label(f"{period}执行情况", 6, 5),
                ],
                "overall",
            ),
            Row(
                [
                    _cell(form.goal_text, "value", 2, 4),
                    _cell(form.summary, "value", 6, 5, field="summary", hint="简述截至本期的总体执行情况。"),
                ],
                "overall",
            ),
        ]
    )
    table = Block(kind="table", term="indicators")
    table.head.append(Row([_label(text, col) for col, text in enumerate(table_header(period))], "header"))
    goals = []
    for row in rows:
        if not goals or goals[-1][0] != row.goal_name:
            goals.append((row.goal_name, []))
        goals[-1][1].append(row)
    start = 0
    for name, goal_rows in goals:
        body = _indicator_rows(goal_rows, start)
        start += len(goal_rows)
        if len(goals) > 1:  # several annual goals: each one's rows under its name
            body.insert(0, Row([_cell(name, "subhead", 0, COLUMNS)], "goal"))
        table.bodies.append(body)
    blocks = [heading, basic, _funds_block(form, period), overall, table, _sign_block(form)]
    return form_sheet(form, round_.form_title, blocks, (COLUMNS, WIDTHS, COLUMN_CLASSES), "monitoring")


def form_sheet(form, title, blocks, grid, kind):
    """The `Sheet` of a results form: its blocks on a grid of (columns, widths, column
    classes); the monitoring form is landscape, the self-evaluation portrait."""
    columns, widths, column_classes = grid
    return Sheet(
        project_id=form.project_id,
        title=title,
        name=form.project_name,
        department=form.department_name,
        status=form.status,
        status_label=form.get_status_display(),
        blocks=blocks,
        columns=columns,
        widths=widths,
        column_classes=column_classes,
        landscape=kind == "monitoring",
        kind=kind,
        final_status=FormStatus.CONFIRMED,
        mark_prefix=MARK_PREFIX,
        mark_note=MARK_NOTE,
    )


def _sign_block(form, columns=COLUMNS):
    """填报人 and 审核人 with their dates, from the form's last submission and confirmation
    (`transitions` prefetched or queried once)."""
    steps = list(form.transitions.all()) if form.pk else []
    submitted = next((t for t in reversed(steps) if t.action == "submit"), None)
    confirmed = next((t for t in reversed(steps) if t.action == "confirm"), None)
    if form.status != FormStatus.CONFIRMED:
        confirmed = None

    def signed(step, verb):
        return f"{step.user_name}（{localtime(step.at):%Y年%m月%d日}{verb}）" if step else ""

    left = "填报人：" + signed(submitted, "提交")
    right = "审核人：" + signed(confirmed, "确认")
    half = columns // 2 + 1
    cells = [_cell(left, "sign", 0, half), _cell(right, "sign", half, columns - half)]
    return Block(kind="footer", head=[Row(cells, "sign")])
