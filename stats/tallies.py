"""Per-project tallies of the review checks, refreshed where a project changed."""

import hashlib
from collections import Counter

from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from indicators.checks import RULES, check_projects, is_quantitative
from indicators.models import LibraryName
from projects.models import Project

from .models import ProjectTally, RuleTally

CHUNK = 2000
ANALYZE_AFTER = 1000


def signature():
    """What a tally depends on besides the project: the rules and the library's agreed units."""
    digest = hashlib.sha1()
    for rule in RULES:
        digest.update(f"{rule.code}:{rule.severity};".encode())
    for key, unit in LibraryName.objects.filter(agreed=True).order_by("key").values_list("key", "unit"):
        digest.update(f"{key}={unit};".encode())
    return digest.hexdigest()


def refresh(projects, stamp=None):
    """Check the projects of `projects` whose tally is missing or stale; returns how many."""
    stamp = stamp or signature()
    fresh = ProjectTally.objects.filter(project=OuterRef("pk"), version=OuterRef("version"), signature=stamp)
    # Versions are read before the trees: a project saved meanwhile is stored as stale.
    stale = dict(projects.order_by().filter(~Exists(fresh)).values_list("pk", "version"))
    ids = sorted(stale)
    for start in range(0, len(ids), CHUNK):
        _store(ids[start : start + CHUNK], stale, stamp)
    if len(ids) >= ANALYZE_AFTER and connection.vendor == "postgresql":
        # Fresh planner statistics after a large refresh (the first visit after an import
        # or `generate_demo`): with the autovacuum's still to come, PostgreSQL estimated a
        # few dozen tallies and joined 20,000 of them by nested loops.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {ProjectTally._meta.db_table}, {RuleTally._meta.db_table}")
    return len(ids)


def _store(ids, versions, stamp):
    tallies, rules = [], []
    for project, findings in check_projects(Project.objects.filter(pk__in=ids).order_by("pk"), CHUNK):
        valued = qualitative = 0
        for goal in project.goals:
            for row in goal.indicators:
                if row.value and row.value.strip().replace("\u3000", ""):
                    valued += 1
                    qualitative += not is_quantitative(row)
        counts = Counter(finding.rule for finding in findings)
        tallies.append(
            ProjectTally(
                project_id=project.pk,
                version=versions[project.pk],
                signature=stamp,
                valued_rows=valued,
                qualitative_rows=qualitative,
                errors=sum(finding.is_error for finding in findings),
                warnings=sum(not finding.is_error for finding in findings),
            )
        )
        rules += [RuleTally(project_id=project.pk, rule=rule, count=count) for rule, count in counts.items()]
    with transaction.atomic():
        RuleTally.objects.filter(project_id__in=ids).delete()
        ProjectTally.objects.filter(project_id__in=ids).delete()
        # A request refreshing the same projects at the same moment stored the same tallies.
        ProjectTally.objects.bulk_create(tallies, batch_size=1000, ignore_conflicts=True)
        RuleTally.objects.bulk_create(rules, batch_size=1000, ignore_conflicts=True)
