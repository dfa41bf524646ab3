from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from indicators.models import Indicator
from projects.documents.data import dump_document
from projects.models import Department, Project, Status


def generate(**options):
    call_command("generate_demo", stdout=StringIO(), **options)


def snapshot():
    document = dump_document(Project.objects.with_tree().order_by("id"))
    for project in document["projects"]:
        project.pop("id")
    return document


def test_it_generates_realistic_projects_in_every_state(db):
    generate(projects=120, units=7, seed=5, batch=50)
    assert Project.objects.count() == 120
    assert Department.objects.count() == 7
    # every state of one-level review (the demo year has no two-level review)
    one_level = set(Status.values) - {Status.PENDING_PARENT, Status.PENDING_FINANCE}
    assert set(Project.objects.values_list("status", flat=True)) == one_level
    per_project = Counter(Indicator.objects.values_list("goal__project_id", flat=True))
    assert len(per_project) == 120
    assert min(per_project.values()) >= 10
    assert max(per_project.values()) <= 32  # 10–30 plus an occasional realistic mistake row
    assert all("示例5-" in name for name in Project.objects.values_list("name", flat=True))


def test_the_same_seed_gives_the_same_data(db):
    generate(projects=40, units=3, seed=9)
    first = snapshot()
    Project.objects.all().delete()
    generate(projects=40, units=3, seed=9)
    assert snapshot() == first
    Project.objects.all().delete()
    generate(projects=40, units=3, seed=10)
    assert snapshot() != first


def test_it_refuses_nonsense_counts(db):
    with pytest.raises(CommandError, match="正整数"):
        generate(projects=0)
