"""Property-based tests (Hypothesis, issue 12): random input to the value parser, the text,
JSON and Excel readers and the editor form; only the project's own answers ever come out
(a parsed value, `ImportFormatError` with a place, the editor's list of errors), never
another exception. `make test` runs a bounded number of examples, `make fuzz` many more
(profiles in tests/conftest.py)."""

import io
import json
from decimal import Decimal

import pytest
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from indicators.models import Indicator
from indicators.values import COMPARATORS, ParsedValue, parse_value
from projects.documents.errors import ImportFormatError
from projects.documents.readers import read_projects
from projects.documents.validate import value_problem
from projects.forms import ProjectEditor
from projects.models import Project, Role

from .editor_support import editor_data, make_user, seed_sheet, unit

SHEET_LINES = seed_sheet("一窗受理工作项目").split("\n")

# Pieces the readers and the parser look for, mixed with anything at all.
WORDS = [
    "≥", "≤", "＞", "大于等于", "不超过", "以上", "以内", "之间", "-", "~", "至", "%", "‰", "万元", "元",
    "亿元",
    "人", "个", "天", "9999999999999999999", "0.0000001", "1e400", "1,000", "１２３", "NaN", "Infinity",
    "项目名称", "项目预算", "项目类型", "资金性质", "立项依据", "一级指标", "二级指标", "三级指标", "指标值",
    "目标名称", "年度绩效目标1", "长期绩效目标1", "2025年项目支出绩效目标批复", "☑", "☐", "\t", "\n", "\x00",
    "\x07", "\ud800", "（", "）", "：", "=", "=1+1",
]  # fmt: skip
pieces = st.one_of(st.sampled_from(WORDS), st.text(max_size=8))
texts = st.lists(pieces, max_size=12).map("".join)


# -- the value parser --------------------------------------------------------
numbers = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: format(d, "f")),
    st.integers(min_value=0, max_value=10**40).map(str),
    st.from_regex(r"\A[0-9]{1,25}(\.[0-9]{1,12})?\Z"),
)
values = st.one_of(texts, st.tuples(st.sampled_from(WORDS), numbers, st.sampled_from(WORDS)).map("".join))


@given(values)
def test_the_value_parser_always_answers_with_a_parsed_value(text):
    parsed = parse_value(text)
    assert isinstance(parsed, ParsedValue)
    assert parsed.comparator in (None, *COMPARATORS)
    assert parsed.number is None or parsed.number.is_finite()
    assert parsed.describe()
    # The validator says whether the number fits the database exactly: a message or None.
    problem = value_problem(text)
    if parsed.number is not None and problem is None:
        field = Indicator._meta.get_field("number")
        assert parsed.number == parsed.number.quantize(Decimal(1).scaleb(-field.decimal_places))
        assert abs(parsed.number) < Decimal(10) ** (field.max_digits - field.decimal_places)


# -- the readers -------------------------------------------------------------
def _read(filename, data):
    """What a reader may answer: a result, or our own refusal with a message."""
    try:
        return read_projects(filename, data)
    except ImportFormatError as exc:
        assert exc.message
        return None


edits = st.lists(
    st.tuples(
        st.integers(0, len(SHEET_LINES) - 1), st.integers(0, 6), st.one_of(texts, st.sampled_from(WORDS))
    ),
    min_size=1,
    max_size=6,
)


def _edited(edits):
    """The seed sheet with some cells replaced: deep into the reader, not refused at the title."""
    lines = [line.split("\t") for line in SHEET_LINES]
    for line, cell, text in edits:
        cells = lines[line]
        cells.extend([""] * (cell + 1 - len(cells)))
        cells[cell] = text
    return "\n".join("\t".join(cells) for cells in lines)


@given(st.one_of(edits.map(_edited), texts), st.sampled_from(["utf-8", "gb18030"]))
def test_the_text_reader_answers_only_with_projects_or_its_refusal(text, encoding):
    data = text.encode(encoding, errors="surrogatepass" if encoding == "utf-8" else "replace")
    _read("批复表.txt", data)


def _backup(project):
    return json.dumps({"format": "perfgoals/1", "projects": [project]}, ensure_ascii=False)


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        texts,
        st.sampled_from(["1e15", "1e400", "-1", "NaN"]),
    ),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(texts, children, max_size=4)),
    max_leaves=12,
)
PROJECT_KEYS = [
    "year",
    "name",
    "budget",
    "project_type",
    "funding",
    "rationale",
    "goals",
    "department",
    "status",
]
GOAL = {"term": "annual", "name": "年度绩效目标1", "text": "", "indicators": []}
ROW = {"level1": "产出指标", "level2": "数量指标", "level3": "人数", "value": "等于35人", "basis": "其他标准"}


@given(
    st.dictionaries(st.sampled_from(PROJECT_KEYS), json_values, max_size=4),
    st.dictionaries(st.sampled_from([*ROW, "number", "comparator"]), json_values, max_size=3),
    st.one_of(st.none(), json_values),
)
def test_the_json_reader_answers_only_with_projects_or_its_refusal(changes, row_changes, whole):
    project = {"year": 2025, "name": "项目", "budget": "1", "project_type": "recurring", "goals": []}
    project = {**project, **changes}
    if "goals" not in changes:
        project["goals"] = [{**GOAL, "indicators": [{**ROW, **row_changes}]}]
    text = _backup(project) if whole is None else json.dumps(whole)
    _read("备份.json", text.encode("utf-8", errors="surrogatepass"))


cell_values = st.one_of(
    # openpyxl writes no control characters nor lone surrogates (Excel has none either)
    texts.map(
        lambda text: "".join(
            ch for ch in text if (ch >= " " or ch in "\t\n") and not "\ud800" <= ch <= "\udfff"
        )
    ),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.sampled_from(["项目名称", "项目预算", "一级指标", "二级指标", "三级指标", "指标值", "=SUM(A1:A2)"]),
)


@given(st.dictionaries(st.tuples(st.integers(1, 12), st.integers(1, 7)), cell_values, max_size=25))
def test_the_excel_reader_answers_only_with_projects_or_its_refusal(cells):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for (row, col), value in cells.items():
        sheet.cell(row=row, column=col, value=value)
    out = io.BytesIO()
    workbook.save(out)
    _read("表格.xlsx", out.getvalue())


# -- the editor form ---------------------------------------------------------
@pytest.fixture
def filler(db):
    department = unit("鄂州市数据局")
    return make_user("filler", department, Role.FILLER), department


budgets = st.one_of(
    numbers, texts, st.sampled_from(["1e400", "-1", "NaN", "Infinity", "12345678901234567890"])
)
field_texts = st.one_of(texts, st.sampled_from(["", " ", "长" * 201, "依" * 51]))


@given(
    st.fixed_dictionaries(
        {
            "name": field_texts,
            "budget": budgets,
            "rationale": field_texts,
            "year": st.one_of(st.integers(1900, 2200).map(str), texts),
            "rows": st.lists(
                st.tuples(field_texts, field_texts, field_texts, values, field_texts), max_size=3
            ),
            "goal_text": field_texts,
        }
    )
)
def test_the_editor_answers_only_with_a_saved_project_or_its_errors(filler, typed):
    user, department = filler
    name, rows = typed["name"], typed["rows"]
    data = editor_data(
        department=department,
        name=name,
        budget=typed["budget"],
        rationale=typed["rationale"],
        goals=[{"term": "annual", "text": typed["goal_text"], "rows": rows}],
    )
    data["year"] = typed["year"]
    post = QueryDict(mutable=True)
    for key, value in data.items():
        post.setlist(key, list(value) if isinstance(value, (list, tuple)) else [value])
    editor = ProjectEditor(user, None, data=post)
    if not editor.is_valid():
        assert editor.errors and all(isinstance(error, str) and error for error in editor.errors)
        return
    saved = editor.save()
    if saved is None:
        assert editor.errors
        return
    stored = Project.objects.with_tree().prefetch_related("goals__indicators").get(pk=saved.pk)
    # Stored exactly as typed (after the form's strip): nothing cut short, no number rounded away.
    assert stored.name == name.strip()
    typed = [row for row in rows if any(text.strip() for text in row)]  # empty rows are left out
    rows_stored = [row for goal in stored.goals.all() for row in goal.indicators.all()]
    for row, (_l1, _l2, _l3, value, _basis) in zip(rows_stored, typed, strict=True):
        assert row.number == parse_value(row.value).number
        assert row.value == value.strip()
    stored.delete()
