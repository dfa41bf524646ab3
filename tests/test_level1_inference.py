"""Issue 13: an empty 一级指标 is read from an unambiguous 二级指标 by every reader
(text, Excel, Word), reported as a repair; a level 1 the document states is kept."""

from django.urls import reverse

from projects.documents.readers import read_projects, read_text
from projects.documents.writers.xlsx import write_project

from .editor_support import seed_sheet

SHEET = seed_sheet("一窗受理工作项目")


def _without_first_level1(sheet):
    return sheet.replace("长期绩效目标1\t成本指标\t经济成本指标", "长期绩效目标1\t\t经济成本指标", 1)


def test_the_text_reader_fills_an_empty_level1_and_reports_it():
    parsed = read_text(_without_first_level1(SHEET))
    first = parsed.projects[0]["goals"][0]["indicators"][0]
    assert (first["level1"], first["level2"]) == ("成本指标", "经济成本指标")
    repairs = [str(repair) for repair in parsed.repairs]
    assert (
        "“一窗受理工作项目”长期绩效目标1第1行：一级指标为空，按二级指标“经济成本指标”补为“成本指标”"
        in repairs
    )
    # A stated level 1 stays as written, even where the check will call it misplaced.
    assert read_text(SHEET).projects[0]["goals"][0]["indicators"][0]["level1"] == "成本指标"


def test_an_excel_file_gets_the_same_inference(db):
    data = {**read_text(SHEET).projects[0], "department": "鄂州市数据局"}
    data["goals"][0]["indicators"][1]["level1"] = ""  # 数量指标 → 产出指标
    parsed = read_projects("单位.xlsx", write_project(data))
    row = parsed.projects[0]["goals"][0]["indicators"][1]
    assert (row["level1"], row["level2"]) == ("产出指标", "数量指标")
    assert any("按二级指标“数量指标”补为“产出指标”" in str(repair) for repair in parsed.repairs)


def test_the_paste_page_shows_the_repair(client, django_user_model):
    from projects.models import Department, Membership, Role

    unit = Department.objects.create(name="鄂州市数据局")
    user = django_user_model.objects.create_user("tian", password="x")
    Membership.objects.create(user=user, department=unit, role=Role.FILLER)
    client.force_login(user)
    page = client.post(
        reverse("projects:paste"), {"department": unit.pk, "text": _without_first_level1(SHEET)}, follow=True
    ).content.decode()
    assert "按二级指标“经济成本指标”补为“成本指标”" in page
