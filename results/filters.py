import django_filters

from projects.models import Department

from .models import FormStatus, Light, ResultForm


class ResultFormFilter(django_filters.FilterSet):
    """The overview's filters; its Excel exports reuse them on the same scoped queryset."""

    q = django_filters.CharFilter(label="项目名称", field_name="project_name", lookup_expr="icontains")
    department = django_filters.ModelChoiceFilter(
        label="预算单位",
        field_name="project__department",
        queryset=Department.objects.none(),
        empty_label="全部",
    )
    light = django_filters.ChoiceFilter(label="项目预警", choices=Light.choices, empty_label="全部")
    status = django_filters.ChoiceFilter(label="状态", choices=FormStatus.choices, empty_label="全部")

    class Meta:
        model = ResultForm
        fields = ["q", "department", "light", "status"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["department"].queryset = Department.objects.restrict(user, "view")
