"""Last year's results for the review checks (LAST_YEAR_NOT_MET, LAST_YEAR_LOW_GRADE).

The results app registers its loader (`results.past.last_year`) here when it starts;
`attach_past` gives each project — a model or a light tree — `last_year`: the
confirmed self-evaluation of the project of the same name and unit in the year
before, or None. One query per loader for all the projects given.
"""

_PAST_LOADERS = []


def register_past(loader):
    """`loader(projects)` -> {project pk: last year's result}."""
    if loader not in _PAST_LOADERS:
        _PAST_LOADERS.append(loader)


def attach_past(projects):
    projects = list(projects)
    found = {}
    for loader in _PAST_LOADERS:
        found.update(loader(projects))
    for project in projects:
        project.last_year = found.get(project.pk)
    return projects
