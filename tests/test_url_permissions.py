"""Every URL of the product × every kind of user → the expected answer.

The list of URLs comes from the URL configuration itself: a new URL without a
row in CASES fails `test_every_url_is_in_the_matrix`, so it cannot be forgotten.
Refused writes must leave the data exactly as it was.
"""

import io
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from indicators.models import CommonIndicator, Indicator
from projects.documents.data import dumps
from projects.models import ApprovalSnapshot, Department, Goal, Project, Status, Transition

from .editor_support import editor_data
from .workflow_helpers import OTHER_UNIT, UNIT, clean_project, people

ROLES = ("anonymous", "filler", "other_filler", "reviewer", "other_reviewer", "superuser")
LOGIN = "login"  # expected: redirected to the login page


def expect(*everyone, **by_role):
    """Expected answers by role: 200 for a signed-in user, the login page for anonymous,
    unless given (`expect(*(405,) * 6)` for all six, or `expect(reviewer=403)`)."""
    answers = dict(zip(ROLES, everyone, strict=True)) if everyone else {}
    return {
        role: by_role.get(role, answers.get(role, LOGIN if role == "anonymous" else 200)) for role in ROLES
    }


# Answers for a project of UNIT: its own users see it, another unit's get 404.
OWN_UNIT = expect(other_filler=404, other_reviewer=404)
FILLERS_ONLY = expect(reviewer=403, other_reviewer=403)
POST_ONLY = expect(filler=405, other_filler=405, reviewer=405, other_reviewer=405, superuser=405)


@dataclass
class Case:
    url: str  # URL name
    target: str | None  # which project of the world the URL is about
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


WRITE_OWN = expect(filler=302, other_filler=404, reviewer=403, other_reviewer=404, superuser=302)
REVIEW_OWN = expect(filler=403, other_filler=404, reviewer=302, other_reviewer=404, superuser=302)
READ_ONLY = expect(filler=403, other_filler=404, reviewer=403, other_reviewer=404, superuser=403)
# Administrators only (共性指标): the model permission, held by superusers.
ADMINS_ONLY = expect(filler=403, other_filler=403, reviewer=403, other_reviewer=403)
ADMINS_WRITE = expect(filler=403, other_filler=403, reviewer=403, other_reviewer=403, superuser=302)
INDICATOR = {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "用户满意度"}
# Creating: fillers of any unit may open the form; the unit must be one of theirs.
CREATE = expect(reviewer=403, other_reviewer=403, filler=302, superuser=302, other_filler=200)

CASES = {
    "health": Case("health", None, expect(*(200,) * 6)),
    "login-get": Case("login", None, expect(*(200,) * 6)),
    "logout-get": Case("logout", None, expect(*(405,) * 6)),
    "logout-post": Case("logout", None, expect(*(302,) * 6), method="post"),
    "password_change": Case("password_change", None, expect()),
    "password_change_done": Case("password_change_done", None, expect()),
    "list": Case("projects:list", None, expect()),
    "queue": Case("projects:queue", None, expect(filler=403, other_filler=403)),
    "rules": Case("indicators:rules", None, expect()),
    # The library's names and figures are shared; its project lists are scoped (test_library).
    "library": Case("indicators:library", None, expect()),
    "library_indicator": Case("indicators:library_indicator", None, expect(), query=INDICATOR),
    "library_indicator-none": Case(
        "indicators:library_indicator", None, expect(*(404,) * 6, anonymous=LOGIN)
    ),
    "suggest": Case(
        "indicators:suggest", None, expect(), query={"level2": "服务对象满意度指标", "q": "满意"}
    ),
    "library_xlsx": Case("indicators:library_xlsx", None, expect()),
    "common-get": Case("indicators:common", None, ADMINS_ONLY, query=INDICATOR),
    "common": Case("indicators:common", None, ADMINS_WRITE, "post", common_data, writes=True),
    "library_import-get": Case("indicators:library_import", None, ADMINS_ONLY),
    "library_import": Case(
        "indicators:library_import",
        None,
        ADMINS_ONLY,
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
    "edit-get": Case("projects:edit", "draft", expect(other_filler=404, reviewer=403, other_reviewer=404)),
    "edit-get-approved": Case("projects:edit", "approved", READ_ONLY),
    "submit-get": Case("projects:submit", "draft", POST_ONLY),
    "approve-get": Case("projects:approve", "submitted", POST_ONLY),
    "return-get": Case("projects:return", "submitted", POST_ONLY),
    "reopen-get": Case("projects:reopen", "approved", POST_ONLY),
    "copy-get": Case("projects:copy", "draft", POST_ONLY),
    "submit": Case("projects:submit", "draft", WRITE_OWN, "post", submit_data, writes=True),
    "approve": Case("projects:approve", "submitted", REVIEW_OWN, "post", comment, writes=True),
    "return": Case("projects:return", "submitted", REVIEW_OWN, "post", comment, writes=True),
    "reopen": Case("projects:reopen", "approved", REVIEW_OWN, "post", comment, writes=True),
    "copy": Case("projects:copy", "draft", WRITE_OWN, "post", writes=True),
    "edit": Case("projects:edit", "draft", WRITE_OWN, "post", edit_data, writes=True),
    "edit-approved": Case("projects:edit", "approved", READ_ONLY, "post", edit_data),
    "create": Case("projects:create", None, CREATE, "post", create_data, writes=True),
    "paste": Case("projects:paste", None, CREATE, "post", paste_data, writes=True),
    # the upload answers with its report (200); another unit's filler gets the form error
    "import": Case(
        "projects:import",
        None,
        expect(reviewer=403, other_reviewer=403),
        "post",
        import_data,
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


@pytest.fixture
def world(db, django_user_model):
    users = people(django_user_model)
    draft = clean_project(name="草稿项目")
    submitted = clean_project(name="已提交项目")
    submitted.submit(users["filler"])
    approved = clean_project(name="已批复项目")
    approved.submit(users["filler"])
    approved.approve(users["reviewer"], "同意")
    clean_project(unit=OTHER_UNIT, name="别的单位的项目")
    return {
        "users": users,
        "draft": draft,
        "submitted": submitted,
        "approved": approved,
        "snapshot": approved.snapshots.get(),
    }


def everything():
    """The stored data a refused request must not change."""
    return (
        list(Project.objects.order_by("pk").values()),
        list(Goal.objects.order_by("pk").values()),
        list(Indicator.objects.order_by("pk").values()),
        list(Transition.objects.order_by("pk").values_list("pk", "action")),
        list(ApprovalSnapshot.objects.order_by("pk").values_list("pk", "version")),
        list(Department.objects.order_by("pk").values()),
        list(CommonIndicator.objects.order_by("pk").values()),
    )


def url_of(case, world):
    if case.query:
        from django.utils.http import urlencode

        return f"{reverse(case.url)}?{urlencode(case.query)}"
    if case.target is None:
        return reverse(case.url)
    project = world[case.target]
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
