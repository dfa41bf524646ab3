"""The admin (数据维护) in Chinese: django-axes' labels, amounts as written, states by their
labels in the history, no "None" for a missing reason, no internal version counter; the
user and group pages with their permission pickers (Django names permissions in English,
and its zh_Hans catalogues lack some texts of 5.x: locale/zh_Hans has them)."""

import re
from html import unescape

from django.urls import reverse

from projects.models import Project, Role

from . import test_admin_pages
from .workflow_helpers import UNIT, clean_project, member

everything = test_admin_pages.everything  # a superuser, and an object of every model in the admin

ENGLISH = re.compile(r"[A-Za-z]{4,}(?: [A-Za-z]{2,})*")


def visible_text(html):
    html = re.sub(r"<script.*?</script>|<style.*?</style>|<!--.*?-->", "", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_admin_reads_in_chinese(client, django_user_model):
    root = django_user_model.objects.create_superuser("管理员", password=None)  # no Latin name on the pages
    filler = member(django_user_model, "填报", UNIT, Role.FILLER)
    reviewer = member(django_user_model, "审核", UNIT, Role.REVIEWER)
    project = clean_project()
    Project.objects.filter(pk=project.pk).update(budget="120.5")
    project.submit(filler)
    project.approve(reviewer, "同意。")
    client.force_login(root)

    index = visible_text(client.get(reverse("admin:index")).content.decode())
    assert "登录保护" in index and "登录失败尝试" in index and "登录日志" in index
    for url in (
        reverse("admin:index"),
        reverse("admin:axes_accessattempt_changelist"),
        reverse("admin:axes_accesslog_changelist"),
        reverse("admin:axes_accessfailurelog_changelist"),
        reverse("admin:projects_project_changelist"),
        reverse("admin:projects_project_history", args=[project.pk]),
        reverse("admin:projects_approvalsnapshot_change", args=[project.snapshots.get().pk]),
    ):
        text = visible_text(client.get(url).content.decode())
        assert ENGLISH.findall(text) == [], url

    attempts = visible_text(client.get(reverse("admin:axes_accessattempt_changelist")).content.decode())
    assert "以 尝试时间" in attempts and "以 已锁定" in attempts  # the filters

    listed = visible_text(client.get(reverse("admin:projects_project_changelist")).content.decode())
    assert " 120.5 " in listed and "120.500000" not in listed

    history = visible_text(
        client.get(reverse("admin:projects_project_history", args=[project.pk])).content.decode()
    )
    assert "状态: 已提交 → 已批复" in history and "项目预算（万元）: 100 → 120.5" in history
    assert "None" not in history and "submitted" not in history and "approved" not in history
    assert "版本" not in history

    snapshot = visible_text(
        client.get(
            reverse("admin:projects_approvalsnapshot_change", args=[project.snapshots.get().pk])
        ).content.decode()
    )
    assert "版本" not in snapshot and "查看批复存档（批复表）" in snapshot and "同意。" in snapshot
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "第1次批复" in page and "版 ·" not in page


# Key names in Django's own Chinese help text ("按住 Control 键或 Mac 上的 Command 键…")
# and the name of a directory service in the help of 基于密码的认证.
KEY_NAMES = {"Control", "Command", "LDAP"}


def test_the_user_and_group_pages_read_in_chinese_permissions_included(client, everything):
    from django.contrib.auth.models import Group

    client.force_login(everything)
    group = Group.objects.get()
    for url in (
        reverse("admin:auth_group_add"),
        reverse("admin:auth_group_change", args=[group.pk]),
        reverse("admin:auth_user_add"),
        reverse("admin:auth_user_change", args=[everything.pk]),
        reverse("admin:auth_user_password_change", args=[everything.pk]),
    ):
        text = visible_text(client.get(url).content.decode())
        assert set(ENGLISH.findall(text)) <= KEY_NAMES, (url, ENGLISH.findall(text)[:10])
    group_page = visible_text(client.get(reverse("admin:auth_group_add")).content.decode())
    assert "管理 | 日志记录 | 可增加日志记录" in group_page and "项目 | 可查看项目" in group_page
    added = visible_text(client.get(reverse("admin:auth_user_add")).content.decode())
    assert "创建用户后" in added


def test_the_permission_picker_script_has_every_text_in_chinese(client, everything):
    """The two-box picker of 权限 (SelectFilter2.js) and every other admin script take their
    texts from the admin's JavaScript catalogue: each text they ask for is in it, in Chinese."""
    import json
    from pathlib import Path

    import django

    client.force_login(everything)
    script = client.get(reverse("admin:jsi18n")).content.decode()
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});", script, re.S).group(1))
    scripts = Path(django.__file__).parent / "contrib/admin/static/admin/js"
    asked = re.compile(r"""(?<![p\w])n?gettext\(\s*(['"])((?:\\.|(?!\1).)*)\1""")
    missing = []
    for path in sorted(scripts.glob("*.js")):
        for match in asked.finditer(path.read_text()):
            text = match.group(2).replace("\\'", "'").replace('\\"', '"')
            translated = catalog.get(text)
            if not translated or ENGLISH.fullmatch(str(translated)):
                missing.append((path.name, text))
    assert missing == []
    assert catalog["Choose all %s"] == "全选%s" and catalog["Remove all %s"] == "移除全部%s"


def test_the_admin_shows_no_internal_version_counter(client, everything):
    client.force_login(everything)
    project = Project.objects.get()
    form = project.result_forms.get()
    for url in (
        reverse("admin:projects_project_add"),
        reverse("admin:projects_project_change", args=[project.pk]),
        reverse("admin:results_resultform_change", args=[form.pk]),
        reverse("admin:results_formtransition_change", args=[form.transitions.get().pk]),
    ):
        page = client.get(url).content.decode()
        assert "版本" not in visible_text(page) and 'name="version"' not in page, url


# What django-axes writes in English on its admin pages: its labels, its records' names
# (the models' __str__), the status column and the message of its action.
AXES_ENGLISH = (
    "Attempted Access",
    "Access Log",
    "Failed access",
    "locked out",
    "Locked Out",
    "Status",
    "Attempt Remaining",
    "Remaining",
    "Expiration",
    "Expires At",
    "Not set",
    "HTTP",
    "Accept",
    "GET",
    "POST",
    "Data",
    "Meta",
    "Failed Logins",
    "User Agent",
    "Username",
    "IP Address",
    "Path",
    "Attempt Time",
    "Logout Time",
    "Session",
    "Clean up",
    "Cleaned up",
    "expired",
    "access",
    "attempt",
    "attempts",
    "Yes",
    "No",
    "user",
    "from",
    "for",
    "on",
)
AXES_WORDS = re.compile(r"(?<![A-Za-z])(?:" + "|".join(map(re.escape, AXES_ENGLISH)) + r")(?![A-Za-z])")


def test_the_login_protection_pages_read_in_chinese_with_records_on_them(client, everything):
    """Each axes page with records as a real login leaves them (an English browser name, an
    address, a path): no English of axes' own on the lists, the change, history and delete
    pages, the lists filtered, and after the action."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0"
    where = {
        "ip_address": "10.0.0.8",
        "user_agent": browser,
        "path_info": "/login/",
        "http_accept": "text/html",
    }
    AccessAttempt.objects.create(
        **where, username="tianbao", get_data="next=/", post_data="username=tianbao", failures_since_start=5
    )
    AccessLog.objects.create(**where, username="tianbao")
    AccessFailureLog.objects.create(**where, username="tianbao", locked_out=True)
    client.force_login(everything)
    pages = [reverse("admin:app_list", args=["axes"])]
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        name = model._meta.model_name
        listed = reverse(f"admin:axes_{name}_changelist")
        pages += [listed, f"{listed}?q=tianbao", f"{listed}?attempt_time__gte=2000-01-01T00:00:00%2B08:00"]
        for obj in model.objects.all():
            for view in ("change", "history", "delete"):
                pages.append(reverse(f"admin:axes_{name}_{view}", args=[obj.pk]))
    attempts = reverse("admin:axes_accessattempt_changelist")
    pages += [f"{attempts}?locked_out=yes", f"{attempts}?locked_out=no"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = visible_text(response.content.decode())
        assert AXES_WORDS.findall(text) == [], (url, AXES_WORDS.findall(text))
    listed = visible_text(client.get(attempts).content.decode())
    assert "状态" in listed and "已锁定" in listed and "还可尝试4次" in listed
    page = visible_text(
        client.get(
            reverse("admin:axes_accessattempt_change", args=[AccessAttempt.objects.last().pk])
        ).content.decode()
    )
    assert "登录失败尝试：tianbao（10.0.0.8）" in page and "浏览器可接受的内容类型" in page
    chosen = AccessAttempt.objects.values_list("pk", flat=True)
    data = {"action": "cleanup_expired_attempts", "_selected_action": list(chosen)}
    done = visible_text(client.post(attempts, data, follow=True).content.decode())
    assert "条过期的登录失败尝试" in done and AXES_WORDS.findall(done) == []
