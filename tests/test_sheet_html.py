"""The printable sheet page and its PDF: drawn from the layout, scoped to the user."""

import re
import subprocess

import pytest
from django.urls import reverse

from projects.models import Department, Membership, Project, Role, Status

from .conftest import SEED_DEPARTMENT, SEED_TEXT, import_file


def member(django_user_model, username, unit, role=Role.FILLER):
    user = django_user_model.objects.create_user(username, password=f"{username}-pass-123")
    Membership.objects.create(user=user, department=Department.objects.get(name=unit), role=role)
    return user


@pytest.fixture
def filler(seed, django_user_model):
    return member(django_user_model, "filler", SEED_DEPARTMENT)


def project_named(name, unit=SEED_DEPARTMENT):
    return Project.objects.get(name=name, department__name=unit)


def cells(html, cls):
    """(attributes, text) of every th/td of class `cls` in order."""
    pattern = rf'<(?:th|td) class="{cls}"([^>]*)>(.*?)</(?:th|td)>'
    return [(attrs.strip(), text) for attrs, text in re.findall(pattern, html, re.S)]


def test_the_sheet_page_draws_the_merged_goal_table(client, filler):
    project = project_named("12345热线购买服务项目")
    client.force_login(filler)
    response = client.get(reverse("projects:sheet", args=[project.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="sheet-title">2025年项目支出绩效目标批复</h1>' in html
    assert "金额单位：万元" in html
    assert cells(html, "c-goal")[2:] == [('rowspan="8"', "长期绩效目标1"), ('rowspan="8"', "年度绩效目标1")]
    assert cells(html, "c-level1")[:3] == [("", "成本指标"), ('rowspan="6"', "产出指标"), ("", "满意度指标")]
    assert ('rowspan="4"', "数量指标") in cells(html, "c-level2")
    assert ('colspan="3"', "☑常年性项目 ☐延续性项目 ☐一次性项目") in cells(html, "c-options")
    # The column headers of both goal tables sit in <thead>, repeated on every printed page.
    assert html.count('<thead><tr class="row-header"><th class="c-header">目标名称</th>') == 2
    assert html.count("指标值确定依据（计划标准、行业标准、历史标准、预算支出标准或其他标准）") == 2


def test_a_sheet_not_approved_shows_the_mark_and_an_approved_one_does_not(client, filler):
    project = project_named("一窗受理工作项目")
    client.force_login(filler)
    url = reverse("projects:sheet", args=[project.pk])
    html = client.get(url).content.decode()
    assert 'class="sheet-mark">未批复（草稿）' in html
    assert "sheet-not-approved" in html
    Project.objects.filter(pk=project.pk).update(status=Status.APPROVED)
    html = client.get(url).content.decode()
    assert "未批复" not in html
    assert "sheet-not-approved" not in html


def test_the_detail_page_links_to_print_excel_and_pdf(client, filler):
    project = project_named("一窗受理工作项目")
    client.force_login(filler)
    html = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    for name, label in (("sheet", "打印批复表"), ("sheet_xlsx", "导出Excel"), ("sheet_pdf", "导出PDF")):
        assert f'href="{reverse(f"projects:{name}", args=[project.pk])}">{label}</a>' in html


@pytest.mark.parametrize("name", ["sheet", "sheet_xlsx", "sheet_pdf"])
def test_another_units_sheet_answers_404(client, seed, django_user_model, name):
    import_file(SEED_TEXT, "鄂州市财政局")
    outsider = member(django_user_model, "outsider", "鄂州市财政局")
    client.force_login(outsider)
    response = client.get(reverse(f"projects:{name}", args=[project_named("一窗受理工作项目").pk]))
    assert response.status_code == 404
    own = project_named("一窗受理工作项目", "鄂州市财政局")
    assert client.get(reverse(f"projects:{name}", args=[own.pk])).status_code == 200


def test_an_anonymous_visitor_is_sent_to_login(client, seed):
    response = client.get(reverse("projects:sheet", args=[project_named("一窗受理工作项目").pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def pdf_text(data, tmp_path):
    path = tmp_path / "sheet.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", out)  # a wrapped cell continues on the next line


def test_the_pdf_holds_the_chinese_title_name_and_values(client, filler, tmp_path):
    project = project_named("12345热线购买服务项目")
    client.force_login(filler)
    response = client.get(reverse("projects:sheet_pdf", args=[project.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert ".pdf" in response["Content-Disposition"]
    text = pdf_text(response.content, tmp_path)
    for expected in (
        "2025年项目支出绩效目标批复",
        "金额单位：万元",
        "12345热线购买服务项目",
        "295万",
        "☑常年性项目",
        "购买专业政务服务人员人数",
        "等于33人",
        "≤295万元",
        "服务对象满意度",
        "第1页",
    ):
        assert expected in text, expected


def test_without_the_cjk_font_the_pdf_answers_503_saying_what_to_install(client, filler, settings):
    settings.PERFGOALS_PDF_FONT = "No Such CJK Font SC"
    client.force_login(filler)
    response = client.get(reverse("projects:sheet_pdf", args=[project_named("一窗受理工作项目").pk]))
    assert response.status_code == 503
    html = response.content.decode()
    assert "暂时无法生成PDF" in html
    assert "中文字体“No Such CJK Font SC”未安装" in html
    assert "apt-get install fonts-noto-cjk" in html


def test_a_file_name_says_the_year_once_when_the_project_name_begins_with_it(client, filler):
    from urllib.parse import unquote

    project = project_named("12345热线购买服务项目")
    Project.objects.filter(pk=project.pk).update(name=f"{project.year}年政务云运维服务项目")
    client.force_login(filler)
    for fmt in ("xlsx", "pdf", "docx"):
        response = client.get(reverse(f"projects:sheet_{fmt}", args=[project.pk]))
        assert response.status_code == 200
        name = unquote(response["Content-Disposition"].split("''", 1)[1])
        assert name == f"{project.year}年政务云运维服务项目绩效目标批复.{fmt}", name
