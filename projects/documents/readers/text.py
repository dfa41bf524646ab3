"""Read approval sheets (项目支出绩效目标批复) copied as text.

The layout is the one of `fixtures/seed/*.txt`: one table row per line, cells
separated by TAB, merged cells left empty, checkboxes written as
`<input checked="" type="checkbox"/> 常年性项目` (or ☑/☐). One file may hold many
sheets, each starting with its title `YYYY年项目支出绩效目标批复`.

The reader repairs the defects of a real copy and reports each repair:
rows shifted one or more cells left, a goal name on a later row than the
goal's first indicator, blank lines, trailing empty cells. What it cannot read
raises `SheetFormatError` with the line number and a Chinese message.

Our own sheet copied as text (the sheet page in a browser, draft or approved, or
our Word export) reads back to the same data: its 未批复 mark and 批复单位 /
批复日期 lines are skipped, its `预算单位：X` line gives the unit, and the page's
menu and buttons copied above the first title are skipped and reported. These
rules are used for Word and Excel grids too (`official`).

The result is a list of plain dicts in the shape of the canonical JSON
(see `projects.documents.data`), without ids and status; `department` only where
the sheet names its unit (a `预算单位：` line, or the title: `title_unit`).
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from indicators import framework
from indicators.models import Indicator

from ...models import Funding, Goal, ProjectType, funding_in_order
from .. import layout
from ..errors import ImportFormatError

TITLE_RE = re.compile(r"^\s*(\d{4})\s*年\s*项目支出绩效目标批复\s*$")
# The same sheet's title as units write it: `2025年度…`, `…批复表`, `…绩效目标表`, the unit's
# name before the year. Read as the official sheet when it has its 项目绩效总目标 (`official`).
TITLE_VARIANT_RE = re.compile(r"^\s*\S{0,40}?(\d{4})\s*年度?\s*项目支出绩效目标(?:批复表?|表)\s*$")
# A unit's name before the year of a title (`鄂州市数据局2025年项目支出绩效目标批复`): no digit,
# bracket or blank in it (a project's name before the year is followed by its own words, not by
# 项目支出绩效目标), read as the unit when the sheet names none (`title_unit`).
TITLE_UNIT_RE = re.compile(
    r"^\s*(?P<unit>[^\d\s()（）【】\[\]]{2,40}?)\s*\d{4}\s*年度?\s*项目支出绩效目标(?:批复表?|表|申报表|审批表)\s*$"
)
# Our own sheet's lines around its tables (`layout`), as any copy gives them: the 未批复
# mark (`未批复（草稿）　此表尚未批复…`, never read as a state: a file sets none),
# `预算单位：X  金额单位：万元` (one line, or two in a browser's copy) and an approved
# sheet's `批复单位：X  批复日期：2025年3月15日` (one line or two; the body may be absent).
MARK_LINE_RE = re.compile(rf"^{layout.MARK_PREFIX}（[^）]*）")
APPROVAL_LINE_RE = re.compile(
    rf"^(?:{layout.APPROVAL_BODY_PREFIX}(?:(?!{layout.APPROVAL_DATE_PREFIX}).)*"
    rf"|(?:{layout.APPROVAL_BODY_PREFIX}.*\s)?{layout.APPROVAL_DATE_PREFIX}\d{{4}}年\d{{1,2}}月\d{{1,2}}日)$"
)
UNIT_LINE_RE = re.compile(rf"^{layout.UNIT_PREFIX}\s*(?P<unit>.*?)\s*(?P<amount>金额单位[:：].*)?$")
# The labels of the official sheet's own rows: a line before the first title that is one of
# them (or holds several cells) is a sheet without its title, refused; other lines there
# (a page's menu and buttons copied with the sheet) are skipped and reported.
SHEET_LABELS = (
    "项目名称",
    "项目预算",
    "项目类型",
    "资金性质",
    "立项依据",
    "金额单位",
    layout.UNIT_PREFIX.rstrip("："),
    layout.OVERALL_TITLE,
    *layout.TABLE_TITLES.values(),
)
# Where a project's unit was read when not from a `预算单位` line (`ParseResult.unit_sources`).
TITLE_UNIT_SOURCE = "标题中的单位"
GOAL_NAME_RE = re.compile(r"^(长期|年度)绩效目标\s*(\d+)$")
CHECKBOX_RE = re.compile(r"(?:<input\b(?P<attrs>[^>]*)/?>|(?P<mark>[☑☒■√☐□]))\s*(?P<label>[^<☑☒■√☐□]+)")
CHECK_MARKS = "☑☒■√✓✔☐□"
TICKED_MARKS = "☑☒■√✓✔"
MARK_TOKEN_RE = re.compile(rf"[{CHECK_MARKS}]|[^{CHECK_MARKS}]+")
PLAIN_OPTION_SEPARATORS = re.compile(r"[\s、，,；;/／]+")
AMOUNT_UNIT_RE = re.compile(r"^金额单位\s*[:：]?\s*(?:人民币)?\s*(亿元|万元|元)")
BUDGET_RE = re.compile(r"^(?P<number>\d[\d,，]*(?:\.\d+)?)\s*(?P<unit>亿元|亿|万元|万|元)?$")
TERM_BY_WORD = {"长期": Goal.Term.LONG, "年度": Goal.Term.ANNUAL}
# The table titles of the official layout, read back to the term they head.
TABLE_TITLES = {title: term for term, title in layout.TABLE_TITLES.items()}
BUDGET_FACTOR = {"亿元": Decimal(10000), "亿": Decimal(10000), "元": Decimal("0.0001")}
PROJECT_TYPE_BY_LABEL = {choice.label: choice.value for choice in ProjectType}
FUNDING_BY_LABEL = {choice.label: choice.value for choice in Funding}
INDICATOR_HEADER = "目标名称"
# The lengths of the stored row fields, with their labels.
ROW_LIMITS = {
    name: (Indicator._meta.get_field(name).max_length, str(Indicator._meta.get_field(name).verbose_name))
    for name in ("level1", "level2", "level3", "value", "basis")
}
SLOTS = ("goal", "level1", "level2")
# The sign-off lines under a table (填报人：张三 | 联系电话：… | 填报日期：…, 单位（盖章）):
# they end the table and are reported as skipped, never read as indicator rows.
FOOTER_LABELS = (
    "填报人",
    "填表人",
    "联系人",
    "联系电话",
    "填报日期",
    "填表日期",
    "审核人",
    "审核日期",
    "单位负责人",
    "财务负责人",
    "负责人",
    "制表人",
    "制表日期",
    "经办人",
)
FOOTER_RE = re.compile(rf"^\s*(?:{'|'.join(FOOTER_LABELS)})\s*(?:[:：]|$)|[（(]\s*(?:盖章|签章|签字)\s*[)）]")


class SheetFormatError(ImportFormatError):
    def __init__(self, line, message):
        self.line = line
        super().__init__(f"第{line}行" if line else "", message)


@dataclass
class Repair:
    line: int
    message: str

    def __str__(self):
        return f"第{self.line}行：{self.message}" if self.line else self.message


@dataclass
class ParseResult:
    projects: list = field(default_factory=list)
    repairs: list = field(default_factory=list)
    # Added for the recognizer of other layouts (readers.recognize): placeholder
    # rows left out, and cells the project data has no place for (readers.findings.Finding).
    skipped: list = field(default_factory=list)
    unplaced: list = field(default_factory=list)
    backup: bool = False  # a perfgoals/1 document, which `import_approvals --restore` may restore
    # Where each project starts (`第3行`, `工作表“X”`), in the order of `projects`: the
    # refusal of a project that a file holds twice names both places (`validate`).
    places: list = field(default_factory=list)
    # Where a project's `department` was read, by its index in `projects`, when not from a
    # line or cell labelled 预算单位: `文件中的实施单位`, `标题中的单位` (`readers.unit_repairs`).
    unit_sources: dict = field(default_factory=dict)


def read_budget(text, line, default="万"):
    """(amount in 万元, the unit written): `266万` / `266万元` / `2,660,000元` / `1.2亿`;
    a number without a unit is in `default` (the sheet's 金额单位)."""
    cleaned = (text or "").strip().replace(" ", "")
    match = BUDGET_RE.match(cleaned)
    if not match:
        raise SheetFormatError(line, f"项目预算“{text}”无法识别，应为数字加单位，如“266万”。")
    try:
        number = Decimal(match["number"].replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise SheetFormatError(line, f"项目预算“{text}”不是有效的数字。") from None
    unit = match["unit"] or default
    return number * BUDGET_FACTOR.get(unit, Decimal(1)), unit


def parse_budget(text, line):
    """`266万` / `266万元` / `2,660,000元` / `1.2亿` -> Decimal in 万元."""
    return read_budget(text, line)[0]


def checkbox_options(text):
    """[(label, ticked)] of the options in checkbox text ([] when it has no boxes).

    `<input checked="" …/> 常年性项目` (an HTML copy) precedes its label. Mark characters
    stand on one side of their labels in the whole text: before (`☑常年性项目 ☐延续性项目`)
    when the text starts with a mark, after (`常年性项目☑ 延续性项目☐`) when it starts with
    a label; then marks and labels alternate, one mark per label. A text where they do not
    (`常年性项目☑ 延续性项目 ☐一次性项目`, two marks side by side) gives None: which option a
    mark belongs to is not known, and the caller reports it rather than guess."""
    text = text or ""
    if "<input" in text:
        options = []
        for match in CHECKBOX_RE.finditer(text):
            attrs, mark = match["attrs"], match["mark"]
            options.append(
                (match["label"].strip(), ("checked" in attrs) if attrs is not None else mark in TICKED_MARKS)
            )
        return options
    tokens = [token.strip() for token in MARK_TOKEN_RE.findall(text)]
    tokens = [token for token in tokens if token]
    if not any(token in CHECK_MARKS for token in tokens):
        return []
    before = tokens[0] in CHECK_MARKS
    alternating = all(
        (token in CHECK_MARKS) == (index % 2 == (0 if before else 1)) for index, token in enumerate(tokens)
    )
    if not alternating or len(tokens) % 2:
        return None
    pairs = [tokens[index : index + 2] for index in range(0, len(tokens), 2)]
    return [
        (label, mark in TICKED_MARKS) for mark, label in (pair if before else pair[::-1] for pair in pairs)
    ]


def plain_options(text):
    """The options a text without boxes names: `经费拨款、非税收入` -> both labels."""
    return [part for part in PLAIN_OPTION_SEPARATORS.split(text or "") if part]


def parse_checkboxes(text, known, line, what):
    """Codes of the ticked options among `known` ({label: code}) in `text`; a text without
    boxes that names only known options (`经费拨款`) gives those."""
    options = checkbox_options(text)
    if options is None:
        raise SheetFormatError(
            line, f"{what}“{text}”中勾选符号没有统一写在各选项之前或之后，无法判断勾选了哪一项。"
        )
    if not options:
        named = plain_options(text)
        if named and all(label in known for label in named):
            return [known[label] for label in named]
        raise SheetFormatError(
            line, f"{what}“{text}”没有可识别的勾选项，也不是规定的选项（{'、'.join(known)}）。"
        )
    for label, _ in options:
        if label not in known:
            raise SheetFormatError(line, f"{what}中的选项“{label}”不在规定范围内。")
    return [known[label] for label, ticked in options if ticked]


def sheet_title(text):
    """The match of an official sheet's title (`TITLE_RE` or a variant), else None."""
    return TITLE_RE.match(text) or TITLE_VARIANT_RE.match(text)


def title_unit(text):
    """The unit a title names before its year (`TITLE_UNIT_RE`), else ""."""
    match = TITLE_UNIT_RE.match(text or "")
    return match["unit"].strip("：:，,、 ") if match and not match["unit"].startswith("关于") else ""


def title_unit_message(unit):
    """The repair of a unit read from the title (`title_unit`)."""
    return f"表中没有写预算单位，按标题取为“{unit}”，请核对。"


def quoted(texts, limit=60):
    """`“a”“b”…`, cut after about `limit` characters."""
    shown = "".join(f"“{text}”" for text in texts)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def footer_skip(cells):
    """The report line for a sign-off row under a table (`FOOTER_RE` on its first filled
    cell), or None when the row is not one."""
    filled = [cell for cell in cells if cell]
    if not filled or not FOOTER_RE.search(filled[0]):
        return None
    shown = " ".join(" ".join(filled).split())
    shown = shown if len(shown) <= 80 else shown[:80] + "…"
    return f"表尾的“{shown}”不是指标行，已跳过。"


def split_cells(line):
    cells = [cell.strip() for cell in line.split("\t")]
    while cells and not cells[-1]:
        cells.pop()
    return cells


# A cell as Excel puts it on the clipboard when it holds a line break (or a quote, a tab):
# in "…" with its quotes doubled, followed by the end of the cell. Bounded: an unclosed quote
# is text as written, never the rest of the paste.
QUOTED_CELL_RE = re.compile(r'"((?:[^"\t]|""){0,4000})"(?=[\t\n]|\Z)')


def split_rows(text, quoted=True):
    """The rows of a TAB-separated text as (line number of the row's first line, cells),
    cells stripped and trailing empty ones dropped. A cell Excel quoted ("新增云主机↵数量",
    inner quotes doubled) is one cell with its line breaks kept; a cell that only starts with
    a quote (`"放管服"改革`) is read as written. The editor's paste reads the same way
    (`splitTable` in static/js/editor.js). `quoted=False`: every line is a row (the rows of a
    Word or Excel file, whose cells keep their line breaks as `official.LINE_BREAK`)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    rows, cells, pos, line, first = [], [], 0, 1, 1
    while True:
        if not cells:
            while text.startswith("\ufeff", pos):
                pos += 1
        found = QUOTED_CELL_RE.match(text, pos) if quoted and text.startswith('"', pos) else None
        if found:
            cell = found.group(1).replace('""', '"')
            line += cell.count("\n")
            pos = found.end()
        else:
            ends = [at for at in (text.find("\t", pos), text.find("\n", pos)) if at >= 0]
            cell = text[pos : min(ends, default=len(text))]
            pos += len(cell)
        cells.append(cell.strip())
        if pos < len(text) and text[pos] == "\t":
            pos += 1
            continue
        while cells and not cells[-1]:
            cells.pop()
        rows.append((first, cells))
        if pos >= len(text):
            return rows
        cells, pos, line = [], pos + 1, line + 1
        first = line


def one_line_basis(text):
    """A 指标值确定依据 cell written on several lines (`行业标准、↵计划标准`) as one line:
    its lines joined with 、 (none added after a separator already there)."""
    lines = [part.strip() for part in text.split("\n") if part.strip()]
    joined = ""
    for part in lines:
        if joined and not re.search(r"[、,，/／;；]$", joined):
            joined += framework.BASIS_JOINER
        joined += part
    return joined


def _fits(cell, slot):
    """Whether a cell in an aligned row may stand in `slot` (empty always may)."""
    if not cell:
        return True
    if slot == "goal":
        return bool(GOAL_NAME_RE.match(cell))
    if slot == "level1":
        return framework.is_level1_name(cell)
    # Level 2: anything but a goal name or a pure level-1 name (成本指标 is a legacy level 2).
    return not GOAL_NAME_RE.match(cell) and (
        framework.is_level2_name(cell) or not framework.is_level1_name(cell)
    )


def _classify(cell):
    """Which leading slot a non-empty cell's content belongs to, if any."""
    if GOAL_NAME_RE.match(cell):
        return "goal"
    if framework.is_level1_name(cell) and cell not in framework.LEVEL2_ALIASES:
        return "level1"
    if framework.is_level2_name(cell):
        return "level2"
    return None


class _Reader:
    def __init__(self, text, quoted=True):
        self.rows = split_rows(text, quoted)
        self.result = ParseResult()
        self.project = None
        self.section = None  # "basic" | "goals" | ("table", term)
        self.blank_lines = 0
        self.preamble = []  # (line, text) before the first title: a page's menu copied with the sheet

    def repair(self, line, message):
        self.result.repairs.append(Repair(line, message))

    def run(self):
        for number, cells in self.rows:
            if not cells:
                self.blank_lines += 1
                continue
            self.line(number, cells)
        self.finish_project(self.rows[-1][0])
        if not self.result.projects:
            self.refuse_preamble()
            raise SheetFormatError(0, "文件中没有找到“YYYY年项目支出绩效目标批复”标题，无法识别为批复表。")
        if self.blank_lines:
            self.result.repairs.append(Repair(0, f"忽略了{self.blank_lines}个空行。"))
        return self.result

    # -- dispatch ---------------------------------------------------------
    def line(self, number, cells):
        first = cells[0]
        filled = [cell for cell in cells if cell]
        joined = " ".join(filled)
        if (len(filled) == 1 and MARK_LINE_RE.match(filled[0])) or APPROVAL_LINE_RE.match(joined):
            return  # our own sheet's mark and approval line: a file sets no state
        title = sheet_title(first) if len(cells) == 1 else None
        if title:
            self.finish_project(number)
            self.skip_preamble()
            self.project = {
                "year": int(title[1]),
                "name": "",
                "budget": None,
                "project_type": None,
                "funding": [],
                "rationale": "",
                "goals": [],
                "_line": number,
                "_title_unit": title_unit(first),
            }
            self.section = "basic"
            self.amount_unit = "万元"
            return
        if self.project is None:
            if len(cells) == 1 and not first.startswith(SHEET_LABELS) and not GOAL_NAME_RE.match(first):
                self.preamble.append((number, first))
                return
            self.refuse_preamble()
            raise SheetFormatError(number, f"在批复表标题之前出现了内容“{first[:20]}”。")
        unit = UNIT_LINE_RE.match(joined)
        if unit:
            if unit["unit"]:
                self.project["department"] = unit["unit"]
            if not unit["amount"]:
                return
            first = unit["amount"]
        if first.startswith("金额单位"):
            unit = AMOUNT_UNIT_RE.match(first)
            if not unit:
                raise SheetFormatError(number, f"金额单位“{first}”不是万元、元或亿元，无法换算。")
            self.amount_unit = unit[1]
            return
        if first in ("项目绩效总目标",):
            self.section = "goals"
            return
        if first in TABLE_TITLES and len(cells) == 1:
            self.finish_table(number)
            self.section = ("table", TABLE_TITLES[first])
            self.table_state = {"goal": None, "level1": "", "level2": "", "orphans": []}
            return
        if self.section == "basic":
            return self.basic_line(number, cells)
        if self.section == "goals":
            return self.goal_line(number, cells)
        footer = footer_skip(cells)
        if footer:
            self.result.skipped.append(Repair(number, footer))
            return None
        return self.indicator_line(number, cells)

    def skip_preamble(self):
        """Lines before the first title that are no sheet's rows (a page's menu and buttons
        copied with the sheet): left out, and reported."""
        if self.preamble:
            number, count = self.preamble[0][0], len(self.preamble)
            texts = quoted(text for _, text in self.preamble)
            self.result.skipped.append(
                Repair(number, f"批复表标题之前的{count}行不属于批复表，已跳过：{texts}。")
            )
            self.preamble = []

    def refuse_preamble(self):
        """No title after them, or a sheet's row before its title: refused at the first line."""
        if self.preamble:
            number, text = self.preamble[0]
            raise SheetFormatError(number, f"在批复表标题之前出现了内容“{text[:20]}”。")

    # -- basic table -------------------------------------------------------
    def basic_line(self, number, cells):
        label = cells[0]
        if label == "项目名称":
            self.project["name"] = cells[1] if len(cells) > 1 else ""
            if not self.project["name"]:
                raise SheetFormatError(number, "项目名称为空。")
        elif label == "项目预算":
            self.project["budget"] = self.budget(cells[1] if len(cells) > 1 else "", number)
            if len(cells) > 3 and cells[2] == "项目类型":
                types = parse_checkboxes(cells[3], PROJECT_TYPE_BY_LABEL, number, "项目类型")
                if len(types) != 1:
                    raise SheetFormatError(number, f"项目类型应勾选一项，实际勾选了{len(types)}项。")
                self.project["project_type"] = types[0]
        elif label == "项目类型":
            types = parse_checkboxes(" ".join(cells[1:]), PROJECT_TYPE_BY_LABEL, number, "项目类型")
            if len(types) != 1:
                raise SheetFormatError(number, f"项目类型应勾选一项，实际勾选了{len(types)}项。")
            self.project["project_type"] = types[0]
        elif label == "资金性质":
            codes = parse_checkboxes(" ".join(cells[1:]), FUNDING_BY_LABEL, number, "资金性质")
            self.project["funding"] = funding_in_order(codes)
        elif label == "立项依据":
            self.project["rationale"] = "\n".join(c for c in cells[1:] if c)
        else:
            raise SheetFormatError(number, f"基本信息表中无法识别的行“{label[:20]}”。")

    def budget(self, text, number):
        """项目预算 in 万元: a number in 元 or 亿元 (its own unit or the 金额单位) converted, and reported."""
        amount, unit = read_budget(text, number, self.amount_unit)
        if unit not in ("万", "万元"):
            from indicators.values import normalize_number

            written = text.strip() if text.strip().endswith(unit) else f"{text.strip()}{unit}"
            self.repair(
                number, f"金额单位为{unit}：“项目预算”{written}换算为{normalize_number(amount)}万元。"
            )
        return amount

    # -- overall goals -----------------------------------------------------
    def goal_line(self, number, cells):
        if cells[0] == "名称":
            return
        match = GOAL_NAME_RE.match(cells[0])
        if not match:
            raise SheetFormatError(
                number, f"项目绩效总目标中的名称“{cells[0][:20]}”应为“长期绩效目标1”或“年度绩效目标1”等。"
            )
        goal = self.get_goal(cells[0], number, create=True)
        goal["text"] = "\n".join(c for c in cells[1:] if c)

    def get_goal(self, name, number, create=False):
        match = GOAL_NAME_RE.match(name)
        if match is None:  # a shifted row's cell placed in the goal column by elimination
            raise SheetFormatError(number, f"目标名称“{name[:20]}”应为“长期绩效目标1”或“年度绩效目标1”等。")
        name = f"{match[1]}绩效目标{match[2]}"
        for goal in self.project["goals"]:
            if goal["name"] == name:
                return goal
        if not create:
            self.repair(number, f"“{name}”未在项目绩效总目标中列出，已新建该目标（目标说明为空）。")
        goal = {"term": TERM_BY_WORD[match[1]], "name": name, "text": "", "indicators": []}
        self.project["goals"].append(goal)
        return goal

    # -- goal tables -------------------------------------------------------
    def indicator_line(self, number, cells):
        term = self.section[1]
        if cells[0] == INDICATOR_HEADER:
            return
        slots, level3, value, basis = self.place_cells(number, cells)
        state = self.table_state
        if slots["goal"]:
            goal = self.get_goal(slots["goal"], number)
            if goal["term"] != term:
                raise SheetFormatError(number, f"“{slots['goal']}”出现在了{Goal.Term(term).label}表中。")
            if state["goal"] is None and state["orphans"]:
                goal["indicators"].extend(row for _, row in state["orphans"])
                self.repair(
                    number,
                    f"目标名称“{goal['name']}”写在了第{len(state['orphans']) + 1}行，"
                    f"其上方{len(state['orphans'])}行（自第{state['orphans'][0][0]}行起）已归入该目标。",
                )
                state["orphans"] = []
            state["goal"] = goal
        if slots["level1"]:
            state["level1"] = slots["level1"]
            state["level2"] = ""
        if slots["level2"]:
            state["level2"] = slots["level2"]
        row = {
            "level1": state["level1"],
            "level2": state["level2"],
            "level3": level3,
            "value": value,
            "basis": one_line_basis(basis),
        }
        for key, text in row.items():
            limit, label = ROW_LIMITS[key]
            if len(text) > limit:  # refused with the place, never cut (the stored field would be)
                raise SheetFormatError(
                    number, f"{label}“{text[:30]}…”有{len(text)}个字，超过上限{limit}个字，请缩短后再导入。"
                )
        if state["goal"] is None:
            state["orphans"].append((number, row))
        else:
            state["goal"]["indicators"].append(row)

    def place_cells(self, number, cells):
        """Map a row's cells to (goal, level1, level2), level3, value, basis."""
        padded = cells + [""] * (6 - len(cells))
        if len(cells) > 6:
            raise SheetFormatError(number, f"指标行有{len(cells)}个单元格，多于规定的6列。")
        head = padded[:3]
        if padded[3] and all(_fits(cell, slot) for cell, slot in zip(head, SLOTS, strict=True)):
            return dict(zip(SLOTS, head, strict=True)), padded[3], padded[4], padded[5]
        # Shifted row: the last three filled cells are level 3, value and basis;
        # the filled cells before them are placed by what they say.
        filled = [cell for cell in cells if cell]
        if len(filled) < 3:
            raise SheetFormatError(
                number, "指标行无法识别：至少应有三级指标、指标值和指标值确定依据三个单元格。"
            )
        leading, (level3, value, basis) = filled[:-3], filled[-3:]
        if len(leading) > 3:
            raise SheetFormatError(number, "指标行单元格过多，无法确定各列。")
        slots = dict.fromkeys(SLOTS, "")
        free = list(SLOTS[3 - len(leading) :])
        for cell in leading:
            slot = _classify(cell)
            if slot is None or slots[slot]:
                slot = next((s for s in free if not slots[s]), None)
            if slot is None:
                raise SheetFormatError(number, f"无法确定“{cell[:20]}”属于哪一列。")
            slots[slot] = cell
        self.repair(number, f"该行单元格错位（{self.describe_shift(cells)}），已按内容归位：“{level3}”。")
        return slots, level3, value, basis

    @staticmethod
    def describe_shift(cells):
        return f"仅有{len(cells)}列" if len(cells) < 6 else "空单元格位置不符"

    def finish_table(self, number):
        state = getattr(self, "table_state", None)
        if state and state["orphans"]:
            first = state["orphans"][0][0]
            raise SheetFormatError(first, "指标行没有所属的目标名称（如“年度绩效目标1”）。")
        self.table_state = None

    def finish_project(self, number):
        if self.project is None:
            return
        self.finish_table(number)
        project, start = self.project, self.project.pop("_line")
        for key, label in (("name", "项目名称"), ("budget", "项目预算"), ("project_type", "项目类型")):
            if project[key] in (None, ""):
                raise SheetFormatError(start, f"第{start}行起的批复表缺少“{label}”。")
        named = project.pop("_title_unit")
        if named and not project.get("department"):
            project["department"] = named
            self.result.unit_sources[len(self.result.projects)] = TITLE_UNIT_SOURCE
            self.repair(start, title_unit_message(named))
        self.result.projects.append(project)
        self.result.places.append(f"第{start}行")
        self.project = None


def parse_sheets(text, quoted=True):
    """Parse one file's text into projects (plain dicts) and the repairs made
    (`quoted`: see `split_rows`)."""
    return _Reader(text, quoted).run()
