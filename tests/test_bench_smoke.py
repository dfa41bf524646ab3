"""`bench/run.py --quick` runs end to end on a tiny SQLite dataset, so the benchmark cannot rot."""

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

ROWS = (
    "list, page 2 (superuser)",
    "list, page 2 (填报人, 1 unit)",
    "list, search q in 三级指标",
    "project page (填报人)",
    "sheet HTML",
    "sheet Excel",
    "ours (20 sheets)",
    "floor (plain XlsxWriter)",
    "ratio ours/floor",
    "text import: parse 20 sheets",
    "text import: import_projects",
    "check_targets 30 projects",
    "open_round",
    "lights of the whole round",
    "overview (superuser)",
    "overview, page 2 (审核人, 1 unit)",
    "overview 项目预警=红 (superuser)",
    "form page (填报人)",
    "scoring the whole year",
    "ours (20 forms)",
)


def test_the_quick_benchmark_prints_every_row(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    results = tmp_path / "bench.json"
    completed = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--db", "sqlite", "--projects", "30", "--json", results],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    out = completed.stdout
    assert "SQLite" in out and "N=30 projects" in out
    lines = out.splitlines()
    for label in ROWS:
        row = next((line for line in lines if line.startswith(label)), None)
        assert row is not None, f"missing row {label!r} in:\n{out}"
        assert any(ch.isdigit() for ch in row[len(label) :]), row
    (result,) = json.loads(results.read_text(encoding="utf-8"))
    assert result["n"] == 30
    assert all(page["queries"] > 0 and page["runs"] >= 3 for page in result["pages"])
    assert result["import"]["created"] == 20 and result["import"]["repairs"] == 0
    assert result["checks"]["projects"] == 30 and result["checks"]["findings"] > 0
    assert result["export"]["ours"]["sheets"] == result["export"]["floor"]["sheets"] == 20
    monitoring = result["monitoring"]
    assert monitoring["forms"] >= 30 and monitoring["rows"] > 30 and monitoring["lights_queries"] > 0
    evaluation = result["evaluation"]
    assert evaluation["forms"] >= 30 and evaluation["scoring_queries"] > 0
    assert evaluation["export"]["ours"]["sheets"] == evaluation["export"]["floor"]["sheets"] == 20
