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
    page.get_by_role("link", name="第1次批复").click()
    page.get_by_text("本页为批复时的内容，只读").wait_for()
    assert "运维系统数量" in page.content()
    assert Project.objects.get(pk=project.pk).transitions.count() == 2


def test_a_returned_project_shows_the_comment_and_a_submission_can_be_withdrawn(page, django_user_model):
    """The review loop in the browser: 已退回 in the list and 我的待办, the comment atop the
    project page and the editor, resubmitting, then 撤回 before the reviewer acts."""
    from tests.conftest import ROOT

    shots = ROOT / "test-artifacts"
    shots.mkdir(exist_ok=True)
    project = clean_project()
    clean_project(name="数据共享交换平台项目")
    filler = member(django_user_model, "tianbao", UNIT, Role.FILLER, password=PASSWORD, first_name="田宝")
    reviewer = member(django_user_model, "shenhe", UNIT, Role.REVIEWER, password=PASSWORD, first_name="沈和")
    project.submit(filler)
    project.send_back(reviewer, "总成本应与项目预算一致，请核对后重新提交。")

    login(page, "tianbao", PASSWORD)
    page.get_by_role("link", name="我的待办").click()
    page.get_by_role("heading", name="我的待办").wait_for()
    mark = page.locator(".project-table tbody tr").first.locator(".status-returned")
    assert mark.inner_text() == "已退回"
    page.goto(f"{page.base_url}/?status=returned")
    assert page.locator(".project-table tbody tr").count() == 1
    page.goto(f"{page.base_url}/")
    page.screenshot(path=str(shots / "review-list.png"), full_page=True)

    page.get_by_role("link", name=project.name).click()
    note = page.locator("#return-note")
    assert "总成本应与项目预算一致" in note.inner_text() and "沈和" in note.inner_text()
    assert note.bounding_box()["y"] < page.locator(".sheet, table").first.bounding_box()["y"]
    page.screenshot(path=str(shots / "review-returned-project.png"), full_page=True)
    page.get_by_role("link", name="编辑", exact=True).click()
    assert "总成本应与项目预算一致" in page.locator("#return-note").inner_text()
    page.screenshot(path=str(shots / "review-returned-editor.png"))

    page.goto(f"{page.base_url}/projects/{project.pk}/")
    page.get_by_label("说明（选填）").fill("已核对。")
    page.get_by_role("button", name="提交", exact=True).click()
    page.get_by_text("已提交，等待审核人审核。").wait_for()
    assert page.locator("#return-note").count() == 0
    page.get_by_label("撤回原因（选填）").fill("发现指标值有误。")
    page.get_by_role("button", name="撤回", exact=True).click()
    page.get_by_text("已撤回，可修改后重新提交。").wait_for()
    project.refresh_from_db()
    assert project.status == Status.RETURNED
    assert "撤回：已提交 → 已退回，意见：发现指标值有误。" in page.locator("#history").inner_text()
    page.screenshot(path=str(shots / "review-project-page.png"), full_page=True)
