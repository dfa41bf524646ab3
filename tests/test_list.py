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


def test_new_project_button_only_for_fillers(client, db):
    make_user("reviewer", unit("甲局"), role=Role.REVIEWER)
    client.login(username="reviewer", password=PASSWORD)
    assert "新建项目" not in client.get(LIST).content.decode()
    make_user("writer", unit("甲局"))
    client.login(username="writer", password=PASSWORD)
    assert "新建项目" in client.get(LIST).content.decode()


def test_anonymous_users_are_sent_to_login(client, db):
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
