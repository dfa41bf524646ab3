"""The review checks (审核规则): small named rules over a project's goal tables.

Each rule has a stable code, a severity, the guidance it follows and a Chinese
message saying what is wrong and how to fix it. `check_project(project)` runs
them all on a project whose tree is prefetched (`Project.objects.with_tree()`,
whose rows also carry what the indicator library knows of their names),
without further queries once last year's self-evaluation is attached
(`attach_past(projects)`, one query for a list; else one query on the first
check); `check_projects(queryset)` does the same for many projects in chunks.

Precision matters as much as recall: a rule that flags correct rows teaches
people to ignore it. So each rule only speaks when it is sure — e.g. the
budget is compared with the annual table only (a long-term goal may span
several budget years), and a value with a number in it is never called
qualitative just because the parser could not split it.
"""

import functools
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from . import framework
from .check_trees import project_trees
from .past import attach_past
from .values import is_money_unit, usual_unit_differs

ERROR = "error"
WARNING = "warning"
SEVERITY_LABELS = {ERROR: "错误", WARNING: "提示"}

TERM_LABELS = {"long": "长期", "annual": "年度"}

GUIDANCE_2021 = "财预〔2021〕101号《中央部门项目支出核心绩效目标和指标设置及取值指引（试行）》"
GUIDANCE_FRAMEWORK = f"{GUIDANCE_2021}：绩效指标体系（一级、二级指标）"
GUIDANCE_BUDGET = "财预〔2015〕88号《中央部门预算绩效目标管理办法》：绩效目标应与预算相匹配"
GUIDANCE_SHEET = "项目支出绩效目标申报表、批复表填报要求"


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    title: str
    explanation: str
    source: str
    check: object  # callable(project) -> iterable of (goal, row_number, indicator, message)

    @property
    def severity_label(self):
        return SEVERITY_LABELS[self.severity]


@dataclass(frozen=True)
class Finding:
    project_id: int
    project: str
    year: int
    department: str
    table: str | None  # "long" | "annual" | None
    goal: str | None
    row: int | None  # 1-based position in the goal's table, or None
    indicator: str | None  # level-3 name, or None
    indicator_id: int | None
    rule: str
    severity: str
    message: str
    goal_id: int | None = None

    @property
    def severity_label(self):
        return SEVERITY_LABELS[self.severity]

    @property
    def is_error(self):
        return self.severity == ERROR

    @property
    def table_label(self):
        return TERM_LABELS.get(self.table, "")

    def as_dict(self):
        return {
            "project": self.project,
            "year": self.year,
            "department": self.department,
            "table": self.table,
            "goal": self.goal,
            "row": self.row,
            "indicator": self.indicator,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
        }


RULES = []


def rule(code, severity, title, explanation, source):
    def register(check):
        if any(existing.code == code for existing in RULES):
            raise ValueError(f"duplicate rule code {code}")
        RULES.append(Rule(code, severity, title, explanation, source, check))
        return check

    return register


def rules_by_code():
    return {current.code: current for current in RULES}


# --------------------------------------------------------------------------
# Reading rows
# --------------------------------------------------------------------------


def rows(project):
    """(goal, 1-based row number, indicator) for every row of every goal table."""
    cached = getattr(project, "_check_rows", None)
    if cached is not None:  # inside check_project: walked once, read by every rule
        return iter(cached)
    return (item for goal in project.goals.all() for item in goal_rows(goal))


def goal_rows(goal):
    for number, indicator in enumerate(goal.indicators.all(), start=1):
        yield goal, number, indicator


def filled_rows(project):
    """Rows that are not entirely empty (empty rows have their own rule)."""
    cached = getattr(project, "_check_filled_rows", None)
    if cached is not None:
        return iter(cached)
    return ((goal, number, row) for goal, number, row in rows(project) if not is_blank(row))


def _text(value):
    return value.strip().replace("\u3000", "") if value else ""


def is_blank(row):
    # The hottest helper (every row, several rules): no generator, no getattr.
    for value in (row.level1, row.level2, row.level3, row.value, row.basis):
        if value and value.strip().replace("\u3000", ""):
            return False
    return True


_COST_LEVEL2 = (*framework.FRAMEWORK[framework.COST], "成本指标")


def is_cost_row(row):
    """A cost indicator: level 1 成本指标, or a cost level 2 (also the legacy 成本指标)."""
    return (
        framework.canonical_level1(row.level1) == framework.COST
        or framework.canonical_level2(row.level2) in _COST_LEVEL2
    )


def is_satisfaction_row(row):
    return (
        framework.canonical_level1(row.level1) == framework.SATISFACTION
        or framework.canonical_level2(row.level2) in framework.FRAMEWORK[framework.SATISFACTION]
    )


def is_quantitative_level(row):
    return is_cost_row(row) or framework.canonical_level2(row.level2) in framework.QUANTITATIVE_LEVEL2


# A count written in Chinese numerals and a measure word: 三个, 两次, 一季度.
_CHINESE_COUNT = re.compile(r"[一二两三四五六七八九十百千]+[个项次人天日月年周季件台套批条家所名期场]")
_DIGIT = re.compile(r"[0-9０-９]")


def is_quantitative(row):
    """Whether a value is measurable: parsed to a number, or at least carrying one.

    `12月底前完成`, `100%覆盖` or `三个` do not parse into comparator/number/unit
    but are not 定性 either; only text without any number counts as qualitative.
    """
    if row.number is not None:
        return True
    value = _text(row.value)
    return bool(_DIGIT.search(value) or _CHINESE_COUNT.search(value))


_MONEY_IN_WAN = {"元": Decimal("0.0001"), "万元": Decimal(1), "亿元": Decimal(10000)}


def amount_in_wan(row):
    """The row's number in 万元 (the sheet's unit), or None when it is not money."""
    if row.number is None or not is_money_unit(row.unit):
        return None
    return row.number * _MONEY_IN_WAN[row.unit.strip()]


_TOTAL_WORDS = (
    "总成本",
    "总投入",
    "总费用",
    "总金额",
    "总预算",
    "总支出",
    "成本总额",
    "预算总额",
    "合计",
    "总计",
)


def is_total_row(row):
    level3 = _text(row.level3)
    return is_cost_row(row) and any(word in level3 for word in _TOTAL_WORDS)


def wan(amount):
    """`266`, `0.5`: an amount in 万元 as the sheet writes it."""
    from .values import normalize_number

    return normalize_number(amount)


_SPACES = re.compile(r"\s+")


def level3_key(row):
    return _level3_key(row.level3)


@functools.lru_cache(maxsize=8192)  # pure; read several times per row by two rules
def _level3_key(level3):
    return _SPACES.sub("", _text(level3))


# --------------------------------------------------------------------------
# Project and goal tables
# --------------------------------------------------------------------------


@rule(
    "NO_ANNUAL_GOAL",
    ERROR,
    "缺少年度绩效目标",
    "每个项目都应填报年度绩效目标及其指标表，批复和年终自评都以年度目标为准。",
    GUIDANCE_SHEET,
)
def no_annual_goal(project):
    if not project.annual_goals:
        yield None, None, None, "项目没有年度绩效目标，请添加“年度绩效目标1”及其目标说明和指标。"


@rule(
    "GOAL_TEXT_EMPTY",
    ERROR,
    "年度绩效目标说明为空",
    "年度绩效目标说明应概括本年度预期达到的产出和效果，不能空缺。",
    GUIDANCE_SHEET,
)
def annual_goal_text_empty(project):
    for goal in project.annual_goals:
        if not _text(goal.text):
            yield goal, None, None, f"“{goal.name}”没有目标说明，请写明本年度预期达到的产出和效果。"


@rule(
    "LONG_GOAL_TEXT_EMPTY",
    WARNING,
    "长期绩效目标说明为空",
    "长期绩效目标说明应概括项目实施期内预期达到的产出和效果。",
    GUIDANCE_SHEET,
)
def long_goal_text_empty(project):
    for goal in project.long_goals:
        if not _text(goal.text):
            yield goal, None, None, f"“{goal.name}”没有目标说明，请写明实施期内预期达到的产出和效果。"


@rule(
    "GOAL_NO_ROWS",
    ERROR,
    "绩效目标没有指标",
    "每个绩效目标都要用指标表细化，至少包括成本、产出、效益和满意度指标。",
    GUIDANCE_2021,
)
def goal_without_rows(project):
    for goal in project.goals.all():
        if all(is_blank(row) for row in goal.indicators.all()):
            yield goal, None, None, f"“{goal.name}”的指标表没有任何指标，请按一级指标逐项填写。"


@rule(
    "TABLE_MISSING_L1",
    ERROR,
    "指标表缺少一级指标",
    "按2021年指标体系，每张绩效目标表都应设置成本、产出、效益和满意度四类一级指标；"
    "只填产出指标而没有效益指标，无法反映资金使用的效果。",
    GUIDANCE_FRAMEWORK,
)
def table_missing_level1(project):
    for goal in project.goals.all():
        filled = [(number, row) for _, number, row in goal_rows(goal) if not is_blank(row)]
        if not filled:
            continue  # GOAL_NO_ROWS
        present = {framework.canonical_level1(row.level1) for _, row in filled}
        if any(framework.canonical_level2(row.level2) == "成本指标" for _, row in filled):
            present.add(framework.COST)  # legacy form: 成本指标 under 产出指标
        missing = [level1 for level1 in framework.LEVEL1 if level1 not in present]
        if not missing:
            continue
        hints = [
            f"第{number}行“{row.level2}”属于{framework.level1_of(row.level2)}"
            for number, row in filled
            if framework.level1_of(row.level2) in missing
            and framework.canonical_level1(row.level1) != framework.level1_of(row.level2)
        ]
        message = f"“{goal.name}”的指标表缺少{'、'.join(missing)}，请补充。"
        if hints:
            message += "其中" + "；".join(hints) + "，应移到该一级指标下。"
        yield goal, None, None, message


# A documented reading of 定量为主、定性为辅: quantitative rows must be the majority.
QUALITATIVE_SHARE_LIMIT = Decimal("0.5")


@rule(
    "QUALITATIVE_SHARE",
    WARNING,
    "定性指标过多",
    "指标设置应“定量为主、定性为辅”：一张指标表中定性指标（没有数值的指标值）"
    "超过一半时，应尽量改为可计量的数量、比率或时限。",
    f"{GUIDANCE_2021}：绩效指标应定量为主、定性为辅",
)
def too_many_qualitative(project):
    for goal in project.goals.all():
        valued = [row for _, _, row in goal_rows(goal) if _text(row.value)]
        qualitative = [row for row in valued if not is_quantitative(row)]
        if valued and Decimal(len(qualitative)) / len(valued) > QUALITATIVE_SHARE_LIMIT:
            yield (
                goal,
                None,
                None,
                f"“{goal.name}”的{len(valued)}项指标中有{len(qualitative)}项为定性指标，超过一半，"
                "请尽量改为可计量的数值（如数量、比率、完成时限）。",
            )


# --------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------


@rule(
    "ROW_EMPTY",
    WARNING,
    "空行",
    "指标表中的空行会原样打印在批复表上，应删除。",
    GUIDANCE_SHEET,
)
def empty_row(project):
    for goal, number, row in rows(project):
        if is_blank(row) and len(goal.indicators.all()) > 1:
            yield goal, number, row, "这是一行空行，请删除。"


@rule(
    "ROW_INCOMPLETE",
    ERROR,
    "指标行不完整",
    "每行指标都应填写一级指标、二级指标、三级指标、指标值和指标值确定依据。",
    GUIDANCE_SHEET,
)
def incomplete_row(project):
    labels = {
        "level1": "一级指标",
        "level2": "二级指标",
        "level3": "三级指标",
        "value": "指标值",
        "basis": "指标值确定依据",
    }
    for goal, number, row in filled_rows(project):
        missing = [label for field, label in labels.items() if not _text(getattr(row, field))]
        if missing:
            yield goal, number, row, f"未填写{'、'.join(missing)}，请补充。"


@rule(
    "ROW_DUPLICATE",
    ERROR,
    "重复的指标",
    "同一绩效目标下，同一二级指标中的三级指标不应重复出现；重复的指标在自评时会重复计分。",
    GUIDANCE_SHEET,
)
def duplicate_row(project):
    for goal in project.goals.all():
        seen = {}
        for _, number, row in goal_rows(goal):
            if not level3_key(row):
                continue
            key = (
                framework.canonical_level1(row.level1) or _text(row.level1),
                framework.canonical_level2(row.level2) or _text(row.level2),
                level3_key(row),
            )
            if key in seen:
                yield (
                    goal,
                    number,
                    row,
                    f"三级指标“{row.level3}”与第{seen[key]}行重复，请删除或合并为一行。",
                )
            else:
                seen[key] = number


@rule(
    "L1_UNKNOWN",
    ERROR,
    "一级指标不在指标体系中",
    "一级指标只能是成本指标、产出指标、效益指标、满意度指标之一。",
    GUIDANCE_FRAMEWORK,
)
def unknown_level1(project):
    for goal, number, row in filled_rows(project):
        if _text(row.level1) and framework.canonical_level1(row.level1) is None:
            yield (
                goal,
                number,
                row,
                f"一级指标“{row.level1}”不在指标体系中，请改为成本指标、产出指标、效益指标或满意度指标。",
            )


@rule(
    "L2_OUTSIDE_L1",
    ERROR,
    "二级指标不属于所填一级指标",
    "二级指标必须属于其一级指标，例如“社会效益指标”应在“效益指标”下，而不是“产出指标”下。",
    "财预〔2021〕101号 附件：项目支出绩效目标指标体系",
)
def level2_outside_level1(project):
    for goal, number, row in rows(project):
        if not row.level1 or not row.level2:
            continue
        if framework.canonical_level1(row.level1) and not framework.belongs(row.level1, row.level2):
            home = framework.level1_of(row.level2)
            hint = f"应归入“{home}”" if home else "请选用该一级指标下的二级指标"
            yield goal, number, row, f"二级指标“{row.level2}”不属于“{row.level1}”，{hint}。"


@rule(
    "COST_AS_OUTPUT_L2",
    WARNING,
    "成本指标按旧表式填在产出指标下",
    "2021年起成本指标是一级指标（经济成本、社会成本、生态环境成本），不再作为产出指标的二级指标。",
    GUIDANCE_FRAMEWORK,
)
def cost_under_output(project):
    for goal, number, row in filled_rows(project):
        if (
            framework.canonical_level1(row.level1) == framework.OUTPUT
            and framework.canonical_level2(row.level2) == "成本指标"
        ):
            yield (
                goal,
                number,
                row,
                "成本指标按旧表式填在产出指标下，请改为一级指标“成本指标”、二级指标“经济成本指标”等。",
            )


@rule(
    "COST_UNIT",
    ERROR,
    "成本指标的计量单位不是金额",
    "成本指标反映资金投入，指标值应以元、万元或亿元计量，例如“≤266万元”。",
    "财预〔2021〕101号：成本指标",
)
def cost_unit_not_money(project):
    for goal, number, row in rows(project):
        if not is_cost_row(row):
            continue
        if row.number is not None and not is_money_unit(row.unit):
            yield (
                goal,
                number,
                row,
                f"成本指标“{row.level3}”的指标值“{row.value}”不是金额，应以元、万元或亿元计量。",
            )


@rule(
    "COST_OVER_BUDGET",
    ERROR,
    "总成本超过项目预算",
    "年度指标表的总成本不能超过项目预算（金额换算为万元后比较）；长期目标可能跨多个预算年度，不作比较。",
    GUIDANCE_BUDGET,
)
def total_cost_over_budget(project):
    if not project.budget or project.budget <= 0:
        return
    for goal in project.annual_goals:
        for _, number, row in goal_rows(goal):
            amount = amount_in_wan(row)
            if amount is None or not is_total_row(row):
                continue
            if row.comparator in ("=", "<=", "<") and amount > project.budget:
                problem = "超过"
            elif (row.comparator == ">=" and amount > project.budget) or (
                row.comparator == ">" and amount >= project.budget
            ):
                problem = "的下限已超过"
            else:
                continue
            yield (
                goal,
                number,
                row,
                f"{row.level3}“{row.value}”（{wan(amount)}万元）{problem}项目预算{wan(project.budget)}万元，"
                "请核对金额或单位。",
            )


@rule(
    "COST_SUM_OVER_BUDGET",
    WARNING,
    "成本指标合计超过项目预算",
    "年度指标表没有总成本行时，把各项以金额为上限的成本指标相加；合计超过项目预算时请核对（分项可能有重叠）。",
    GUIDANCE_BUDGET,
)
def cost_sum_over_budget(project):
    if not project.budget or project.budget <= 0:
        return
    for goal in project.annual_goals:
        cost_rows = [row for _, _, row in goal_rows(goal) if is_cost_row(row)]
        if any(is_total_row(row) for row in cost_rows):
            continue  # COST_OVER_BUDGET compares the total
        amounts = [
            amount_in_wan(row)
            for row in cost_rows
            if amount_in_wan(row) is not None and row.comparator in ("=", "<=", "<")
        ]
        total = sum(amounts, Decimal(0))
        if amounts and total > project.budget:
            yield (
                goal,
                None,
                None,
                f"“{goal.name}”的{len(amounts)}项成本指标合计{wan(total)}万元，"
                f"超过项目预算{wan(project.budget)}万元，请核对金额或补充总成本行。",
            )


@rule(
    "QUALITATIVE_ON_QUANTITATIVE",
    ERROR,
    "数量、时效或成本指标使用了定性指标值",
    "数量指标、时效指标和成本指标必须以数值表述（如“等于35人”“12月底前”“≤266万元”），不能写“完全保障”“确保完成”。",
    f"{GUIDANCE_2021}：产出数量、时效和成本指标应量化",
)
def qualitative_on_quantitative(project):
    for goal, number, row in filled_rows(project):
        if not _text(row.value) or not is_quantitative_level(row) or is_quantitative(row):
            continue
        kind = "成本指标" if is_cost_row(row) else row.level2
        yield (
            goal,
            number,
            row,
            f"{kind}“{row.level3}”的指标值“{row.value}”是定性表述，请改为带数值和计量单位的目标值。",
        )


@rule(
    "SATISFACTION_PERCENT",
    ERROR,
    "满意度指标不是0–100%的百分比",
    "服务对象满意度以百分比表示（如“≥95%”），数值应在0到100之间。",
    f"{GUIDANCE_2021}：满意度指标",
)
def satisfaction_not_percent(project):
    for goal, number, row in filled_rows(project):
        if not _text(row.value) or not is_satisfaction_row(row):
            continue
        if row.number is None or row.unit.strip() != "%":
            yield (
                goal,
                number,
                row,
                f"满意度“{row.value}”不是百分比，请写成“≥95%”这样的百分比目标。",
            )
        elif row.number > 100 or (row.comparator == ">" and row.number >= 100):
            yield goal, number, row, f"满意度“{row.value}”超出0–100%，请改为不超过100%的目标。"


@rule(
    "BASIS_OPTION",
    ERROR,
    "指标值确定依据不在规定选项内",
    "指标值确定依据只能是计划标准、行业标准、历史标准、预算支出标准或其他标准（可多选，以顿号分隔）。",
    f"{GUIDANCE_2021}：指标值设定依据",
)
def basis_outside_options(project):
    for goal, number, row in filled_rows(project):
        basis = _text(row.basis)
        if not basis:
            continue  # ROW_INCOMPLETE
        if framework.basis_parts(basis) is None:
            yield (
                goal,
                number,
                row,
                f"确定依据“{row.basis}”不在规定选项内，请选择{'、'.join(framework.BASIS_OPTIONS)}之一。",
            )


@rule(
    "ANNUAL_UNIT_MISMATCH",
    WARNING,
    "年度指标与长期指标的计量单位不一致",
    "年度指标是长期指标的分年度安排：同一三级指标在两张表中应使用相同的计量单位。",
    f"{GUIDANCE_2021}：年度绩效目标应与长期绩效目标相衔接",
)
def annual_contradicts_long(project):
    long_units = defaultdict(set)
    for goal in project.long_goals:
        for _, _, row in goal_rows(goal):
            if row.number is not None and row.unit.strip() and level3_key(row):
                long_units[level3_key(row)].add(row.unit.strip())
    for goal in project.annual_goals:
        for _, number, row in goal_rows(goal):
            units = long_units.get(level3_key(row))
            unit = row.unit.strip()
            if not units or row.number is None or not unit or unit in units:
                continue
            if is_money_unit(unit) and all(is_money_unit(other) for other in units):
                continue  # 元 and 万元 measure the same thing
            if is_cost_row(row) and not is_money_unit(unit):
                continue  # COST_UNIT already says the cost is not money
            yield (
                goal,
                number,
                row,
                f"“{row.level3}”在长期指标表中以“{'、'.join(sorted(units))}”计量，"
                f"年度指标值“{row.value}”却以“{unit}”计量，请统一。",
            )


@rule(
    "LIBRARY_UNIT",
    WARNING,
    "计量单位与指标库不一致",
    "指标库汇总了已批复项目的指标：同一三级指标在已批复项目中几乎都以同一计量单位表述时"
    "（至少3个项目、八成以上，如“群众满意度”以%计量），本行使用其他计量单位，可能是笔误或指标名称选用不当。",
    "指标库（已批复项目的绩效指标）；财预〔2021〕101号：绩效指标应细化、量化，口径统一",
)
def unit_differs_from_library(project):
    for goal, number, row in filled_rows(project):
        usual = getattr(row, "library_unit", None)  # set by Indicator.objects.with_library()
        if not usual or row.number is None or not usual_unit_differs(row.unit, usual):
            continue
        if is_cost_row(row) and not is_money_unit(row.unit):
            continue  # COST_UNIT already says the cost is not money
        yield (
            goal,
            number,
            row,
            f"“{row.level3}”在指标库中通常以“{usual}”计量（{row.library_projects}个已批复项目），"
            f"本行“{row.value}”以“{row.unit.strip()}”计量，请核对计量单位。",
        )


# A year named in a text: 2026年, 2026年度; a range (2025-2027年, 2025年至2027年) counts by
# its end; titles of documents (《…》) and file numbers (〔2026〕) are not what the text aims at.
_CITED = re.compile(r"《[^》]*》|〔[^〕]*〕|\[[^\]]*\]|［[^］]*］")
_YEAR_RANGE = re.compile(r"(?<!\d)(20\d{2})\s*年?\s*(?:-|—|–|~|～|至|到)\s*(20\d{2})(?=\s*年)")
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?=\s*年)")


def named_years(text):
    """The years `text` names as its own time (not in a cited title), in order."""
    text = _CITED.sub(" ", text or "")
    named = []
    for match in _YEAR_RANGE.finditer(text):
        named.append(int(match.group(2)))
    for match in _YEAR.finditer(_YEAR_RANGE.sub(" ", text)):
        named.append(int(match.group(1)))
    return sorted(set(named))


def earlier_years(text, year):
    """The years before `year` that `text` names as its own time (not in a cited title)."""
    return [named for named in named_years(text) if named < year]


def outdated_rationale(text, year):
    """The year a 立项依据 was written for, when that is before `year`: its latest year.
    A rationale tells the project's history (因2021年…开馆), so an earlier year is fine
    as long as the text also names the project's own year or a later one; a copy from
    last year keeps only last year's (故申请2025年…预算项目)."""
    named = named_years(text)
    return named[-1:] if named and named[-1] < year else []


SENTENCE_ENDS = "。！？；!?;\n"
CLAUSE_ENDS = SENTENCE_ENDS + "，,"  # a 、 list stays whole
BRACKETS = {"（": "）", "(": ")", "《": "》", "〈": "〉", "【": "】", "〔": "〕", "[": "]", "“": "”"}
EXCERPT_LIMIT = 40


def _bounds(text, at, ends):
    """The span around `at` up to the marks in `ends`, the closing mark included."""
    start = max(text.rfind(mark, 0, at) for mark in ends) + 1
    closing = [found for found in (text.find(mark, at) for mark in ends) if found >= 0]
    return start, min(closing, default=len(text) - 1) + 1


def _balanced(text, start, end):
    """Widen [start, end) so that no bracket in it is left open or closed alone."""
    closers = {close: open_ for open_, close in BRACKETS.items()}
    depth = {}
    for char in text[start:end]:
        if char in BRACKETS:
            depth[char] = depth.get(char, 0) + 1
        elif char in closers and depth.get(closers[char], 0):
            depth[closers[char]] -= 1
        elif char in closers:  # closed here, opened before: reach back to its opening
            opening = text.rfind(closers[char], 0, start)
            start = opening if opening >= 0 else start
    for opening, count in depth.items():
        at = end
        for _ in range(count):
            found = text.find(BRACKETS[opening], at)
            at = found + 1 if found >= 0 else at
        end = at
    return start, end


def _excerpt(text, year):
    """The clause naming `year` (a window of it when long), brackets balanced, with …
    where a sentence is cut: `…故申请2025年市民中心水电费预算项目。`, never
    `2024年）及市政府常务会议纪要。`."""
    text = text.strip()
    at = max(text.find(str(year)), 0)
    start, end = _bounds(text, at, CLAUSE_ENDS)
    if end - start > EXCERPT_LIMIT:
        start = max(start, at - EXCERPT_LIMIT // 4)
        end = min(end, start + EXCERPT_LIMIT)
    start, end = _balanced(text, start, end)
    excerpt = text[start:end].strip()
    if start > 0 and text[start - 1] not in SENTENCE_ENDS:
        excerpt = "…" + excerpt.lstrip("，,")
    if end < len(text) and text[end - 1] not in SENTENCE_ENDS:
        excerpt = excerpt.rstrip("，,") + "…"
    return excerpt


def _year_message(field, text, years, project_year):
    named = "、".join(f"{named}年" for named in years)
    return (
        f"{field}写的是{named}（“{_excerpt(text, years[-1])}”），本项目是{project_year}年度，"
        "请核对是否沿用了以前年度的内容。"
    )


@rule(
    "YEAR_MISMATCH",
    WARNING,
    "文字写的是以前年度",
    "项目名称、立项依据、目标说明和指标写明的年份早于项目年度（如2027年度的项目写着“2026年平台稳定运行”），"
    "多为复制上年项目后未更新；跨年度的期间（2025-2027年）按结束年份看，引用的文件名称和文号不计；"
    "立项依据可以讲述以前年度的情况，只看其中最晚的年份。",
    GUIDANCE_SHEET,
)
def year_mismatch(project):
    years = earlier_years(project.name, project.year)
    if years:
        yield None, None, None, _year_message("项目名称", project.name, years, project.year)
    years = outdated_rationale(project.rationale, project.year)
    if years:
        yield None, None, None, _year_message("立项依据", project.rationale, years, project.year)
    for goal in project.goals.all():
        years = earlier_years(goal.text, project.year)
        if years:
            yield goal, None, None, _year_message(f"“{goal.name}”的目标说明", goal.text, years, project.year)
    for goal, number, row in filled_rows(project):
        for field, text in (("三级指标", row.level3), ("指标值", row.value), ("指标值确定依据", row.basis)):
            years = earlier_years(text, project.year)
            if years:
                yield goal, number, row, _year_message(field, text, years, project.year)


# --------------------------------------------------------------------------
# Last year's self-evaluation (绩效自评)
# --------------------------------------------------------------------------

GUIDANCE_EVALUATION = "财预〔2020〕10号《项目支出绩效评价管理办法》：评价结果应用于预算安排和绩效目标设定"
POOR_GRADES = ("中", "差")


def _last_year(project):
    try:
        return project.last_year
    except AttributeError:
        attach_past([project])
        return project.last_year


@rule(
    "LAST_YEAR_NOT_MET",
    WARNING,
    "上年自评未达成的指标",
    "同名项目上年度绩效自评（已确认）中得分低于分值的指标：设定本年度指标值前，应分析未达成的原因，"
    "合理确定指标值并落实改进措施。",
    GUIDANCE_EVALUATION,
)
def last_year_not_met(project):
    past = _last_year(project)
    if past is None:
        return
    missed = [row for row in past.rows if row.missed]
    if not missed:
        return
    current = {}
    for goal in project.annual_goals:
        for _, number, row in goal_rows(goal):
            current.setdefault(_level3_key(row.level3), (goal, number, row))
    for old in missed:
        message = f"上年（{past.year}年）自评中“{old.level3}”{old.describe()}。"
        place = current.get(_level3_key(old.level3))
        if place:
            yield (*place, message + "请分析原因，合理设定本年度指标值。")
        else:
            yield None, None, None, message + "本年度未设置此指标，请核实是否需要继续考核。"


@rule(
    "LAST_YEAR_LOW_GRADE",
    WARNING,
    "上年自评等级为中或差",
    "同名项目上年度绩效自评（已确认）等级为“中”（60–80分）或“差”（60分以下）：应在本年度目标和预算中"
    "体现整改，必要时压减预算。",
    GUIDANCE_EVALUATION,
)
def last_year_low_grade(project):
    past = _last_year(project)
    if past is None or past.grade not in POOR_GRADES:
        return
    missed = sum(1 for row in past.rows if row.missed)
    yield (
        None,
        None,
        None,
        f"上年（{past.year}年）绩效自评总分{wan(past.total)}分，等级为“{past.grade}”，"
        f"{missed}项指标未达到分值。请在本年度目标中落实整改措施。",
    )


# --------------------------------------------------------------------------
# Running the rules
# --------------------------------------------------------------------------


def check_project(project):
    """All findings of one project (its tree prefetched), in table and row order."""
    order = {goal.pk: index for index, goal in enumerate(project.goals.all())}
    # The rules walk the rows many times: list them once for this run (and drop the
    # lists afterwards, so a later check of the same object sees later edits).
    listed = [
        (goal, number, row)
        for goal in project.goals.all()
        for number, row in enumerate(goal.indicators.all(), start=1)
    ]  # = list(rows(project)), without two generators per row
    project._check_filled_rows = [item for item in listed if not is_blank(item[2])]
    project._check_rows = listed
    try:
        findings = _run_rules(project, order)
    finally:
        del project._check_rows, project._check_filled_rows
    return Findings(finding for _, finding in sorted(findings, key=lambda pair: pair[0]))


def _run_rules(project, order):
    findings = []
    for rule_index, current in enumerate(RULES):
        for goal, number, row, message in current.check(project):
            finding = Finding(
                project_id=project.pk,
                project=project.name,
                year=project.year,
                department=project.department.name,
                table=goal.term if goal else None,
                goal=goal.name if goal else None,
                row=number,
                indicator=(row.level3 or None) if row else None,
                indicator_id=row.pk if row else None,
                rule=current.code,
                severity=current.severity,
                message=message,
                goal_id=goal.pk if goal else None,
            )
            place = (order.get(finding.goal_id, -1), finding.row or 0, rule_index)
            findings.append((place, finding))
    return findings


def check_projects(queryset, chunk_size=2000):
    """(project, findings) for every project of `queryset`, in its order.

    The projects are light read-only trees (`indicators.check_trees`: the fields
    the rules read, not model instances), loaded in chunks of `chunk_size` with
    three queries each; building model instances took most of the time.
    """
    for project in project_trees(queryset, chunk_size=chunk_size):
        yield project, check_project(project)


@dataclass(frozen=True)
class Counts:
    errors: int = 0
    warnings: int = 0

    @property
    def total(self):
        return self.errors + self.warnings


class Findings(list):
    """A project's findings; `counts` for templates (错误 n 项，提示 m 项)."""

    @property
    def counts(self):
        return count(self)

    @property
    def has_errors(self):
        return any(finding.severity == ERROR for finding in self)


def count(findings):
    """Counts(errors, warnings) of a list of findings."""
    findings = list(findings)
    return Counts(errors=len(errors(findings)), warnings=len(warnings(findings)))


def counts_by_project(queryset, chunk_size=2000):
    """{project id: Counts} for the reviewer's queue and the project list."""
    return {project.pk: count(findings) for project, findings in check_projects(queryset, chunk_size)}


def findings_by_indicator(findings):
    """{indicator id: [Finding]} so the editor can show each row's findings beside it."""
    grouped = defaultdict(list)
    for finding in findings:
        if finding.indicator_id is not None:
            grouped[finding.indicator_id].append(finding)
    return dict(grouped)


def project_findings(findings):
    """The findings about the project as a whole (its name, 立项依据, budget), for the
    editor's basic fields."""
    return [finding for finding in findings if finding.goal_id is None and finding.indicator_id is None]


def findings_by_goal(findings):
    """{goal id: [Finding]} of the table-level findings (no row), for the editor's goal headers."""
    grouped = defaultdict(list)
    for finding in findings:
        if finding.goal_id is not None and finding.row is None:
            grouped[finding.goal_id].append(finding)
    return dict(grouped)


def errors(findings):
    return [finding for finding in findings if finding.severity == ERROR]


def warnings(findings):
    return [finding for finding in findings if finding.severity == WARNING]
