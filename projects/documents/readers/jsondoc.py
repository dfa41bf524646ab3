"""Read the canonical JSON (`perfgoals/1`, see `projects.documents.data`) back,
validating every field and saying where a problem is (`projects[0].goals[1].name`)."""

import json
import re
from decimal import Decimal, InvalidOperation

from django.utils.dateparse import parse_datetime

from indicators.values import parse_value

from ...models import ApprovalSnapshot, Funding, Goal, ProjectType, Status, Transition, funding_in_order
from ..data import FORMAT, INDICATOR_TEXT_FIELDS
from ..errors import ImportFormatError
from ..limits import MAX_JSON_DEPTH
from ..validate import FIELD_LIMITS
from ..validate import max_length as max_length_of


class DocumentError(ImportFormatError):
    """A JSON document that is not a valid perfgoals/1 file; says where."""


def _text(data, key, path, required=True, max_length=None):
    value = data.get(key, None if required else "")
    if value is None and not required:
        value = ""
    if not isinstance(value, str):
        raise DocumentError(f"{path}.{key}", "应为文本。")
    value = value.strip()
    if required and not value:
        raise DocumentError(f"{path}.{key}", "不能为空。")
    if max_length and len(value) > max_length:
        raise DocumentError(f"{path}.{key}", f"超过{max_length}个字符。")
    return value


def _decimal(value):
    try:
        return Decimal(str(value)) if isinstance(value, (str, int)) else None
    except InvalidOperation:
        return None


def _choice(value, choices, path):
    if value not in choices.values:
        allowed = "、".join(f"{c.value}（{c.label}）" for c in choices)
        raise DocumentError(path, f"“{value}”不是有效选项，应为：{allowed}。")
    return value


def _parse_indicator(data, path):
    if not isinstance(data, dict):
        raise DocumentError(path, "应为对象。")
    row = {
        key: _text(data, key, path, required=False, max_length=FIELD_LIMITS[key])
        for key in INDICATOR_TEXT_FIELDS
    }
    parsed = parse_value(row["value"])
    number = data.get("number")
    if number is not None and (parsed.number is None or _decimal(number) != parsed.number):
        raise DocumentError(f"{path}.number", f"与指标值“{row['value']}”不一致。")
    return row


def _parse_goal(data, path):
    if not isinstance(data, dict):
        raise DocumentError(path, "应为对象。")
    term = _choice(data.get("term"), Goal.Term, f"{path}.term")
    indicators = data.get("indicators", [])
    if not isinstance(indicators, list):
        raise DocumentError(f"{path}.indicators", "应为列表。")
    return {
        "term": term,
        "name": _text(data, "name", path, max_length=FIELD_LIMITS["goal_name"]),
        "text": _text(data, "text", path, required=False),
        "indicators": [_parse_indicator(row, f"{path}.indicators[{i}]") for i, row in enumerate(indicators)],
    }


def _parse_project(data, path):
    if not isinstance(data, dict):
        raise DocumentError(path, "应为对象。")
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise DocumentError(f"{path}.year", "应为2000至2100之间的年份。")
    budget = _decimal(data.get("budget"))
    if budget is None or not budget.is_finite() or budget < 0:
        raise DocumentError(f"{path}.budget", "应为非负数（万元）。")
    funding = data.get("funding", [])
    if not isinstance(funding, list):
        raise DocumentError(f"{path}.funding", "应为列表。")
    for i, code in enumerate(funding):
        _choice(code, Funding, f"{path}.funding[{i}]")
    goals = data.get("goals", [])
    if not isinstance(goals, list):
        raise DocumentError(f"{path}.goals", "应为列表。")
    project = {
        "year": year,
        "department": _text(data, "department", path, required=False, max_length=FIELD_LIMITS["department"]),
        "name": _text(data, "name", path, max_length=FIELD_LIMITS["name"]),
        "budget": budget,
        "project_type": _choice(data.get("project_type"), ProjectType, f"{path}.project_type"),
        "funding": funding_in_order(funding),
        "rationale": _text(data, "rationale", path, required=False),
        "goals": [_parse_goal(goal, f"{path}.goals[{i}]") for i, goal in enumerate(goals)],
    }
    if "status" in data:
        project["status"] = _choice(data["status"], Status, f"{path}.status")
    if "transitions" in data:
        project["transitions"] = [
            _parse_transition(t, f"{path}.transitions[{i}]")
            for i, t in enumerate(_list(data, "transitions", path))
        ]
    if "approvals" in data:
        project["approvals"] = [
            _parse_approval(a, f"{path}.approvals[{i}]") for i, a in enumerate(_list(data, "approvals", path))
        ]
    return project


def _list(data, key, path):
    value = data.get(key)
    if not isinstance(value, list):
        raise DocumentError(f"{path}.{key}", "应为列表。")
    return value


def _moment(data, key, path):
    value = data.get(key)
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None or moment.tzinfo is None:
        raise DocumentError(f"{path}.{key}", "应为带时区的ISO时间，如“2025-03-01T09:30:00+08:00”。")
    return moment


def _version(data, path):
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise DocumentError(f"{path}.version", "应为正整数。")
    return version


def _username(data, key, path):
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise DocumentError(f"{path}.{key}", "应为用户名或null。")
    return value


def _parse_transition(data, path):
    if not isinstance(data, dict):
        raise DocumentError(path, "应为对象。")
    return {
        "action": _choice(data.get("action"), Transition.Action, f"{path}.action"),
        "from_status": _choice(data.get("from_status"), Status, f"{path}.from_status"),
        "to_status": _choice(data.get("to_status"), Status, f"{path}.to_status"),
        "user": _username(data, "user", path),
        "comment": _text(data, "comment", path, required=False),
        "body": _text(data, "body", path, required=False, max_length=max_length_of(Transition, "body")),
        "version": _version(data, path),
        "at": _moment(data, "at", path),
    }


def _parse_approval(data, path):
    if not isinstance(data, dict):
        raise DocumentError(path, "应为对象。")
    if not isinstance(data.get("data"), dict):
        raise DocumentError(f"{path}.data", "应为批复时的项目内容（对象）。")
    return {
        "version": _version(data, path),
        "approved_by": _username(data, "approved_by", path),
        "approved_by_name": _text(
            data,
            "approved_by_name",
            path,
            required=False,
            max_length=max_length_of(ApprovalSnapshot, "approved_by_name"),
        ),
        "approved_at": _moment(data, "approved_at", path),
        "comment": _text(data, "comment", path, required=False),
        "steps": _steps(data, path),
        "data": data["data"],
    }


STEP_FIELDS = ("action", "label", "body", "user", "at", "comment")


def _steps(data, path):
    """The review steps an approval snapshot recorded (texts only; absent in older backups)."""
    steps = data.get("steps", [])
    if not isinstance(steps, list):
        raise DocumentError(f"{path}.steps", "应为列表。")
    for i, step in enumerate(steps):
        if not isinstance(step, dict) or not all(isinstance(step.get(key, ""), str) for key in STEP_FIELDS):
            raise DocumentError(f"{path}.steps[{i}]", "应为含文本字段的对象。")
    return [{key: step.get(key, "") for key in STEP_FIELDS} for step in steps]


# Strings (skipped whole) and the brackets that open or close a level.
JSON_TOKEN_RE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def check_depth(text):
    """Refuse nesting deeper than `limits.MAX_JSON_DEPTH` before parsing (no RecursionError)."""
    depth = 0
    for match in JSON_TOKEN_RE.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                raise DocumentError(
                    f"第{line}行", f"JSON嵌套超过{MAX_JSON_DEPTH}层，不是本系统导出的文件，拒绝导入。"
                )
        elif token in "]}":
            depth -= 1


def parse_document(text):
    """Validate a perfgoals/1 document; return its projects as plain dicts."""
    check_depth(text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"第{exc.lineno}行第{exc.colno}列", f"不是有效的JSON（{exc.msg}）。") from None
    except ValueError:  # an integer of more than 4300 digits (Python's limit)
        raise DocumentError("", "不是有效的JSON（含有位数过多的数字）。") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DocumentError("format", f"不是本系统导出的文件（应为“{FORMAT}”格式）。")
    projects = data.get("projects")
    if not isinstance(projects, list):
        raise DocumentError("projects", "应为列表。")
    return [_parse_project(p, f"projects[{i}]") for i, p in enumerate(projects)]
