from projects.models import ApprovalSnapshot, Project, Role, Status
from tests.conftest import login
from tests.workflow_helpers import PASSWORD, UNIT, clean_project, member


def test_a_filler_submits_and_a_reviewer_approves_from_the_page(page, django_user_model):
    project = clean_project()
    member(django_user_model, "tianbao", UNIT, Role.FILLER, password=PASSWORD, first_name="田宝")
    member(django_user_model, "shenhe", UNIT, Role.REVIEWER, password=PASSWORD, first_name="沈和")

    login(page, "tianbao", PASSWORD)
    page.goto(f"{page.base_url}/projects/{project.pk}/")
    page.get_by_label("说明（选填）").fill("请审核。")
    page.get_by_role("button", name="提交", exact=True).click()
    page.get_by_text("已提交，等待审核人审核。").wait_for()
    assert page.get_by_role("button", name="提交", exact=True).count() == 0

    page.context.clear_cookies()
    login(page, "shenhe", PASSWORD)
    page.get_by_role("link", name="待审核").click()
    page.get_by_role("link", name=project.name).click()
    page.get_by_label("批复意见（选填）").fill("同意。")
    page.get_by_role("button", name="批复", exact=True).click()
    page.get_by_text("已批复，批复内容已存档。").wait_for()

    project.refresh_from_db()
    assert project.status == Status.APPROVED
    snapshot = ApprovalSnapshot.objects.get(project=project)
    assert snapshot.approved_by_name == "沈和" and snapshot.comment == "同意。"
    history = page.locator("#history").inner_text()
    assert "批复：已提交 → 已批复，意见：同意。" in history and "田宝" in history
    page.get_by_role("link", name="第3版").click()
    page.get_by_text("本页为批复时的内容，只读").wait_for()
    assert "运维系统数量" in page.content()
    assert Project.objects.get(pk=project.pk).transitions.count() == 2
