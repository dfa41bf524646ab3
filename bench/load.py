"""Bounded load test: gunicorn + PostgreSQL on 127.0.0.1, 20 concurrent users.

    .venv/bin/python bench/load.py [--users 20] [--seconds 60] [--max-requests 20000]

Only 127.0.0.1 is ever contacted. The script creates a fresh database
(`perfgoals_load`), loads the seed and synthetic projects, gives every user a
project of their own, starts gunicorn, and runs two phases:

1. *Different projects*: each user logs in, lists, opens sheets, exports Excel
   and edits their own project in a loop. Afterwards every acknowledged save
   (the server redirected with 已保存) must be in the database.
2. *Same project*: all users edit one project at once. Exactly one save per
   version may win; the others must get the conflict message (409); every
   acknowledged save is in the project's history and the final state is the last
   acknowledged one.

It prints request counts, 5xx count and latency percentiles per kind, and
exits non-zero when a check fails. Both phases stop after `--seconds` or
`--max-requests`, whichever comes first.
"""

import argparse
import http.cookiejar
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PASSWORD = "load-test-pass-2026"
PG = "postgres://postgres@127.0.0.1:5432"


# -- a tiny browser ----------------------------------------------------------------


class FormFields(HTMLParser):
    """The submittable fields of one <form id=...>, as a browser would send them
    (no <template> content, checked boxes only, selected options)."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.in_form, self.in_template = form_id, False, 0
        self.fields, self.select, self.textarea, self.text = [], None, None, []
        self.options = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.in_form = True
        if not self.in_form:
            return
        if tag == "template":
            self.in_template += 1
        if self.in_template:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file"):
                self.fields.append((name, attrs.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select" and name:
            self.select, self.options = name, []
        elif tag == "option" and self.select:
            self.options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, []

    def handle_endtag(self, tag):
        if not self.in_form:
            return
        if tag == "template":
            self.in_template -= 1
        elif tag == "form":
            self.in_form = False
        elif self.in_template:
            return
        elif tag == "select" and self.select:
            chosen = [value for value, selected in self.options if selected] or [
                value for value, _ in self.options[:1]
            ]
            self.fields.extend((self.select, value) for value in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.fields.append((self.textarea, "".join(self.text).lstrip("\n")))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea and not self.in_template:
            self.text.append(data)


def form_fields(html, form_id):
    parser = FormFields(form_id)
    parser.feed(html)
    return parser.fields


class Browser:
    def __init__(self, base, stats):
        self.base, self.stats = base, stats
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def csrf(self):
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, kind, path, data=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        if body is not None:
            request.add_header("X-CSRFToken", self.csrf())
            request.add_header("Referer", self.base + path)
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                status, content, location = response.status, response.read(), response.headers.get("Location")
        except urllib.error.HTTPError as error:
            status, content, location = error.code, error.read(), error.headers.get("Location")
        self.stats.record(kind, status, time.perf_counter() - started)
        return status, content.decode("utf-8", "replace"), location

    def login(self, username):
        self.request("login", "/accounts/login/")
        status, _, _ = self.request(
            "login",
            "/accounts/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()},
        )
        if status != 302:
            raise RuntimeError(f"{username} could not log in ({status})")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.statuses = defaultdict(lambda: defaultdict(int))
        self.count = 0

    def record(self, kind, status, seconds):
        with self.lock:
            self.times[kind].append(seconds)
            self.statuses[kind][status] += 1
            self.count += 1

    def server_errors(self):
        return sum(n for by in self.statuses.values() for status, n in by.items() if status >= 500)

    def table(self):
        lines = [f"{'kind':<14}{'requests':>9}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}  statuses"]
        for kind, times in sorted(self.times.items()):
            ordered = sorted(times)
            p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
            statuses = " ".join(f"{s}×{n}" for s, n in sorted(self.statuses[kind].items()))
            lines.append(
                f"{kind:<14}{len(times):>9}{statistics.median(times) * 1000:>11.0f}"
                f"{p95 * 1000:>9.0f}{ordered[-1] * 1000:>9.0f}  {statuses}"
            )
        return "\n".join(lines)


# -- the server ----------------------------------------------------------------


def django_env(database_url, static_root):
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE": "0",  # plain HTTP on loopback; the production posture is tested elsewhere
        "DJANGO_STATIC_ROOT": str(static_root),
        "PERFGOALS_LOGIN_FAILURES": "1000",
        "DATABASE_CONN_MAX_AGE": "60",
    }


def manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def prepare(env, users, database):
    subprocess.run(["psql", PG, "-qc", f"DROP DATABASE IF EXISTS {database}"], check=True)
    subprocess.run(["psql", PG, "-qc", f"CREATE DATABASE {database}"], check=True)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    manage(env, "setup_demo")
    manage(env, "generate_demo", "--projects", "300", "--units", "10", "--seed", "7")
    script = f"""
from projects.models import Membership, Project, Role, Status
from django.contrib.auth import get_user_model
User = get_user_model()
drafts = list(Project.objects.filter(status=Status.DRAFT, year=2026).order_by("id")[:{users}])
for i, project in enumerate(drafts):
    user = User.objects.create_user(f"load{{i}}", password="{PASSWORD}")
    Membership.objects.create(user=user, department=project.department, role=Role.FILLER)
    if project.department != drafts[0].department:  # phase 2: all edit the first user's project
        Membership.objects.create(user=user, department=drafts[0].department, role=Role.FILLER)
    print(f"{{user.username}} {{project.pk}}")
"""
    return [pair for pair in shell_lines(env, script) if pair[0].startswith("load")]


def start_gunicorn(env, port, workers):
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),  # the venv running this script
            "perfgoals.wsgi",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://{HOST}:{port}/accounts/login/", timeout=2)
            return server
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


# -- the users -------------------------------------------------------------------

CONFLICT = "其他人已修改了此项目"


def edit(browser, project_id, marker, kind="edit"):
    """Open the editor, change the rationale to `marker`, save. Returns (outcome, version)."""
    status, page, _ = browser.request(kind + "-open", f"/projects/{project_id}/edit/")
    if status != 200:
        return f"open {status}", None
    fields = form_fields(page, "project-editor")
    version = dict(fields).get("version")
    fields = [(name, marker if name == "rationale" else value) for name, value in fields]
    status, page, _ = browser.request(kind + "-save", f"/projects/{project_id}/edit/", fields)
    if status == 302:
        return "saved", version
    if status == 409 and CONFLICT in page:
        return "conflict", version
    return f"save {status}", version


class Phase:
    """One bounded phase: where to send requests, until when, and what came back."""

    def __init__(self, base, seconds, budget):
        self.base, self.budget = base, budget
        self.deadline = time.monotonic() + seconds
        self.stats = Stats()
        self.problems, self.acknowledged, self.outcomes = [], {}, []

    def running(self):
        return time.monotonic() < self.deadline and self.stats.count < self.budget

    def run(self, target, users):
        threads = [threading.Thread(target=target, args=(self, username, pid)) for username, pid in users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def own_project_user(phase, username, project_id):
    browser = Browser(phase.base, phase.stats)
    try:
        browser.login(username)
        n = 0
        while phase.running():
            n += 1
            browser.request("list", "/?year=2026")
            browser.request("sheet", f"/projects/{project_id}/sheet/")
            if n % 3 == 0:
                browser.request("sheet-xlsx", f"/projects/{project_id}/sheet.xlsx")
            marker = f"{username} 第{n}次修改 {secrets.token_hex(4)}"
            outcome, _ = edit(browser, project_id, marker)
            if outcome == "saved":
                phase.acknowledged[username] = (project_id, marker)
            else:
                phase.problems.append(f"{username}: {outcome}")
    except Exception as error:  # reported as a failed check
        phase.problems.append(f"{username}: {error!r}")


def same_project_user(phase, username, project_id):
    browser = Browser(phase.base, phase.stats)
    try:
        browser.login(username)
        n = 0
        while phase.running():
            n += 1
            marker = f"{username} 同时修改 {n} {secrets.token_hex(4)}"
            outcome, version = edit(browser, project_id, marker, kind="shared")
            phase.outcomes.append((outcome, version, marker))
    except Exception as error:  # reported as a failed check
        phase.problems.append(f"{username}: {error!r}")


def shell_lines(env, script):
    """The lines a `manage.py shell -c` script prints (reads the database under test)."""
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [line.split(" ", 1) for line in out.splitlines() if line.strip()]


def db_rationales(env, ids):
    pks = list(map(int, ids))
    script = (
        "from projects.models import Project\n"
        f"for pk, text in Project.objects.filter(pk__in={pks}).values_list('pk', 'rationale'):\n"
        "    print(pk, text.replace(chr(10), ' '))"
    )
    return {int(pk): text for pk, text in shell_lines(env, script)}


def history_of(env, project_id):
    script = (
        "from projects.models import Project\n"
        f"for record in Project.history.filter(id={int(project_id)}):\n"
        "    print(record.version, record.rationale.replace(chr(10), ' '))"
    )
    return shell_lines(env, script)


def different_projects(env, base, users, options):
    phase = Phase(base, options.seconds, options.max_requests)
    started = time.monotonic()
    phase.run(own_project_user, users)
    stats = phase.stats
    elapsed = time.monotonic() - started
    print(f"\n== 阶段一：{len(users)}个用户各改各的项目，{elapsed:.0f}秒，{stats.count}个请求 ==")
    print(stats.table())
    stored = db_rationales(env, [pid for pid, _ in phase.acknowledged.values()])
    lost = [u for u, (pid, marker) in phase.acknowledged.items() if stored.get(int(pid)) != marker]
    print(f"已确认的保存：{len(phase.acknowledged)}个用户的最后一次；数据库中缺失：{len(lost)}")
    failures = [f"阶段一 5xx：{stats.server_errors()}"] if stats.server_errors() else []
    failures += [f"阶段一 丢失的保存：{lost}"] if lost else []
    failures += [f"阶段一 异常：{phase.problems[:5]}"] if phase.problems else []
    return failures


def same_project(env, base, users, options):
    shared = users[0][1]
    phase = Phase(base, options.seconds, options.max_requests)
    started = time.monotonic()
    phase.run(same_project_user, [(username, shared) for username, _ in users])
    stats, outcomes = phase.stats, phase.outcomes
    saved = [o for o in outcomes if o[0] == "saved"]
    conflicts = [o for o in outcomes if o[0] == "conflict"]
    other = [o for o in outcomes if o[0] not in ("saved", "conflict")]
    elapsed = time.monotonic() - started
    print(f"\n== 阶段二：{len(users)}个用户同时修改同一项目，{elapsed:.0f}秒，{stats.count}个请求 ==")
    print(stats.table())
    print(f"保存成功：{len(saved)}；版本冲突被拒：{len(conflicts)}；其他：{len(other)}")
    versions = [version for _, version, _ in saved]
    history = {marker for _, marker in history_of(env, shared)}
    final = db_rationales(env, [shared])[int(shared)]
    last = max(saved, key=lambda o: int(o[1]))[2] if saved else None
    checks = {
        "每个版本最多一次保存成功": len(versions) == len(set(versions)),
        "每次确认的保存都在历史记录中": all(marker in history for _, _, marker in saved),
        "最终内容是最后一次确认的保存": final == last,
        "没有5xx": stats.server_errors() == 0,
        "没有其他结果": not other and not phase.problems,
    }
    for label, ok in checks.items():
        print(f"  {'✓' if ok else '✗'} {label}")
    return [f"阶段二：{label}" for label, ok in checks.items() if not ok]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8931)
    parser.add_argument(
        "--database", default="perfgoals_load", help="built afresh on 127.0.0.1 (dropped first)"
    )
    options = parser.parse_args()
    if not options.database.replace("_", "").isalnum():
        parser.error("--database: letters, digits and _ only")

    static_root = Path(tempfile.mkdtemp(prefix="perfgoals-static-"))
    env = django_env(f"{PG}/{options.database}", static_root)
    print(f"准备数据库与{options.users}个用户 …", flush=True)
    users = prepare(env, options.users, options.database)
    server = start_gunicorn(env, options.port, options.workers)
    base = f"http://{HOST}:{options.port}"
    failures = []
    try:
        failures += different_projects(env, base, users, options)
        failures += same_project(env, base, users, options)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if failures:
        print("\n失败：\n" + "\n".join(failures))
        return 1
    print("\n全部检查通过。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
