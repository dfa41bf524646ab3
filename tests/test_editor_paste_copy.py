"""Pasting a whole sheet, and copying a project to the next year."""

import pytest
from django.urls import reverse

from indicators.models import Indicator
from projects.documents.data import project_to_dict
from projects.models import Project, ProjectType, Role, Status

from .conftest import SEED_DEPARTMENT
from .editor_support import PASSWORD, make_project, make_user, seed_sheet, unit

PASTE = reverse("projects:paste")


@pytest.fixture
def home(db):
    return unit("甲局")


@pytest.fixture
def logged_in(client, home):
    make_user("filler", home)
    client.login(username="filler", password=PASSWORD)
    return client


def content(project):
    data = project_to_dict(Project.objects.with_tree().get(pk=project.pk))
    for key in ("id", "department", "year", "status"):
        data.pop(key)
    return data


def test_pasting_a_sheet_creates_a_draft_and_lists_the_repairs(logged_in, home, seed):
    text = seed_sheet("市政务服务大厅运维费")
    response = logged_in.post(PASTE, {"department": home.pk, "text": text}, follow=True)
    project = Project.objects.get(department=home, name="市政务服务大厅运维费")
    assert response.redirect_chain[-1][0] == reverse("projects:detail", args=[project.pk])
    assert project.status == Status.DRAFT and project.created_by.username == "filler"
    page = response.content.decode()
    assert "已修复：" in page and "大厅运行正常率" in page  # the shifted row of the copy
    imported = next(p for p in seed if p.name == "市政务服务大厅运维费")
    assert content(project) == content(imported)
    assert Indicator.objects.filter(goal__project=project).count() == 10


def test_pasting_an_existing_project_is_refused_with_a_link(logged_in, home):
    existing = make_project(home, "市政务服务大厅运维费")
    before = Indicator.objects.count()
    response = logged_in.post(PASTE, {"department": home.pk, "text": seed_sheet("市政务服务大厅运维费")})
    page = response.content.decode()
    assert "已存在" in page and reverse("projects:detail", args=[existing.pk]) in page
    assert Project.objects.count() == 1 and Indicator.objects.count() == before


def test_unreadable_text_is_refused_with_its_line_number(logged_in, home):
    text = seed_sheet("市政务服务大厅运维费").replace("项目预算\t110万", "项目预算\t一百一十万")
    response = logged_in.post(PASTE, {"department": home.pk, "text": text})
    page = response.content.decode()
    assert "无法识别，未保存" in page and "第6行" in page and "一百一十万" in page
    assert Project.objects.count() == 0
    response = logged_in.post(PASTE, {"department": home.pk, "text": "随便写的一段话"})
    assert "第1行：在批复表标题之前出现了内容" in response.content.decode()
    assert Project.objects.count() == 0


def test_a_whole_file_of_sheets_creates_all_of_them(logged_in, home):
    from .conftest import SEED_TEXT

    response = logged_in.post(PASTE, {"department": home.pk, "text": SEED_TEXT.read_text(encoding="utf-8")})
    assert response.status_code == 302
    assert Project.objects.filter(department=home, status=Status.DRAFT).count() == 10


def test_paste_is_for_fillers_of_the_chosen_unit(client, logged_in, home):
    response = logged_in.post(PASTE, {"department": unit("乙局").pk, "text": seed_sheet("政府雇员经费")})
    assert "只能选择您担任填报人的预算单位" in response.content.decode()
    make_user("reviewer", home, role=Role.REVIEWER)
    client.login(username="reviewer", password=PASSWORD)
    assert client.get(PASTE).status_code == 403
    assert Project.objects.count() == 0


def test_copy_to_next_year_makes_a_draft_with_the_same_goals(client, seed):
    make_user("seedfiller", unit(SEED_DEPARTMENT))
    client.login(username="seedfiller", password=PASSWORD)
    original = next(p for p in seed if p.name == "市政务服务大厅运维费")
    Project.objects.filter(pk=original.pk).update(status=Status.APPROVED)
    original.goals.filter(term="annual").update(text="2025年市政务服务大厅稳定运行。")
    response = client.post(reverse("projects:copy", args=[original.pk]), follow=True)
    copy = Project.objects.get(year=2026, name="市政务服务大厅运维费")
    # the copy opens in the editor, which names the text still about 2025 (YEAR_MISMATCH)
    assert response.redirect_chain == [(reverse("projects:edit", args=[copy.pk]), 302)]
    editor = response.content.decode()
    stale = "“年度绩效目标1”的目标说明写的是2025年（“2025年市政务服务大厅稳定运行。”），本项目是2026年度"
    assert stale in editor
    assert copy.status == Status.DRAFT and copy.department_id == original.department_id
    assert content(copy) == content(original)
    history = client.get(reverse("projects:detail", args=[copy.pk])).content.decode()
    assert "新建（复制自 2025年 市政务服务大厅运维费，" in history
    # twice: refused, with a link to the existing copy
    response = client.post(reverse("projects:copy", args=[original.pk]), follow=True)
    page = response.content.decode()
    assert "2026年度已有同名项目，未复制" in page and reverse("projects:detail", args=[copy.pk]) in page
    assert Project.objects.filter(year=2026).count() == 1


def test_a_copy_whose_rationale_still_applies_for_last_year_is_flagged(client, seed):
    make_user("seedfiller", unit(SEED_DEPARTMENT))
    client.login(username="seedfiller", password=PASSWORD)
    original = next(p for p in seed if p.name == "市民中心水电费")
    assert original.rationale.endswith("故申请2025年市民中心水电费预算项目。")
    editor = client.post(reverse("projects:copy", args=[original.pk]), follow=True).content.decode()
    assert "立项依据写的是2025年（“…故申请2025年市民中心水电费预算项目。”），本项目是2026年度" in editor
    original_page = client.get(reverse("projects:edit", args=[original.pk])).content.decode()
    assert "立项依据写的是" not in original_page  # the 2025 project names 2025: fine


def test_a_project_with_a_long_name_is_copied_and_its_history_says_from_where(logged_in, home):
    # The name (up to 200 characters) does not fit the history's 100-character note whole.
    name = "关于" + "全市政务服务一体化平台运维" * 12 + "项目"
    original = make_project(home, name, project_type=ProjectType.RECURRING)
    response = logged_in.post(reverse("projects:copy", args=[original.pk]))
    copy = Project.objects.get(year=2026, name=name)
    assert response["Location"] == reverse("projects:edit", args=[copy.pk])
    history = logged_in.get(reverse("projects:detail", args=[copy.pk])).content.decode()
    assert f"新建（复制自 2025年 {name[:60]}" in history and "…，" in history


def test_one_off_projects_are_not_copied(logged_in, home):
    project = make_project(home, "一次性采购", project_type=ProjectType.ONE_OFF)
    response = logged_in.post(reverse("projects:copy", args=[project.pk]), follow=True)
    assert "只有常年性项目和延续性项目可以复制到下一年度" in response.content.decode()
    assert Project.objects.count() == 1
    assert (
        "复制到下一年度" not in logged_in.get(reverse("projects:detail", args=[project.pk])).content.decode()
    )


def test_a_reviewer_cannot_copy(client, home):
    project = make_project(home, "常年项目")
    make_user("reviewer", home, role=Role.REVIEWER)
    client.login(username="reviewer", password=PASSWORD)
    assert client.post(reverse("projects:copy", args=[project.pk])).status_code == 403
    assert client.get(reverse("projects:copy", args=[project.pk])).status_code == 405
    assert Project.objects.count() == 1


def test_a_pasted_table_in_another_provinces_layout_is_read_and_its_leftovers_listed(logged_in, home):
    from .conftest import ROOT

    text = (ROOT / "fixtures" / "variants" / "chongqing-fengjie-2023.txt").read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    response = logged_in.post(PASTE, {"department": home.pk, "text": text}, follow=True)
    page = response.content.decode()
    project = Project.objects.get(department=home)
    assert project.status == Status.DRAFT and project.goals.exists()
    assert "已跳过" in page and "未导入（本系统没有对应栏目，请核对）" in page and "业务主管部门" in page


def test_a_pasted_sheet_with_a_too_long_cell_is_refused_not_cut(logged_in, home):
    text = seed_sheet("市政务服务大厅运维费").replace("大厅运行正常率", "长" * 290, 1)
    page = logged_in.post(PASTE, {"department": home.pk, "text": text}).content.decode()
    assert "三级指标“" in page and "有290个字，超过上限200个字" in page
    assert not Project.objects.filter(name="市政务服务大厅运维费").exists()


def test_a_pasted_sheet_reads_excels_quoted_multiline_cells_as_one_cell(logged_in, home):
    # Excel puts a cell holding a line break on the clipboard in quotes, inner quotes doubled.
    text = seed_sheet("市政务服务大厅运维费").replace(
        "\t\t质量指标\t政务服务工作办结\t等于100%\t其他标准\n",
        '\t\t质量指标\t"政务服务""一网通办""↵工作办结"\t等于100%\t"行业标准、↵计划标准"\n'.replace("↵", "\n"),
        1,
    )
    text = text.replace("市民满意度", '"放管服"满意度', 1)  # only starts with a quote: read as written
    response = logged_in.post(PASTE, {"department": home.pk, "text": text}, follow=True)
    assert response.redirect_chain, response.content.decode()
    project = Project.objects.get(department=home, name="市政务服务大厅运维费")
    rows = Indicator.objects.filter(goal__project=project, goal__term="long").order_by("position")
    assert [row.level3 for row in rows] == [
        "总成本",
        "市民中心设施设备维修次数",
        '政务服务"一网通办"\n工作办结',
        "大厅运行正常率",
        '"放管服"满意度',
    ]
    assert rows[2].value == "等于100%" and rows[2].basis == "行业标准、计划标准"
    assert rows[2].level2 == "质量指标"
