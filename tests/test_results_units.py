"""A 所属单位's monitoring and self-evaluation forms name its 主管部门 (the parent unit)
and itself as 实施单位, on the page, the print page, the Excel and the PDF; forms opened
before the field existed get it from the migration."""

import io
import re
from datetime import date
from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import Department, Membership, Role, Scope, YearSetting
from results.models import Kind, ResultForm
from results.services import open_round

from .test_sheet_html import pdf_text
from .workflow_helpers import clean_project, member

MAIN, CHILD = "鄂州市数据局", "鄂州市政务服务中心"
ROUNDS = {Kind.MONITORING: date(2025, 6, 30), Kind.EVALUATION: None}


@pytest.fixture
def filler(db, django_user_model):
    """The filler of a 所属单位 whose project was approved through two-level review."""
    main = Department.objects.create(code="101", name=MAIN)
    Department.objects.create(code="101001", name=CHILD, parent=main)
    YearSetting.objects.create(year=2025, two_level=True, finance_body="鄂州市财政局")
    filler = member(django_user_model, "tianbao", CHILD, Role.FILLER)
    first = member(django_user_model, "chushen", MAIN, Role.REVIEWER)
    Membership.objects.filter(user=first).update(scope=Scope.TREE)
    finance = member(django_user_model, "caizheng", MAIN, Role.FINANCE)
    project = clean_project(unit=CHILD)
    project.submit(filler)
    project.pass_first_review(first, "同意报送")
    project.approve(finance, "同意")
    # A 主管部门's own project in the same rounds: it is its own 主管部门.
    own = clean_project(unit=MAIN, name="数据共享平台运维项目")
    own.submit(member(django_user_model, "shuju", MAIN, Role.FILLER))
    own.approve(finance, "同意")
    return filler


def form_in(kind, name="政务云平台运维项目"):
    round_ = open_round(kind, 2025, ROUNDS[kind]).round
    return ResultForm.objects.get(round=round_, project_name=name)


def basic_row(grid):
    """The 主管部门 | 实施单位 line of a sheet's cells, without the empty ones."""
    return next([text for text in line if text] for line in grid if "主管部门" in line)


@pytest.mark.parametrize("kind", list(ROUNDS))
def test_a_units_form_names_its_parent_as_the_authority(client, filler, kind, tmp_path):
    form = form_in(kind)
    assert (form.authority_name, form.department_name) == (MAIN, CHILD)
    client.force_login(filler)
    expected = f'主管部门</th><td>{MAIN}</td><th scope="row">实施单位</th><td>{CHILD}</td>'
    page = client.get(reverse("results:form", args=[form.pk])).content.decode()
    assert expected in page
    printed = client.get(reverse("results:print", args=[form.pk])).content.decode()
    assert re.search(rf"主管部门</th>\s*<td[^>]*>{MAIN}</td>", printed), "print"
    ws = load_workbook(io.BytesIO(client.get(reverse("results:xlsx", args=[form.pk])).content)).active
    assert basic_row([[cell.value for cell in row] for row in ws.iter_rows()]) == [
        "主管部门",
        MAIN,
        "实施单位",
        CHILD,
    ]
    pdf = pdf_text(client.get(reverse("results:pdf", args=[form.pk])).content, tmp_path)
    assert MAIN in pdf and CHILD in pdf


def test_a_main_units_form_names_itself_twice(filler):
    form = form_in(Kind.EVALUATION, "数据共享平台运维项目")
    assert (form.authority_name, form.department_name) == (MAIN, MAIN)


def test_the_migration_fills_the_authority_of_forms_opened_before(filler):
    for kind in ROUNDS:
        form_in(kind)
    ResultForm.objects.update(authority_name="")
    import_module("results.migrations.0003_form_authority").fill_authority(apps, None)
    names = set(ResultForm.objects.values_list("department_name", "authority_name"))
    assert names == {(CHILD, MAIN), (MAIN, MAIN)}
