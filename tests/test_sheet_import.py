"""The upload page: fillers import sheets into their own units as drafts, all or nothing."""

import io

import pytest
from django.urls import reverse

from projects.documents.writers.xlsx import write_batch
from projects.models import Department, Project, Role, Status

from .conftest import SEED_DEPARTMENT, SEED_TEXT, upload_and_confirm
from .test_sheet_html import member
from .test_sheet_xlsx import state


def batch_bytes():
    buffer = io.BytesIO()
    write_batch(Project.objects.all(), buffer)
    return buffer.getvalue()


@pytest.fixture
def other_unit(db):
    return Department.objects.create(name="鄂州市财政局")


def upload(client, unit, name, data):
    return upload_and_confirm(client, unit, name, data)


def test_a_filler_imports_our_workbook_into_their_unit_as_drafts(client, seed, other_unit, django_user_model):
    Project.objects.filter(name="政府雇员经费").update(status=Status.APPROVED)
    data = batch_bytes()
    user = member(django_user_model, "filler", other_unit.name)
    client.force_login(user)
    response = upload(client, other_unit, "批复表.xlsx", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "新建10个项目" in html
    imported = Project.objects.filter(department=other_unit)
    assert imported.count() == 10
    assert set(imported.values_list("status", flat=True)) == {Status.DRAFT}  # even the approved one
    assert set(imported.values_list("created_by", flat=True)) == {user.pk}


def test_the_text_sheet_upload_shows_its_repairs(client, seed, other_unit, django_user_model):
    client.force_login(member(django_user_model, "filler", other_unit.name))
    html = upload(client, other_unit, "seed.txt", SEED_TEXT.read_bytes()).content.decode()
    assert "自动修复" in html
    assert "单元格错位" in html
    assert Project.objects.filter(department=other_unit).count() == 10


def test_a_file_that_would_change_a_submitted_project_is_refused_whole(client, seed, django_user_model):
    unit = Department.objects.get(name=SEED_DEPARTMENT)
    Project.objects.filter(name="政府雇员经费").update(status=Status.SUBMITTED)
    Project.objects.filter(name="一窗受理工作项目").update(budget=1)
    Project.objects.filter(name="市民中心水电费").update(budget=2)
    data = batch_bytes()
    Project.objects.filter(name="政府雇员经费").update(budget=3)  # the file now changes it back
    client.force_login(member(django_user_model, "filler", SEED_DEPARTMENT))
    before = state()
    html = upload(client, unit, "批复表.xlsx", data).content.decode()
    assert "导入失败，未导入任何数据" in html
    assert "2025年项目“政府雇员经费”已提交，为只读，导入不能覆盖" in html
    assert state() == before


def test_an_unchanged_approved_project_does_not_block_the_file(client, seed, django_user_model):
    unit = Department.objects.get(name=SEED_DEPARTMENT)
    Project.objects.filter(name="政府雇员经费").update(status=Status.APPROVED)
    data = batch_bytes()
    client.force_login(member(django_user_model, "filler", SEED_DEPARTMENT))
    html = upload(client, unit, "批复表.xlsx", data).content.decode()
    assert "新建0个项目，更新0个，未变化10个" in html
    assert Project.objects.get(name="政府雇员经费").status == Status.APPROVED


def test_a_file_over_the_size_cap_is_refused(client, seed, other_unit, django_user_model, settings):
    settings.PERFGOALS_MAX_UPLOAD_BYTES = 1000
    client.force_login(member(django_user_model, "filler", other_unit.name))
    before = state()
    html = upload(client, other_unit, "批复表.xlsx", batch_bytes()).content.decode()
    assert "超过上限" in html
    assert state() == before


def test_a_macro_workbook_name_and_a_formula_are_refused(client, seed, other_unit, django_user_model):
    from openpyxl import load_workbook

    client.force_login(member(django_user_model, "filler", other_unit.name))
    before = state()
    assert "不接受含宏" in upload(client, other_unit, "批复表.xlsm", batch_bytes()).content.decode()
    wb = load_workbook(io.BytesIO(batch_bytes()))
    wb["市民中心水电费"]["B5"] = "=100*2"
    buffer = io.BytesIO()
    wb.save(buffer)
    html = upload(client, other_unit, "批复表.xlsx", buffer.getvalue()).content.decode()
    assert "工作表“市民中心水电费”单元格B5：含有公式" in html
    assert state() == before


def test_a_filler_cannot_import_into_a_unit_that_is_not_theirs(client, seed, other_unit, django_user_model):
    client.force_login(member(django_user_model, "filler", other_unit.name))
    before = state()
    response = upload(
        client, Department.objects.get(name=SEED_DEPARTMENT), "seed.txt", SEED_TEXT.read_bytes()
    )
    assert "只能选择您担任填报人的预算单位" in response.content.decode()
    assert state() == before


def test_a_reviewer_only_is_told_they_cannot_import(client, seed, django_user_model):
    client.force_login(member(django_user_model, "reviewer", SEED_DEPARTMENT, Role.REVIEWER))
    response = client.get(reverse("projects:import"))
    assert response.status_code == 403
    assert "您不是任何预算单位的填报人" in response.content.decode()
