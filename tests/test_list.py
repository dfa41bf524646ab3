"""The project list: scoping, filters, search, total, sort, pagination, query count."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import ProjectType, Role, Status

from .editor_support import PASSWORD, make_project, make_user, unit

LIST = reverse("projects:list")


def names(response):
    return [row.record.name for row in response.context["table"].paginated_rows]


@pytest.fixture
def filler(db):
    return make_user("filler", unit("甲局"))


@pytest.fixture
def logged_in(client, filler):
    client.login(username="filler", password=PASSWORD)
    return client


def test_it_shows_only_the_users_units_and_the_total_of_those(logged_in, filler):
    make_project(unit("甲局"), "甲一", budget="10.5")
    make_project(unit("甲局"), "甲二", budget="20")
    make_project(unit("乙局"), "乙一", budget="1000")
    response = logged_in.get(LIST)
    assert sorted(names(response)) == ["甲一", "甲二"]
    assert response.context["total_budget"] == Decimal("30.5")
    assert re.search(r'id="total-budget">30\.5<', response.content.decode())


def test_it_filters_by_year_type_status_and_unit(logged_in, filler):
    other_unit = unit("丙局")
    filler.memberships.create(department=other_unit, role=Role.FILLER)
    make_project(unit("甲局"), "旧年", year=2024)
    make_project(unit("甲局"), "一次性", project_type=ProjectType.ONE_OFF)
    make_project(unit("甲局"), "已批复", status=Status.APPROVED)
    make_project(other_unit, "丙局项目")
    assert names(logged_in.get(LIST, {"year": 2024})) == ["旧年"]
    assert names(logged_in.get(LIST, {"project_type": "one_off"})) == ["一次性"]
    assert names(logged_in.get(LIST, {"status": "approved"})) == ["已批复"]
    assert names(logged_in.get(LIST, {"department": other_unit.pk})) == ["丙局项目"]
    response = logged_in.get(LIST, {"year": 2025, "department": unit("甲局").pk})
    assert sorted(names(response)) == ["一次性", "已批复"]
    assert response.context["total_budget"] == Decimal("20")


def test_it_searches_names_rationale_and_indicator_names(logged_in):
    make_project(unit("甲局"), "机房维护", rationale="依据市委文件")
    make_project(unit("甲局"), "热线服务")
    assert names(logged_in.get(LIST, {"q": "机房"})) == ["机房维护"]
    assert names(logged_in.get(LIST, {"q": "市委文件"})) == ["机房维护"]
    # make_project names its row "<project name>指标": found by the indicator name only.
    assert names(logged_in.get(LIST, {"q": "热线服务指标"})) == ["热线服务"]


def test_the_seed_is_found_by_an_indicator_name(client, seed, django_user_model):
    django_user_model.objects.create_superuser("boss", password=PASSWORD)
    client.login(username="boss", password=PASSWORD)
    assert names(client.get(LIST, {"q": "市民中心设施设备维修次数"})) == ["市政务服务大厅运维费"]


def test_it_sorts_by_budget_both_ways(logged_in):
    for name, budget in (("中", "50"), ("小", "5"), ("大", "500")):
        make_project(unit("甲局"), name, budget=budget)
    assert names(logged_in.get(LIST, {"sort": "budget"})) == ["小", "中", "大"]
    assert names(logged_in.get(LIST, {"sort": "-budget"})) == ["大", "中", "小"]


def test_it_pages_by_fifty_and_totals_all_pages(logged_in):
    for i in range(55):
        make_project(unit("甲局"), f"项目{i:02d}", budget="2")
    first = logged_in.get(LIST, {"sort": "name"})
    second = logged_in.get(LIST, {"sort": "name", "page": 2})
    assert len(names(first)) == 50
    assert names(second) == [f"项目{i:02d}" for i in range(50, 55)]
    assert second.context["total_budget"] == Decimal("110")


@pytest.mark.parametrize("count", [10, 30])
def test_the_query_count_does_not_grow_with_the_projects(logged_in, django_assert_max_num_queries, count):
    for i in range(count):
        make_project(unit("甲局"), f"项目{i}")
    # session, user, the reviewer link in the navigation, filters, count, total, page
    with django_assert_max_num_queries(9):
        response = logged_in.get(LIST, {"q": "项目"})
    assert len(names(response)) == count


def test_new_project_button_and_the_actions_column_only_for_fillers(client, db):
    make_project(unit("甲局"), "共同的项目")

    def seen(username):
        client.login(username=username, password=PASSWORD)
        response = client.get(LIST)
        columns = [column.name for column in response.context["table"].columns]
        return "新建项目" in response.content.decode(), "actions" in columns

    make_user("reviewer", unit("甲局"), role=Role.REVIEWER)
    assert seen("reviewer") == (False, False)  # no empty 操作 column for a reviewer
    make_user("writer", unit("甲局"))
    assert seen("writer") == (True, True)


def test_anonymous_users_are_sent_to_login(client, db):
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_totals_are_per_year_never_across_years(logged_in):
    make_project(unit("甲局"), "今年一", year=2026, budget="88.5")
    make_project(unit("甲局"), "今年二", year=2026, budget="11.5")
    make_project(unit("甲局"), "去年", year=2025, budget="1000")
    response = logged_in.get(LIST)
    page = response.content.decode()
    assert response.context["total_budget"] is None and 'id="total-budget"' not in page
    totals = page[page.index('id="totals-by-year"') :]
    assert re.search(
        r"2026年 2 个，<strong>100</strong> 万元.*2025年 1 个，<strong>1000</strong> 万元", totals
    )
    assert "1100" not in page
    one_year = logged_in.get(LIST, {"year": 2026}).content.decode()
    assert re.search(r'id="total-budget">100<', one_year) and 'id="totals-by-year"' not in one_year


def test_every_data_column_sorts_both_ways_states_in_workflow_order(logged_in):
    for name, status in (("乙", Status.APPROVED), ("甲", Status.DRAFT), ("丙", Status.RETURNED)):
        make_project(unit("甲局"), name, status=status)
    response = logged_in.get(LIST)
    table = response.context["table"]
    data_columns = [column.name for column in table.columns if column.name != "actions"]
    assert data_columns == ["year", "department", "name", "budget", "project_type", "status", "updated_at"]
    for column in table.columns:
        assert column.orderable == (column.name != "actions")
        for sort in (column.name, f"-{column.name}"):
            if column.orderable:
                assert len(names(logged_in.get(LIST, {"sort": sort}))) == 3
    assert names(logged_in.get(LIST, {"sort": "status"})) == ["甲", "丙", "乙"]  # 草稿, 已退回, 已批复
    assert names(logged_in.get(LIST, {"sort": "-status"})) == ["乙", "丙", "甲"]
    page = response.content.decode()
    for column in data_columns:
        assert f'href="?sort={column}"' in page or f'href="?sort=-{column}"' in page


def test_the_filters_offer_all_once_and_the_batch_exports_are_linked(logged_in):
    make_project(unit("甲局"), "甲一")
    page = logged_in.get(LIST, {"year": 2025}).content.decode()
    form = page[page.index('class="filter-bar"') : page.index("</form>", page.index('class="filter-bar"'))]
    assert "---------" not in form and form.count(">全部</option>") == 3
    for name in ("export_xlsx", "export_rows", "export_docx"):
        assert f'href="{reverse(f"projects:{name}")}?year=2025"' in page
    assert "批复表（Excel）" in page and "指标明细（Excel）" in page


def test_a_draft_is_deleted_after_confirmation_by_whoever_may_edit_it(logged_in, client, filler):
    from projects.models import Project

    draft = make_project(unit("甲局"), "误建的草稿", budget="88.500000")
    submitted = make_project(unit("甲局"), "已提交的", status=Status.SUBMITTED)
    page = logged_in.get(LIST).content.decode()
    delete_url = reverse("projects:delete", args=[draft.pk])
    assert page.count('class="delete-link"') == 1 and f'href="{delete_url}"' in page
    assert (
        f'href="{delete_url}"' in logged_in.get(reverse("projects:detail", args=[draft.pk])).content.decode()
    )
    confirm = logged_in.get(delete_url).content.decode()
    assert "确定要删除以下草稿项目吗" in confirm and "88.5万元" in confirm and "确认删除" in confirm
    assert Project.objects.filter(pk=draft.pk).exists()  # a GET deletes nothing

    assert logged_in.post(reverse("projects:delete", args=[submitted.pk])).status_code == 403
    response = logged_in.post(delete_url, follow=True)
    assert "已删除草稿项目：2025年 误建的草稿（甲局）。" in response.content.decode()
    assert not Project.objects.filter(pk=draft.pk).exists()
    record = Project.history.filter(id=draft.pk, history_type="-").get()
    assert record.history_user == filler and record.history_change_reason == "删除草稿"

    make_user("reviewer", unit("甲局"), role=Role.REVIEWER)
    client.login(username="reviewer", password=PASSWORD)
    other = make_project(unit("甲局"), "审核人看到的草稿")
    assert 'class="delete-link"' not in client.get(LIST).content.decode()
    assert client.post(reverse("projects:delete", args=[other.pk])).status_code == 403


def test_a_draft_with_an_approval_snapshot_is_kept(logged_in, filler, django_user_model):
    from projects.models import Membership, Project

    from .workflow_helpers import clean_project

    project = clean_project(unit="甲局", name="重新打开的项目")
    reviewer = make_user("shenhe", unit("甲局"), role=Role.REVIEWER)
    project.submit(filler)
    project.approve(reviewer)
    project.reopen(reviewer, "需调整")
    assert Membership.objects.filter(user=filler).exists()
    response = logged_in.post(reverse("projects:delete", args=[project.pk]), follow=True)
    assert "未删除：“重新打开的项目”有批复存档或运行监控表，须保留，不能删除。" in response.content.decode()
    assert Project.objects.filter(pk=project.pk).exists() and project.goals.exists()
