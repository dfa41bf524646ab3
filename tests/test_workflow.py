import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators import checks
from indicators.models import Indicator
from projects.models import ApprovalSnapshot, Project, Status, Transition
from projects.workflow import TransitionNotAllowed, TransitionRefused, WarningsNotConfirmed
from tests.workflow_helpers import clean_project, people, state

# Who may do what, from which state (superusers may do everything).
ALLOWED = {
    "submit": ("filler", (Status.DRAFT, Status.RETURNED), Status.SUBMITTED),
    "approve": ("reviewer", (Status.SUBMITTED,), Status.APPROVED),
    "return": ("reviewer", (Status.SUBMITTED,), Status.RETURNED),
    "reopen": ("reviewer", (Status.APPROVED,), Status.DRAFT),
}
ROLES = ("anonymous", "filler", "other_filler", "reviewer", "other_reviewer", "superuser")
STATES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.APPROVED)


def expected_outcome(role, status, action):
    if role == "anonymous":
        return "login"
    if role.startswith("other_"):
        return "404"
    allowed_role, sources, _ = ALLOWED[action]
    if status in sources and role in (allowed_role, "superuser"):
        return "done"
    return "403"


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("status", STATES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.usefixtures("db")
def test_the_transition_matrix(client, django_user_model, role, status, action):
    users = people(django_user_model)
    project = clean_project()
    Project.objects.filter(pk=project.pk).update(status=status)
    if users[role]:
        client.force_login(users[role])
    before = state(project)

    response = client.post(
        f"/projects/{project.pk}/{action}/", {"comment": "请按意见办理。", "confirm_warnings": "1"}
    )

    outcome = expected_outcome(role, status, action)
    after = state(project)
    if outcome == "done":
        assert response.status_code == 302
        assert response["Location"] == f"/projects/{project.pk}/"
        assert after["status"] == ALLOWED[action][2]
        assert after["version"] == before["version"] + 1
        assert after["transitions"] == before["transitions"] + 1
        assert after["snapshots"] == before["snapshots"] + (action == "approve")
        transition = Transition.objects.get(project=project)
        assert (transition.from_status, transition.to_status) == (status, ALLOWED[action][2])
        assert transition.user == users[role]
        assert transition.comment == "请按意见办理。"
    else:
        expected_code = {"login": 302, "404": 404, "403": 403}[outcome]
        assert response.status_code == expected_code
        if outcome == "login":
            assert response["Location"].startswith("/accounts/login/")
        assert after == before


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_a_get_on_a_transition_url_changes_nothing(db, client, django_user_model, role, action):
    users = people(django_user_model)
    project = clean_project()
    allowed_status = ALLOWED[action][1][0]
    Project.objects.filter(pk=project.pk).update(status=allowed_status)
    if users[role]:
        client.force_login(users[role])
    before = state(project)
    response = client.get(f"/projects/{project.pk}/{action}/", {"comment": "x", "confirm_warnings": "1"})
    assert response.status_code == (302 if role == "anonymous" else 405)
    assert state(project) == before


def test_transitions_need_the_csrf_token(db, django_user_model):
    from django.test import Client

    users = people(django_user_model)
    project = clean_project()
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["filler"])
    before = state(project)
    assert client.post(f"/projects/{project.pk}/submit/").status_code == 403
    assert state(project) == before


def test_a_refusal_explains_itself_in_chinese(db, client, django_user_model):
    users = people(django_user_model)
    project = clean_project()
    client.force_login(users["filler"])
    page = client.post(f"/projects/{project.pk}/approve/").content.decode()
    assert "只有本单位（鄂州市数据局）的审核人可以批复此项目" in page
    client.force_login(users["reviewer"])
    page = client.post(f"/projects/{project.pk}/reopen/", {"comment": "x"}).content.decode()
    assert "项目当前状态为“草稿”，不能重新打开" in page


@pytest.mark.parametrize(("action", "status"), [("return", Status.SUBMITTED), ("reopen", Status.APPROVED)])
def test_return_and_reopen_require_a_comment(db, client, django_user_model, action, status):
    users = people(django_user_model)
    project = clean_project()
    Project.objects.filter(pk=project.pk).update(status=status)
    client.force_login(users["reviewer"])
    before = state(project)
    response = client.post(f"/projects/{project.pk}/{action}/", {"comment": "   "}, follow=True)
    assert response.status_code == 200
    assert "请填写" in response.content.decode()
    assert state(project) == before


def test_a_stale_page_cannot_approve_a_changed_project(db, client, django_user_model):
    users = people(django_user_model)
    project = clean_project()
    project.submit(users["filler"])
    seen = project.version
    project.send_back(users["reviewer"], "补充依据")
    project.submit(users["filler"])
    client.force_login(users["reviewer"])
    before = state(project)
    response = client.post(f"/projects/{project.pk}/approve/", {"version": seen}, follow=True)
    assert "项目在您打开页面后已被修改" in response.content.decode()
    assert state(project) == before
    client.post(f"/projects/{project.pk}/approve/", {"version": project.version})
    assert Project.objects.get(pk=project.pk).status == Status.APPROVED


def test_the_model_guards_refuse_and_change_nothing(db, django_user_model):
    users = people(django_user_model)
    project = clean_project()
    before = state(project)
    with pytest.raises(TransitionNotAllowed):
        project.approve(users["reviewer"])  # still a draft
    with pytest.raises(TransitionNotAllowed):
        project.submit(users["reviewer"])  # reviewers do not submit
    with pytest.raises(TransitionNotAllowed):
        project.submit(users["other_filler"])  # another unit
    assert state(project) == before
    assert project.status == Status.DRAFT


def test_the_whole_cycle_on_the_model(db, django_user_model):
    users = people(django_user_model)
    project = clean_project()
    editable = Project.objects.restrict(users["filler"], "edit")
    project.submit(users["filler"])
    project.send_back(users["reviewer"], "总成本依据不足")
    assert project.status == Status.RETURNED and editable.contains(project)
    project.submit(users["filler"])
    assert not editable.contains(project)
    project.approve(users["reviewer"], "同意")
    assert project.is_approved and not editable.contains(project)
    project.reopen(users["superuser"], "年中调整预算")
    assert project.status == Status.DRAFT and not project.is_approved
    assert list(Transition.objects.filter(project=project).values_list("action", flat=True)) == [
        "submit",
        "return",
        "submit",
        "approve",
        "reopen",
    ]


# -- the review checks on submit ---------------------------------------------------

SEED_WITH_ERROR = "城市数字公共基础设施专班工作经费"


def test_check_errors_block_submit_and_are_listed(client, seed, django_user_model):
    from tests.workflow_helpers import member

    filler = member(django_user_model, "tianbao", "鄂州市数据局", "filler")
    project = Project.objects.get(name=SEED_WITH_ERROR)
    client.force_login(filler)
    before = state(project)

    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "成本指标“总成本”的指标值“等于36人”不是金额" in page  # shown before submitting

    response = client.post(f"/projects/{project.pk}/submit/", {"confirm_warnings": "1"}, follow=True)
    page = response.content.decode()
    assert "未能提交：审核检查发现" in page
    assert "成本指标“总成本”的指标值“等于36人”不是金额" in page
    assert state(project) == before

    # Fix what the checks name: the cost in money, the head count as a number,
    # 社会效益 under 效益指标.
    row = Indicator.objects.get(goal__project=project, level3="总成本", value="等于36人")
    row.value = "≤25万元"
    row.save()
    row = Indicator.objects.get(goal__project=project, goal__term="annual", level3="抽调相关政府工作人员人数")
    row.value = "等于36人"
    row.save()
    for row in Indicator.objects.filter(goal__project=project, level1="产出指标", level2="社会效益指标"):
        row.level1 = "效益指标"
        row.save()
    assert not checks.errors(checks.check_project(Project.objects.with_tree().get(pk=project.pk)))
    response = client.post(f"/projects/{project.pk}/submit/", {"confirm_warnings": "1"})
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).status == Status.SUBMITTED


def mostly_qualitative(project):
    """Qualitative values on 质量/效益 indicators (two changed, three added): five of the
    annual table's nine rows are then qualitative, which the checks warn about
    (QUALITATIVE_SHARE) without an error."""
    goal = project.goals.get(term="annual")
    for level3, value in (("系统可用率", "稳定可用"), ("政务服务覆盖率", "明显提升")):
        row = goal.indicators.get(level3=level3)
        row.value = value
        row.save()
    for position, (level1, level2, level3, value) in enumerate(
        [
            ("产出指标", "质量指标", "运维服务规范性", "规范有序"),
            ("效益指标", "社会效益指标", "政务服务能力", "明显提升"),
            ("效益指标", "可持续影响指标", "运维机制", "长效运行"),
        ],
        start=10,
    ):
        Indicator.objects.create(
            goal=goal, position=position, level1=level1, level2=level2, level3=level3, value=value,
            basis="其他标准",
        )  # fmt: skip
    findings = checks.check_project(Project.objects.with_tree().get(pk=project.pk))
    assert not checks.errors(findings)
    assert [f.rule for f in checks.warnings(findings)] == ["QUALITATIVE_SHARE"]
    return project


def test_warnings_need_an_explicit_confirmation(db, client, django_user_model):
    users = people(django_user_model)
    project = mostly_qualitative(clean_project())
    client.force_login(users["filler"])
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "项为定性指标，超过一半" in page and 'name="confirm_warnings"' in page

    before = state(project)
    response = client.post(f"/projects/{project.pk}/submit/", follow=True)
    assert "请阅读并勾选确认后再提交" in response.content.decode()
    assert state(project) == before
    with pytest.raises(WarningsNotConfirmed):
        project.submit(users["filler"])

    client.post(f"/projects/{project.pk}/submit/", {"confirm_warnings": "1"})
    assert Project.objects.get(pk=project.pk).status == Status.SUBMITTED


def test_check_errors_block_submit_on_the_model_too(db, django_user_model, seed):
    users = people(django_user_model)
    project = Project.objects.get(name=SEED_WITH_ERROR)
    with pytest.raises(TransitionRefused) as refused:
        project.submit(users["filler"], confirm_warnings=True)
    assert any(f.rule == "COST_UNIT" for f in refused.value.findings)
    assert Project.objects.get(pk=project.pk).status == Status.DRAFT


# -- approval snapshots ------------------------------------------------------------


def test_the_snapshot_survives_a_reopen_and_edits(db, client, django_user_model):
    users = people(django_user_model)
    project = clean_project()
    project.submit(users["filler"])
    client.force_login(users["reviewer"])
    client.post(f"/projects/{project.pk}/approve/", {"comment": "同意批复"})
    snapshot = ApprovalSnapshot.objects.get(project=project)
    frozen = snapshot.data
    assert frozen["status"] == Status.APPROVED and frozen["name"] == project.name
    assert snapshot.approved_by == users["reviewer"] and snapshot.comment == "同意批复"

    client.post(f"/projects/{project.pk}/reopen/", {"comment": "预算调整"})
    row = Indicator.objects.filter(goal__project=project, level3="运维系统数量").first()
    row.value = "≥5个"
    row.save()
    Project.objects.filter(pk=project.pk).update(name="政务云平台运维项目（调整）")

    snapshot.refresh_from_db()
    assert snapshot.data == frozen
    client.force_login(users["filler"])
    page = client.get(f"/projects/{project.pk}/approved/{snapshot.pk}/").content.decode()
    assert "≥3个" in page and "≥5个" not in page
    assert "政务云平台运维项目（调整）" not in page
    assert "同意批复" in page
    detail = client.get(f"/projects/{project.pk}/").content.decode()
    assert f"/projects/{project.pk}/approved/{snapshot.pk}/" in detail


def test_snapshots_and_transitions_refuse_changes(db, django_user_model):
    users = people(django_user_model)
    project = clean_project()
    project.submit(users["filler"])
    project.approve(users["reviewer"])
    snapshot = ApprovalSnapshot.objects.get(project=project)
    snapshot.comment = "改过"
    with pytest.raises(ValueError):
        snapshot.save()
    with pytest.raises(ValueError):
        snapshot.delete()
    with pytest.raises(ValueError):
        Transition.objects.filter(project=project).first().delete()
    assert ApprovalSnapshot.objects.get(pk=snapshot.pk).comment == ""


def test_admin_shows_snapshots_read_only(db, admin_client, django_user_model):
    users = people(django_user_model)
    project = clean_project()
    project.submit(users["filler"])
    project.approve(users["reviewer"])
    snapshot = ApprovalSnapshot.objects.get(project=project)
    url = f"/admin/projects/approvalsnapshot/{snapshot.pk}/"
    assert admin_client.get(url + "change/").status_code == 200
    assert admin_client.post(url + "change/", {"comment": "改过"}).status_code == 403
    assert admin_client.post(url + "delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get("/admin/projects/approvalsnapshot/add/").status_code == 403
    assert ApprovalSnapshot.objects.get(pk=snapshot.pk).comment == ""


def test_submitting_checks_a_project_in_a_fixed_number_of_queries(db, django_user_model):
    users = people(django_user_model)
    project = clean_project()
    with CaptureQueriesContext(connection) as queries:
        project.submit(users["filler"])
    assert len(queries) < 20
