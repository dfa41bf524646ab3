"""Last year's confirmed self-evaluations, for the review checks of this year's targets
(indicators/checks.py: LAST_YEAR_NOT_MET, LAST_YEAR_LOW_GRADE).

`last_year(projects)` answers, for projects of any years, the confirmed self-evaluation
of the project of the same name and unit in the year before, in one query for all of
them: {project pk: LastYear}. Registered with the checks in `ResultsConfig.ready`.
"""

from dataclasses import dataclass, field

from .models import FormStatus, Kind, ResultRow
from .scoring import Achievement, points_text


@dataclass(frozen=True)
class PastRow:
    level3: str
    target: str
    actual: str  # the actual value
    weight: object
    score: object  # the score that counted (a reviewer's change included)
    level: str = ""  # a qualitative row's 完成程度 (达成, 部分达成, 未达成)

    @property
    def missed(self):
        return self.score is not None and self.weight is not None and self.score < self.weight

    def describe(self):
        """What fell short: `未达到目标：指标值“≤1800吨”，实际完成值“2100吨”，得分8.33分（分值10分）`;
        a qualitative row, which may be 达成 and still below its weight:
        `未得满分：指标值“有效保障”，完成程度“达成”，得分9.5分（分值10分）`."""
        scored = f"得分{points_text(self.score)}分（分值{points_text(self.weight)}分）"
        if self.level:
            return f"未得满分：指标值“{self.target}”，完成程度“{self.level}”，{scored}"
        return f"未达到目标：指标值“{self.target}”，实际完成值“{self.actual or '未填'}”，{scored}"


@dataclass
class LastYear:
    year: int
    total: object
    grade: str
    rows: list = field(default_factory=list)


FIELDS = (
    "form_id",
    "form__round__year",
    "form__department_name",
    "form__project_name",
    "form__total",
    "form__grade",
    "level3",
    "target",
    "actual",
    "level",
    "weight",
    "score",
    "adjusted",
)


def last_year(projects):
    """{project pk: LastYear} of the projects with a confirmed self-evaluation last year."""
    wanted = {}
    for project in projects:
        wanted.setdefault((project.year - 1, project.department.name, project.name), []).append(project.pk)
    if not wanted:
        return {}
    rows = (
        ResultRow.objects.filter(
            form__round__kind=Kind.EVALUATION,
            form__status=FormStatus.CONFIRMED,
            form__round__year__in={key[0] for key in wanted},
            form__project_name__in={key[2] for key in wanted},
        )
        .order_by("form__round__year", "form_id", "position", "pk")
        .values_list(*FIELDS)
    )
    found, forms = {}, {}
    for form_id, year, unit, name, total, grade, *row in rows:
        level3, target, actual, level, weight, score, adjusted = row
        pks = wanted.get((year, unit, name))
        if not pks:
            continue
        past = forms.get(form_id)
        if past is None:
            past = forms[form_id] = LastYear(year, total, grade)
            for pk in pks:
                found[pk] = past  # a later form of the year (if any) replaces an earlier one
        shown = Achievement(level).label if level in Achievement.values else ""
        score = adjusted if adjusted is not None else score
        past.rows.append(PastRow(level3, target, actual, weight, score, level=shown))
    return found
