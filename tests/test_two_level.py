"""Two-level review, switched on per year: 所属单位 → 主管部门 初审 → 财政 审核.

With a year's `YearSetting.two_level` on, a 所属单位's submitted project waits for
its 主管部门 (待主管部门审核: 初审通过 or 退回), then for the finance reviewer
assigned to that 主管部门 (待财政审核: 批复 or 退回). Each step names the body it
was taken for; the approval records both steps and the sheet names the approving
body and date. Without the setting (the default) review stays one-level.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import (
    ApprovalSnapshot,
    Department,
    Membership,
    Project,
    Role,
    Scope,
    Status,
    YearSetting,
)
from projects.workflow import TransitionNotAllowed, TransitionRefused
from tests.workflow_helpers import clean_project, member, state

MAIN, CHILD, OTHER = "鄂州市数据局", "鄂州市政务服务中心", "鄂州市民政局"
FINANCE_BODY = "鄂州市财政局"


@pytest.fixture
def org(db, django_user_model):
    main = Department.objects.create(code="101", name=MAIN)
    Department.objects.create(code="101001", name=CHILD, parent=main)
    Department.objects.create(code="102", name=OTHER)
    users = {
        "child_filler": member(django_user_model, "tianbao", CHILD, Role.FILLER, first_name="田宝"),
        "main_filler": member(django_user_model, "zhuguan", MAIN, Role.FILLER),
        "main_reviewer": member(django_user_model, "chushen", MAIN, Role.REVIEWER, first_name="楚深"),
        "finance": member(django_user_model, "caizheng", MAIN, Role.FINANCE, first_name="蔡正"),
        "other_finance": member(django_user_model, "minzheng", OTHER, Role.FINANCE),
        "child_reviewer": member(django_user_model, "benji", CHILD, Role.REVIEWER),
    }
    Membership.objects.filter(user=users["main_reviewer"]).update(scope=Scope.TREE)
    return users


def two_level(year=2025):
    return YearSetting.objects.update_or_create(
        year=year, defaults={"two_level": True, "finance_body": FINANCE_BODY}
    )[0]


def steps(project):
    return list(project.transitions.values_list("action", "from_status", "to_status", "body"))


def test_a_units_project_goes_to_its_department_then_to_finance(org):
    two_level()
    project = clean_project(unit=CHILD)
    project.submit(org["child_filler"], comment="请审核")
    assert project.status == Status.PENDING_PARENT
    project.pass_first_review(org["main_reviewer"], "初审同意")
    assert project.status == Status.PENDING_FINANCE
    project.approve(org["finance"], "同意批复")
    project.refresh_from_db()
    assert project.status == Status.APPROVED
    assert steps(project) == [
        ("submit", Status.DRAFT, Status.PENDING_PARENT, ""),
        ("pass", Status.PENDING_PARENT, Status.PENDING_FINANCE, MAIN),
        ("approve", Status.PENDING_FINANCE, Status.APPROVED, FINANCE_BODY),
    ]
    assert (project.approval_body, project.approval_date) == (FINANCE_BODY, timezone.localdate())
    snapshot = ApprovalSnapshot.objects.get(project=project)
    assert [(s["label"], s["body"], s["user"], s["comment"]) for s in snapshot.steps] == [
        ("初审通过", MAIN, "楚深", "初审同意"),
        ("批复", FINANCE_BODY, "蔡正", "同意批复"),
    ]
    assert snapshot.data["approval"] == {"body": FINANCE_BODY, "date": timezone.localdate().isoformat()}


def test_a_departments_own_project_goes_straight_to_finance(org):
    two_level()
    project = clean_project(unit=MAIN)
    project.submit(org["main_filler"])
    assert project.status == Status.PENDING_FINANCE
    with pytest.raises(TransitionNotAllowed):
        project.pass_first_review(org["main_reviewer"])
    project.approve(org["finance"])
    assert Project.objects.get(pk=project.pk).approval_body == FINANCE_BODY


def test_a_return_at_each_level_goes_back_to_the_filler_and_the_round_starts_again(org):
    two_level()
    project = clean_project(unit=CHILD)
    project.submit(org["child_filler"])
    project.send_back(org["main_reviewer"], "补充立项依据")
    assert project.status == Status.RETURNED
    project.submit(org["child_filler"])
    assert project.status == Status.PENDING_PARENT  # back to the 主管部门 first
    project.pass_first_review(org["main_reviewer"])
    project.send_back(org["finance"], "总成本偏高")
    assert project.status == Status.RETURNED
    assert steps(project)[-1] == ("return", Status.PENDING_FINANCE, Status.RETURNED, FINANCE_BODY)
    assert steps(project)[1] == ("return", Status.PENDING_PARENT, Status.RETURNED, MAIN)
    project.submit(org["child_filler"])
    project.pass_first_review(org["main_reviewer"], "已按意见修改")
    project.approve(org["finance"])
    snapshot = ApprovalSnapshot.objects.get(project=project)
    assert [s["action"] for s in snapshot.steps] == ["pass", "approve"]  # the last round only
    assert snapshot.steps[0]["comment"] == "已按意见修改"


@pytest.mark.parametrize(
    "case",
    [
        (Status.PENDING_PARENT, "finance", "pass", "应由主管部门（鄂州市数据局）的审核人初审通过"),
        (Status.PENDING_PARENT, "finance", "return", "应由主管部门（鄂州市数据局）的审核人退回"),
        (Status.PENDING_PARENT, "child_reviewer", "pass", "应由主管部门（鄂州市数据局）的审核人初审通过"),
        (Status.PENDING_FINANCE, "main_reviewer", "approve", "应由归口管理的财政审核人批复"),
        (Status.PENDING_FINANCE, "main_reviewer", "return", "应由归口管理的财政审核人退回"),
        (
            Status.PENDING_FINANCE,
            "child_filler",
            "approve",
            "只有归口管理的财政审核人可以批复此项目",
        ),
        (
            Status.PENDING_PARENT,
            "child_filler",
            "pass",
            "只有主管部门（鄂州市数据局）的审核人可以初审通过此项目",
        ),
        (Status.DRAFT, "main_reviewer", "submit", "只有本单位（鄂州市政务服务中心）的填报人可以提交此项目"),
        (Status.PENDING_PARENT, "main_reviewer", "approve", "项目当前状态为“待主管部门审核”，不能批复"),
        (Status.APPROVED, "main_reviewer", "reopen", "应由归口管理的财政审核人重新打开"),
    ],
)
def test_a_step_out_of_turn_is_refused_with_its_reason_and_changes_nothing(org, client, case):
    status, role, code, message = case
    two_level()
    project = clean_project(unit=CHILD)
    Project.objects.filter(pk=project.pk).update(status=status)
    client.force_login(org[role])
    before = state(project)
    response = client.post(reverse(f"projects:{code}", args=[project.pk]), {"comment": "意见"})
    assert response.status_code == 403
    assert message in response.content.decode()
    assert state(project) == before


def test_another_departments_finance_reviewer_does_not_see_the_project(org, client):
    two_level()
    project = clean_project(unit=CHILD)
    project.submit(org["child_filler"])
    project.pass_first_review(org["main_reviewer"])
    client.force_login(org["other_finance"])
    before = state(project)
    assert client.post(reverse("projects:approve", args=[project.pk])).status_code == 404
    assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 404
    assert state(project) == before


def test_only_the_finance_reviewer_reopens_in_a_two_level_year_and_the_approval_is_cleared(org):
    two_level()
    project = clean_project(unit=CHILD)
    project.submit(org["child_filler"])
    project.pass_first_review(org["main_reviewer"])
    project.approve(org["finance"])
    with pytest.raises(TransitionNotAllowed):
        project.reopen(org["main_reviewer"], "调整")
    project.reopen(org["finance"], "年中调整预算")
    project.refresh_from_db()
    assert project.status == Status.DRAFT
    assert (project.approval_body, project.approval_date) == ("", None)
    assert ApprovalSnapshot.objects.filter(project=project).count() == 1  # the snapshot stays


def test_switching_the_year_only_changes_where_the_next_submission_goes(org):
    setting = two_level()
    waiting = clean_project(unit=CHILD, name="审核中的项目")
    waiting.submit(org["child_filler"])
    waiting.pass_first_review(org["main_reviewer"])
    setting.two_level = False
    setting.save()
    fresh = clean_project(unit=CHILD, name="新提交的项目")
    fresh.submit(org["child_filler"])
    assert fresh.status == Status.SUBMITTED  # one-level again
    waiting.approve(org["finance"])  # what was under way finishes on its route
    assert waiting.status == Status.APPROVED


def test_other_years_keep_one_level_review(org):
    two_level(2026)
    project = clean_project(unit=CHILD)  # 2025
    project.submit(org["child_filler"])
    assert project.status == Status.SUBMITTED


# -- one-level review (the default) with the new roles ---------------------------------------


def test_without_the_setting_a_unit_project_is_approved_in_one_step_by_its_department(org):
    project = clean_project(unit=CHILD)
    project.submit(org["child_filler"])
    assert project.status == Status.SUBMITTED
    with pytest.raises(TransitionNotAllowed):
        project.pass_first_review(org["main_reviewer"])
    project.approve(org["main_reviewer"], "同意")
    project.refresh_from_db()
    # the 主管部门's 审核人 reviews through the 主管部门 (scope tree): it is the approving body
    assert (project.status, project.approval_body) == (Status.APPROVED, MAIN)
    assert ApprovalSnapshot.objects.get(project=project).steps[0]["body"] == MAIN


def test_one_level_approvals_name_the_reviewers_unit_or_the_finance_bureau(org):
    YearSetting.objects.create(year=2025, finance_body=FINANCE_BODY)  # one-level, body known
    own = clean_project(unit=CHILD, name="本单位审核")
    own.submit(org["child_filler"])
    own.approve(org["child_reviewer"])
    by_finance = clean_project(unit=CHILD, name="财政审核")
    by_finance.submit(org["child_filler"])
    by_finance.approve(org["finance"])
    assert Project.objects.get(pk=own.pk).approval_body == CHILD
    assert Project.objects.get(pk=by_finance.pk).approval_body == FINANCE_BODY


def test_a_finance_approval_without_a_configured_finance_body_still_has_its_date(org):
    two_level()
    YearSetting.objects.filter(year=2025).update(finance_body="")
    project = clean_project(unit=MAIN)
    project.submit(org["main_filler"])
    project.approve(org["finance"])
    project.refresh_from_db()
    assert (project.approval_body, project.approval_date) == ("", timezone.localdate())


def test_the_finance_reviewer_cannot_edit_or_submit(org):
    project = clean_project(unit=CHILD)
    assert not Project.objects.restrict(org["finance"], "edit").exists()
    with pytest.raises(TransitionNotAllowed):
        project.submit(org["finance"])
    with pytest.raises(TransitionRefused):
        project.submit(org["child_filler"], version=project.version + 5)


# -- pages --------------------------------------------------------------------------------


def test_the_project_page_offers_each_reviewer_their_step(org, client):
    two_level()
    project = clean_project(unit=CHILD)
    project.submit(org["child_filler"])
    client.force_login(org["main_reviewer"])
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "待主管部门审核" in page and 'data-action="pass"' in page and 'data-action="return"' in page
    assert 'data-action="approve"' not in page
    client.force_login(org["finance"])
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'data-action="pass"' not in page and 'data-action="approve"' not in page
    project.pass_first_review(org["main_reviewer"])
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'data-action="approve"' in page and 'data-action="return"' in page


def test_the_history_names_both_steps_and_their_bodies(org, client):
    two_level()
    project = clean_project(unit=CHILD)
    project.submit(org["child_filler"])
    project.pass_first_review(org["main_reviewer"], "同意报财政")
    project.approve(org["finance"], "同意")
    client.force_login(org["child_filler"])
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "初审通过：待主管部门审核 → 待财政审核，意见：同意报财政" in page
    assert f'<span class="history-body">{MAIN}</span>' in page
    assert f'<span class="history-body">{FINANCE_BODY}</span> 批复：待财政审核 → 已批复' in page
    assert f"批复单位：{FINANCE_BODY}" in page


def test_the_queue_shows_each_reviewer_their_step(org, client):
    two_level()
    first = clean_project(unit=CHILD, name="等待初审")
    first.submit(org["child_filler"])
    second = clean_project(unit=CHILD, name="等待财政审核")
    second.submit(org["child_filler"])
    second.pass_first_review(org["main_reviewer"])
    client.force_login(org["main_reviewer"])
    page = client.get(reverse("projects:queue")).content.decode()
    assert "等待初审" in page and "等待财政审核" not in page and "主管部门初审" in page
    client.force_login(org["finance"])
    page = client.get(reverse("projects:queue")).content.decode()
    assert "等待财政审核" in page and "等待初审" not in page and "财政审核" in page
    client.force_login(org["other_finance"])
    assert "暂无待审核的项目" in client.get(reverse("projects:queue")).content.decode()
