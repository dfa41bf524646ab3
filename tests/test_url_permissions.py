"""Every URL of the product × every kind of user → the expected answer.

The list of URLs comes from the URL configuration itself: a new URL without a
row in CASES fails `test_every_url_is_in_the_matrix`, so it cannot be forgotten.
Refused writes must leave the data exactly as it was.

The units are imported from an Excel unit list: 鄂州市数据局 (a 主管部门) with two
所属单位, and 鄂州市财政局 on its own. Besides the users of one unit, the matrix has
a 财政审核人 assigned to 鄂州市数据局 (归口管理: it sees the three units' projects
and nothing else), the 主管部门's 审核人 with scope tree, and a 所属单位's 填报人.
"""

import io
from dataclasses import dataclass
from functools import partial

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from indicators.models import CommonIndicator, Indicator
from projects.documents.data import dumps
from projects.models import (
    AdminChange,
    ApprovalSnapshot,
    Department,
    Goal,
    Membership,
    PendingImport,
    Project,
    Role,
    Scope,
    Status,
    Transition,
    YearSetting,
)
from results.documents.data import write_document
from results.documents.xlsx import iter_forms
from results.models import FormTransition, Kind, ResultForm, ResultRow
from results.services import open_round

from .editor_support import editor_data
from .evaluation_helpers import fill as evaluation_fill
from .results_helpers import fill, monitoring_round
from .workflow_helpers import OTHER_UNIT, UNIT, clean_project, member, people

CHILD, SIBLING = "鄂州市政务服务中心", "鄂州市大数据中心"
UNIT_LIST = [
    ("单位编码", "单位名称", "主管部门编码"),
    ("101", UNIT, None),
    ("101001", CHILD, "101"),
    ("101002", SIBLING, "101"),
    ("201", OTHER_UNIT, None),
]
ROLES = (
    "anonymous",
    "filler",
    "other_filler",
    "reviewer",
    "other_reviewer",
    "superuser",
    "finance",  # 财政审核人, 归口管理 鄂州市数据局
    "parent_reviewer",  # 鄂州市数据局's 审核人, scope tree
    "child_filler",  # 鄂州市政务服务中心's 填报人
)
EVERYONE = len(ROLES)
LOGIN = "login"  # expected: redirected to the login page


def expect(*everyone, **by_role):
    """Expected answers by role: 200 for a signed-in user, the login page for anonymous,
    unless given (`expect(*(405,) * EVERYONE)` for all, or `expect(reviewer=403)`)."""
    answers = dict(zip(ROLES, everyone, strict=True)) if everyone else {}
    return {
        role: by_role.get(role, answers.get(role, LOGIN if role == "anonymous" else 200)) for role in ROLES
    }


# Answers for a project of UNIT: its own users see it, another unit's get 404; the
# finance reviewer and the 主管部门's tree reviewer see it too, the 所属单位's filler does not.
OWN_UNIT = expect(other_filler=404, other_reviewer=404, child_filler=404)
# a waiting upload is its uploader's alone (the filler's in the world)
NOT_THE_UPLOADERS = expect(**{role: 404 for role in ROLES if role not in ("anonymous", "filler")})
FILLERS_ONLY = expect(reviewer=403, other_reviewer=403, finance=403, parent_reviewer=403)
SIGNED_IN = [role for role in ROLES if role != "anonymous"]
POST_ONLY = expect(**{role: 405 for role in SIGNED_IN})
# The 系统管理 pages: administrators only.
ADMIN_ONLY = expect(**{role: 403 for role in SIGNED_IN if role != "superuser"})
ADMIN_WRITES = expect(**{role: 403 for role in SIGNED_IN if role != "superuser"}, superuser=302)
ADMIN_POST_ONLY = expect(**{role: 403 for role in SIGNED_IN if role != "superuser"}, superuser=405)


@dataclass
class Case:
    url: str  # URL name
    target: str | None  # which project (or unit, user, membership) of the world the URL is about
    expected: dict
    method: str = "get"
    data: object = None  # callable(world) -> POST data
    writes: bool = False  # a successful answer changes the data
    changes: tuple | None = None  # roles whose request changes the data (default: those answered 302)
    query: dict | None = None  # GET parameters of the URL

    def changes_for(self, role):
        if not self.writes:
            return False
        if self.changes is not None:
            return role in self.changes
        return self.expected[role] == 302


def submit_data(world):
    return {"confirm_warnings": "1"}


def comment(world):
    return {"comment": "意见"}


def edit_data(world):
    project = world["draft"]
    goals = [
        {
            "term": "annual",
            "text": "年度目标",
            "rows": [("成本指标", "经济成本指标", "总成本", "≤5万元", "其他标准")],
        }
    ]
    return editor_data(project, department=project.department, name=project.name, budget="5", goals=goals)


def create_data(world):
    return editor_data(department=Department.objects.get(name=UNIT), name="新项目", goals=[])


def paste_data(world):
    from .conftest import SEED_TEXT

    text = SEED_TEXT.read_text(encoding="utf-8").split("2025年项目支出绩效目标批复")[1]
    return {
        "department": str(Department.objects.get(name=UNIT).pk),
        "text": "2025年项目支出绩效目标批复" + text,
    }


def confirm_data(world):
    return {"action": "confirm"}


def common_data(world):
    return {"level1": "满意度指标", "level2": "服务对象满意度指标", "level3": "用户满意度", "value": "≥90%"}


def library_import_data(world):
    from openpyxl import Workbook

    from indicators.library_xlsx import COMMON_HEADER, COMMON_SHEET

    book = Workbook()
    book.active.title = COMMON_SHEET
    book.active.append(list(COMMON_HEADER))
    book.active.append(["满意度指标", "服务对象满意度指标", "用户满意度", "≥90%", "所有项目", "", "启用"])
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "指标库.xlsx"
    return {"file": upload}


def import_data(world):
    document = dumps(Project.objects.with_tree().filter(pk=world["draft"].pk)).replace(
        world["draft"].name, "导入的项目"
    )
    upload = io.BytesIO(document.encode("utf-8"))
    upload.name = "backup.json"
    return {"department": str(Department.objects.get(name=UNIT).pk), "file": upload}


def monitoring_data(world, target="form"):
    """The editor's POST of the monitoring form `target` as its page shows it now (the
    current version: a stale page's version is answered by saying what happened)."""
    form = ResultForm.objects.get(pk=world[target].pk)
    return {"version": str(form.version), "budget_full": "100", "executed": "10", "summary": "按计划推进"}


def evaluation_data(world):
    form = ResultForm.objects.get(pk=world["eval_form"].pk)
    weights = {f"r{row.pk}-weight": str(row.weight) for row in form.rows.all()}
    return {
        "version": str(form.version),
        "budget_full": "100",
        "executed": "90",
        "summary": "按计划完成",
        **weights,
    }


def adjust_data(world):
    form = ResultForm.objects.get(pk=world["eval_submitted"].pk)
    row = form.rows.get(position=1)
    return {"version": str(form.version), "row": str(row.pk), "score": "10", "reason": "复核调整"}


def results_import_data(world):
    buffer = io.StringIO()
    write_document(iter_forms(ResultForm.objects.filter(pk=world["form"].pk)), buffer)
    document = buffer.getvalue().replace('"executed": null', '"executed": "12"')
    upload = io.BytesIO(document.encode("utf-8"))
    upload.name = "监控表.json"
    return {"file": upload}


def unit_list_data(world):
    upload = io.BytesIO("单位编码,单位名称,主管部门编码\n101003,鄂州市数字经济发展中心,101\n".encode())
    upload.name = "单位名单.csv"
    return {"file": upload}


def unit_data(world):
    return {"code": "101", "name": "鄂州市数据管理局", "parent": ""}


def new_unit_data(world):
    return {"code": "301", "name": "鄂州市新设单位", "parent": str(Department.objects.get(name=UNIT).pk)}


def new_user_data(world):
    return {"username": "xinren", "full_name": "辛仁"}


def role_data(world):
    return {"units": [str(Department.objects.get(name=UNIT).pk)], "role": Role.REVIEWER, "scope": Scope.UNIT}


def deactivate_data(world):
    return {"active": "0"}


def year_data(world):
    return {"year": "2025", "two_level": "on", "finance_body": "鄂州市财政局"}


OTHERS = ("filler", "other_filler", "reviewer", "other_reviewer")
WRITE_OWN = expect(
    filler=302,
    other_filler=404,
    reviewer=403,
    other_reviewer=404,
    superuser=302,
    finance=403,
    parent_reviewer=403,
    child_filler=404,
)
REVIEW_OWN = expect(
    filler=403,
    other_filler=404,
    reviewer=302,
    other_reviewer=404,
    superuser=302,
    finance=302,  # one-level review: the finance reviewer of the 主管部门 approves too
    parent_reviewer=302,
    child_filler=404,
)
READ_ONLY = expect(
    filler=403,
    other_filler=404,
    reviewer=403,
    other_reviewer=404,
    superuser=403,
    finance=403,
    parent_reviewer=403,
    child_filler=404,
)
INDICATOR = {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "用户满意度"}
# Creating: fillers of any unit may open the form; the unit must be one of theirs.
CREATE = expect(
    reviewer=403,
    other_reviewer=403,
    filler=302,
    superuser=302,
    other_filler=200,
    finance=403,
    parent_reviewer=403,
    child_filler=200,
)
# A project of a 所属单位 (鄂州市政务服务中心) or of its sibling: seen from above, not beside.
CHILD_SEEN = expect(**{role: 404 for role in OTHERS})
SIBLING_SEEN = expect(**{role: 404 for role in (*OTHERS, "child_filler")})
OTHER_SEEN = expect(
    **{role: 404 for role in ("filler", "reviewer", "finance", "parent_reviewer", "child_filler")}
)
# Two-level review (2026) of the 所属单位's project: 初审 by the 主管部门, then the finance review.
FIRST_REVIEW = expect(
    **{role: 404 for role in OTHERS}, superuser=302, finance=403, parent_reviewer=302, child_filler=403
)
FINANCE_REVIEW = expect(
    **{role: 404 for role in OTHERS}, superuser=302, finance=302, parent_reviewer=403, child_filler=403
)

CASES = {
    "health": Case("health", None, expect(*(200,) * EVERYONE)),
    "login-get": Case("login", None, expect(*(200,) * EVERYONE)),
    "logout-get": Case("logout", None, expect(*(405,) * EVERYONE)),
    "logout-post": Case("logout", None, expect(*(302,) * EVERYONE), method="post"),
    "password_change": Case("password_change", None, expect()),
    "password_change_done": Case("password_change_done", None, expect()),
    "list": Case("projects:list", None, expect()),
    "queue": Case("projects:queue", None, expect(filler=403, other_filler=403, child_filler=403)),
    "rules": Case("indicators:rules", None, expect()),
    # The library's names and figures are shared; its project lists are scoped (test_library).
    "library": Case("indicators:library", None, expect()),
    "library_indicator": Case("indicators:library_indicator", None, expect(), query=INDICATOR),
    "library_indicator-none": Case(
        "indicators:library_indicator", None, expect(*(404,) * EVERYONE, anonymous=LOGIN)
    ),
    "suggest": Case(
        "indicators:suggest", None, expect(), query={"level2": "服务对象满意度指标", "q": "满意"}
    ),
    "library_xlsx": Case("indicators:library_xlsx", None, expect()),
    "common-get": Case("indicators:common", None, ADMIN_ONLY, query=INDICATOR),
    "common": Case("indicators:common", None, ADMIN_WRITES, "post", common_data, writes=True),
    "library_import-get": Case("indicators:library_import", None, ADMIN_ONLY),
    "library_import": Case(
        "indicators:library_import",
        None,
        ADMIN_ONLY,
        "post",
        library_import_data,
        writes=True,
        changes=("superuser",),
    ),
    "stats": Case("stats:index", None, expect()),
    "stats_xlsx": Case("stats:xlsx", None, expect()),
    "parse_value": Case("projects:parse_value", None, expect()),
    "export_xlsx": Case("projects:export_xlsx", None, expect()),
    "export_rows": Case("projects:export_rows", None, expect()),
    "detail": Case("projects:detail", "draft", OWN_UNIT),
    "detail-child": Case("projects:detail", "child_draft", CHILD_SEEN),
    "detail-sibling": Case("projects:detail", "sibling_draft", SIBLING_SEEN),
    "detail-other": Case("projects:detail", "other", OTHER_SEEN),
    "sheet_xlsx-sibling": Case("projects:sheet_xlsx", "sibling_draft", SIBLING_SEEN),
    "sheet": Case("projects:sheet", "draft", OWN_UNIT),
    "sheet_xlsx": Case("projects:sheet_xlsx", "draft", OWN_UNIT),
    "sheet_pdf": Case("projects:sheet_pdf", "draft", OWN_UNIT),
    "sheet_docx": Case("projects:sheet_docx", "draft", OWN_UNIT),
    "export_docx": Case("projects:export_docx", None, expect()),
    "snapshot": Case("projects:snapshot", "approved", OWN_UNIT),
    "snapshot_xlsx": Case("projects:snapshot_xlsx", "approved", OWN_UNIT),
    "snapshot_pdf": Case("projects:snapshot_pdf", "approved", OWN_UNIT),
    "snapshot_docx": Case("projects:snapshot_docx", "approved", OWN_UNIT),
    "create-get": Case("projects:create", None, FILLERS_ONLY),
    "paste-get": Case("projects:paste", None, FILLERS_ONLY),
    "import-get": Case("projects:import", None, FILLERS_ONLY),
    "edit-get": Case(
        "projects:edit",
        "draft",
        expect(
            other_filler=404,
            reviewer=403,
            other_reviewer=404,
            finance=403,
            parent_reviewer=403,
            child_filler=404,
        ),
    ),
    "edit-get-approved": Case("projects:edit", "approved", READ_ONLY),
    "submit-get": Case("projects:submit", "draft", POST_ONLY),
    "pass-get": Case("projects:pass", "child_pending", POST_ONLY),
    "approve-get": Case("projects:approve", "submitted", POST_ONLY),
    "return-get": Case("projects:return", "submitted", POST_ONLY),
    "reopen-get": Case("projects:reopen", "approved", POST_ONLY),
    "copy-get": Case("projects:copy", "draft", POST_ONLY),
    "withdraw-get": Case("projects:withdraw", "submitted", POST_ONLY),
    # only the submitter (the filler): a superuser is not the submitter either
    "withdraw": Case("projects:withdraw", "submitted", {**WRITE_OWN, "superuser": 403}, "post", writes=True),
    "todo": Case("projects:todo", None, FILLERS_ONLY),
    "delete-get": Case("projects:delete", "draft", {**WRITE_OWN, "filler": 200, "superuser": 200}),
    "delete": Case("projects:delete", "draft", WRITE_OWN, "post", writes=True),
    "delete-submitted": Case("projects:delete", "submitted", READ_ONLY, "post"),
    "submit": Case("projects:submit", "draft", WRITE_OWN, "post", submit_data, writes=True),
    "approve": Case("projects:approve", "submitted", REVIEW_OWN, "post", comment, writes=True),
    "return": Case("projects:return", "submitted", REVIEW_OWN, "post", comment, writes=True),
    "reopen": Case("projects:reopen", "approved", REVIEW_OWN, "post", comment, writes=True),
    "pass": Case("projects:pass", "child_pending", FIRST_REVIEW, "post", comment, writes=True),
    "return-first": Case("projects:return", "child_pending", FIRST_REVIEW, "post", comment, writes=True),
    "approve-finance": Case(
        "projects:approve", "child_finance", FINANCE_REVIEW, "post", comment, writes=True
    ),
    "return-finance": Case("projects:return", "child_finance", FINANCE_REVIEW, "post", comment, writes=True),
    "copy": Case("projects:copy", "draft", WRITE_OWN, "post", writes=True),
    "edit": Case("projects:edit", "draft", WRITE_OWN, "post", edit_data, writes=True),
    "edit-approved": Case("projects:edit", "approved", READ_ONLY, "post", edit_data),
    "create": Case("projects:create", None, CREATE, "post", create_data, writes=True),
    "paste": Case("projects:paste", None, CREATE, "post", paste_data, writes=True),
    # the upload answers with its preview (302); another unit's filler gets the form error;
    # nothing is stored until the uploader confirms
    "import": Case(
        "projects:import",
        None,
        expect(reviewer=403, other_reviewer=403, finance=403, parent_reviewer=403, filler=302, superuser=302),
        "post",
        import_data,
    ),
    # a waiting upload is its uploader's alone (the filler's here)
    "import_preview": Case(
        "projects:import_preview",
        "pending",
        NOT_THE_UPLOADERS,
    ),
    "import_confirm-get": Case("projects:import_confirm", "pending", POST_ONLY),
    "import_confirm": Case(
        "projects:import_confirm",
        "pending",
        NOT_THE_UPLOADERS,
        "post",
        confirm_data,
        writes=True,
        changes=("filler",),
    ),
    # 系统管理: units, users and roles, years (administrators only)
    "units": Case("manage:units", None, ADMIN_ONLY),
    "unit_import-get": Case("manage:unit_import", None, ADMIN_ONLY),
    "unit_import": Case(
        "manage:unit_import", None, ADMIN_ONLY, "post", unit_list_data, writes=True, changes=("superuser",)
    ),
    "unit_create-get": Case("manage:unit_create", None, ADMIN_ONLY),
    "unit_create": Case("manage:unit_create", None, ADMIN_WRITES, "post", new_unit_data, writes=True),
    "unit-get": Case("manage:unit", "unit", ADMIN_ONLY),
    "unit": Case("manage:unit", "unit", ADMIN_WRITES, "post", unit_data, writes=True),
    "users": Case("manage:users", None, ADMIN_ONLY),
    "user_create-get": Case("manage:user_create", None, ADMIN_POST_ONLY),
    "user_create": Case("manage:user_create", None, ADMIN_WRITES, "post", new_user_data, writes=True),
    "user-get": Case("manage:user", "user", ADMIN_ONLY),
    "user_roles-get": Case("manage:user_roles", "user", ADMIN_POST_ONLY),
    "user_roles": Case("manage:user_roles", "user", ADMIN_WRITES, "post", role_data, writes=True),
    "user_role_remove-get": Case("manage:user_role_remove", "membership", ADMIN_POST_ONLY),
    "user_role_remove": Case("manage:user_role_remove", "membership", ADMIN_WRITES, "post", writes=True),
    "user_active-get": Case("manage:user_active", "user", ADMIN_POST_ONLY),
    "user_active": Case("manage:user_active", "user", ADMIN_WRITES, "post", deactivate_data, writes=True),
    "years": Case("manage:years", None, ADMIN_ONLY),
    "years-post": Case("manage:years", None, ADMIN_WRITES, "post", year_data, writes=True),
    # monitoring (results): everyone signed in sees the pages, scoped to their units
    "results-rounds": Case("results:rounds", None, expect()),
    "results-rules": Case("results:rules", None, expect()),
    "results-overview": Case("results:overview", "round", expect()),
    "results-overview_xlsx": Case("results:overview_xlsx", "round", expect()),
    "results-forms_xlsx": Case("results:forms_xlsx", "round", expect()),
    "results-form": Case("results:form", "form", OWN_UNIT),
    "results-print": Case("results:print", "form", OWN_UNIT),
    "results-xlsx": Case("results:xlsx", "form", OWN_UNIT),
    "results-pdf": Case("results:pdf", "form", OWN_UNIT),
    "results-form-save": Case("results:form", "form", WRITE_OWN, "post", monitoring_data, writes=True),
    "results-form-save-submitted": Case(
        "results:form", "submitted_form", READ_ONLY, "post", partial(monitoring_data, target="submitted_form")
    ),
    "results-confirm-get": Case("results:confirm", "submitted_form", POST_ONLY),
    "results-return-get": Case("results:return", "submitted_form", POST_ONLY),
    "results-confirm": Case("results:confirm", "submitted_form", REVIEW_OWN, "post", comment, writes=True),
    "results-return": Case("results:return", "submitted_form", REVIEW_OWN, "post", comment, writes=True),
    # self-evaluation (绩效自评): the same pages, and the reviewer's change of a score
    "evaluation-overview": Case("results:overview", "eval_round", expect()),
    "evaluation-form": Case("results:form", "eval_form", OWN_UNIT),
    "evaluation-print": Case("results:print", "eval_form", OWN_UNIT),
    "evaluation-xlsx": Case("results:xlsx", "eval_form", OWN_UNIT),
    "evaluation-form-save": Case(
        "results:form", "eval_form", WRITE_OWN, "post", evaluation_data, writes=True
    ),
    "results-adjust-get": Case("results:adjust", "eval_submitted", POST_ONLY),
    "results-adjust": Case("results:adjust", "eval_submitted", REVIEW_OWN, "post", adjust_data, writes=True),
    "results-import-get": Case("results:import", None, FILLERS_ONLY),
    # the upload answers with its report (200); another unit's filler gets "not found"
    "results-import": Case(
        "results:import",
        None,
        expect(reviewer=403, other_reviewer=403, finance=403, parent_reviewer=403),
        "post",
        results_import_data,
        writes=True,
        changes=("filler", "superuser"),
    ),
}

# URLs outside the matrix, and why.
NOT_IN_MATRIX = {
    # staff only, guarded by the admin site itself (test_admin_is_staff_only)
    "admin": "Django admin",
}


def url_names(resolver=None, namespace=""):
    """Every named URL of the product, as `namespace:name`."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_every_url_is_in_the_matrix():
    served = {name for name in url_names() if name.split(":")[0] not in NOT_IN_MATRIX}
    covered = {case.url for case in CASES.values()}
    assert served - covered == set(), "new URLs need a row in CASES"
    assert covered - served == set()


def test_admin_is_staff_only(client, django_user_model):
    user = django_user_model.objects.create_user("clerk", password=None)
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def import_unit_list(tmp_path):
    """The units from an Excel unit list, through `import_units` (as an operator would)."""
    from openpyxl import Workbook

    workbook = Workbook()
    for row in UNIT_LIST:
        workbook.active.append(row)
    path = tmp_path / "单位名单.xlsx"
    workbook.save(path)
    call_command("import_units", str(path), stdout=io.StringIO())


def build_world(tmp_path):
    django_user_model = get_user_model()
    import_unit_list(tmp_path)
    users = people(django_user_model)
    users["finance"] = member(django_user_model, "finance", UNIT, Role.FINANCE)
    users["parent_reviewer"] = member(django_user_model, "parent_reviewer", UNIT, Role.REVIEWER)
    Membership.objects.filter(user=users["parent_reviewer"]).update(scope=Scope.TREE)
    users["child_filler"] = member(django_user_model, "child_filler", CHILD, Role.FILLER)
    draft = clean_project(name="草稿项目")
    submitted = clean_project(name="已提交项目")
    submitted.submit(users["filler"])
    approved = clean_project(name="已批复项目")
    approved.submit(users["filler"])
    approved.approve(users["reviewer"], "同意")
    document = dumps(Project.objects.with_tree().filter(pk=draft.pk)).replace(draft.name, "待确认导入的项目")
    pending = PendingImport.objects.create(
        user=users["filler"],
        department=draft.department,
        filename="backup.json",
        content=document.encode("utf-8"),
    )
    other = clean_project(unit=OTHER_UNIT, name="别的单位的项目")
    child_draft = clean_project(unit=CHILD, name="所属单位的项目")
    sibling_draft = clean_project(unit=SIBLING, name="另一所属单位的项目")
    # 2026: two-level review
    YearSetting.objects.create(year=2026, two_level=True, finance_body="鄂州市财政局")
    child_pending = clean_project(unit=CHILD, name="待主管部门审核的项目", year=2026)
    child_pending.submit(users["child_filler"])
    child_finance = clean_project(unit=CHILD, name="待财政审核的项目", year=2026)
    child_finance.submit(users["child_filler"])
    child_finance.pass_first_review(users["parent_reviewer"])
    assert (child_pending.status, child_finance.status) == (Status.PENDING_PARENT, Status.PENDING_FINANCE)
    monitored = clean_project(name="已提交监控表的项目")
    monitored.submit(users["filler"])
    monitored.approve(users["reviewer"], "同意")
    round_ = monitoring_round()
    submitted_form = ResultForm.objects.with_rows().get(round=round_, project=monitored)
    fill(
        submitted_form, figures=ALL_GREEN, funds={"budget_full": "100", "executed": "50", "summary": "按计划"}
    )
    submitted_form.submit(users["filler"])
    eval_round = open_round(Kind.EVALUATION, 2025).round
    eval_submitted = ResultForm.objects.with_rows().get(round=eval_round, project=monitored)
    evaluation_fill(
        eval_submitted,
        figures=MET,
        funds={"budget_full": "100", "executed": "100", "summary": "全部完成"},
        user=users["filler"],
    )
    eval_submitted.submit(users["filler"])
    return {
        "pending": pending,
        "users": users,
        "draft": draft,
        "submitted": submitted,
        "approved": approved,
        "other": other,
        "child_draft": child_draft,
        "sibling_draft": sibling_draft,
        "child_pending": child_pending,
        "child_finance": child_finance,
        "snapshot": approved.snapshots.get(),
        "round": round_,
        "form": ResultForm.objects.get(round=round_, project=approved),
        "submitted_form": submitted_form,
        "eval_round": eval_round,
        "eval_form": ResultForm.objects.get(round=eval_round, project=approved),
        "eval_submitted": eval_submitted,
    }


ALL_GREEN = {
    level3: {"actual": actual, "likelihood": "certain"}
    for level3, actual in (
        ("总成本", "50万元"),
        ("运维系统数量", "3个"),
        ("系统可用率", "99.5%"),
        ("故障响应时间", "1小时"),
        ("政务服务覆盖率", "92%"),
        ("用户满意度", "95%"),
    )
}


MET = {level3: {"actual": given["actual"]} for level3, given in ALL_GREEN.items()}


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world is built once for the module (about 650 requests run against it); each
    test runs in a transaction that is rolled back, and the module empties the database
    when it is done, as every other test module expects."""
    with django_db_blocker.unblock():
        built = build_world(tmp_path_factory.mktemp("units"))
    yield built
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def world(module_world, db):
    return module_world


def everything():
    """The stored data a refused request must not change."""
    return (
        list(Project.objects.order_by("pk").values()),
        list(Goal.objects.order_by("pk").values()),
        list(Indicator.objects.order_by("pk").values()),
        list(Transition.objects.order_by("pk").values_list("pk", "action")),
        list(ApprovalSnapshot.objects.order_by("pk").values_list("pk", "version")),
        list(Department.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values()),
        list(get_user_model().objects.order_by("pk").values_list("pk", "username", "is_active", "password")),
        list(YearSetting.objects.order_by("pk").values()),
        AdminChange.objects.count(),
        list(ResultForm.objects.order_by("pk").values()),
        list(ResultRow.objects.order_by("pk").values()),
        list(FormTransition.objects.order_by("pk").values_list("pk", "action")),
        list(CommonIndicator.objects.order_by("pk").values()),
    )


def url_of(case, world):
    if case.query:
        from django.utils.http import urlencode

        return f"{reverse(case.url)}?{urlencode(case.query)}"
    if case.target is None:
        return reverse(case.url)
    if case.target == "pending":
        return reverse(case.url, args=[world["pending"].token])
    if case.target == "unit":
        return reverse(case.url, args=[Department.objects.get(name=UNIT).pk])
    filler = world["users"]["filler"]
    if case.target == "user":
        return reverse(case.url, args=[filler.pk])
    if case.target == "membership":
        return reverse(case.url, args=[filler.pk, filler.memberships.get().pk])
    project = world[case.target]  # or the round, or the monitoring form
    if case.url.startswith("projects:snapshot"):
        return reverse(case.url, args=[project.pk, world["snapshot"].pk])
    return reverse(case.url, args=[project.pk])


def request(client, case, world):
    url = url_of(case, world)
    if case.method == "get":
        return client.get(url)
    return client.post(url, case.data(world) if case.data else {})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case_id", list(CASES))
def test_the_answer_for_each_url_and_user(world, client, case_id, role):
    case = CASES[case_id]
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    before = everything()
    response = request(client, case, world)
    expected = case.expected[role]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected, response.content.decode()[:500]
    if case.method == "post" and case_id != "logout-post":
        changed = everything() != before
        assert changed == case.changes_for(role), "a refused write changed the data"


@pytest.mark.parametrize("case_id", [key for key, case in CASES.items() if case.writes])
def test_a_write_without_the_csrf_token_is_refused(world, case_id):
    case = CASES[case_id]
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["users"]["superuser"])
    before = everything()
    assert request(client, case, world).status_code == 403
    assert everything() == before


def test_a_status_change_through_a_forged_edit_post_is_ignored(world, client):
    """The editor's form has no status field: posting one changes nothing about the state."""
    client.force_login(world["users"]["filler"])
    data = {**edit_data(world), "status": Status.APPROVED}
    client.post(reverse("projects:edit", args=[world["draft"].pk]), data)
    assert Project.objects.get(pk=world["draft"].pk).status == Status.DRAFT


def test_the_unit_list_came_from_excel_in_two_levels(world):
    units = {unit.name: unit for unit in Department.objects.select_related("parent")}
    assert {name: (unit.code, unit.parent and unit.parent.name) for name, unit in units.items()} == {
        UNIT: ("101", None),
        CHILD: ("101001", UNIT),
        SIBLING: ("101002", UNIT),
        OTHER_UNIT: ("201", None),
    }


def test_a_finance_reviewer_lists_and_exports_the_three_units_and_nothing_else(world, client):
    from openpyxl import load_workbook

    client.force_login(world["users"]["finance"])
    three_units = {UNIT, CHILD, SIBLING}
    expected = set(Project.objects.filter(department__name__in=three_units).values_list("name", flat=True))
    assert len(expected) == 8 and "别的单位的项目" not in expected  # with the monitored project
    page = client.get(reverse("projects:list")).content.decode()
    assert all(name in page for name in expected) and "别的单位的项目" not in page
    rows = load_workbook(io.BytesIO(client.get(reverse("projects:export_rows")).content)).active
    exported = {row[2] for row in rows.iter_rows(min_row=2, values_only=True)}
    assert exported == expected
    assert {row[1] for row in rows.iter_rows(min_row=2, values_only=True)} == three_units
    # the unit filter offers the three units only
    filtered = client.get(
        reverse("projects:list"), {"department": Department.objects.get(name=OTHER_UNIT).pk}
    )
    assert filtered.status_code == 200 and "别的单位的项目" not in filtered.content.decode()


def test_each_reviewer_queue_shows_only_what_waits_for_them(world, client):
    def queue_of(role):
        client.force_login(world["users"][role])
        page = client.get(reverse("projects:queue")).content.decode()
        names = ("已提交项目", "待主管部门审核的项目", "待财政审核的项目")
        return {name for name in names if name in page}

    assert queue_of("parent_reviewer") == {"已提交项目", "待主管部门审核的项目"}
    assert queue_of("finance") == {"已提交项目", "待财政审核的项目"}
    assert queue_of("reviewer") == {"已提交项目"}
    assert queue_of("other_reviewer") == set()
