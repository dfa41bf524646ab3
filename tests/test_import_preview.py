"""Upload → preview → confirm: nothing is stored before the uploader confirms what was read."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from projects.documents import layout
from projects.documents.data import project_to_dict
from projects.documents.writers import docx as sheet_docx
from projects.models import Department, PendingImport, Project, Role, Status
from projects.permissions import SYSTEM
from projects.services import import_projects

from .conftest import SEED_DEPARTMENT, SEED_TEXT, login
from .workflow_helpers import member

VARIANTS = SEED_TEXT.parent.parent / "variants"


@pytest.fixture
def filler(db, django_user_model):
    return member(django_user_model, "filler", SEED_DEPARTMENT, Role.FILLER, password="filler-pass-123")


def upload(client, name, data, unit=None):
    unit = unit or Department.objects.get(name=SEED_DEPARTMENT)
    return client.post(
        reverse("projects:import"), {"department": unit.pk, "file": SimpleUploadedFile(name, data)}
    )


def test_the_preview_shows_what_was_read_and_stores_nothing(client, filler):
    client.force_login(filler)
    response = upload(client, "seed.txt", SEED_TEXT.read_bytes())
    assert response.status_code == 302
    assert not Project.objects.exists()

    page = client.get(response["Location"]).content.decode()

    assert "导入预览：seed.txt" in page and "尚未导入" in page
    assert "新建10个" in page
    # each project drawn like the sheet: header fields, goals and rows
    assert page.count("2025年项目支出绩效目标批复") == 10
    assert "一窗受理工作项目" in page and "266万" in page and "等于35人" in page
    assert "☑常年性项目" in page and "年度绩效目标1" in page
    assert "自动修复" in page and "单元格错位" in page  # the reader's report
    assert not Project.objects.exists()


def test_confirming_imports_everything_the_preview_showed(client, filler):
    client.force_login(filler)
    preview = upload(client, "seed.txt", SEED_TEXT.read_bytes())["Location"]
    client.get(preview)

    response = client.post(f"{preview}confirm/", {"action": "confirm"})

    assert "新建10个项目" in response.content.decode()
    assert Project.objects.filter(status=Status.DRAFT, created_by=filler).count() == 10
    assert not PendingImport.objects.exists()


def test_cancelling_stores_nothing_and_forgets_the_file(client, filler):
    client.force_login(filler)
    preview = upload(client, "seed.txt", SEED_TEXT.read_bytes())["Location"]
    response = client.post(f"{preview}confirm/", {"action": "cancel"}, follow=True)
    assert "已取消导入" in response.content.decode()
    assert not Project.objects.exists() and not PendingImport.objects.exists()
    assert client.get(preview).status_code == 404


def test_another_user_can_neither_see_nor_confirm_the_upload(client, filler, django_user_model):
    client.force_login(filler)
    preview = upload(client, "seed.txt", SEED_TEXT.read_bytes())["Location"]
    colleague = member(django_user_model, "colleague", SEED_DEPARTMENT, Role.FILLER)
    client.force_login(colleague)
    assert client.get(preview).status_code == 404
    assert client.post(f"{preview}confirm/", {"action": "confirm"}).status_code == 404
    assert not Project.objects.exists()


def test_an_expired_upload_is_gone(client, filler):
    client.force_login(filler)
    preview = upload(client, "seed.txt", SEED_TEXT.read_bytes())["Location"]
    PendingImport.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert client.get(preview).status_code == 404
    assert client.post(f"{preview}confirm/", {"action": "confirm"}).status_code == 404
    assert not Project.objects.exists()


def test_a_project_changed_after_the_preview_is_refused_and_nothing_is_stored(client, seed, filler):
    project = Project.objects.with_tree().get(name="一窗受理工作项目")
    changed = SEED_TEXT.read_text(encoding="utf-8").replace("≤266万元", "≤260万元").encode("utf-8")
    client.force_login(filler)
    preview = upload(client, "seed.txt", changed)["Location"]
    page = client.get(preview).content.decode()
    assert "更新1个" in page and "未变化9个" in page and "现为第1版" in page

    data = project_to_dict(project)
    import_projects([{**data, "budget": Decimal("1"), "rationale": "别人刚改的"}], user=SYSTEM)
    before = Project.objects.get(pk=project.pk)

    response = client.post(f"{preview}confirm/", {"action": "confirm"})

    text = response.content.decode()
    assert "导入失败" in text and "在您预览后已被修改（预览时为第1版，现为第2版）" in text
    after = Project.objects.get(pk=project.pk)
    assert (after.version, after.rationale) == (before.version, "别人刚改的")


def test_a_read_only_project_in_the_file_cannot_be_confirmed(client, seed, filler):
    Project.objects.filter(name="一窗受理工作项目").update(status=Status.APPROVED)
    changed = SEED_TEXT.read_text(encoding="utf-8").replace("≤266万元", "≤260万元").encode("utf-8")
    client.force_login(filler)
    preview = upload(client, "seed.txt", changed)["Location"]
    page = client.get(preview).content.decode()
    assert "不能导入1个" in page and "已批复，为只读" in page
    assert 'value="confirm" class="primary" disabled' in page
    response = client.post(f"{preview}confirm/", {"action": "confirm"})  # forged anyway
    assert "导入失败" in response.content.decode()
    assert Project.objects.get(name="一窗受理工作项目").status == Status.APPROVED
    assert not Project.objects.filter(goals__indicators__value="≤260万元").exists()


def test_the_command_line_dry_run_reports_and_stores_nothing(seed, tmp_path):
    Project.objects.filter(name="政府雇员经费").update(status=Status.SUBMITTED)
    changed = tmp_path / "changed.txt"
    text = SEED_TEXT.read_text(encoding="utf-8").replace("≤266万元", "≤260万元").replace("≤150万元", "≤1万元")
    changed.write_text(text, encoding="utf-8")
    out = StringIO()

    call_command("import_approvals", str(changed), "--department", SEED_DEPARTMENT, "--dry-run", stdout=out)

    lines = out.getvalue()
    assert f"将更新：2025年 {SEED_DEPARTMENT} 一窗受理工作项目（现为第1版，草稿）" in lines
    assert f"不能导入：2025年 {SEED_DEPARTMENT} 政府雇员经费（已提交，为只读" in lines
    assert "将未变化" in lines and "修复" in lines and "未保存任何数据" in lines
    assert not Project.objects.filter(goals__indicators__value="≤260万元").exists()


@pytest.mark.browser
def test_a_filler_uploads_a_word_file_previews_it_and_finds_the_project_in_the_list(page, seed, filler):
    project = Project.objects.with_tree().get(name="一窗受理工作项目")
    word = sheet_docx.write_sheet(layout.build_sheet(project))
    Project.objects.filter(pk=project.pk).delete()
    path = SEED_TEXT.parent.parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    (path / "一窗受理工作项目.docx").write_bytes(word)

    login(page, "filler", "filler-pass-123")
    page.get_by_role("link", name="导入").click()
    page.get_by_label("批复表文件").set_input_files(str(path / "一窗受理工作项目.docx"))
    page.get_by_role("button", name="上传并预览").click()

    expect(page.get_by_role("heading", name="导入预览：一窗受理工作项目.docx")).to_be_visible()
    assert page.locator(".import-plan tbody tr").first.inner_text().startswith("新建")
    expect(page.get_by_text("等于35人").first).to_be_visible()
    page.screenshot(path=str(path / "import-preview.png"), full_page=True)
    assert not Project.objects.filter(name="一窗受理工作项目").exists()

    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("新建1个项目，更新0个，未变化0个")).to_be_visible()
    page.get_by_role("link", name="项目", exact=True).click()
    expect(page.get_by_role("link", name="一窗受理工作项目")).to_be_visible()
    imported = Project.objects.with_tree().get(name="一窗受理工作项目")
    assert imported.status == Status.DRAFT
    before = {k: v for k, v in project_to_dict(project).items() if k not in ("id",)}
    after = {k: v for k, v in project_to_dict(imported).items() if k not in ("id",)}
    assert after == before


ROW_KEYS = ("level1", "level2", "level3", "value", "basis")


def goals_of(data):
    return [
        (g["term"], g["name"], g["text"], [tuple(row[k] for k in ROW_KEYS) for row in g["indicators"]])
        for g in data["goals"]
    ]


def test_word_and_excel_written_by_perfgoals_read_back_identically(seed):
    from projects.documents.readers import read_projects
    from projects.documents.writers.xlsx import write_sheet

    for project in Project.objects.with_tree():
        sheet = layout.build_sheet(project)
        expected = project_to_dict(project)
        for name, content in (("x.docx", sheet_docx.write_sheet(sheet)), ("x.xlsx", write_sheet(sheet))):
            read = read_projects(name, content).projects[0]
            assert read["name"] == expected["name"] and read["year"] == expected["year"]
            assert read["budget"] == Decimal(expected["budget"])
            assert (read["project_type"], read["funding"], read["rationale"]) == (
                expected["project_type"],
                expected["funding"],
                expected["rationale"],
            )
            assert goals_of(read) == goals_of(expected), (name, project.name)
