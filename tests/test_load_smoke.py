"""bench/load.py stays runnable: a tiny bounded run against gunicorn on PostgreSQL."""

import os
import socket
import subprocess
import sys

import pytest

from .conftest import ROOT


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the load script drives gunicorn on PostgreSQL (runs in the PostgreSQL pass of make test)",
)
def test_the_load_script_runs_both_phases_and_its_checks_pass():
    # Own database and port: parallel runs on one machine must not meet.
    database = f"perfgoals_load_smoke_{os.getpid()}"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = subprocess.run(
        [
            sys.executable,
            "bench/load.py",
            "--users",
            "3",
            "--seconds",
            "3",
            "--workers",
            "2",
            "--port",
            str(port),
            "--database",
            database,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    subprocess.run(
        ["psql", "postgres://postgres@127.0.0.1:5432", "-qc", f"DROP DATABASE IF EXISTS {database}"],
        check=False,
        capture_output=True,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "阶段一：3个用户各改各的项目" in output
    assert "阶段二：3个用户同时修改同一项目" in output
    assert "✓ 每个版本最多一次保存成功" in output
    assert "全部检查通过" in output
