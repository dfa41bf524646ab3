"""The indicator library (指标库): figures of the approved rows, scoped links, suggestions,
common indicators (共性指标), the Excel export and import, and review rule LIBRARY_UNIT."""

import io
import re
import statistics
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from indicators import library
from indicators.checks import check_project
from indicators.library_xlsx import COMMON_HEADER, COMMON_SHEET, LIBRARY_HEADER, LIBRARY_SHEET
from indicators.models import CommonIndicator, Indicator, LibraryEntry
from projects.models import Membership, Project, Role, Status

from .conftest import SEED_DEPARTMENT
from .editor_support import make_user, unit
from .library_support import approve_seed
from .workflow_helpers import clean_project

SATISFACTION = "服务对象满意度指标"


@pytest.fixture
def seeded(db):
    """The seed approved through the workflow, plus generated projects of 2026 (all states)."""
    filler, reviewer = approve_seed()
    call_command("generate_demo", projects=60, units=4, seed=5, stdout=StringIO())
    return filler, reviewer


def page_text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def library_row(response, name):
    """The figures of one indicator on the library page, as the page prints them."""
    html = response.content.decode()
    match = re.search(rf'<tr data-name="{name}">(.*?)</tr>', html, re.S)
    assert match, f"{name} is not listed"
    row = match.group(1)
    measures = re.findall(
        r'data-unit="([^"]*)">.*?<span class="low">([^<]*)</span> / <span class="median">([^<]*)</span>'
        r' / <span class="high">([^<]*)</span>',
        row,
        re.S,
    )
    projects = int(re.search(r'class="num projects">(\d+)<', row).group(1))
    return {"projects": projects, "measures": {unit: (low, mid, high) for unit, low, mid, high in measures}}


def approved_rows(name, **project_filter):
    return Indicator.objects.filter(
        level3=name,
        goal__project__status=Status.APPROVED,
        **{f"goal__project__{k}": v for k, v in project_filter.items()},
    )


def test_the_library_lists_the_satisfaction_indicator_with_its_projects_and_the_seeds_median(seeded, client):
    """群众满意度: its projects, and a median of 98 % in the seed's unit and year."""
    filler, _ = seeded
    client.force_login(filler)
    seed_unit = unit(SEED_DEPARTMENT)
    # The seed's unit and year: its five projects with 群众满意度 (≥98%, ≥98%, =100%, ≥90%, ≥95%).
    response = client.get(reverse("indicators:library"), {"year": 2025, "department": seed_unit.pk})
    row = library_row(response, "群众满意度")
    assert row["projects"] == 5
    assert row["measures"]["%"][1] == "98"
    assert row["measures"]["%"] == ("90", "98", "100")
    # Over everything: the same figures as the approved rows in the database.
    response = client.get(reverse("indicators:library"), {"q": "满意"})
    row = library_row(response, "群众满意度")
    rows = approved_rows("群众满意度")
    assert row["projects"] == rows.values("goal__project").distinct().count() > 5
    numbers = sorted(rows.filter(unit="%").values_list("number", flat=True))
    expected = (numbers[0], statistics.median(numbers), numbers[-1])
    assert row["measures"]["%"] == tuple(library.normalize_number(Decimal(n)) for n in expected)
    # The indicator's page lists the seed's projects with their values, linked.
    response = client.get(
        reverse("indicators:library_indicator"),
        {"level1": "满意度指标", "level2": SATISFACTION, "name": "群众满意度"},
    )
    seed_projects = Project.objects.filter(
        department=seed_unit, year=2025, goals__indicators__level3="群众满意度"
    )
    for project in seed_projects.distinct():
        assert reverse("projects:detail", args=[project.pk]) in response.content.decode()
    assert "≥98%" in page_text(response)


def test_the_search_finds_partial_chinese_and_filters_by_level(seeded, client):
    client.force_login(seeded[0])
    text = page_text(client.get(reverse("indicators:library"), {"q": "满意"}))
    assert "群众满意度" in text and "服务对象满意度" in text and "总成本" not in text
    text = page_text(client.get(reverse("indicators:library"), {"level1": "成本指标"}))
    assert "总成本" in text and "群众满意度" not in text
    text = page_text(client.get(reverse("indicators:library"), {"level2": "质量指标", "q": "满意"}))
    assert "服务评价满意度测评" in text and "群众满意度" not in text
    # A forged filter is ignored (not a 500), the valid ones still apply.
    response = client.get(reverse("indicators:library"), {"year": "abc", "department": "x", "q": "满意"})
    assert response.status_code == 200
    assert "群众满意度" in page_text(response) and "总成本" not in page_text(response)


def test_the_library_uses_the_frameworks_names_for_level_1_and_2(seeded):
    library.refresh()
    # The seed writes the short 服务对象; the library files it under the canonical name.
    assert Indicator.objects.filter(level2="服务对象", goal__project__status=Status.APPROVED).exists()
    levels = set(LibraryEntry.objects.filter(key="群众满意度").values_list("level1", "level2"))
    assert levels == {("满意度指标", SATISFACTION)}


def test_names_and_figures_are_shared_but_other_units_projects_are_not_listed(seeded, client):
    stranger = make_user("stranger", unit("鄂州市新设局"))
    client.force_login(stranger)
    response = client.get(reverse("indicators:library"), {"year": 2025})
    assert library_row(response, "群众满意度")["projects"] == 5
    response = client.get(
        reverse("indicators:library_indicator"),
        {"level1": "满意度指标", "level2": SATISFACTION, "name": "群众满意度"},
    )
    html = response.content.decode()
    assert 'id="visible-projects">0<' in html
    assert not re.search(r'href="/projects/\d+/"', html)
    for project in Project.objects.filter(department__name=SEED_DEPARTMENT):
        assert project.name not in html


def test_the_library_follows_approvals_and_reopenings(seeded, client, django_capture_on_commit_callbacks):
    filler, reviewer = seeded
    library.refresh()
    project = Project.objects.get(name="政府雇员经费")  # 群众满意度 等于100%
    before = LibraryEntry.objects.get(key="群众满意度", year=2025, department=project.department)
    with django_capture_on_commit_callbacks(execute=True):
        project.reopen(reviewer, "需要调整")
    after = LibraryEntry.objects.get(key="群众满意度", year=2025, department=project.department)
    assert after.projects == before.projects - 1
    assert "100" not in dict(after.measures["%"])
    with django_capture_on_commit_callbacks(execute=True):
        project.submit(filler, confirm_warnings=True)
        project.approve(reviewer, "同意")
    again = LibraryEntry.objects.get(key="群众满意度", year=2025, department=project.department)
    assert (again.projects, again.measures) == (before.projects, before.measures)


def test_a_restored_or_generated_approval_is_picked_up_by_the_next_page(seeded, client):
    """Paths that set states without a workflow step (generate_demo, a restore) are seen
    through the projects' fingerprint."""
    client.force_login(seeded[0])
    client.get(reverse("indicators:library"))
    count = Project.objects.filter(status=Status.APPROVED).count()
    call_command("generate_demo", projects=30, units=2, seed=9, year=2030, stdout=StringIO())
    assert Project.objects.filter(status=Status.APPROVED).count() > count
    response = client.get(reverse("indicators:library"), {"year": 2030})
    row = library_row(response, "总成本")
    assert row["projects"] == approved_rows("总成本", year=2030).values("goal__project").distinct().count()


# -- suggestions ----------------------------------------------------------------------


def suggest(client, **params):
    response = client.get(reverse("indicators:suggest"), params)
    assert response.status_code == 200
    return response.json()["suggestions"]


def test_suggestions_follow_the_rows_level_2_and_put_the_units_own_names_first(seeded, client):
    _, reviewer = seeded
    newcomer_unit = unit("鄂州市新设局")
    newcomer = make_user("newcomer", newcomer_unit)
    client.force_login(newcomer)
    found = suggest(client, level2=SATISFACTION, q="满意")
    names = [item["name"] for item in found]
    assert names[:2] == ["群众满意度", "服务对象满意度"]  # the most used first
    assert {"市民满意度", "用人单位满意度"} <= set(names)
    assert "服务评价满意度测评" not in names  # filed under 质量指标
    first = found[0]
    assert (first["unit"], first["comparator"], first["hint"], first["own"]) == ("%", "≥", "≥＿＿%", False)
    assert [item["name"] for item in suggest(client, level2="质量指标", q="满意")] == ["服务评价满意度测评"]
    # The unit's own name comes first, even when few use it.
    project = clean_project(unit=newcomer_unit.name, name="窗口服务项目")
    goal = project.goals.get(term="annual")
    Indicator.objects.create(
        goal=goal,
        position=9,
        level1="满意度指标",
        level2=SATISFACTION,
        level3="窗口服务满意度",
        value="≥96%",
        basis="计划标准",
    )
    Project.objects.filter(pk=project.pk).update(version=project.version + 1)
    project.refresh_from_db()
    Membership.objects.create(user=reviewer, department=newcomer_unit, role=Role.REVIEWER)
    project.submit(newcomer, confirm_warnings=True)
    project.approve(reviewer, "同意")
    # (clean_project's rows include 用户满意度: the unit's second own name)
    assert suggest(client, level2=SATISFACTION, q="满意")[-2:][0]["projects"] == 1
    assert "窗口服务满意度" not in [
        item["name"] for item in suggest(client, level2=SATISFACTION, q="满意")[:4]
    ]
    own = suggest(client, level2=SATISFACTION, q="满意", department=newcomer_unit.pk)
    assert {item["name"] for item in own[:2]} == {"窗口服务满意度", "用户满意度"}
    assert [item["own"] for item in own[:3]] == [True, True, False]
    # A unit the user may not see does not reorder anything.
    seed_unit = unit(SEED_DEPARTMENT)
    assert suggest(client, level2=SATISFACTION, q="满意", department=seed_unit.pk)[0]["own"] is False


def test_suggestions_answer_odd_input_without_failing(seeded, client):
    client.force_login(seeded[0])
    assert suggest(client, level2="不存在的指标", q="满意") == []
    assert suggest(client, q="满" * 500, department="abc") == []
    assert suggest(client, level1="满意度", q=" 群众 满意 ")[0]["name"] == "群众满意度"  # alias, spaces
    client.logout()
    assert client.get(reverse("indicators:suggest"), {"q": "满意"}).status_code == 302


# -- review rule LIBRARY_UNIT -------------------------------------------------------


def draft_with(rows, name="新项目"):
    project = clean_project(unit="鄂州市新设局", name=name)
    goal = project.goals.get(term="annual")
    for position, (level1, level2, level3, value) in enumerate(rows, start=20):
        Indicator.objects.create(
            goal=goal,
            position=position,
            level1=level1,
            level2=level2,
            level3=level3,
            value=value,
            basis="计划标准",
        )
    return Project.objects.with_tree().get(pk=project.pk)


def test_a_row_with_another_unit_than_the_library_is_flagged(seeded, client):
    library.refresh()
    project = draft_with(
        [
            ("满意度指标", SATISFACTION, "群众满意度", "等于35人"),
            ("产出指标", "质量指标", "服务对象满意度", "≥95%"),  # the usual unit: nothing to say
            ("成本指标", "经济成本指标", "总成本", "≤50000元"),  # 元 and 万元 measure alike
        ]
    )
    found = [finding for finding in check_project(project) if finding.rule == "LIBRARY_UNIT"]
    assert [(finding.indicator, finding.severity) for finding in found] == [("群众满意度", "warning")]
    assert "“%”" in found[0].message and "“人”" in found[0].message
    user = make_user("reader", unit("鄂州市新设局"))
    client.force_login(user)
    assert "在指标库中通常以“%”计量" in page_text(client.get(reverse("projects:detail", args=[project.pk])))
    assert "LIBRARY_UNIT" in page_text(client.get(reverse("indicators:rules")))


def test_without_agreement_in_the_library_nothing_is_flagged(db):
    # Two projects are not enough to call a unit usual.
    for index in range(2):
        project = clean_project(name=f"项目{index}")
        Project.objects.filter(pk=project.pk).update(status=Status.APPROVED)
    library.refresh()
    project = draft_with([("产出指标", "数量指标", "运维系统数量", "≥3台")])
    assert not [finding for finding in check_project(project) if finding.rule == "LIBRARY_UNIT"]


# -- common indicators (共性指标) ------------------------------------------------------


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("libadmin", "", "pw-admin-1")
    client.force_login(admin)
    return client


def test_an_administrator_marks_a_common_indicator_from_the_library(seeded, admin_client):
    url = reverse("indicators:common")
    params = {"level1": "满意度指标", "level2": SATISFACTION, "name": "群众满意度"}
    form = admin_client.get(url, params)
    assert 'value="≥' in form.content.decode()  # the library's usual form is offered
    data = {
        "level1": "满意度指标",
        "level2": SATISFACTION,
        "level3": "群众满意度",
        "value": "≥90%",
        "note": "面向群众的项目",
    }
    assert admin_client.post(url, {**data, "active": "on"}).status_code == 302
    common = CommonIndicator.objects.get()
    assert (common.value, common.note, common.active, common.project_type) == (
        "≥90%",
        "面向群众的项目",
        True,
        "",
    )
    assert "共性指标 ≥90%" in page_text(admin_client.get(reverse("indicators:library"), {"q": "群众"}))
    # A value that is not a target, or a level 2 under the wrong level 1: refused, nothing changed.
    response = admin_client.post(url, {**data, "value": "很好"})
    assert response.status_code == 200 and "没有数值和计量单位" in page_text(response)
    response = admin_client.post(url, {**data, "level2": "数量指标"})
    assert "不属于" in page_text(response)
    assert CommonIndicator.objects.get().value == "≥90%"
    assert admin_client.post(url, {**data, "delete": "1"}).status_code == 302
    assert not CommonIndicator.objects.exists()


def test_only_administrators_keep_common_indicators(seeded, client):
    client.force_login(seeded[0])
    data = {"level1": "满意度指标", "level2": SATISFACTION, "level3": "群众满意度", "value": "≥90%"}
    assert client.post(reverse("indicators:common"), data).status_code == 403
    assert client.get(reverse("indicators:library_import")).status_code == 403
    assert not CommonIndicator.objects.exists()
    assert "设为共性指标" not in page_text(client.get(reverse("indicators:library")))


# -- Excel ------------------------------------------------------------------------------


def download(client, **params):
    response = client.get(reverse("indicators:library_xlsx"), params)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def test_the_excel_export_holds_the_figures_and_the_common_indicators(seeded, admin_client):
    CommonIndicator.objects.create(
        level1="满意度指标", level2=SATISFACTION, level3="群众满意度", value="≥90%", note="说明"
    )
    book = download(admin_client, year=2025, department=unit(SEED_DEPARTMENT).pk)
    sheet = book[LIBRARY_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == LIBRARY_HEADER
    found = [row for row in rows if row[2] == "群众满意度"]
    assert found == [("满意度指标", SATISFACTION, "群众满意度", 5, 1, 10, 0, "≥", "%", 10, 90, 98, 100, "是")]
    common = list(book[COMMON_SHEET].iter_rows(values_only=True))
    assert common == [
        COMMON_HEADER,
        ("满意度指标", SATISFACTION, "群众满意度", "≥90%", "所有项目", "说明", "启用"),
    ]


def upload(client, book):
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "指标库.xlsx"
    return client.post(reverse("indicators:library_import"), {"file": buffer})


def test_the_common_indicators_come_back_from_the_exported_workbook(seeded, admin_client):
    CommonIndicator.objects.create(
        level1="满意度指标", level2=SATISFACTION, level3="群众满意度", value="≥90%"
    )
    book = download(admin_client)
    sheet = book[COMMON_SHEET]
    sheet["D2"] = "≥95%"
    sheet.append(
        ["成本指标", "经济成本", "项目或定额成本控制率", "＝100%", "常年性项目", "控制在预算内", "启用"]
    )
    response = upload(admin_client, book)
    assert "新增1项，更新1项，0项未变化" in page_text(response)
    assert CommonIndicator.objects.get(level3="群众满意度").value == "≥95%"
    added = CommonIndicator.objects.get(level3="项目或定额成本控制率")
    assert (added.level2, added.project_type, added.note) == ("经济成本指标", "recurring", "控制在预算内")


def common_workbook(*rows, header=COMMON_HEADER):
    book = Workbook()
    sheet = book.active
    sheet.title = COMMON_SHEET
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    return book


GOOD_ROW = ("满意度指标", SATISFACTION, "群众满意度", "≥90%", "所有项目", "", "启用")


@pytest.mark.parametrize(
    ("book", "where", "reason"),
    [
        (common_workbook(GOOD_ROW, header=("一级", *COMMON_HEADER[1:])), "单元格A1", "表头应为“一级指标”"),
        (common_workbook(GOOD_ROW, ("满意度指标", "数量指标", "群众满意度2", "≥90%")), "单元格B3", "不属于"),
        (
            common_workbook(GOOD_ROW, ("满意度指标", SATISFACTION, "市民满意度", "很高")),
            "单元格D3",
            "没有数值",
        ),
        (common_workbook(GOOD_ROW, GOOD_ROW), "单元格C3", "与第2行重复"),
        (common_workbook(GOOD_ROW, ("其他指标", "数量指标", "某指标", "1个")), "单元格A3", "不在指标体系中"),
        (common_workbook(("满意度指标", SATISFACTION, "", "≥90%")), "单元格C2", "三级指标不能为空"),
        (common_workbook((*GOOD_ROW[:4], "临时项目")), "单元格E2", "适用项目类型"),
        (common_workbook((*GOOD_ROW[:6], "作废")), "单元格G2", "状态"),
        (common_workbook((*GOOD_ROW[:3], "=1+1")), "单元格D2", "含有公式"),
        (common_workbook(("满意度指标", SATISFACTION, "长" * 201, "≥90%")), "单元格C2", "超过200个字"),
    ],
)
def test_a_bad_workbook_is_refused_with_the_cell_and_nothing_is_stored(admin_client, book, where, reason):
    CommonIndicator.objects.create(level1="产出指标", level2="数量指标", level3="原有指标", value="≥1个")
    before = list(CommonIndicator.objects.values())
    text = page_text(upload(admin_client, book))
    assert "导入失败，未导入任何数据" in text
    assert f"工作表“{COMMON_SHEET}”{where}" in text and reason in text
    assert list(CommonIndicator.objects.values()) == before


def test_a_file_that_is_not_a_library_workbook_is_refused(admin_client):
    book = Workbook()
    book.active.title = "Sheet1"
    assert "没有“共性指标”工作表" in page_text(upload(admin_client, book))
    broken = io.BytesIO(b"PK\x03\x04 not really a zip")
    broken.name = "指标库.xlsx"
    response = admin_client.post(reverse("indicators:library_import"), {"file": broken})
    assert "导入失败" in page_text(response)
    text = io.BytesIO(b"a,b")
    text.name = "指标库.csv"
    assert "只能导入" in page_text(admin_client.post(reverse("indicators:library_import"), {"file": text}))
    assert not CommonIndicator.objects.exists()


@given(
    st.lists(
        st.decimals(min_value=-1000, max_value=10**6, places=2, allow_nan=False), min_size=1, max_size=60
    )
)
def test_the_figures_of_merged_histograms_equal_those_of_the_numbers(numbers):
    """Unit-years keep their numbers as counted distinct values; merged, they give the same
    minimum, median and maximum as the plain list of every row's number."""
    halves = [library.histogram(numbers[::2]), library.histogram(numbers[1::2])]
    merged = Counter()
    for counts in halves:
        for value, count in counts:
            merged[value] += count
    measure = library.Measure.of("%", merged)
    assert measure.rows == len(numbers)
    expected = (min(numbers), statistics.median(numbers), max(numbers))
    assert (measure.low, measure.median, measure.high) == tuple(library.normalize_number(n) for n in expected)
