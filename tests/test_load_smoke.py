"""bench/load.py stays runnable: a tiny bounded run against gunicorn on PostgreSQL."""

import os
import subprocess
import sys

import pytest

from .conftest import ROOT


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the load script drives gunicorn on PostgreSQL (runs in the PostgreSQL pass of make test)",
)
def test_the_load_script_runs_both_phases_and_its_checks_pass():
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
            "8937",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "阶段一：3个用户各改各的项目" in output
    assert "阶段二：3个用户同时修改同一项目" in output
    assert "✓ 每个版本最多一次保存成功" in output
    assert "全部检查通过" in output
