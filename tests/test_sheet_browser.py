"""In a real browser: uploading one of our workbooks, and the print view of a sheet."""

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from projects.documents.writers.xlsx import write_batch
from projects.models import Department, Membership, Project, Role

from .conftest import SEED_DEPARTMENT, login

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def test_a_filler_uploads_our_workbook_and_sees_the_projects_created(page, seed, django_user_model, tmp_path):
    path = tmp_path / "批复表.xlsx"
    with open(path, "wb") as handle:
        write_batch(Project.objects.filter(name__in=["12345热线购买服务项目", "政府雇员经费"]), handle)
    unit = Department.objects.create(name="鄂州市财政局")
    user = django_user_model.objects.create_user("filler", password="filler-pass-123")
    Membership.objects.create(user=user, department=unit, role=Role.FILLER)
    login(page, "filler", "filler-pass-123")
    page.get_by_role("link", name="导入").click()
    page.get_by_label("预算单位").select_option(label="鄂州市财政局")
    page.get_by_label("批复表文件").set_input_files(str(path))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_role("heading", name="导入预览：批复表.xlsx")).to_be_visible()
    assert Project.objects.filter(department=unit).count() == 0  # nothing stored before confirming
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("新建2个项目，更新0个，未变化0个")).to_be_visible()
    page.get_by_role("link", name="12345热线购买服务项目").click()
    expect(page.get_by_role("heading", name="12345热线购买服务项目")).to_be_visible()
    assert Project.objects.filter(department=unit).count() == 2


def test_the_print_view_hides_navigation_and_keeps_the_sheet(page, seed, django_user_model):
    django_user_model.objects.create_superuser("boss", password="boss-pass-123")
    project = Project.objects.get(name="12345热线购买服务项目", department__name=SEED_DEPARTMENT)
    login(page, "boss", "boss-pass-123")
    page.goto(f"{page.base_url}/projects/{project.pk}/sheet/")
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    expect(page.get_by_role("button", name="打印")).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("heading", name="2025年项目支出绩效目标批复")).to_be_visible()
    expect(page.get_by_text("未批复（草稿）").first).to_be_visible()
    font = page.locator(".sheet-title").evaluate("el => getComputedStyle(el).fontFamily")
    assert font.startswith('"Noto Serif CJK SC"')
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sheet-print.png"), full_page=True)
    pdf = page.pdf(format="A4")
    (ARTIFACTS / "sheet-print-chromium.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")


def test_the_export_links_download_files(page, seed, django_user_model):
    django_user_model.objects.create_superuser("boss", password="boss-pass-123")
    project = Project.objects.get(name="一窗受理工作项目")
    login(page, "boss", "boss-pass-123")
    page.goto(f"{page.base_url}/projects/{project.pk}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出Excel").click()
    assert download.value.suggested_filename == "2025年一窗受理工作项目绩效目标批复.xlsx"
    from openpyxl import load_workbook

    data = io.BytesIO(Path(download.value.path()).read_bytes())
    ws = load_workbook(data).active
    assert (ws["A4"].value, ws["B4"].value) == ("项目名称", "一窗受理工作项目")
