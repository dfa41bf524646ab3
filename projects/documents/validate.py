"""One validator of project data, with its limits taken from the models.

Every reader's output (text, paste, Word, Excel, JSON) and the import path go
through `validate_projects` before anything is stored: lengths come from each
field's `max_length`, choices from the model's choices, numbers from the
decimal fields' `max_digits` / `decimal_places` (the budget, and the number a
指标值 is read as). It reports every problem with its place, never cuts a text
short and never rounds a number away (`≥0.0000001%` would be stored as 0). A
project that one file holds twice is refused, naming both places, for every
reader alike (`duplicate_problems`).

The editor's forms use the same checks (`text_problem`, `number_problem`) and
limits (`FIELD_LIMITS`), so that no number is restated in two places.
"""

import re
from decimal import Decimal

from indicators.models import Indicator
from indicators.values import parse_value

from ..models import Department, Funding, Goal, Project, ProjectType
from .errors import ImportFormatError


def max_length(model, name):
    """The `max_length` of a model's text field."""
    return model._meta.get_field(name).max_length


# The text fields of project data and the longest text each may hold.
FIELD_LIMITS = {
    "department": max_length(Department, "name"),
    "name": max_length(Project, "name"),
    "goal_name": max_length(Goal, "name"),
    **{key: max_length(Indicator, key) for key in ("level1", "level2", "level3", "value", "basis")},
}
LABELS = {
    "department": "预算单位",
    "name": "项目名称",
    "budget": "项目预算",
    "project_type": "项目类型",
    "funding": "资金性质",
    "rationale": "立项依据",
    "goal_name": "目标名称",
    "text": "目标说明",
    "level1": "一级指标",
    "level2": "二级指标",
    "level3": "三级指标",
    "value": "指标值",
    "basis": "指标值确定依据",
}
ROW_KEYS = ("level1", "level2", "level3", "value", "basis")

# C0/C1 control characters other than TAB, LF and CR, and lone surrogates: no
# database stores NUL in a text column, and the others are invisible on a page.
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class InvalidData(ImportFormatError):
    """Project data that cannot be stored; `problems` lists every one as "place：message"."""

    def __init__(self, problems):
        self.problems = problems
        more = f"（共{len(problems)}处问题）" if len(problems) > 1 else ""
        super().__init__("", "\n".join(problems) + more)


def control_problem(text, label):
    """A message when `text` holds a control character, with its line and position."""
    found = CONTROL_RE.search(text or "")
    if found is None:
        return None
    before = text[: found.start()]
    line = before.count("\n") + 1
    column = found.start() - (before.rfind("\n") + 1) + 1
    where = f"第{line}行第{column}个字符" if "\n" in text else f"第{column}个字符"
    return f"{label}含有不可见的控制字符（{where}，U+{ord(found.group()):04X}），请删除后再试。"


def text_problem(text, label, limit=None):
    """A message when `text` holds a control character or is longer than `limit`, else None."""
    problem = control_problem(text, label)
    if problem is None and limit is not None and len(text) > limit:
        problem = f"{label}有{len(text)}个字，超过上限{limit}个字，请缩短。"
    return problem


def digits(number):
    """(digits before the decimal point, digits after it) of a finite Decimal, trailing zeros ignored."""
    _sign, figures, exponent = number.normalize().as_tuple()
    if not any(figures):
        return 0, 0
    return max(len(figures) + exponent, 0), max(-exponent, 0)


def number_problem(number, model, name, label, text=None):
    """A message when `number` does not fit the model's decimal field exactly, else None."""
    if number is None:
        return None
    field = model._meta.get_field(name)
    shown = f"“{text}”" if text is not None else ""
    if not isinstance(number, Decimal) or not number.is_finite():
        return f"{label}{shown}不是有效的数字。"
    whole, places = digits(number)
    if whole > field.max_digits - field.decimal_places:
        return f"{label}{shown}的数值过大（整数部分最多{field.max_digits - field.decimal_places}位）。"
    if places > field.decimal_places:
        return f"{label}{shown}的小数位数过多（最多{field.decimal_places}位，不能四舍五入保存），请改写。"
    return None


def value_problem(value):
    """A message when the number a 指标值 is read as cannot be stored exactly, else None."""
    return number_problem(parse_value(value).number, Indicator, "number", "指标值", text=value)


def _choice_problem(value, choices, label):
    if value not in choices.values:
        return f"{label}“{value}”不在规定范围内（{'、'.join(choices.labels)}）。"
    return None


def project_problems(data):
    """[(field path, message)] of one project dict (perfgoals/1 shape)."""
    problems = []

    def text(path, key, value, limit_key=None):
        if not isinstance(value, str):
            problems.append((path, f"{LABELS[key]}应为文本。"))
            return
        problem = text_problem(value, LABELS[key], FIELD_LIMITS.get(limit_key or key))
        if problem:
            problems.append((path, problem))

    if "department" in data:
        text("", "department", data["department"] or "")
    text("", "name", data.get("name", ""))
    if not str(data.get("name", "")).strip():
        problems.append(("", "项目名称不能为空。"))
    budget = data.get("budget")
    if isinstance(budget, int) and not isinstance(budget, bool):
        budget = Decimal(budget)
    if not isinstance(budget, Decimal):
        problems.append(("", "项目预算应为数字（万元）。"))
    else:
        problem = number_problem(budget, Project, "budget", "项目预算", text=_plain(budget))
        if problem is None and budget < 0:
            problem = "项目预算不能为负数。"
        if problem:
            problems.append(("", problem))
    problem = _choice_problem(data.get("project_type"), ProjectType, "项目类型")
    if problem:
        problems.append(("", problem))
    for code in data.get("funding", []):
        problem = _choice_problem(code, Funding, "资金性质")
        if problem:
            problems.append(("", problem))
    text("", "rationale", data.get("rationale", ""))
    for goal in data.get("goals", []):
        name = goal.get("name", "")
        text(name, "goal_name", name)
        problem = _choice_problem(goal.get("term"), Goal.Term, "目标类别")
        if problem:
            problems.append((name, problem))
        text(name, "text", goal.get("text", ""))
        for number, row in enumerate(goal.get("indicators", []), start=1):
            place = f"{name}第{number}行"
            for key in ROW_KEYS:
                text(place, key, row.get(key, ""))
            problem = value_problem(row.get("value", "")) if isinstance(row.get("value"), str) else None
            if problem:
                problems.append((place, problem))
    return problems


def _plain(number):
    """A number as written: digits when short, else its exponent form (1E+400)."""
    return format(number, "f") if number.is_finite() and -20 < number.adjusted() < 30 else str(number)


def _shown_name(data):
    return CONTROL_RE.sub("", str(data.get("name", "")))[:40]  # as shown in a message only


def duplicate_problems(projects, places=None):
    """Messages for a project (year + unit + name) that the data holds twice, naming both places.

    A file imports each project once: a second copy would silently overwrite the
    first (or, after a preview, be refused as created by someone else). A project
    without a unit takes the one the import is given, so it matches any unit.
    `places` (a reader's `ParseResult.places`) says where each project starts.
    """
    problems, seen = [], {}
    for index, data in enumerate(projects):
        place = places[index] if places and index < len(places) else f"第{index + 1}个项目"
        unit = data.get("department") or ""
        earlier = seen.setdefault((str(data.get("year")), str(data.get("name"))), [])
        match = next((p for u, p in earlier if not unit or not u or u == unit), None)
        if match is not None:
            problems.append(
                f"项目“{_shown_name(data)}”（{data.get('year')}年）出现了两次：{match}和{place}；"
                "同一年度、同一单位、同名的项目在一次导入中只能有一份，请删去其中一份或改正项目名称后再导入。"
            )
        earlier.append((unit, place))
    return problems


def validate_projects(projects, source="", places=None):
    """Refuse project data that cannot be stored as it is, listing every problem with its place.

    `source` names the file (or 粘贴的文本); each problem names the project, the
    goal and the row (`年度绩效目标1第3行`) where the reader gave no finer place.
    A project held twice is named with both `places` (`duplicate_problems`).
    """
    problems = []
    prefix = f"{source}：" if source else ""
    for data in projects:
        name = _shown_name(data)
        for path, message in project_problems(data):
            problems.append(
                f"{prefix}项目“{name}”{path}：{message}" if path else f"{prefix}项目“{name}”：{message}"
            )
    problems += [prefix + message for message in duplicate_problems(projects, places)]
    if problems:
        raise InvalidData(problems)
    return projects
