"""Recognize performance-target tables of the layouts units publish, in a grid of cells.

The official approval sheet of our seed has its own reader (`readers.text`,
reached through `readers.official` for Word and Excel); this module reads the
other shapes the same content takes across China (issue 11, DESIGN §2 "Real
documents vary"):

- titles `…项目支出绩效目标批复(表)`, `…绩效目标表`, `…绩效目标申报表`, `…审批表`, with or
  without a year, `（YYYY年度）` on a line of its own;
- header rows read by their labels wherever they stand in the row: 项目名称 /
  项目支出名称 / 专项名称, 预算单位 / 实施单位 / 填报单位 (the unit), 资金总额 /
  年度资金总额 / 项目预算 (the budget; 元 converted to 万元), 项目类型 / 项目属性,
  资金性质, 立项依据, and 总体目标 / 年度目标 / 长期目标 as blocks of text (they
  become 年度绩效目标1 / 长期绩效目标1); labels the project data has no place for
  (主管部门, 项目期, 财政拨款 …) are reported, never dropped silently;
- indicator tables found by their header row (一级指标, 二级指标, 三级指标 or
  指标内容, a value column), with or without 目标名称 and 指标值确定依据, with
  指标性质 + 指标值 + 度量单位 joined into one 指标值, extra columns (权重, 分值,
  指标方向性, 备注 …) reported, long-term and annual groups side by side, an
  annual and a long-term value column over the same rows (年度指标值 | 中长期指标值:
  one indicator of each term per row), merged level 1 / level 2 cells filled
  down, and blank placeholder rows skipped;
- the official layout's goal list (项目绩效总目标, `名称 | 目标说明`, one row per
  `长期绩效目标1`) under any title and above tables with or without 目标名称;
- sign-off lines under a table (填报人, 联系电话, 填报日期, （盖章）…) end it and
  are reported as skipped.

Every repair, skip and unplaced text is named with its place (line, cell) in
the returned `ParseResult`.
"""

import re
from decimal import Decimal, InvalidOperation

from ...models import Goal, ProjectType, funding_in_order
from .. import layout
from ..errors import ImportFormatError
from ..validate import FIELD_LIMITS
from .findings import Finding
from .text import (
    FUNDING_BY_LABEL,
    PROJECT_TYPE_BY_LABEL,
    TITLE_UNIT_SOURCE,
    ParseResult,
    checkbox_options,
    footer_skip,
    one_line_basis,
    plain_options,
    title_unit,
    title_unit_message,
)

GOAL_NAME_RE = re.compile(r"^(长期|年度)绩效目标\s*(\d+)$")
YEAR_RE = re.compile(r"(\d{4})\s*年")
YEAR_LINE_RE = re.compile(r"^[（(]?\s*(\d{4})\s*年度?\s*[)）]?$")
TITLE_END_RE = re.compile(r"(批复表?|目标表|申报表|审批表)(?:[（(]\s*\d{4}\s*年度?\s*[)）])?$")
TERM_CAPTIONS = {
    "长期绩效目标表": Goal.Term.LONG,
    "长期绩效指标": Goal.Term.LONG,
    "中长期绩效指标": Goal.Term.LONG,
    "年度绩效目标表": Goal.Term.ANNUAL,
    "年度绩效指标": Goal.Term.ANNUAL,
    "本年度绩效指标": Goal.Term.ANNUAL,
}
# The official layout's list of goals: its caption and its header row (normalised).
GOAL_LIST_CAPTIONS = (layout.OVERALL_TITLE, "绩效总目标")
GOAL_LIST_HEADERS = (list(layout.OVERALL_HEADER), ["目标名称", "目标说明"])
AMOUNT_RE = re.compile(r"^(?:金额|计量)?单位[:：]\s*(万元|元|亿元)$")
INLINE_RE = re.compile(r"^(?P<label>[^:：]{2,16})[:：]\s*(?P<value>.*)$", re.S)
MONEY_RE = re.compile(r"^(?P<number>\d[\d,，]*(?:\.\d+)?)\s*(?P<unit>亿元|亿|万元|万|元)?$")
SCORE_RE = re.compile(
    r"^(?P<name>.+?指标)\s*(?:[(（]\s*\d+(?:\s*[-－~～—]\s*\d+)?\s*分?\s*[)）]\s*分?|\d+(?:\s*[-－~～—]\s*\d+)?\s*分)$"
)
CODE_PREFIX_RE = re.compile(r"^(?:\[\s*\d+\s*\]|【\s*\d+\s*】|\d{3,}\s*[-－—]\s*)")
FACTOR = {
    "亿元": Decimal(10000),
    "亿": Decimal(10000),
    "万元": Decimal(1),
    "万": Decimal(1),
    "元": Decimal("0.0001"),
}
MAX_BUDGET = Decimal(10) ** 12  # 项目预算（万元）: max_digits 18, decimal_places 6
BUDGET_STEP = Decimal("0.000001")
COMPARATOR_WORDS = {
    "≥": "≥",
    ">=": "≥",
    "大于等于": "≥",
    "≤": "≤",
    "<=": "≤",
    "小于等于": "≤",
    "＝": "＝",
    "=": "＝",
    "等于": "＝",
    "＞": "＞",
    ">": "＞",
    "大于": "＞",
    "＜": "＜",
    "<": "＜",
    "小于": "＜",
}
QUALITATIVE_WORDS = ("定性",)

# Header labels of the basic part, by what they fill. Keys are normalised (no
# blanks, no colon, no bracketed note, no leading 其中).
NAME_LABELS = ("项目名称", "项目支出名称", "专项名称", "项目名")
BUDGET_LABELS = {  # lower is preferred
    "年度资金总额": 1,
    "资金总额": 2,
    "项目资金总额": 2,
    "当年年度预算": 3,
    "本年度申请市财政预算资金": 3,
    "年度预算": 3,
    "项目预算": 4,
    "预算金额": 4,
    "项目总预算": 5,
    "下达中央预算内投资": 6,
    "总额": 7,
}
UNIT_LABELS = {  # lower is preferred
    "预算单位": 1,
    "实施单位": 2,
    "项目实施单位": 2,
    "项目执行单位": 2,
    "项目单位": 3,
    "填报单位": 3,
    "单位名称": 4,
    "编制单位": 4,
    "单位": 5,
}
RATIONALE_LABELS = ("立项依据", "项目立项依据", "项目立项的依据", "项目审批")
ANNUAL_GOAL_LABELS = (
    "年度目标",
    "年度绩效目标",
    "年度总体目标",
    "当年绩效目标",
    "年度主要目标和成果",
    "本年度目标",
    "年初设定目标",
)
LONG_GOAL_LABELS = (
    "长期目标",
    "长期绩效目标",
    "中期目标",
    "中长期目标",
    "中期滚动目标",
    "实施周期总目标",
    "项目期目标",
    "总目标",
)
GENERIC_GOAL_LABELS = ("总体目标", "项目绩效目标", "绩效目标", "项目绩效目标描述", "年度总体目标描述")
GROUP_LABELS = ("项目资金", "资金情况", "项目资金申请", "项目资金情况", "年度资金总额及构成", "项目立项情况")
TYPE_LABELS = ("项目类型", "项目属性")
FUNDING_LABELS = ("资金性质",)
# Labels recognised but without a place in the project data: reported.
UNPLACED_LABELS = (
    "主管部门",
    "主管部门及代码",
    "主管部门编码",
    "主管部门及编码",
    "业务主管部门",
    "项目主管部门",
    "一级主管部门名称",
    "项目来源",
    "项目期",
    "实施期",
    "项目实施期",
    "项目起止时间",
    "起止时间",
    "建设周期",
    "项目负责人",
    "项目负责人及电话",
    "项目责任人",
    "联系电话",
    "项目分类",
    "项目类别",
    "项目性质",
    "项目概况",
    "项目总体概况",
    "单位职能概述",
    "项目申报的可行性",
    "项目申报的必要性",
    "项目实施进度计划",
    "下达地方或单位",
    "功能科目编码",
    "功能科目名称",
    "财政拨款",
    "当年财政拨款",
    "本年财政拨款",
    "财政资金",
    "其他资金",
    "其它资金",
    "上年结转",
    "上年结转资金",
    "自有资金",
    "中期市财政预算",
    "财政资金预算分类",
    "财政资金科目代码",
    "年度预算执行率",
    "分值",
)
PROJECT_ATTRIBUTE = {
    "延续项目": ProjectType.CONTINUING,
    "延续性项目": ProjectType.CONTINUING,
    "常年性项目": ProjectType.RECURRING,
    "一次性项目": ProjectType.ONE_OFF,
}

# Indicator table header cells, normalised.
LEVEL3_HEADERS = ("三级指标", "指标内容", "指标名称", "具体指标", "三级指标名称")
COMPARATOR_HEADERS = ("指标性质", "比较符", "运算符号", "计算符号")
UNIT_HEADERS = ("度量单位", "计量单位", "单位")
EXTRA_HEADERS = (
    "权重",
    "分值",
    "指标方向性",
    "指标方向",
    "备注",
    "指标解释",
    "指标属性",
    "评分标准",
    "计分标准",
    "指标说明",
)


def fit(text, limit, where, what):
    """`text` if it fits the model's field, else a refusal naming the place (never a silent cut)."""
    if len(text) > limit:
        raise ImportFormatError(
            where, f"{what}“{quote(text, 30)}”有{len(text)}个字符，超过上限{limit}，请缩短后再导入。"
        )
    return text


def quote(text, limit=80):
    """A text as quoted in the report, shortened with … past `limit` characters."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit] + "…"


def norm(text):
    """A label as compared: no blanks or line breaks, half-width brackets, no trailing colon."""
    text = re.sub(r"\s+", "", text or "").replace("（", "(").replace("）", ")").replace("：", ":")
    return text.rstrip(":")


def bare(text):
    """`norm` without bracketed notes and a leading 其中: `项目资金(万元)` -> `项目资金`."""
    text = re.sub(r"\([^()]*\)", "", norm(text))
    text = re.sub(r"^其中:?", "", text)
    return text.rstrip(":")


def bracket_unit(text):
    """`项目资金（万元）` -> `万元`; `金额单位：元` -> `元`."""
    match = re.search(r"[(（]\s*(万元|元|亿元)\s*[)）]", text or "")
    return match[1] if match else None


def one_line(text):
    """Short fields (levels, values) written over several lines in a cell, joined."""
    return "".join((text or "").split("\n")).strip()


def is_title(text):
    text = norm(text)
    if len(text) > 120 or "绩效目标" not in text or text in TERM_CAPTIONS:
        return False
    return bool(TITLE_END_RE.search(text))


def label_kind(text):
    """What a header label fills, or None if the text is not a known label."""
    key = bare(text)
    if not key:
        return None
    if key in NAME_LABELS:
        return "name"
    if key in BUDGET_LABELS:
        return "budget"
    if key in UNIT_LABELS:
        return "unit"
    if key in RATIONALE_LABELS:
        return "rationale"
    if key in TYPE_LABELS:
        return "type"
    if key in FUNDING_LABELS:
        return "funding"
    if key in ANNUAL_GOAL_LABELS:
        return "annual"
    if key in LONG_GOAL_LABELS:
        return "long"
    if key in GENERIC_GOAL_LABELS:
        return "goal"
    if key in GROUP_LABELS or (key.startswith("项目资金") and len(key) <= 12):
        return "group"
    if key in UNPLACED_LABELS:
        return "other"
    return None


def ticked_options(text):
    """(ticked labels, seen labels) of checkbox text, marks before or after their labels
    (`text.checkbox_options`); None when the marks stand on no one side."""
    options = checkbox_options(text)
    if options is None:
        return None
    return [label for label, ticked in options if ticked], [label for label, _ in options]


def header_role(text):
    """Role of an indicator-table header cell."""
    key = norm(text)
    if key == "目标名称":
        return "goal"
    if key.startswith("一级指标"):
        return "level1"
    if key.startswith("二级指标"):
        return "level2"
    if key in LEVEL3_HEADERS:
        return "level3"
    if key in COMPARATOR_HEADERS:
        return "comparator"
    if key in UNIT_HEADERS:
        return "unit"
    if "确定依据" in key or "设定依据" in key:
        return "basis"
    if ("指标值" in key or key.endswith("目标值")) and "实际" not in key:
        return "value"
    if bare(key) in EXTRA_HEADERS:
        return "extra"
    if "绩效指标" in key or "绩效目标" in key:
        return "caption"
    return "extra"


def term_of_header(text):
    key = norm(text)
    if any(word in key for word in ("中长期", "长期", "实施周期", "实施期", "中期", "项目期")):
        return Goal.Term.LONG
    if any(word in key for word in ("年度", "当年", "本年", "全年")):
        return Goal.Term.ANNUAL
    return None


def is_indicator_header(row):
    roles = [header_role(cell.text) for cell in row.cells if cell.text]
    keys = [norm(cell.text) for cell in row.cells if cell.text]
    return (
        any(k.startswith("一级指标") for k in keys)
        and any(k.startswith("二级指标") for k in keys)
        and "level3" in roles
        and "value" in roles
    )


def join_value(comparator, value, unit):
    """指标性质 + 指标值 + 度量单位 -> one 指标值 that `parse_value` reads (`≥98%`)."""
    comparator, value, unit = one_line(comparator), one_line(value), one_line(unit)
    if not comparator and not unit:
        return value
    symbol = "" if comparator in QUALITATIVE_WORDS else COMPARATOR_WORDS.get(comparator, comparator)
    if symbol and value.startswith(tuple(COMPARATOR_WORDS)):
        symbol = ""
    if unit and value.endswith(unit):
        unit = ""
    return f"{symbol}{value}{unit}"


class _Table:
    """An indicator table being read: its columns and the filled-down merged cells."""

    def __init__(self, header, term):
        self.where = header.where
        self.columns = {}  # col -> (role, group index, header text)
        self.groups = []
        self.caption_term = term
        for col, cell in enumerate(header.cells):
            if not cell.text:
                continue
            role = header_role(cell.text)
            starts_group = role == "level2" or (
                role in ("level3", "value", "comparator", "unit", "basis") and not self.groups
            )
            if starts_group:
                self.groups.append({"term": None})
            group = max(len(self.groups) - 1, 0)
            if role == "caption" and self.caption_term is None:
                self.caption_term = term_of_header(cell.text)
            if role == "value":
                group = self.value_group(group, cell.text)
            self.columns[col] = (role, group, one_line(cell.text))
        self.level1 = ""
        self.level2 = [""] * len(self.groups)
        self.goal = ""
        self.joined = any(role in ("comparator", "unit") for role, _, _ in self.columns.values())

    def value_group(self, group, header):
        """The group of a value column. A second value column in a group (年度指标值 |
        中长期指标值) gives the same rows for another term: it opens a twin group, which
        shares the group's other columns (`twins`)."""
        if "header" in self.groups[group]:
            root = self.groups[group].get("twin", group)
            self.groups.append({"term": None, "twin": root})
            group = len(self.groups) - 1
        self.groups[group].update(term=term_of_header(header), header=one_line(header))
        return group

    def twins(self):
        """{group: [its twin groups]} of the groups that have twins."""
        families = {}
        for index, group in enumerate(self.groups):
            if "twin" in group:
                families.setdefault(group["twin"], []).append(index)
        return families

    def terms(self):
        """The term of each group: its value header, the caption, else by position
        (of two groups, one unnamed takes the term the other does not have)."""
        terms = [group["term"] for group in self.groups]
        named = set(terms) - {None}
        if len(terms) == 1 and terms[0] is None:
            terms[0] = self.caption_term or Goal.Term.ANNUAL
        elif len(terms) == 2 and len(named) == 1:
            other = (set(Goal.Term) - named).pop()
            terms = [term or other for term in terms]
        elif None in terms:
            defaults = [Goal.Term.LONG, Goal.Term.ANNUAL]
            terms = [term or defaults[min(i, 1)] for i, term in enumerate(terms)]
        return terms


class Recognizer:
    def __init__(self, grid):
        self.rows = grid.rows
        self.result = ParseResult()
        self.project = None
        self.year = None
        self.table = None
        self.term_caption = None
        self.pending_goals = None  # {col: term} of a row of goal labels whose texts follow
        self.goal_list = False  # in the official layout's `名称 | 目标说明` list of goals

    # -- reporting ----------------------------------------------------------
    def repair(self, where, message):
        self.result.repairs.append(Finding(where, message))

    def skip(self, where, message):
        self.result.skipped.append(Finding(where, message))

    def unplaced(self, where, message):
        self.result.unplaced.append(Finding(where, message))

    # -- projects -----------------------------------------------------------
    def start_project(self, where, year=None, title=""):
        self.finish_project()
        self.project = {
            "where": where,
            "year": year or self.year,
            "name": "",
            "budget": None,
            "budget_rank": 99,
            "budget_source": None,
            "unit_rank": 99,
            "amount_unit": None,
            "project_type": None,
            "funding": [],
            "rationale": "",
            "goals": [],
            "department": "",
            "unit_label": "",
            "title_unit": title_unit(title),
            "tables": 0,
        }
        self.table = None
        self.term_caption = None
        self.pending_goals = None
        self.goal_list = False

    def ensure_project(self, where):
        if self.project is None:
            self.start_project(where)

    def finish_project(self):
        project, self.project = self.project, None
        self.table = None
        if project is None:
            return
        where = project["where"]
        if not project["name"]:
            if not project["goals"] and project["budget"] is None and not project["tables"]:
                return  # a title without a table (e.g. a cover page)
            raise ImportFormatError(where, "此处起的绩效目标表没有“项目名称”。")
        if project["year"] is None:
            raise ImportFormatError(
                where, f"项目“{project['name']}”没有年度：标题中应有“YYYY年”，或另起一行写“（YYYY年度）”。"
            )
        if project["budget"] is None:
            raise ImportFormatError(
                where, f"项目“{project['name']}”没有项目预算：未找到“资金总额”“年度资金总额”或“项目预算”。"
            )
        if project["project_type"] is None:
            project["project_type"] = ProjectType.RECURRING
            self.repair(where, f"项目“{project['name']}”未写明项目类型，按“常年性项目”导入，请核对。")
        goals = [g for g in project["goals"] if g["term"] == Goal.Term.LONG] + [
            g for g in project["goals"] if g["term"] == Goal.Term.ANNUAL
        ]
        data = {
            "year": project["year"],
            "name": project["name"],
            "budget": project["budget"],
            "project_type": project["project_type"],
            "funding": funding_in_order(project["funding"]),
            "rationale": project["rationale"],
            "goals": [{k: g[k] for k in ("term", "name", "text", "indicators")} for g in goals],
        }
        index = len(self.result.projects)
        if not project["department"] and project["title_unit"]:
            project["department"], project["unit_label"] = project["title_unit"], None
            self.repair(where, title_unit_message(project["title_unit"]))
        if project["department"]:
            data["department"] = project["department"]
            if project["unit_label"] is None:
                self.result.unit_sources[index] = TITLE_UNIT_SOURCE
            elif project["unit_label"] != layout.UNIT_PREFIX.rstrip("："):
                self.result.unit_sources[index] = f"文件中的{project['unit_label']}"
        self.result.projects.append(data)
        self.result.places.append(where)

    # -- the walk -----------------------------------------------------------
    def run(self):
        for row in self.rows:
            if not row.cells:  # the end of a Word table
                self.table = None
                continue
            if not row.filled:
                continue
            self.row(row)
        self.finish_project()
        return self.result

    def row(self, row):
        filled = row.filled
        texts = {cell.text for cell in filled}
        single = filled[0].text if len(texts) == 1 else None
        if single is not None and is_title(single):
            year = YEAR_RE.search(single)
            if year:
                self.year = int(year[1])
            self.start_project(row.where, int(year[1]) if year else None, single)
            return
        if single is not None and YEAR_LINE_RE.match(norm(single)):
            self.year = int(YEAR_LINE_RE.match(norm(single))[1])
            if self.project is not None and not self.project["name"]:
                self.project["year"] = self.year
            return
        if single is not None and norm(single) in TERM_CAPTIONS:
            self.table = None
            self.term_caption = TERM_CAPTIONS[norm(single)]
            return
        if self.goal_list_row(row, single):
            return
        if self.project is not None and self.project["tables"] and footer_skip(row.texts):
            self.table = None
            self.skip(row.where, footer_skip(row.texts))
            return
        if is_indicator_header(row):
            self.ensure_project(row.where)
            caption = self.term_caption
            for cell in row.cells:
                if cell.text and header_role(cell.text) == "caption" and norm(cell.text) in TERM_CAPTIONS:
                    caption = TERM_CAPTIONS[norm(cell.text)]
            self.table = _Table(row, caption)
            self.project["tables"] += 1
            self.term_caption = None
            twins = self.table.twins()  # `report_twins` names their terms
            if len(self.table.groups) > 1 and not twins and any(g["term"] is None for g in self.table.groups):
                terms = "、".join(Goal.Term(t).label for t in self.table.terms())
                count = len(self.table.groups)
                self.repair(row.where, f"并列的{count}组指标未注明长期或年度，从左到右按{terms}导入。")
            self.report_twins(row.where)
            return
        if self.table is not None and not self.starts_basic(filled):
            self.indicator_row(row)
            return
        self.table = None
        if self.pending_goals is not None:
            if self.goal_texts(row):
                return
        self.basic_row(row)

    def goal_list_row(self, row, single):
        """The official layout's 项目绩效总目标 (a caption, a `名称 | 目标说明` header, then one
        `长期绩效目标1 | text` row per goal), read under any title and with any indicator table."""
        filled = row.filled
        if (single is not None and norm(single) in GOAL_LIST_CAPTIONS) or [
            norm(cell.text) for cell in filled
        ] in GOAL_LIST_HEADERS:
            self.ensure_project(row.where)
            self.table, self.goal_list = None, True
            return True
        match = GOAL_NAME_RE.match(norm(filled[0].text)) if self.goal_list else None
        self.goal_list = match is not None
        if match is None:
            return False
        goal = self.goal_for(
            self.term_of_goal(match), row.where, name=norm(filled[0].text), create_quietly=True
        )
        self.append_text(goal, "\n".join(cell.text for cell in filled[1:]))
        return True

    @staticmethod
    def term_of_goal(match):
        """The term a `GOAL_NAME_RE` match names."""
        return Goal.Term.LONG if match[1] == "长期" else Goal.Term.ANNUAL

    def report_twins(self, where):
        """Say that a row under two value columns becomes one indicator of each term."""
        table, terms = self.table, self.table.terms()
        for root, twins in table.twins().items():
            members = [root, *twins]
            headers = "".join(f"“{table.groups[i]['header']}”" for i in members)
            shown = "、".join(Goal.Term(terms[i]).label for i in members)
            self.repair(where, f"{headers}{len(members)}列指标值：每行按各列分别导入{shown}。")

    def starts_basic(self, filled):
        first = filled[0].text
        return is_title(first) or label_kind(first) in ("name", "budget", "unit", "type", "funding")

    # -- the basic part -----------------------------------------------------
    def basic_row(self, row):
        filled = row.filled
        kinds = [label_kind(cell.text) for cell in filled]
        goal_kinds = [k for k in kinds if k in ("annual", "long")]
        if len(goal_kinds) >= 2 and all(k in ("annual", "long", "goal", "group") for k in kinds):
            # A row of goal labels (总体目标 | 中期目标 | 年度目标): the texts are in the next row.
            self.ensure_project(row.where)
            self.pending_goals = {
                col: label_kind(cell.text)
                for col, cell in enumerate(row.cells)
                if label_kind(cell.text) in ("annual", "long")
            }
            return
        i = 0
        while i < len(filled):
            cell = filled[i]
            kind, label, value_cell = label_kind(cell.text), cell.text, None
            if kind is None:
                inline = INLINE_RE.match(cell.text)
                if inline and label_kind(inline["label"]) and inline["value"].strip():
                    kind, label = label_kind(inline["label"]), inline["label"]
                    value_cell = type(cell)(inline["value"].strip(), cell.where)
                elif AMOUNT_RE.match(norm(cell.text).replace(":", "：")):
                    self.ensure_project(row.where)
                    self.project["amount_unit"] = AMOUNT_RE.match(norm(cell.text).replace(":", "："))[1]
                    i += 1
                    continue
                else:
                    self.unplaced(cell.where, f"无法识别的内容“{quote(cell.text)}”，未导入。")
                    i += 1
                    continue
            else:
                nxt = filled[i + 1] if i + 1 < len(filled) else None
                if nxt is not None and label_kind(nxt.text) is None:
                    value_cell = nxt
            self.ensure_project(row.where)
            if kind == "group":
                unit = bracket_unit(label)
                if unit:
                    self.project["amount_unit"] = unit
                i += 1
                continue
            if value_cell is None:
                i += 1
                continue
            self.field(kind, label, value_cell)
            i += 1 if value_cell.where == cell.where else 2

    def goal_texts(self, row):
        """Texts under a row of goal labels, matched by column."""
        columns, self.pending_goals = self.pending_goals, None
        placed = False
        for col, term in columns.items():
            text = row.text_at(col)
            if text:
                self.add_goal_text(term, text, row.where_at(col))
                placed = True
        if placed:
            for col, cell in enumerate(row.cells):
                if cell.text and col not in columns:
                    self.unplaced(cell.where, f"目标说明行中的“{quote(cell.text)}”不在目标列下，未导入。")
        return placed

    def field(self, kind, label, cell):
        project, text = self.project, cell.text
        if kind == "name":
            if project["name"] and project["name"] != one_line(text):
                self.start_project(cell.where)
                project = self.project
            project["name"] = fit(one_line(text), FIELD_LIMITS["name"], cell.where, "项目名称")
        elif kind == "budget":
            rank = BUDGET_LABELS[bare(label)]
            amount = self.money(text, label, cell.where)
            if amount is None:
                return
            source = (bare(label), one_line(text), cell.where)
            if rank < project["budget_rank"]:
                if project["budget"] is not None:
                    old_label, old_text, old_where = project["budget_source"]
                    self.unplaced(
                        old_where,
                        f"“{old_label}”{old_text}：项目预算取自“{source[0]}”{source[1]}，此项未导入。",
                    )
                project["budget"], project["budget_rank"], project["budget_source"] = amount, rank, source
            else:
                self.unplaced(
                    cell.where,
                    f"“{source[0]}”{source[1]}：项目预算取自“{project['budget_source'][0]}”"
                    f"{project['budget_source'][1]}，此项未导入。",
                )
        elif kind == "unit":
            rank = UNIT_LABELS[bare(label)]
            name = CODE_PREFIX_RE.sub("", one_line(text)).strip()
            if name in FACTOR:  # 单位：万元
                project["amount_unit"] = "万" if name == "万" else name
            elif name and rank < project["unit_rank"]:
                unit_name = fit(name, FIELD_LIMITS["department"], cell.where, "单位名称")
                project["department"], project["unit_rank"] = unit_name, rank
                project["unit_label"] = bare(label)
            elif name and name != project["department"]:
                self.unplaced(
                    cell.where,
                    f"“{bare(label)}”为“{name}”：预算单位已取自“{project['department']}”，此项未导入。",
                )
        elif kind == "rationale":
            project["rationale"] = text
        elif kind == "type":
            self.project_type(label, text, cell.where)
        elif kind == "funding":
            self.funding(label, text, cell.where)
        elif kind in ("annual", "long"):
            self.add_goal_text(kind, text, cell.where)
        elif kind == "goal":
            self.add_goal_text("annual", text, cell.where)
            self.repair(cell.where, f"“{bare(label)}”按年度绩效目标导入为“年度绩效目标1”的目标说明。")
        else:
            self.unplaced(cell.where, f"“{bare(label)}”：{quote(text)}——本系统没有对应栏目，未导入。")

    def money(self, text, label, where):
        cleaned = one_line(text).replace(" ", "")
        match = MONEY_RE.match(cleaned)
        if not match:
            self.unplaced(where, f"“{bare(label)}”的金额“{text[:40]}”无法识别，未导入。")
            return None
        try:
            number = Decimal(match["number"].replace(",", "").replace("，", ""))
        except InvalidOperation:
            self.unplaced(where, f"“{bare(label)}”的金额“{text[:40]}”无法识别，未导入。")
            return None
        unit = match["unit"] or bracket_unit(label) or self.project["amount_unit"]
        if unit is None:
            self.repair(where, f"“{bare(label)}”{cleaned}未注明金额单位，按万元读取。")
            unit = "万元"
        amount = number * FACTOR[unit]
        if amount >= MAX_BUDGET:
            raise ImportFormatError(
                where, f"金额“{quote(text, 30)}”超过上限（{MAX_BUDGET}万元），请核对金额单位。"
            )
        if amount != amount.quantize(BUDGET_STEP):
            amount = amount.quantize(BUDGET_STEP)
            self.repair(where, f"金额“{cleaned}”保留到万元后6位小数（{amount}万元）。")
        if unit in ("元", "亿", "亿元"):
            from indicators.values import normalize_number

            converted = normalize_number(amount)
            self.repair(where, f"金额单位为{unit}：“{bare(label)}”{cleaned}换算为{converted}万元。")
        return amount

    def options(self, label, text, where):
        """The options a header field ticks, or names as plain text (`经费拨款`); None, and
        reported, when its marks stand on no one side of their labels."""
        options = ticked_options(text)
        if options is None:
            self.unplaced(
                where,
                f"“{bare(label)}”为“{quote(text)}”：勾选符号没有统一写在各选项之前或之后，"
                "无法判断勾选了哪一项，未导入。",
            )
            return None
        ticked, seen = options
        return ticked if seen else plain_options(text)

    def funding(self, label, text, where):
        ticked = self.options(label, text, where)
        if ticked is None:
            return
        for option in ticked:
            if option not in FUNDING_BY_LABEL:
                self.unplaced(where, f"资金性质“{option}”不在规定选项内，未导入。")
        self.project["funding"] = [FUNDING_BY_LABEL[t] for t in ticked if t in FUNDING_BY_LABEL]

    def project_type(self, label, text, where):
        ticked = self.options(label, text, where)
        if ticked is None:
            return
        codes = []
        for option in ticked:
            code = PROJECT_TYPE_BY_LABEL.get(option) or PROJECT_ATTRIBUTE.get(option)
            if code:
                codes.append(code)
            else:
                self.unplaced(where, f"“{bare(label)}”为“{option}”，不对应常年性/延续性/一次性项目，未导入。")
        if len(codes) == 1:
            self.project["project_type"] = codes[0]
        elif len(codes) > 1:
            raise ImportFormatError(where, f"{bare(label)}应勾选一项，实际勾选了{len(codes)}项。")

    def add_goal_text(self, term, text, where):
        self.append_text(self.goal_for(term, where, create_quietly=True), text)

    @staticmethod
    def append_text(goal, text):
        if text:
            goal["text"] = f"{goal['text']}\n{text}" if goal["text"] else text

    def goal_for(self, term, where, name=None, create_quietly=False):
        """The goal a text or an indicator belongs to, created (and reported) if missing."""
        goals = self.project["goals"]
        word = "长期" if term == Goal.Term.LONG else "年度"
        if name is None:
            for goal in goals:
                if goal["term"] == term:
                    return goal
            name = f"{word}绩效目标1"
            if not create_quietly:
                self.repair(where, f"表中没有{word}目标说明，指标归入新建的“{name}”（目标说明为空）。")
        else:
            for goal in goals:
                if goal["name"] == name:
                    return goal
            if not create_quietly:
                self.repair(where, f"“{name}”未在目标说明中列出，已新建该目标（目标说明为空）。")
        goal = {"term": term, "name": fit(name, 100, where, "目标名称"), "text": "", "indicators": []}
        goals.append(goal)
        return goal

    # -- indicator tables ---------------------------------------------------
    def row_cells(self, row):
        """(cells of each group by role, the level 1 cell, the goal name cell) of a row;
        cells outside the header, or under a column without a place, are reported."""
        table = self.table
        parts = [{} for _ in table.groups]
        level1_cell = None
        goal_cell = None
        for col, cell in enumerate(row.cells):
            if col not in table.columns:
                if cell.text:
                    self.unplaced(cell.where, f"表头之外的“{quote(cell.text)}”，未导入。")
                continue
            role, group, header = table.columns[col]
            if role == "level1":
                level1_cell = cell
            elif role == "goal":
                goal_cell = cell
            elif role in ("caption",):
                if cell.text:
                    self.unplaced(cell.where, f"“{header}”列中的“{quote(cell.text)}”，未导入。")
            elif role == "extra":
                if cell.text:
                    self.unplaced(
                        cell.where, f"“{header}”列的“{quote(cell.text)}”：本系统没有对应栏目，未导入。"
                    )
            else:
                parts[group][role] = cell
        return parts, level1_cell, goal_cell

    def indicator_row(self, row):
        table = self.table
        terms = table.terms()
        parts, level1_cell, goal_cell = self.row_cells(row)
        twin_of = self.share_twin_cells(parts)
        if goal_cell is not None and goal_cell.text:
            table.goal = one_line(goal_cell.text)
        if level1_cell is not None and level1_cell.text:
            table.level1 = self.level1_name(level1_cell)
            table.level2 = [""] * len(table.groups)
        for index, cells in enumerate(parts):
            text = {role: one_line(cell.text) for role, cell in cells.items()}
            own_level2 = text.get("level2", "")
            if own_level2:
                table.level2[index] = own_level2
            level3 = text.get("level3", "")
            value = join_value(text.get("comparator", ""), text.get("value", ""), text.get("unit", ""))
            if not level3 and not value:
                if index in twin_of:
                    continue  # the blank row is reported once, by the first group
                if own_level2 or (index == 0 and level1_cell is not None and level1_cell.text):
                    shown = own_level2 or table.level1
                    self.skip(
                        row.where,
                        f"“{shown}”下没有三级指标和指标值：空白占位行，已跳过。",
                    )
                elif text.get("basis"):
                    self.unplaced(
                        cells["basis"].where, f"没有指标的指标值确定依据“{text['basis']}”，未导入。"
                    )
                continue
            term = terms[index]
            if not text.get("value") and (index in twin_of or index in twin_of.values()):
                header = table.groups[index]["header"]
                self.skip(row.where, f"“{level3}”的“{header}”为空：未导入{Goal.Term(term).label}。")
                continue
            if not table.level1 and not table.level2[index] and index not in twin_of:
                self.unplaced(row.where, f"指标“{level3}”没有一级和二级指标，仍按所写导入。")
            goal = self.indicator_goal(term, row.where)
            goal["indicators"].append(
                {
                    "level1": fit(table.level1, FIELD_LIMITS["level1"], row.where, "一级指标"),
                    "level2": fit(table.level2[index], FIELD_LIMITS["level2"], row.where, "二级指标"),
                    "level3": fit(level3, FIELD_LIMITS["level3"], row.where, "三级指标"),
                    "value": fit(value, FIELD_LIMITS["value"], row.where, "指标值"),
                    "basis": fit(
                        one_line_basis(text.get("basis", "")),
                        FIELD_LIMITS["basis"],
                        row.where,
                        "指标值确定依据",
                    ),
                }
            )
            if table.joined and (text.get("comparator") or text.get("unit")):
                if not getattr(table, "reported_join", False):
                    table.reported_join = True
                    self.repair(
                        row.where,
                        f"指标值由“指标性质”“指标值”“度量单位”各列合成（如“{value}”），本表各行同样处理。",
                    )

    def share_twin_cells(self, parts):
        """Give twin groups each other's cells but their values; {twin group: its first group}."""
        twin_of = {}
        for root, twins in self.table.twins().items():
            for index in twins:
                twin_of[index] = root
                for one, other in ((parts[root], parts[index]), (parts[index], parts[root])):
                    for role, cell in one.items():
                        if role != "value":
                            other.setdefault(role, cell)
        return twin_of

    def indicator_goal(self, term, where):
        goal = self.named_goal(term, where)
        if goal["term"] != term and self.table.twins():  # 目标名称 names the first group's goal
            return self.goal_for(term, where)
        return goal

    def named_goal(self, term, where):
        table = self.table
        if table.goal:
            match = GOAL_NAME_RE.match(table.goal)
            if match:
                name = f"{match[1]}绩效目标{match[2]}"
                return self.goal_for(self.term_of_goal(match), where, name=name, create_quietly=False)
            return self.goal_for(term, where, name=table.goal)
        return self.goal_for(term, where)

    def level1_name(self, cell):
        name = one_line(cell.text)
        match = SCORE_RE.match(name)
        if match:
            self.repair(
                cell.where, f"一级指标“{name}”中的分值说明已去掉，按“{match['name']}”导入（分值未导入）。"
            )
            return match["name"]
        return name


def recognize(grid):
    """Projects (plain dicts in the perfgoals/1 shape, no ids and no status) and the report."""
    result = Recognizer(grid).run()
    if not result.projects:
        raise ImportFormatError(
            "",
            "没有找到可识别的项目支出绩效目标表：应有标题（如“2025年项目支出绩效目标表”）、"
            "“项目名称”和“一级指标、二级指标、三级指标、指标值”表头。",
        )
    return result
