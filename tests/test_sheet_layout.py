"""projects.documents.layout: the sheet's rows and merged spans, computed once."""

import pytest

from projects.documents import layout
from projects.models import Project, Status


def sheet_of(name):
    return layout.build_sheet(Project.objects.with_tree().get(name=name))


def table_rows(sheet, term):
    block = next(b for b in sheet.blocks if b.kind == "table" and b.term == term)
    return [row for body in block.bodies for row in body]


def spans(rows, role):
    """(text, first row index within the table, rowspan) of every cell of `role`."""
    start = rows[0].number
    return [(c.text, row.number - start, c.rowspan) for row in rows for c in row.cells if c.role == role]


def test_the_12345_sheet_merges_goal_and_levels_over_their_rows(seed):
    sheet = sheet_of("12345热线购买服务项目")
    for term in ("long", "annual"):
        rows = table_rows(sheet, term)
        assert len(rows) == 8
        name = "长期绩效目标1" if term == "long" else "年度绩效目标1"
        assert spans(rows, "goal") == [(name, 0, 8)]
        assert spans(rows, "level1") == [("成本指标", 0, 1), ("产出指标", 1, 6), ("满意度指标", 7, 1)]
        assert spans(rows, "level2") == [
            ("经济成本指标", 0, 1),
            ("数量指标", 1, 4),
            ("质量指标", 5, 1),
            ("社会效益指标", 6, 1),
            ("服务对象", 7, 1),
        ]
        assert [c.text for row in rows for c in row.cells if c.role == "level3"][1:5] == [
            "购买专业政务服务人员人数",
            "接通率",
            "漏话回拨率",
            "回访率",
        ]
        # Rows after the first of a level-1 group stay with it across pages.
        assert [row.keep_with_previous for row in rows] == [False, False, True, True, True, True, True, False]


def test_a_shifted_row_is_placed_under_its_own_level_1(seed):
    # In the text, `满意度指标 服务对象 群众满意度 …` lost its leading empty cell.
    rows = table_rows(sheet_of("政府雇员经费"), "long")
    assert spans(rows, "goal") == [("长期绩效目标1", 0, 5)]
    assert spans(rows, "level1")[-1] == ("满意度指标", 4, 1)
    last = {c.role: (c.col, c.text) for c in rows[-1].cells}
    assert last == {
        "level1": (1, "满意度指标"),
        "level2": (2, "服务对象"),
        "level3": (3, "群众满意度"),
        "target": (4, "等于100%"),
        "basis": (5, "其他标准"),
    }


def test_every_row_covers_the_six_columns_exactly_once(seed):
    for project in Project.objects.with_tree():
        sheet = layout.build_sheet(project)
        covered = {}
        for row in sheet.rows:
            for cell in row.cells:
                for r in range(row.number, row.number + cell.rowspan):
                    for c in range(cell.col, cell.last_col + 1):
                        assert (r, c) not in covered, (project.name, r, c)
                        covered[r, c] = cell
        assert set(covered) == {(r, c) for r in range(len(sheet.rows)) for c in range(layout.COLUMNS)}


def test_the_basic_table_prints_every_option_with_its_tick(seed):
    project = Project.objects.with_tree().get(name="一窗受理工作项目")
    project.funding = ["non_tax", "appropriation"]
    sheet = layout.build_sheet(project)
    texts = [c.text for row in sheet.rows if row.kind == "basic" for c in row.cells]
    assert texts[:2] == ["项目名称", "一窗受理工作项目"]
    assert "266万" in texts
    assert "☑常年性项目 ☐延续性项目 ☐一次性项目" in texts
    assert "☑经费拨款 ☑非税收入 ☐政府性基金 ☐国有资本经营收入 ☐社会保险基金" in texts
    assert sheet.rows[1].cells[0].text == "2025年项目支出绩效目标批复"


@pytest.mark.parametrize(
    ("status", "mark"),
    [(Status.DRAFT, "未批复（草稿）"), (Status.SUBMITTED, "未批复（已提交）"), (Status.APPROVED, "")],
)
def test_a_sheet_not_approved_carries_the_mark_with_its_status(seed, status, mark):
    project = Project.objects.with_tree().get(name="一窗受理工作项目")
    project.status = status
    sheet = layout.build_sheet(project)
    assert sheet.mark == mark
    assert (sheet.rows[0].kind == "mark") == bool(mark)
    if mark:
        assert sheet.rows[0].cells[0].text == mark
    assert sheet.rows[0 if not mark else 1].cells[0].text == "2025年项目支出绩效目标批复"


def test_building_a_prefetched_sheet_runs_no_query(seed, django_assert_num_queries):
    projects = list(Project.objects.with_tree())
    with django_assert_num_queries(0):
        for project in projects:
            layout.build_sheet(project)
