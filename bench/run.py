#!/usr/bin/env python
"""Benchmark perfgoals at scale: N projects in a fresh database, timed side by side.

    python bench/run.py                          # PostgreSQL N=2,000 and 20,000, SQLite N=2,000
    python bench/run.py --db sqlite --projects 2000
    python bench/run.py --quick --db sqlite --projects 30   # smoke run (seconds)

For every (database, N) a child process creates a fresh database, migrates,
runs `generate_demo` (timed), and measures:

- server time (median, p95 over repeated requests through Django's test
  Client after a warm-up) and query count (CaptureQueriesContext) of the list
  page (as superuser and as a 填报人 of one unit), a search in indicator
  names, the project page, the sheet page and the sheet's Excel;
- the year's batch Excel export of `--batch` sheets (`sheet_xlsx.write_batch`)
  next to the floor: the same cells, merges, formats, row heights and page
  setup written by a minimal plain-XlsxWriter loop from precomputed (pickled)
  grids. Each runs in its own child process; time is the write only, memory
  is `resource.getrusage(RUSAGE_SELF).ru_maxrss` at the child's end (peak
  RSS of the whole process, interpreter and Django included) and its growth
  over the RSS just before the write;
- the text import of `--imports` sheets (TAB-separated text drawn from the
  layout grid, like fixtures/seed/*.txt): `parse_sheets`, then
  `import_projects`;
- `check_targets` over the year's N projects;
- monitoring (results): every project of the year approved (bench shortcut), a
  round opened for 截至6月30日 (`open_round`, timed), values written for every row
  and form (deterministic figures around the schedule), the light computation
  for the whole round (`evaluate_round`, timed, with its query count), then the
  overview page (superuser, a unit's 审核人, filtered to 红, sorted by 执行率),
  the form page and the overview's Excel.
- self-evaluation (results): a round for every approved project of the year
  (`open_round --kind evaluation`, timed), values for every row (met, short, over a
  ceiling; qualitative levels with points), the scoring of the whole year
  (`evaluate_round`, timed, with its query count), and the batch Excel of `--batch`
  forms (汇总 + one sheet each) next to its plain-XlsxWriter floor, as for the sheets
  (the floor also writes the input cells' formats, drop-down lists and hints, and the
  sheet protection: they are part of a form to fill in offline).
- the indicator library (page, search, the editor's suggestion request) and the
  statistics page, served from their kept figures, and the time to build those
  figures from nothing (all unit-years of the library, every project's tally).

PostgreSQL databases are named perfgoals_bench_<n> and dropped afterwards
(unless --keep); SQLite files live in a temporary folder.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULT_PREFIX = "BENCH-RESULT "
YEAR = 2026
DB_PREFIX = "perfgoals_bench_"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432"


# -- orchestration (no Django here) ---------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", action="append", choices=["postgres", "sqlite"], help="repeatable")
    parser.add_argument("--projects", type=int, action="append", help="N (repeatable)")
    parser.add_argument("--pg-url", default=os.getenv("BENCH_PG_URL", DEFAULT_PG), help="server, no database")
    parser.add_argument("--reps", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--budget", type=float, default=20.0, help="max seconds of timed requests per page")
    parser.add_argument("--batch", type=int, default=1000, help="sheets in the batch export")
    parser.add_argument("--imports", type=int, default=1000, help="sheets in the text import")
    parser.add_argument("--quick", action="store_true", help="smoke run: few repetitions, small batches")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL databases")
    parser.add_argument(
        "--db-prefix", default=DB_PREFIX, help="PostgreSQL database names: PREFIX<N> (runs side by side)"
    )
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--case", help=argparse.SUPPRESS)  # internal: run one (db, N) case
    parser.add_argument("--export", choices=["ours", "evaluation", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.reps, args.warmup, args.budget = 3, 1, 5.0
        args.batch, args.imports = min(args.batch, 20), min(args.imports, 20)
    return args


def configs(args):
    """(database kind, N) pairs: by default PostgreSQL 2,000 and 20,000, SQLite 2,000."""
    dbs = args.db or ["postgres", "sqlite"]
    sizes = args.projects
    pairs = []
    for db in dbs:
        for n in sizes or ([2000, 20000] if db == "postgres" else [2000]):
            pairs.append((db, n))
    return pairs


def _pg(url, sql):
    import psycopg2

    connection = psycopg2.connect(f"{url}/postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone() if cursor.description else None
    finally:
        connection.close()


def run_case(args, db, n, workdir):
    env = {**os.environ, "PERFGOALS_DEV": "1", "DJANGO_ALLOWED_HOSTS": "testserver,localhost"}
    env.pop("DJANGO_DEBUG", None)
    name = f"{args.db_prefix}{n}"
    if db == "postgres":
        _pg(args.pg_url, f'DROP DATABASE IF EXISTS "{name}"')
        _pg(args.pg_url, f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{args.pg_url}/{name}"
    else:
        path = Path(workdir) / f"{name}.sqlite3"
        path.unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{path}"
    case = {key: getattr(args, key) for key in ("reps", "warmup", "budget", "batch", "imports", "quick")}
    case.update(db=db, n=n, workdir=str(workdir))
    command = [sys.executable, str(Path(__file__).resolve()), "--case", json.dumps(case)]
    try:
        completed = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    finally:
        if db == "postgres" and not args.keep:
            _pg(args.pg_url, f'DROP DATABASE IF EXISTS "{name}"')
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    raise SystemExit(f"case {db} N={n} failed (exit {completed.returncode}):\n{completed.stdout[-3000:]}")


def pad(text, width):
    """`text` left-aligned in `width` terminal columns (a Chinese character takes two)."""
    return text + " " * max(0, width - sum(2 if ord(ch) > 0x2E7F else 1 for ch in text))


def print_table(result, out=sys.stdout):
    w = out.write
    w(f"\n== {result['database']} · N={result['n']:,} projects, {result['rows']:,} indicator rows ==\n")
    w(f"generate_demo: {result['generate_s']:.1f} s\n\n")
    w(f"{'case':<34}{'median ms':>11}{'p95 ms':>10}{'runs':>6}{'queries':>9}\n")
    for page in result["pages"]:
        w(
            f"{pad(page['case'], 34)}{page['median_ms']:>11.1f}{page['p95_ms']:>10.1f}"
            f"{page['runs']:>6}{page['queries']:>9}\n"
        )
    ours, floor = result["export"]["ours"], result["export"]["floor"]
    w(f"\n{'batch Excel export':<34}{'time s':>9}{'peak MB':>10}{'growth MB':>11}{'size MB':>9}\n")
    for label, part in ((f"ours ({ours['sheets']} sheets)", ours), ("floor (plain XlsxWriter)", floor)):
        w(
            f"{label:<34}{part['seconds']:>9.2f}{part['peak_mb']:>10.1f}"
            f"{part['growth_mb']:>11.1f}{part['size_mb']:>9.1f}\n"
        )
    w(
        f"{'ratio ours/floor':<34}{ours['seconds'] / floor['seconds']:>9.2f}"
        f"{ours['peak_mb'] / floor['peak_mb']:>10.2f}"
        f"{ours['growth_mb'] / max(floor['growth_mb'], 0.1):>11.2f}\n"
    )
    imp, checks = result["import"], result["checks"]
    w(f"\n{'other':<34}{'seconds':>9}{'queries':>9}\n")
    w(f"{'text import: parse ' + str(imp['sheets']) + ' sheets':<34}{imp['parse_s']:>9.2f}{'':>9}\n")
    w(f"{'text import: import_projects':<34}{imp['import_s']:>9.2f}{imp['queries']:>9}\n")
    w(f"{'check_targets ' + format(checks['projects'], ',') + ' projects':<34}")
    w(f"{checks['seconds']:>9.2f}{checks['queries']:>9}\n")
    cold = result.get("cold")
    if cold:
        w(f"{'library build, ' + str(cold['slices']) + ' unit-years':<34}{cold['library_s']:>9.2f}{'':>9}\n")
        w(f"{'statistics tallies, ' + format(cold['projects'], ',') + ' projects':<34}")
        w(f"{cold['tallies_s']:>9.2f}{'':>9}\n")
    w(f"({checks['findings']:,} findings; import created {imp['created']}, repairs {imp['repairs']})\n")
    monitoring = result.get("monitoring")
    if monitoring:
        w(f"\nmonitoring: {monitoring['forms']:,} forms, {monitoring['rows']:,} rows\n")
        w(f"{'open_round':<34}{monitoring['open_s']:>9.2f}{'':>9}\n")
        lights = f"{monitoring['lights_s']:>9.2f}{monitoring['lights_queries']:>9}"
        w(f"{'lights of the whole round':<34}{lights}\n\n")
        w(f"{'case':<34}{'median ms':>11}{'p95 ms':>10}{'runs':>6}{'queries':>9}\n")
        for page in monitoring["pages"]:
            w(
                f"{pad(page['case'], 34)}{page['median_ms']:>11.1f}{page['p95_ms']:>10.1f}"
                f"{page['runs']:>6}{page['queries']:>9}\n"
            )
    if result.get("evaluation"):
        print_evaluation(result["evaluation"], w)


def print_evaluation(evaluation, w):
    w(f"\nself-evaluation: {evaluation['forms']:,} forms, {evaluation['rows']:,} rows\n")
    w(f"{'open_round':<34}{evaluation['open_s']:>9.2f}{'':>9}\n")
    w(f"{'scoring the whole year':<34}{evaluation['scoring_s']:>9.2f}{evaluation['scoring_queries']:>9}\n")
    ours, floor = evaluation["export"]["ours"], evaluation["export"]["floor"]
    w(f"{'batch Excel export':<34}{'time s':>9}{'peak MB':>10}{'size MB':>9}\n")
    for label, part in ((f"ours ({int(ours['sheets'])} forms)", ours), ("floor (plain XlsxWriter)", floor)):
        w(f"{label:<34}{part['seconds']:>9.2f}{part['peak_mb']:>10.1f}{part['size_mb']:>9.1f}\n")
    w(f"{'ratio ours/floor':<34}{ours['seconds'] / floor['seconds']:>9.2f}\n")


def main(argv=None):
    args = parse_args(argv)
    if args.case:
        return case_main(args)
    if args.export:
        return export_main(args)
    results = []
    with tempfile.TemporaryDirectory(prefix="perfgoals-bench-") as workdir:
        for db, n in configs(args):
            started = time.perf_counter()
            result = run_case(args, db, n, workdir)
            result["case_seconds"] = time.perf_counter() - started
            print_table(result)
            sys.stdout.flush()
            results.append(result)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


# -- one case: runs with DATABASE_URL set, Django configured ---------------------


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfgoals.settings")
    import django

    django.setup()


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def time_requests(client, url, case):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(case["warmup"]):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured)  # now: the next request clears the connection's query log
    times = []
    deadline = time.perf_counter() + case["budget"]
    while len(times) < case["reps"] and (len(times) < 5 or time.perf_counter() < deadline):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return {
        "median_ms": statistics.median(times),
        "p95_ms": percentile(times, 0.95),
        "runs": len(times),
        "queries": queries,
    }


def measure_pages(case, year):
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from projects.models import Department, Membership, Project, Role, Status

    User = get_user_model()
    admin = User.objects.create_superuser("bench-admin", "", "bench-password-1")
    from django.db.models import Count

    unit = (
        Department.objects.filter(projects__year=year)
        .annotate(count=Count("projects"))
        .order_by("-count", "name")
        .first()
    )
    filler = User.objects.create_user("bench-filler", "", "bench-password-1")
    Membership.objects.create(user=filler, department=unit, role=Role.FILLER)
    projects = Project.objects.filter(year=year, department=unit).order_by("id")
    project = projects.filter(status=Status.DRAFT).first() or projects.first()
    clients = {}
    for user in (admin, filler):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    list_url = reverse("projects:list")

    def second_page(user):
        """Page 2 of the year's list (page 1 where a tiny run has fewer than two pages)."""
        visible = Project.objects.restrict(user, "view").filter(year=year).count()
        return 2 if visible > LIST_PAGE_SIZE else 1

    pages = [
        ("list, page 2 (superuser)", admin, f"{list_url}?year={year}&page={second_page(admin)}"),
        ("list, page 2 (填报人, 1 unit)", filler, f"{list_url}?year={year}&page={second_page(filler)}"),
        ("list, search q in 三级指标", admin, f"{list_url}?year={year}&q=能耗降低"),
        ("project page (填报人)", filler, reverse("projects:detail", args=[project.pk])),
        ("sheet HTML", filler, reverse("projects:sheet", args=[project.pk])),
        ("sheet Excel", filler, reverse("projects:sheet_xlsx", args=[project.pk])),
        # The indicator library and the statistics (served from kept figures: see measure_cold).
        ("library (superuser)", admin, reverse("indicators:library")),
        ("library, search 满意 (填报人)", filler, f"{reverse('indicators:library')}?q=满意"),
        (
            "suggestions 满意 (填报人)",
            filler,
            f"{reverse('indicators:suggest')}?level2=服务对象满意度指标&q=满意&department={unit.pk}",
        ),
        ("statistics (superuser)", admin, f"{reverse('stats:index')}?year={year}"),
        ("statistics (填报人)", filler, f"{reverse('stats:index')}?year={year}"),
    ]
    results = []
    for label, user, url in pages:
        measured = time_requests(clients[user.username], url, case)
        results.append({"case": label, "url": url, **measured})
        log(f"{label}: {measured['median_ms']:.1f} ms median, {measured['queries']} queries")
    # The list's database work alone (ProjectFilter, count, one page of 25), whatever
    # view draws it: the list page is being rebuilt on django-tables2 + django-filter.
    for label, user, params in (
        ("filter+count+page (superuser)", admin, {"year": year}),
        ("filter+count+page (填报人)", filler, {"year": year}),
        ("filter+count+page q=能耗降低", admin, {"year": year, "q": "能耗降低"}),
    ):
        measured = time_queries(lambda user=user, params=params: filtered_page(user, params), case)
        results.append({"case": label, "url": "", **measured})
        log(f"{label}: {measured['median_ms']:.1f} ms median, {measured['queries']} queries")
    return results


LIST_PAGE_SIZE = 50  # projects.views.ProjectListView.paginate_by


def filtered_page(user, params, size=25, page=2):
    from django.core.paginator import Paginator

    from projects.filters import ProjectFilter
    from projects.models import Project

    base = Project.objects.restrict(user, "view").select_related("department")
    queryset = ProjectFilter(params, queryset=base, user=user).qs.order_by(
        "-year", "department__name", "name"
    )
    paginator = Paginator(queryset, size)
    return [project.department.name for project in paginator.get_page(page)], paginator.count


def time_queries(action, case):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(case["warmup"]):
        action()
    with CaptureQueriesContext(connection) as captured:
        action()
    queries = len(captured)
    times = []
    deadline = time.perf_counter() + case["budget"]
    while len(times) < case["reps"] and (len(times) < 5 or time.perf_counter() < deadline):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": statistics.median(times),
        "p95_ms": percentile(times, 0.95),
        "runs": len(times),
        "queries": queries,
    }


def precompute_floor(year, count, path):
    """The cells, merges, formats, heights and page setup of the batch, pickled,
    so that the floor process measures writing only."""
    import io
    import pickle

    import xlsxwriter

    from projects.documents import layout
    from projects.documents.writers import xlsx as sheet_xlsx

    workbook = xlsxwriter.Workbook(io.BytesIO(), sheet_xlsx.WORKBOOK_OPTIONS)
    recorded = []
    add_format = workbook.add_format
    workbook.add_format = lambda properties=None: recorded.append(properties) or add_format(properties)
    roles = list(sheet_xlsx.SheetWriter(workbook).formats)
    formats = dict(zip(roles, recorded, strict=True))
    workbook.close()
    used = {sheet_xlsx.SUMMARY_SHEET.lower()}
    sheets, summary = [], []
    for project in sheet_xlsx.iter_with_tree(batch_queryset(year, count)):
        name = sheet_xlsx._unique_name(project.name, used)
        sheet = layout.build_sheet(project)
        summary.append((name, *sheet_xlsx.summary_values(project)))
        cells, heights = [], []
        for row in sheet.rows:
            lines = 1
            for cell in row.cells:
                merged = cell.colspan > 1 or cell.rowspan > 1
                last_row = row.number + cell.rowspan - 1
                cells.append((row.number, cell.col, last_row, cell.last_col, cell.text, cell.role, merged))
                if cell.rowspan == 1:
                    width = sum(sheet_xlsx.COLUMN_WIDTHS[cell.col : cell.last_col + 1])
                    lines = max(lines, sheet_xlsx._lines(cell.text, width))
            heights.append(
                (row.number, {"title": 36, "mark": 24}.get(row.kind, lines * sheet_xlsx.LINE_HEIGHT + 4))
            )
        header = sheet.header_rows
        repeat = (header[0].number, header[-1].number) if header else None
        sheets.append((name, cells, heights, repeat))
    data = {
        "options": sheet_xlsx.WORKBOOK_OPTIONS,
        "font": sheet_xlsx.FONT,
        "widths": sheet_xlsx.COLUMN_WIDTHS,
        "formats": formats,
        "summary_sheet": sheet_xlsx.SUMMARY_SHEET,
        "summary_header": sheet_xlsx.SUMMARY_HEADER,
        "summary": summary,
        "sheets": sheets,
    }
    with open(path, "wb") as handle:
        pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)


def batch_queryset(year, count):
    from projects.models import Project

    return Project.objects.filter(year=year).order_by("id")[:count]


def run_export(kind, input_path, output_path, env=None):
    command = [sys.executable, str(Path(__file__).resolve()), "--export", kind, "--output", output_path]
    if input_path:
        command += ["--input", input_path]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, env=env)
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    raise RuntimeError(f"export {kind} failed: {completed.stderr[-3000:]}")


def measure_export(case, year):
    workdir = Path(case["workdir"])
    grids = workdir / "floor.pickle"
    precompute_floor(year, case["batch"], grids)
    env = {**os.environ, "BENCH_YEAR": str(year), "BENCH_BATCH": str(case["batch"])}
    runs = 1 if case["quick"] else 3
    ours = [run_export("ours", None, str(workdir / "ours.xlsx"), env) for _ in range(runs)]
    floor = [run_export("floor", str(grids), str(workdir / "floor.xlsx"), env) for _ in range(runs)]

    def median_of(results):
        merged = {key: statistics.median(r[key] for r in results) for key in results[0]}
        merged["runs"] = len(results)
        return merged

    result = {"ours": median_of(ours), "floor": median_of(floor)}
    result["ours"]["sheets"] = int(result["ours"]["sheets"])
    log(f"batch export: ours {result['ours']}, floor {result['floor']}")
    return result


def export_main(args):
    """Child process: write the batch (ours) or the floor; report time and peak RSS."""

    def rss_mb():
        """Peak RSS of this process's own address space (VmHWM). ru_maxrss is not
        used: Linux carries it over fork+exec from the spawning Django process."""
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM in /proc/self/status")

    if args.export == "ours":
        setup_django()
        from projects.documents.writers import xlsx as sheet_xlsx

        queryset = batch_queryset(int(os.environ["BENCH_YEAR"]), int(os.environ["BENCH_BATCH"]))
        before = rss_mb()
        started = time.perf_counter()
        with open(args.output, "wb") as handle:
            sheets = sheet_xlsx.write_batch(queryset, handle)
        seconds = time.perf_counter() - started
    elif args.export == "evaluation":
        setup_django()
        from results.documents import xlsx as result_xlsx

        round_, queryset = evaluation_batch(int(os.environ["BENCH_YEAR"]), int(os.environ["BENCH_BATCH"]))
        before = rss_mb()
        started = time.perf_counter()
        with open(args.output, "wb") as handle:
            sheets = result_xlsx.write_forms(round_, queryset, handle)
        seconds = time.perf_counter() - started
    else:
        import pickle

        import xlsxwriter

        with open(args.input, "rb") as handle:
            data = pickle.load(handle)
        before = rss_mb()
        started = time.perf_counter()
        sheets = write_floor(xlsxwriter, data, args.output)
        seconds = time.perf_counter() - started
    peak = rss_mb()
    result = {
        "seconds": seconds,
        "peak_mb": peak,
        "growth_mb": peak - before,
        "size_mb": Path(args.output).stat().st_size / 2**20,
        "sheets": sheets,
    }
    print(RESULT_PREFIX + json.dumps(result))
    return 0


def write_floor(xlsxwriter, data, output):
    """The minimal plain-XlsxWriter equivalent of `write_batch`: same cells, merges,
    formats, row heights and page setup, nothing computed."""
    workbook = xlsxwriter.Workbook(output, data["options"])
    workbook.set_properties({"title": "项目支出绩效目标批复"})
    formats = {role: workbook.add_format(props) for role, props in data["formats"].items()}
    font = data["font"]
    summary = workbook.add_worksheet(data["summary_sheet"])
    head = workbook.add_format({"font_name": font, "bold": True, "border": 1, "align": "center"})
    text = workbook.add_format({"font_name": font, "border": 1})
    number = workbook.add_format({"font_name": font, "border": 1, "num_format": "0.00####"})
    for col, title in enumerate(data["summary_header"]):
        summary.write_string(0, col, title, head)
    for col, width in enumerate((36, 20, 8, 12, 16, 10, 8, 8)):
        summary.set_column(col, col, width)
    summary.freeze_panes(1, 0)
    for row, (name, *values) in enumerate(data["summary"], start=1):
        for col, value in enumerate(values):
            if isinstance(value, str):
                summary.write_string(row, col, value, text)
            else:
                summary.write_number(row, col, value, number if col == 4 else text)
        summary.write_url(row, 0, f"internal:'{name}'!A1", text, string=values[0])
    if data["summary"]:
        summary.autofilter(0, 0, len(data["summary"]), len(data["summary_header"]) - 1)
    for name, cells, heights, repeat, *rest in data["sheets"]:
        worksheet = workbook.add_worksheet(name)
        for col, width in enumerate(data["widths"]):
            worksheet.set_column(col, col, width)
        for first_row, first_col, last_row, last_col, value, role, merged in cells:
            if merged:
                worksheet.merge_range(first_row, first_col, last_row, last_col, "", formats[role])
            worksheet.write_string(first_row, first_col, value, formats[role])
        for row, height in heights:
            worksheet.set_row(row, height)
        if rest:  # cells to fill in (the self-evaluation forms): their lists and hints, protection
            for first_row, first_col, last_row, last_col, options in rest[0]:
                worksheet.data_validation(first_row, first_col, last_row, last_col, options)
            worksheet.protect("", {"format_rows": True, "format_columns": True, "select_locked_cells": True})
        worksheet.set_paper(9)
        worksheet.set_portrait()
        worksheet.fit_to_pages(1, 0)
        worksheet.set_margins(left=0.6, right=0.6, top=0.7, bottom=0.7)
        worksheet.center_horizontally()
        if repeat:
            worksheet.repeat_rows(*repeat)
        worksheet.set_footer("&C第 &P 页，共 &N 页")
    workbook.close()
    return len(data["sheets"])


def sheet_text(sheet):
    """A sheet as the copied text of fixtures/seed/*.txt: one row per line, TAB
    between cells, merged cells empty. The not-approved mark and the unit row
    are left out: the copied official text has neither (the reader refuses them)."""
    lines = []
    for row, cells in zip(sheet.rows, sheet.grid(), strict=True):
        if row.kind in ("mark", "unit"):
            continue
        lines.append("\t".join(cell or "" for cell in cells))
    return "\n".join(lines)


def measure_import(case, year):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects.documents import layout
    from projects.documents.readers.text import parse_sheets
    from projects.documents.writers import xlsx as sheet_xlsx
    from projects.permissions import SYSTEM
    from projects.services import import_projects

    texts = [layout.build_sheet(p) for p in sheet_xlsx.iter_with_tree(batch_queryset(year, case["imports"]))]
    text = "\n".join(sheet_text(sheet) for sheet in texts)
    started = time.perf_counter()
    parsed = parse_sheets(text)
    parse_s = time.perf_counter() - started
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        report = import_projects(parsed.projects, department="基准测试导入单位", user=SYSTEM)
    import_s = time.perf_counter() - started
    result = {
        "sheets": len(parsed.projects),
        "parse_s": parse_s,
        "import_s": import_s,
        "queries": len(queries),
        "created": len(report.created),
        "repairs": len(parsed.repairs),
        "text_mb": len(text.encode()) / 2**20,
    }
    log(f"import: {result}")
    return result


def measure_checks(year):
    import io

    from django.core.management import CommandError, call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects.models import Project

    projects = Project.objects.filter(year=year).count()
    with tempfile.NamedTemporaryFile(suffix=".json") as output:
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            try:
                call_command(
                    "check_targets", year=year, format="json", output=output.name, stderr=io.StringIO()
                )
            except CommandError:
                pass  # exit code 1: errors found, as expected in realistic data
        seconds = time.perf_counter() - started
        findings = len(json.loads(Path(output.name).read_text(encoding="utf-8"))["findings"])
    return {"projects": projects, "seconds": seconds, "queries": len(queries), "findings": findings}


def report_values(round_, chunk=2000):
    """Values for every form and row of the round, as units report them: actuals around
    the target's schedule (some behind, some far ahead), a likelihood, executed funds.
    Written with plain bulk updates (bench setup, not what is measured)."""
    import random
    from decimal import Decimal

    from indicators.values import normalize_number
    from results.bulk import update_values
    from results.models import ResultForm, ResultRow

    rng = random.Random(1)
    factors = [Decimal(f) for f in ("0.2", "0.35", "0.45", "0.5", "0.55", "0.7", "0.9", "1")]
    likelihoods = ("certain", "certain", "possible", "impossible")
    pks = list(ResultRow.objects.filter(form__round=round_).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), chunk):
        rows = list(ResultRow.objects.filter(pk__in=pks[start : start + chunk]).only("number", "unit"))
        for row in rows:
            if row.number is None:
                row.actual = "推进中"
            else:
                row.actual = normalize_number((row.number * rng.choice(factors)).quantize(Decimal("0.01")))
                row.actual += row.unit
            row.likelihood = rng.choice(likelihoods)
        update_values(ResultRow, rows, ["actual", "likelihood"])
    forms = list(ResultForm.objects.filter(round=round_).only("budget_full"))
    for form in forms:
        form.executed = (form.budget_full * rng.choice(factors)).quantize(Decimal("0.01"))
    update_values(ResultForm, forms, ["executed"])
    return len(pks)


def vacuum(connection, *tables):
    """VACUUM ANALYZE on PostgreSQL: rewriting every row just now left the tables
    unvacuumed; autovacuum would catch up within minutes in service, and the pages are
    measured in that steady state."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {table}")


def measure_monitoring(case, year):
    from datetime import date

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from projects.models import Department, Membership, Project, Role, Status
    from results.models import Kind, ResultForm
    from results.services import evaluate_round, open_round

    Project.objects.filter(year=year).update(status=Status.APPROVED)
    started = time.perf_counter()
    report = open_round(Kind.MONITORING, year, date(year, 6, 30))
    open_s = time.perf_counter() - started
    round_ = report.round
    rows = report_values(round_)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        forms = evaluate_round(round_)
    lights_s = time.perf_counter() - started
    lights_queries = len(queries)  # now: a later request clears the connection's query log
    vacuum(connection, "results_resultform", "results_resultrow")
    log(f"monitoring: open_round {open_s:.1f} s, lights {lights_s:.1f} s for {forms} forms, {rows} rows")

    User = get_user_model()
    admin = User.objects.get(username="bench-admin")
    unit = (
        Department.objects.filter(projects__year=year)
        .annotate(count=Count("projects"))
        .order_by("-count")
        .first()
    )
    reviewer = User.objects.create_user("bench-reviewer", "", "bench-password-1")
    filler = User.objects.create_user("bench-monitor", "", "bench-password-1")
    Membership.objects.create(user=reviewer, department=unit, role=Role.REVIEWER)
    Membership.objects.create(user=filler, department=unit, role=Role.FILLER)
    clients = {}
    for user in (admin, reviewer, filler):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    overview = reverse("results:overview", args=[round_.pk])
    form = (
        ResultForm.objects.filter(round=round_, project__department=unit)
        .annotate(n=Count("rows"))
        .order_by("-n", "pk")
        .first()
    )

    def page(user, wanted):
        """`wanted`, or the last page where a tiny run has fewer (50 forms a page)."""
        count = ResultForm.objects.restrict(user).filter(round=round_).count()
        return min(wanted, max(1, -(-count // 50)))

    pages = [
        ("overview (superuser)", admin, overview),
        ("overview, page 2 (审核人, 1 unit)", reviewer, f"{overview}?page={page(reviewer, 2)}"),
        ("overview 项目预警=红 (superuser)", admin, f"{overview}?light=3"),
        (
            "overview 执行率↓ p3 (superuser)",
            admin,
            f"{overview}?sort=-execution_rate&page={page(admin, 3)}",
        ),
        ("form page (填报人)", filler, reverse("results:form", args=[form.pk])),
        ("printed form", reviewer, reverse("results:print", args=[form.pk])),
    ]
    measured = []
    for label, user, url in pages:
        result = time_requests(clients[user.username], url, case)
        measured.append({"case": label, "url": url, **result})
        log(f"{label}: {result['median_ms']:.1f} ms median, {result['queries']} queries")
    slow = {**case, "reps": 1 if case["quick"] else 3, "warmup": 1}
    url = reverse("results:overview_xlsx", args=[round_.pk])
    result = time_requests(clients["bench-reviewer"], url, slow)
    measured.append({"case": "overview Excel (审核人, 1 unit)", "url": url, **result})
    return {
        "forms": forms,
        "rows": rows,
        "open_s": open_s,
        "lights_s": lights_s,
        "lights_queries": lights_queries,
        "pages": measured,
    }


def report_scores(round_, chunk=2000):
    """Values for every form and row of a self-evaluation round, as units report them:
    actuals around the target (met, short, over a ceiling), a level and points within
    its band for qualitative rows, executed funds. Plain bulk updates (setup)."""
    import random
    from decimal import Decimal

    from indicators.values import normalize_number
    from results.bulk import update_values
    from results.models import ResultForm, ResultRow

    rng = random.Random(2)
    factors = [Decimal(f) for f in ("0.5", "0.8", "0.95", "1", "1", "1.1", "1.4", "2.5")]
    levels = (("achieved", Decimal("0.9")), ("partial", Decimal("0.7")), ("missed", Decimal("0.3")))
    pks = list(ResultRow.objects.filter(form__round=round_).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), chunk):
        rows = list(
            ResultRow.objects.filter(pk__in=pks[start : start + chunk]).only("number", "unit", "weight")
        )
        for row in rows:
            row.reason = "偏差原因及改进措施"
            if row.number is None:
                row.level, share = rng.choice(levels)
                row.points = (row.weight * share).quantize(Decimal("0.01"))
            else:
                row.actual = normalize_number((row.number * rng.choice(factors)).quantize(Decimal("0.01")))
                row.actual += row.unit
        update_values(ResultRow, rows, ["actual", "level", "points", "reason"])
    forms = list(ResultForm.objects.filter(round=round_).only("budget_full"))
    for form in forms:
        form.executed = (form.budget_full * rng.choice(factors[:5])).quantize(Decimal("0.01"))
        form.summary = "全年目标基本完成"
    update_values(ResultForm, forms, ["executed", "summary"])
    return len(pks)


def evaluation_batch(year, count):
    from results.models import Kind, ResultForm, Round

    round_ = Round.objects.get(kind=Kind.EVALUATION, year=year)
    forms = ResultForm.objects.filter(round=round_).order_by("department_name", "project_name", "pk")
    return round_, forms.filter(pk__in=list(forms.values_list("pk", flat=True)[:count]))


def precompute_evaluation_floor(year, count, path):
    """The batch of self-evaluation forms as the floor writes it (see precompute_floor)."""
    import io
    import pickle

    import xlsxwriter

    from projects.documents.writers import xlsx as sheet_xlsx
    from results.documents import evaluation as evaluation_layout
    from results.documents import layout
    from results.documents import xlsx as result_xlsx
    from results.models import FormStatus

    workbook = xlsxwriter.Workbook(io.BytesIO(), sheet_xlsx.WORKBOOK_OPTIONS)
    made = {}
    add_format = workbook.add_format

    def recording(properties=None):
        made_format = add_format(properties)
        made[id(made_format)] = properties
        return made_format

    workbook.add_format = recording
    writer = result_xlsx._writer(workbook)
    formats = {role: made[id(made_format)] for role, made_format in writer.formats.items()}
    workbook.close()
    _, queryset = evaluation_batch(year, count)
    used = {sheet_xlsx.SUMMARY_SHEET.lower()}
    sheets, summary = [], []
    widths = evaluation_layout.WIDTHS
    for form in result_xlsx.iter_forms(queryset):
        name = sheet_xlsx._unique_name(form.project_name, used)
        sheet = layout.build_form_sheet(form)
        total = "" if form.total is None else float(form.total)
        summary.append(
            (
                name,
                form.project_name,
                form.department_name,
                FormStatus(form.status).label,
                float(form.budget_full or 0),
                float(form.executed or 0),
                str(form.execution_rate or ""),
                float(form.budget_score or 0),
                total,
                form.grade,
            )
        )
        cells, heights, validations = [], [], []
        for row in sheet.rows:
            lines = 1
            for cell in row.cells:
                merged = cell.colspan > 1 or cell.rowspan > 1
                last_row = row.number + cell.rowspan - 1
                # The format the writer gives the cell (a cell to fill in: unlocked and tinted).
                role = f"input:{cell.role}" if cell.field else cell.role
                formats.setdefault(role, made[id(writer.format_of(cell))])
                cells.append((row.number, cell.col, last_row, cell.last_col, cell.text, role, merged))
                if cell.field:
                    validations.append((row.number, cell.col, last_row, cell.last_col, validation_of(cell)))
                if cell.rowspan == 1:
                    width = sum(widths[cell.col : cell.last_col + 1])
                    lines = max(lines, sheet_xlsx._lines(cell.text, width))
            heights.append(
                (row.number, {"title": 36, "mark": 24}.get(row.kind, lines * sheet_xlsx.LINE_HEIGHT + 4))
            )
        header = sheet.header_rows
        repeat = (header[0].number, header[-1].number) if header else None
        sheets.append((name, cells, heights, repeat, validations))
    data = {
        "options": sheet_xlsx.WORKBOOK_OPTIONS,
        "font": sheet_xlsx.FONT,
        "widths": widths,
        "formats": formats,
        "summary_sheet": sheet_xlsx.SUMMARY_SHEET,
        "summary_header": result_xlsx.EVALUATION_HEADER[1:],
        "summary": summary,
        "sheets": sheets,
    }
    with open(path, "wb") as handle:
        pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)


def validation_of(cell):
    """The data validation the writer gives a cell to fill in (a list, or the hint)."""
    options = {"validate": "any"}
    if cell.choices:
        options = {"validate": "list", "source": list(cell.choices), "ignore_blank": True}
        options["error_message"] = "请从下拉列表中选择：" + "、".join(cell.choices)
    if cell.hint:
        options.update(input_title="填写说明", input_message=cell.hint[:255])
    return options


def measure_evaluation(case, year):
    """The self-evaluation (绩效自评): a round for every approved project, values for every
    row, the scoring of the whole year (`evaluate_round`), the batch Excel of `--batch`
    forms against its floor, and the form page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from results.models import Kind
    from results.services import evaluate_round, open_round

    started = time.perf_counter()
    round_ = open_round(Kind.EVALUATION, year).round
    open_s = time.perf_counter() - started
    rows = report_scores(round_)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        forms = evaluate_round(round_)
    scoring_s = time.perf_counter() - started
    scoring_queries = len(queries)
    vacuum(connection, "results_resultform", "results_resultrow")
    log(f"evaluation: open_round {open_s:.1f} s, scoring {scoring_s:.1f} s for {forms} forms, {rows} rows")

    workdir = Path(case["workdir"])
    grids = workdir / "evaluation-floor.pickle"
    precompute_evaluation_floor(year, case["batch"], grids)
    env = {**os.environ, "BENCH_YEAR": str(year), "BENCH_BATCH": str(case["batch"])}
    runs = 1 if case["quick"] else 3
    ours = [run_export("evaluation", None, str(workdir / "evaluation.xlsx"), env) for _ in range(runs)]
    floor = [
        run_export("floor", str(grids), str(workdir / "evaluation-floor.xlsx"), env) for _ in range(runs)
    ]
    export = {
        "ours": {key: statistics.median(r[key] for r in ours) for key in ours[0]},
        "floor": {key: statistics.median(r[key] for r in floor) for key in floor[0]},
    }
    log(f"evaluation batch export: ours {export['ours']}, floor {export['floor']}")
    return {
        "forms": forms,
        "rows": rows,
        "open_s": open_s,
        "scoring_s": scoring_s,
        "scoring_queries": scoring_queries,
        "export": export,
    }


def measure_cold(year):
    """Building the kept figures from nothing, as the first request after `generate_demo`
    does: the library's entries of every unit-year, the statistics' per-project tallies."""
    from indicators import library
    from projects.models import Project
    from stats import tallies

    started = time.perf_counter()
    slices = library.refresh()
    library_s = time.perf_counter() - started
    started = time.perf_counter()
    checked = tallies.refresh(Project.objects.all())
    tallies_s = time.perf_counter() - started
    result = {"library_s": library_s, "slices": slices, "tallies_s": tallies_s, "projects": checked}
    log(f"cold: {result}")
    return result


def log(message):
    sys.stderr.write(f"[bench] {message}\n")
    sys.stderr.flush()


def case_main(args):
    case = json.loads(args.case)
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from indicators.models import Indicator

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    call_command(
        "generate_demo", projects=case["n"], year=YEAR, seed=1, units=20, stdout=open(os.devnull, "w")
    )
    generate_s = time.perf_counter() - started
    log(f"{case['db']} N={case['n']}: generate_demo {generate_s:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    else:
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    result = {
        "database": database,
        "n": case["n"],
        "rows": Indicator.objects.count(),
        "generate_s": generate_s,
        "cold": measure_cold(YEAR),
        "pages": measure_pages(case, YEAR),
        "export": measure_export(case, YEAR),
        "checks": measure_checks(YEAR),
        "import": measure_import(case, YEAR),
        "monitoring": measure_monitoring(case, YEAR),
        "evaluation": measure_evaluation(case, YEAR),
    }
    print(RESULT_PREFIX + json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
