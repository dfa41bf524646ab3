import django_filters
from django import forms
from django.db.models import Q

from .models import Department, Project, ProjectType, Status


class ProjectFilter(django_filters.FilterSet):
    """The project list's filters; the batch exports reuse it on the same queryset."""

    q = django_filters.CharFilter(
        label="搜索",
        method="search",
        widget=forms.TextInput(attrs={"placeholder": "项目名称、立项依据、三级指标"}),
    )
    year = django_filters.NumberFilter(label="年度")
    department = django_filters.ModelChoiceFilter(
        label="预算单位", queryset=Department.objects.none(), empty_label="全部"
    )
    project_type = django_filters.ChoiceFilter(
        label="项目类型", choices=ProjectType.choices, empty_label="全部"
    )
    status = django_filters.ChoiceFilter(label="状态", choices=Status.choices, empty_label="全部")

    class Meta:
        model = Project
        fields = ["q", "year", "department", "project_type", "status"]

    def __init__(self, *args, user, statuses=None, **kwargs):
        """`statuses`: the only states the list can hold (我的待办: 草稿 and 已退回), so the
        状态 filter offers no state that never matches there."""
        super().__init__(*args, **kwargs)
        self.filters["department"].queryset = Department.objects.restrict(user, "view")
        if statuses is not None:
            self.filters["status"].extra["choices"] = [
                (value, label) for value, label in Status.choices if value in statuses
            ]

    def search(self, queryset, name, value):
        """Names, rationale and indicator names (三级指标)."""
        value = value.strip()
        if not value:
            return queryset
        from indicators.models import Indicator

        matching_rows = Indicator.objects.filter(level3__icontains=value).values("goal__project_id")
        return queryset.filter(
            Q(name__icontains=value) | Q(rationale__icontains=value) | Q(pk__in=matching_rows)
        )
