"""The admin (数据维护) in Chinese: django-axes' labels, amounts as written, states by their
labels in the history, no "None" for a missing reason, no internal version counter."""

import re
from html import unescape

from django.urls import reverse

from projects.models import Project, Role

from .workflow_helpers import UNIT, clean_project, member

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
