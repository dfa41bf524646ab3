"""PostgreSQL goes away while gunicorn serves: a Chinese 503 page and log lines; when it
comes back, the same gunicorn serves again without a restart.

The test runs its own throwaway PostgreSQL cluster (initdb in a temporary folder,
a free port on 127.0.0.1) so that stopping it touches nothing else; it runs in the
PostgreSQL pass of `make test`, where the server binaries are installed.
"""

import glob
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest

from .conftest import ROOT

INITDB = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres") or not INITDB,
    reason="needs the PostgreSQL server binaries (runs in the PostgreSQL pass of make test)",
)
PASSWORD = "outage-pass-4821"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_postgres(*command):
    """Server commands refuse to run as root: run them as the postgres account."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *command], check=True, capture_output=True, text=True, timeout=60)


class Cluster:
    def __init__(self, folder, port):
        self.bin = Path(INITDB[-1]).parent
        self.data = folder / "data"
        self.port = port
        self.url = f"postgres://postgres@127.0.0.1:{port}/perfgoals_outage"

    def init(self):
        self.data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.data.parent, "postgres")
            shutil.chown(self.data, "postgres")
        as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def start(self):
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data}"
        log = self.data.parent / "postgresql.log"  # the server must not hold our pipes open
        as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(log), "-o", options, "-w", "start"
        )

    def stop(self):
        as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")


def fetch(opener, url, data=None):
    """(status, body) of a request; error statuses are answers too."""
    try:
        with opener.open(url, data=data, timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except urllib.error.URLError as error:  # not listening yet
        return 0, str(error.reason)


def wait_for(predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


@pytest.fixture
def served():
    # Not pytest's tmp_path: its parents are closed to the postgres account.
    folder = Path(tempfile.mkdtemp(prefix="perfgoals-outage-"))
    cluster = Cluster(folder, free_port())
    cluster.init()
    cluster.start()
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "perfgoals_outage"],
        check=True,
        timeout=60,
    )
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": cluster.url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_DEBUG": "0",
        "PERFGOALS_DEV": "0",
        "DJANGO_SECURE": "0",  # plain HTTP on loopback
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_CONN_MAX_AGE": "60",  # persistent connections must recover too
        "DJANGO_MANIFEST_STATIC": "0",
    }
    manage = [sys.executable, "manage.py"]
    clerk = ["clerk", "--role", "填报人", "--department", "鄂州市数据局", "--password", PASSWORD]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    subprocess.run(
        [*manage, "adduser", *clerk],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
    )
    log = folder / "gunicorn.log"
    with log.open("w") as stderr:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "perfgoals.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--timeout",
                "30",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(lambda: fetch(urllib.request.build_opener(), f"{base}/health/")[0] == 200)
        yield cluster, base, log
    finally:
        server.terminate()
        server.wait(20)
        try:
            cluster.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped by the test
        shutil.rmtree(folder, ignore_errors=True)


def log_in(base):
    """(status, page, opener) of logging in through the login form."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    status, page = fetch(opener, f"{base}/accounts/login/")
    if status != 200:
        return status, page, opener
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    form = urlencode({"username": "clerk", "password": PASSWORD, "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(f"{base}/accounts/login/", data=form, headers={"Referer": base})
    return (*fetch(opener, request), opener)


def test_the_database_going_away_gives_the_503_page_and_coming_back_needs_no_restart(served):
    cluster, base, log = served
    status, page, signed_in = log_in(base)
    assert status == 200 and "项目列表" in page

    cluster.stop()
    status, body = fetch(urllib.request.build_opener(), f"{base}/health/")
    assert status == 503 and '"database": "unavailable"' in body
    status, page = fetch(signed_in, f"{base}/")  # the session lives in the database
    assert status == 503
    assert "服务暂时不可用" in page and "没有保存任何内容" in page
    status, page, _ = log_in(base)  # the form shows; logging in needs the database
    assert status == 503 and "服务暂时不可用" in page
    assert wait_for(lambda: "database unavailable" in log.read_text(encoding="utf-8"), 5)

    cluster.start()
    assert wait_for(lambda: fetch(urllib.request.build_opener(), f"{base}/health/")[0] == 200)
    status, page = fetch(signed_in, f"{base}/")
    assert status == 200 and "服务暂时不可用" not in page
    assert log_in(base)[0] == 200
