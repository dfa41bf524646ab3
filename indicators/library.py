"""The indicator library (指标库): every indicator of the approved projects, counted.

The library is derived data. Its figures are kept per *slice* — the approved
projects of one unit and year — in `LibraryEntry` rows; over the whole library,
per level-3 name in `LibraryName` (usual unit and comparator) and per indicator,
unit of measure and year in `LibraryFigure` (minimum, median, maximum). A slice is
rebuilt when its projects' fingerprint (count, ids, versions, last change)
differs from the one stored with it, so any path that approves, reopens or
restores projects (the workflow, a backup restore, `generate_demo`) is picked up
by the next `refresh()`: the library page, the suggestions and the statistics
call it, and an approval or reopening calls it right after its commit
(`transition_saved`, connected in indicators/apps.py). An approval therefore
costs the rebuild of one unit-year and of the totals of its names.

Names and figures are shared by everyone; which projects a user may open is
decided by `Project.objects.restrict(user, "view")` where the projects are listed.
"""

import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Max, Min, Sum, Value, When

from projects.models import Project, Status

from . import framework
from .models import CommonIndicator, Indicator, LibraryEntry, LibraryFigure, LibraryName, LibrarySlice
from .values import COMPARATOR_SYMBOLS, normalize_number

logger = logging.getLogger("perfgoals.library")

# Bump when the way a slice is built changes: every slice is then rebuilt once.
BUILD = "3"
REFRESH_LOCK = 160_016  # pg_advisory_xact_lock key of library rebuilds (issue 16)

_SPACES = re.compile(r"\s+")


def name_key(level3):
    """A level-3 name without any spaces (全角 included): the library's identity of a name."""
    return _SPACES.sub("", (level3 or "").replace("\u3000", ""))


def level1_name(text):
    text = (text or "").strip()
    return framework.canonical_level1(text) or text


def level2_name(text):
    text = (text or "").strip()
    return framework.canonical_level2(text) or text


def spellings_of_level1(name):
    """Every way rows may write the level 1 `name` (the canonical name and its aliases)."""
    return {name} | {alias for alias, target in framework.LEVEL1_ALIASES.items() if target == name}


def spellings_of_level2(name):
    return {name} | {alias for alias, target in framework.LEVEL2_ALIASES.items() if target == name}


# --------------------------------------------------------------------------
# Keeping the library up to date
# --------------------------------------------------------------------------


def current_fingerprints():
    """{(year, department id): fingerprint} of the approved projects, one query."""
    rows = (
        Project.objects.filter(status=Status.APPROVED)
        .order_by()
        .values_list("year", "department_id")
        .annotate(n=Count("id"), ids=Sum("id"), versions=Sum("version"), last=Max("updated_at"))
    )
    return {
        (year, department): f"{BUILD}:{n}:{ids}:{versions}:{last.isoformat() if last else ''}"
        for year, department, n, ids, versions, last in rows
    }


def refresh():
    """Rebuild the slices whose approved projects changed; returns how many were rebuilt.

    Checking costs two small queries. Rebuilds take turns (a transaction-scoped advisory
    lock on PostgreSQL; SQLite runs one writer at a time anyway): the second of two
    requests that found the same slices stale finds them rebuilt."""
    if not _stale_slices():
        return 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
        stale = _stale_slices()
        touched = set()
        for (year, department), fingerprint in stale.items():
            touched |= _rebuild_slice(year, department, fingerprint)
        _rebuild_names(touched)
    return len(stale)


def _stale_slices():
    """{(year, department id): current fingerprint, or None for a slice with no approved
    project left} of the slices to rebuild."""
    current = current_fingerprints()
    stored = {
        (year, department): fingerprint
        for year, department, fingerprint in LibrarySlice.objects.values_list(
            "year", "department_id", "fingerprint"
        )
    }
    stale = {key: fingerprint for key, fingerprint in current.items() if stored.get(key) != fingerprint}
    stale.update({key: None for key in stored if key not in current})
    return stale


def refresh_quietly():
    """`refresh()` where a failure must not fail the request: after an approval's commit
    (the reviewer's step succeeded) and before the library's pages read it (they show what
    is kept). The failure is logged; the next request retries."""
    try:
        refresh()
    except Exception:
        logger.exception("the indicator library could not be refreshed")


def transition_saved(sender, instance, created, **kwargs):
    """A workflow step (post_save of projects.Transition): an approval adds a project to
    the library, a reopening takes it out. The unit-year is rebuilt once the step is
    committed, never inside it: the reviewer's step neither waits for the library nor
    fails with it."""
    if created and Status.APPROVED in (instance.from_status, instance.to_status):
        transaction.on_commit(refresh_quietly)


def _rebuild_slice(year, department, fingerprint):
    """Replace the entries of one unit-year (none when `fingerprint` is None: no approved
    project left); returns the name keys before and after."""
    entries = LibraryEntry.objects.filter(year=year, department_id=department)
    old = set(entries.values_list("key", flat=True))
    entries.delete()
    if fingerprint is None:
        LibrarySlice.objects.filter(year=year, department_id=department).delete()
        return old
    built = build_entries(year, department)
    LibraryEntry.objects.bulk_create(built, batch_size=1000)
    LibrarySlice.objects.update_or_create(
        year=year, department_id=department, defaults={"fingerprint": fingerprint}
    )
    return old | {entry.key for entry in built}


def build_entries(year, department):
    """The entries of one unit-year from its approved rows (unsaved)."""
    rows = Indicator.objects.filter(
        goal__project__status=Status.APPROVED,
        goal__project__year=year,
        goal__project__department_id=department,
    ).values_list("goal__project_id", "level1", "level2", "level3", "comparator", "number", "unit")
    groups = {}
    for project_id, level1, level2, level3, comparator, number, unit in rows.iterator(chunk_size=5000):
        key = name_key(level3)
        if not key:
            continue
        ident = (level1_name(level1), level2_name(level2), key)
        group = groups.get(ident)
        if group is None:
            group = groups[ident] = _Group()
        group.add(project_id, level3.strip(), comparator, number, unit)
    return [
        LibraryEntry(
            year=year,
            department_id=department,
            level1=level1[:50],
            level2=level2[:50],
            level3=group.spellings.most_common(1)[0][0],
            key=key,
            spellings=sorted(group.spellings),
            projects=len(group.projects),
            rows=group.rows,
            qualitative=group.qualitative,
            comparators=dict(group.comparators),
            measures={unit: histogram(numbers) for unit, numbers in group.measures.items()},
            unit_projects={unit: len(projects) for unit, projects in group.unit_projects.items()},
        )
        for (level1, level2, key), group in groups.items()
    ]


class _Group:
    __slots__ = ("comparators", "measures", "projects", "qualitative", "rows", "spellings", "unit_projects")

    def __init__(self):
        self.projects = set()
        self.spellings = Counter()
        self.rows = 0
        self.qualitative = 0
        self.comparators = Counter()
        self.measures = defaultdict(list)
        self.unit_projects = defaultdict(set)

    def add(self, project_id, spelling, comparator, number, unit):
        self.projects.add(project_id)
        self.spellings[spelling] += 1
        self.rows += 1
        if number is None:
            self.qualitative += 1
            return
        if comparator:
            self.comparators[comparator] += 1
        unit = (unit or "").strip()
        self.measures[unit].append(number)
        self.unit_projects[unit].add(project_id)


def histogram(numbers):
    """[[number, rows], …] in ascending order: targets repeat (≥95%, ＝100%), so a unit-year's
    numbers are kept as their distinct values and counts, and merge by adding counts."""
    counts = Counter(normalize_number(number) for number in numbers)
    return [[value, counts[value]] for value in sorted(counts, key=Decimal)]


def _rebuild_names(keys):
    """Recompute what is kept over the whole library for the names in `keys`: each name's
    usual unit and comparator (`LibraryName`) and the min / median / max of each indicator
    per unit of measure, per year and over all years (`LibraryFigure`)."""
    if not keys:
        return
    keys = sorted(keys)
    for start in range(0, len(keys), 500):
        part = keys[start : start + 500]
        totals = {}
        counts = defaultdict(Counter)  # (year, level 1, level 2, key, unit) -> {number: rows}
        for (
            year,
            level1,
            level2,
            key,
            level3,
            projects,
            comparators,
            unit_projects,
            measures,
        ) in LibraryEntry.objects.filter(key__in=part).values_list(
            "year",
            "level1",
            "level2",
            "key",
            "level3",
            "projects",
            "comparators",
            "unit_projects",
            "measures",
        ):
            total = totals.get(key)
            if total is None:
                total = totals[key] = {
                    "names": Counter(),
                    "projects": 0,
                    "cmp": Counter(),
                    "units": Counter(),
                }
            total["names"][level3] += projects
            total["projects"] += projects
            total["cmp"].update(comparators)
            total["units"].update(unit_projects)
            for unit, pairs in measures.items():
                for when in (year, LibraryFigure.ALL_YEARS):
                    merged = counts[(when, level1, level2, key, unit)]
                    for value, count in pairs:
                        merged[value] += count
        LibraryName.objects.filter(key__in=part).delete()
        LibraryName.objects.bulk_create(
            [_library_name(key, total) for key, total in totals.items()], batch_size=1000
        )
        LibraryFigure.objects.filter(key__in=part).delete()
        figures = []
        for (year, level1, level2, key, unit), merged in counts.items():
            measure = Measure.of(unit, merged)
            figures.append(
                LibraryFigure(
                    year=year,
                    level1=level1,
                    level2=level2,
                    key=key,
                    unit=unit[:20],
                    rows=measure.rows,
                    low=measure.low,
                    median=measure.median,
                    high=measure.high,
                )
            )
        LibraryFigure.objects.bulk_create(figures, batch_size=1000)


def _library_name(key, total):
    units = total["units"]
    unit, unit_projects = units.most_common(1)[0] if units else ("", 0)
    measured = sum(units.values())
    comparator = total["cmp"].most_common(1)[0][0] if total["cmp"] else ""
    agreed = (
        bool(unit)
        and unit_projects >= LibraryName.AGREEMENT_PROJECTS
        and unit_projects >= LibraryName.AGREEMENT_SHARE * measured
    )
    return LibraryName(
        key=key,
        name=total["names"].most_common(1)[0][0][:200],
        projects=total["projects"],
        unit=unit[:20],
        comparator=comparator,
        unit_projects=unit_projects,
        measured_projects=measured,
        agreed=agreed,
    )


# --------------------------------------------------------------------------
# Reading the library
# --------------------------------------------------------------------------

LEVEL1_ORDER = Case(
    *(When(level1=name, then=Value(index)) for index, name in enumerate(framework.LEVEL1)),
    default=Value(len(framework.LEVEL1)),
    output_field=IntegerField(),
)
_LEVEL2_NAMES = [name for names in framework.FRAMEWORK.values() for name in names] + ["成本指标"]
LEVEL2_ORDER = Case(
    *(When(level2=name, then=Value(index)) for index, name in enumerate(_LEVEL2_NAMES)),
    default=Value(len(_LEVEL2_NAMES)),
    output_field=IntegerField(),
)


@dataclass
class Filters:
    q: str = ""
    year: int | None = None
    department: int | None = None
    level1: str = ""
    level2: str = ""
    common_only: bool = False

    def entries(self):
        entries = LibraryEntry.objects.all()
        if self.q:
            entries = entries.filter(key__icontains=name_key(self.q))
        if self.year:
            entries = entries.filter(year=self.year)
        if self.department:
            entries = entries.filter(department_id=self.department)
        if self.level1:
            entries = entries.filter(level1=self.level1)
        if self.level2:
            entries = entries.filter(level2=self.level2)
        return entries


def groups(filters):
    """The library's indicators matching `filters`, one per (level 1, level 2, name),
    in framework order and by use: a values() queryset for the paginator."""
    return (
        filters.entries()
        .order_by()
        .values("level1", "level2", "key")
        .annotate(
            name=Min("level3"),
            projects=Sum("projects"),
            units=Count("department", distinct=True),
            rows=Sum("rows"),
            qualitative=Sum("qualitative"),
            level1_order=Max(LEVEL1_ORDER),
            level2_order=Max(LEVEL2_ORDER),
        )
        .order_by("level1_order", "level1", "level2_order", "level2", "-projects", "key")
    )


@dataclass
class Measure:
    """The figures of one unit of measure: rows, minimum, median and maximum (as printed)."""

    unit: str
    rows: int
    low: str
    median: str
    high: str

    @classmethod
    def of(cls, unit, counts):
        """From counted numbers ({"98": rows, …}, as kept in the entries)."""
        pairs = sorted((Decimal(value), count) for value, count in counts.items() if count)
        rows = sum(count for _, count in pairs)

        def at(index):
            seen = 0
            for value, count in pairs:
                seen += count
                if index < seen:
                    return value
            raise IndexError(index)

        middle = rows // 2
        median = at(middle) if rows % 2 else (at(middle - 1) + at(middle)) / 2
        return cls(
            unit,
            rows,
            normalize_number(pairs[0][0]),
            normalize_number(median),
            normalize_number(pairs[-1][0]),
        )

    @property
    def unit_label(self):
        return self.unit or "（无单位）"


@dataclass
class Item:
    """One line of the library page: an indicator and its figures over the filter."""

    level1: str
    level2: str
    key: str
    name: str
    projects: int
    units: int
    rows: int
    qualitative: int
    comparators: Counter = field(default_factory=Counter)
    measures: list = field(default_factory=list)
    common: object = None  # the CommonIndicator, when marked

    @property
    def comparator(self):
        return self.comparators.most_common(1)[0][0] if self.comparators else ""

    @property
    def comparator_symbol(self):
        return COMPARATOR_SYMBOLS.get(self.comparator, "")

    @property
    def usual_unit(self):
        return self.measures[0].unit if self.measures else ""

    @property
    def ident(self):
        return (self.level1, self.level2, self.key)


def items(filters, page_groups):
    """Items with their figures (comparators, min / median / max per unit) for a page of
    `groups()`, in three queries: the page's entries (names, comparators), the figures,
    the common indicators. Without a unit filter the figures are the kept ones (per year
    or over all years); for one unit, its entries' numbers are merged here."""
    page_groups = list(page_groups)
    result = [
        Item(
            level1=group["level1"],
            level2=group["level2"],
            key=group["key"],
            name=group["name"],
            projects=group["projects"],
            units=group["units"],
            rows=group["rows"],
            qualitative=group["qualitative"],
        )
        for group in page_groups
    ]
    if not result:
        return result
    by_ident = {item.ident: item for item in result}
    keys = {item.key for item in result}
    kept = filters.department is None
    numbers = defaultdict(lambda: defaultdict(Counter))
    spellings = defaultdict(Counter)
    fields = ["level1", "level2", "key", "level3", "projects", "comparators"]
    for row in filters.entries().filter(key__in=keys).values_list(*fields, *([] if kept else ["measures"])):
        item = by_ident.get(row[:3])
        if item is None:
            continue
        spellings[item.ident][row[3]] += row[4]
        item.comparators.update(row[5])
        if not kept:
            for unit, pairs in row[6].items():
                merged = numbers[item.ident][unit]
                for value, count in pairs:
                    merged[value] += count
    measures = defaultdict(list)
    if kept:
        figures = LibraryFigure.objects.filter(year=filters.year or LibraryFigure.ALL_YEARS, key__in=keys)
        for figure in figures.order_by():
            measures[(figure.level1, figure.level2, figure.key)].append(
                Measure(figure.unit, figure.rows, figure.low, figure.median, figure.high)
            )
    else:
        for ident, units in numbers.items():
            measures[ident] = [Measure.of(unit, counts) for unit, counts in units.items()]
    for item in result:
        if spellings[item.ident]:
            item.name = spellings[item.ident].most_common(1)[0][0]
        item.measures = sorted(measures[item.ident], key=lambda measure: (-measure.rows, measure.unit))
    for common in CommonIndicator.objects.filter(level3__in={item.name for item in result} | keys):
        item = by_ident.get((common.level1, common.level2, name_key(common.level3)))
        if item is not None:
            item.common = common
    return result


def years():
    return sorted(set(LibrarySlice.objects.values_list("year", flat=True)), reverse=True)


def suggestions(level1="", level2="", q="", department=None, limit=12):
    """Names for the editor's 三级指标: the row's level 2 (else level 1), containing `q`;
    names the unit `department` already used first, then the most used."""
    entries = LibraryEntry.objects.all()
    level2 = level2_name(level2)
    level1 = level1_name(level1)
    if level2:
        entries = entries.filter(level2=level2)
    elif level1:
        entries = entries.filter(level1=level1)
    key = name_key(q)
    if key:
        entries = entries.filter(key__icontains=key)
    own = Max(
        Case(When(department_id=department, then=Value(1)), default=Value(0), output_field=IntegerField())
    )
    found = list(
        entries.order_by()
        .values("key")
        .annotate(projects=Sum("projects"), own=own if department else Value(0))
        .order_by("-own", "-projects", "key")[:limit]
    )
    names = {name.key: name for name in LibraryName.objects.filter(key__in=[row["key"] for row in found])}
    result = []
    for row in found:
        name = names.get(row["key"])
        if name is None:  # the library is being rebuilt
            continue
        result.append(
            {
                "name": name.name,
                "unit": name.unit,
                "comparator": COMPARATOR_SYMBOLS.get(name.comparator, ""),
                "hint": value_hint(name.comparator, name.unit),
                "projects": row["projects"],
                "own": bool(row["own"]),
            }
        )
    return result


def value_hint(comparator, unit):
    """The placeholder shown in 指标值 after picking a name: the usual form, no number."""
    if not unit and not comparator:
        return ""
    return f"{COMPARATOR_SYMBOLS.get(comparator, '')}＿＿{unit}"


def common_indicators():
    """The active common indicators, for the editor's 常用指标 button."""
    names = {}
    rows = list(CommonIndicator.objects.filter(active=True).order_by("level1", "level2", "level3"))
    if rows:
        names = {
            name.key: name
            for name in LibraryName.objects.filter(key__in=[name_key(row.level3) for row in rows])
        }
    order = {name: index for index, name in enumerate(framework.LEVEL1)}
    rows.sort(key=lambda row: (order.get(row.level1, 9), row.level2, row.level3))
    return [
        {
            "level1": row.level1,
            "level2": row.level2,
            "level3": row.level3,
            "value": row.value,
            "note": row.note,
            "project_type": row.project_type,
            "unit": getattr(names.get(name_key(row.level3)), "unit", ""),
        }
        for row in rows
    ]


def project_rows(user, level1, level2, key):
    """The rows of the approved projects `user` may view that use the indicator."""
    listed = LibraryEntry.objects.filter(level1=level1, level2=level2, key=key).values_list(
        "spellings", flat=True
    )
    names = {name for spellings in listed for name in spellings} or {key}
    visible = Project.objects.restrict(user, "view").filter(status=Status.APPROVED)
    return (
        Indicator.objects.filter(
            goal__project__in=visible,
            level3__in=names,
            level1__in=spellings_of_level1(level1),
            level2__in=spellings_of_level2(level2),
        )
        .select_related("goal__project__department")
        .order_by(
            "-goal__project__year",
            "goal__project__department__name",
            "goal__project__name",
            "-goal__term",
            "goal__position",
            "position",
        )
    )
