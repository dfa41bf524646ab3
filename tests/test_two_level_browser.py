"""In the browser: an administrator sets up units, users and the year; a 所属单位's project
then goes 草稿 → 待主管部门审核 → 待财政审核 → 已批复, with a return at each level, and the
printed approval names the approving body and date. Screenshots go to /tmp/shots-org/."""

from pathlib import Path

from django.utils import timezone
from openpyxl import Workbook

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
from tests.conftest import login
from tests.workflow_helpers import PASSWORD, clean_project, member

SHOTS = Path("/tmp/shots-org")
MAIN, CHILD, SIBLING, FINANCE_BODY = "鄂州市数据局", "鄂州市政务服务中心", "鄂州市大数据中心", "鄂州市财政局"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def unit_list(tmp_path):
    workbook = Workbook()
    for row in (
        ("单位编码", "单位名称", "主管部门编码"),
        ("101", MAIN, None),
        ("101001", CHILD, "101"),
        ("101002", SIBLING, "101"),
        ("102", "鄂州市民政局", None),
        ("102001", "鄂州市社会福利院", "102"),
    ):
        workbook.active.append(row)
    path = tmp_path / "单位名单.xlsx"
    workbook.save(path)
    return path


def import_and_edit_units(page, tmp_path):
    page.get_by_role("link", name="系统管理").click()
    page.get_by_role("link", name="单位", exact=True).click()
    page.get_by_role("link", name="导入单位名单").click()
    page.get_by_label("单位名单文件").set_input_files(str(unit_list(tmp_path)))
    page.get_by_role("button", name="导入").click()
    page.get_by_text("新增5个单位，更新0个，未变化0个。").wait_for()
    shot(page, "unit-import")
    page.get_by_role("link", name="查看单位列表").click()
    rows = page.locator("table.units tbody tr")
    assert rows.count() == 5
    assert rows.nth(1).locator("td").nth(1).inner_text().endswith(CHILD)
    shot(page, "unit-list")
    rows.nth(1).get_by_role("link", name="修改").click()
    page.get_by_label("主管部门").select_option(label="102 鄂州市民政局")
    page.get_by_role("button", name="保存").click()
    page.get_by_text(f"已保存单位“{CHILD}”。").wait_for()
    assert Department.objects.get(name=CHILD).parent.name == "鄂州市民政局"
    page.goto(f"{page.base_url}/manage/units/{Department.objects.get(name=CHILD).pk}/")
    assert "修改单位" in page.locator("#log").inner_text()
    shot(page, "unit-edit")


def switch_2025_to_two_level(page):
    page.goto(f"{page.base_url}/manage/years/")
    page.get_by_label("年度").fill("2025")
    page.get_by_label("实行两级审核").check()
    page.get_by_label("财政部门（批复单位）").fill(FINANCE_BODY)
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已保存2025年度设置：两级审核；财政部门：鄂州市财政局。").wait_for()
    shot(page, "years")


def add_a_finance_reviewer_and_deactivate_an_account(page):
    page.get_by_role("link", name="用户与角色").click()
    page.get_by_label("用户名").fill("caizheng")
    page.get_by_label("姓名").fill("蔡正")
    page.get_by_label("初始密码").fill("Caizheng-2025-x")
    page.get_by_role("button", name="新增用户").click()
    page.get_by_text("已新增用户 caizheng").wait_for()
    page.get_by_label("单位", exact=True).select_option(label="101 鄂州市数据局")
    page.get_by_label("角色").select_option(label="财政审核人")
    page.get_by_role("button", name="分配角色").click()
    page.get_by_text("已为 caizheng 分配或调整角色：鄂州市数据局。").wait_for()
    roles = page.locator("table.roles tbody").inner_text()
    assert "财政审核人" in roles and "本单位及所属单位" in roles
    log = page.locator("#log").inner_text()
    assert "分配角色" in log and "鄂州市数据局 · 财政审核人（本单位及所属单位）" in log and "管理员甲" in log
    shot(page, "user-admin")

    page.get_by_role("link", name="← 用户与角色").click()
    page.get_by_label("用户名").fill("linshi")
    page.get_by_role("button", name="新增用户").click()
    page.get_by_text("初始密码：").wait_for()
    page.get_by_role("button", name="停用账号").click()
    page.get_by_text("已停用账号 linshi。").wait_for()
    page.get_by_role("link", name="← 用户与角色").click()
    shot(page, "users")
    assert "停用账号" in page.locator("#log").inner_text()


def test_an_administrator_sets_up_units_users_and_two_level_review(page, django_user_model, tmp_path):
    django_user_model.objects.create_superuser("guanli", password=PASSWORD, first_name="管理员甲")
    login(page, "guanli", PASSWORD)
    import_and_edit_units(page, tmp_path)
    switch_2025_to_two_level(page)
    add_a_finance_reviewer_and_deactivate_an_account(page)
    finance = django_user_model.objects.get(username="caizheng")
    assert YearSetting.objects.get(year=2025).two_level
    # 鄂州市政务服务中心 was moved to 鄂州市民政局 above: out of this finance reviewer's reach now
    assert set(Department.objects.restrict(finance, "view").values_list("name", flat=True)) == {MAIN, SIBLING}
    assert not django_user_model.objects.get(username="linshi").is_active


class Flow:
    """One project driven through the review pages by its users."""

    def __init__(self, page, project):
        self.page, self.project = page, project
        self.detail = f"{page.base_url}/projects/{project.pk}/"

    def as_user(self, username):
        self.page.context.clear_cookies()
        login(self.page, username, PASSWORD)

    def submit(self, note):
        self.as_user("tianbao")
        self.page.goto(self.detail)
        self.page.get_by_label("说明（选填）").fill(note)
        self.page.get_by_role("button", name="提交", exact=True).click()
        self.page.get_by_text("已提交，等待主管部门初审。").wait_for()
        assert self.page.locator(".workflow .status").inner_text() == "待主管部门审核"

    def open_from_queue(self, username, step, shot_name=None):
        self.as_user(username)
        self.page.get_by_role("link", name="待审核").click()
        row = self.page.locator("table.queue tbody tr", has_text=self.project.name)
        assert row.locator("td").nth(1).inner_text() == step
        if shot_name:
            shot(self.page, shot_name)
        row.get_by_role("link", name=self.project.name).click()

    def act(self, action, button, done, comment_label=None, comment=""):
        form = self.page.locator(f'form.workflow-action[data-action="{action}"]')
        if comment_label:
            form.get_by_label(comment_label).fill(comment)
        form.get_by_role("button", name=button, exact=True).click()
        self.page.get_by_text(done).wait_for()

    def offers(self, action):
        return self.page.locator(f'form.workflow-action[data-action="{action}"]').count() == 1


RETURNED = "已退回填报人修改。"
PASSED = "已初审通过，等待财政审核。"


def two_level_world(django_user_model):
    main = Department.objects.create(code="101", name=MAIN)
    Department.objects.create(code="101001", name=CHILD, parent=main)
    YearSetting.objects.create(year=2025, two_level=True, finance_body=FINANCE_BODY)
    member(django_user_model, "tianbao", CHILD, Role.FILLER, password=PASSWORD, first_name="田宝")
    first = member(django_user_model, "chushen", MAIN, Role.REVIEWER, password=PASSWORD, first_name="楚深")
    Membership.objects.filter(user=first).update(scope=Scope.TREE)
    member(django_user_model, "caizheng", MAIN, Role.FINANCE, password=PASSWORD, first_name="蔡正")
    return clean_project(unit=CHILD)


def test_a_units_project_passes_both_levels_in_the_browser_with_a_return_at_each(page, django_user_model):
    project = two_level_world(django_user_model)
    flow = Flow(page, project)

    # 1. submitted by the 所属单位, returned at 初审 by the 主管部门
    flow.submit("请审核。")
    flow.open_from_queue("chushen", "主管部门初审", "queue-department")
    assert flow.offers("pass") and not flow.offers("approve")
    flow.act("return", "退回", RETURNED, "退回意见（必填）", "请补充立项依据。")
    assert Project.objects.get(pk=project.pk).status == Status.RETURNED

    # 2. resubmitted, passed by the 主管部门, returned by the finance reviewer
    flow.submit("已补充。")
    flow.open_from_queue("chushen", "主管部门初审")
    flow.act("pass", "初审通过", PASSED, "初审意见（选填）", "同意报财政。")
    assert page.locator(".workflow .status").inner_text() == "待财政审核"
    assert not flow.offers("approve")  # the 主管部门 does not approve
    flow.open_from_queue("caizheng", "财政审核", "queue-finance")
    assert flow.offers("approve") and not flow.offers("pass")
    flow.act("return", "退回", RETURNED, "退回意见（必填）", "满意度指标依据不足。")
    flow.as_user("tianbao")
    page.goto(flow.detail)
    note = page.locator(".return-note").inner_text()
    assert "鄂州市财政局 审核人 蔡正" in note and "满意度指标依据不足" in note

    # 3. the whole way: 草稿 → 待主管部门审核 → 待财政审核 → 已批复
    flow.submit("已按财政意见修改。")
    flow.open_from_queue("chushen", "主管部门初审")
    flow.act("pass", "初审通过", PASSED)
    flow.open_from_queue("caizheng", "财政审核")
    flow.act("approve", "批复", "已批复，批复内容已存档。", "批复意见（选填）", "同意。")

    project.refresh_from_db()
    assert project.status == Status.APPROVED
    history = page.locator("#history").inner_text()
    assert "鄂州市数据局 退回：待主管部门审核 → 已退回，意见：请补充立项依据。" in history
    assert "鄂州市财政局 退回：待财政审核 → 已退回，意见：满意度指标依据不足。" in history
    assert "鄂州市数据局 初审通过：待主管部门审核 → 待财政审核，意见：同意报财政。" in history
    assert "鄂州市财政局 批复：待财政审核 → 已批复，意见：同意。" in history
    actions = list(project.transitions.values_list("action", flat=True))
    assert actions == ["submit", "return", "submit", "pass", "return", "submit", "pass", "approve"]
    shot(page, "approved-project")


def test_the_printed_approval_names_the_body_and_date(page, django_user_model):
    project = two_level_world(django_user_model)
    filler = django_user_model.objects.get(username="tianbao")
    project.submit(filler)
    project.pass_first_review(django_user_model.objects.get(username="chushen"), "同意报财政。")
    project.approve(django_user_model.objects.get(username="caizheng"), "同意。")
    flow = Flow(page, project)
    flow.as_user("tianbao")
    page.goto(flow.detail)
    day = timezone.localdate()
    approval = f"批复单位：{FINANCE_BODY}　批复日期：{day.year}年{day.month}月{day.day}日"
    assert approval in page.locator(".workflow").inner_text()
    page.get_by_role("link", name="打印批复表").click()
    footer = page.locator("footer.sheet-approval-line")
    assert footer.locator(".c-approval_body").inner_text() == f"批复单位：{FINANCE_BODY}"
    assert (
        footer.locator(".c-approval_date").inner_text() == f"批复日期：{day.year}年{day.month}月{day.day}日"
    )
    shot(page, "printed-approval")
    snapshot = ApprovalSnapshot.objects.get(project=project)
    page.goto(f"{page.base_url}/projects/{project.pk}/approved/{snapshot.pk}/")
    steps = page.locator(".snapshot-steps").inner_text()
    assert "初审通过：鄂州市数据局 楚深" in steps and "批复：鄂州市财政局 蔡正" in steps
    shot(page, "approval-snapshot")
    pdf = page.context.request.get(f"{page.base_url}/projects/{project.pk}/sheet.pdf").body()
    assert pdf.startswith(b"%PDF")
    (SHOTS / "printed-approval.pdf").write_bytes(pdf)
