"""Forms of the indicator library: the filter bar, a common indicator, the import upload."""

from django import forms
from django.conf import settings

from projects.models import Department

from . import framework
from .library import Filters, level1_name, level2_name, years
from .models import CommonIndicator
from .values import parse_value

ALL = [("", "全部")]


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=50)
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None)
    department = forms.ModelChoiceField(
        label="预算单位", required=False, queryset=Department.objects.all(), empty_label="全部"
    )
    level1 = forms.ChoiceField(label="一级指标", required=False)
    level2 = forms.ChoiceField(label="二级指标", required=False)
    common = forms.BooleanField(label="只看共性指标", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = "三级指标名称，如 满意"
        self.fields["year"].choices = ALL + [(year, f"{year}年") for year in years()]
        self.fields["level1"].choices = ALL + [(name, name) for name in framework.LEVEL1]
        level2 = [name for names in framework.FRAMEWORK.values() for name in names]
        self.fields["level2"].choices = ALL + [(name, name) for name in level2]

    def filters(self):
        """The chosen filters; an invalid choice (a forged or stale URL) is ignored, the
        valid ones still apply."""
        self.is_valid()  # fills cleaned_data with the valid fields only
        data = self.cleaned_data
        department = data.get("department")
        return Filters(
            q=(data.get("q") or "").strip(),
            year=data.get("year"),
            department=department.pk if department else None,
            level1=data.get("level1") or "",
            level2=data.get("level2") or "",
            common_only=bool(data.get("common")),
        )


class CommonIndicatorForm(forms.ModelForm):
    """Marking a library indicator as 共性指标 (or changing the mark)."""

    class Meta:
        model = CommonIndicator
        fields = ("level1", "level2", "level3", "value", "project_type", "note", "active")
        widgets = {
            "level1": forms.Select(choices=[(name, name) for name in framework.LEVEL1]),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "level3": {"required": "三级指标不能为空。"},
            "value": {"required": "请填写推荐指标值，如“≥90%”。"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        level2 = [name for names in framework.FRAMEWORK.values() for name in names]
        self.fields["level2"].widget = forms.Select(choices=[(name, name) for name in level2])
        self.fields["project_type"].choices = [
            ("", "所有项目"),
            *list(self.fields["project_type"].choices)[1:],
        ]

    def clean(self):
        data = super().clean()
        return clean_common(data, self.add_error)


def clean_common(data, add_error):
    """Shared by the form and the Excel import: canonical level names, the level 2 under
    its level 1, and a recommended value that is a target (a number with a unit)."""
    level1, level2 = level1_name(data.get("level1")), level2_name(data.get("level2"))
    if level1 and level1 not in framework.LEVEL1:
        add_error("level1", f"一级指标“{level1}”不在指标体系中。")
    elif level1 and level2 and not framework.belongs(level1, level2, legacy=False):
        add_error("level2", f"二级指标“{level2}”不属于“{level1}”。")
    data["level1"], data["level2"] = level1, level2
    data["level3"] = (data.get("level3") or "").strip()
    value = (data.get("value") or "").strip()
    data["value"] = value
    if value and parse_value(value).qualitative:
        add_error("value", f"推荐指标值“{value}”没有数值和计量单位，请写成“≥90%”“＝100%”这样的形式。")
    return data


class LibraryImportForm(forms.Form):
    file = forms.FileField(
        label="指标库工作簿（.xlsx）",
        error_messages={"required": "请选择要导入的Excel文件。", "empty": "文件是空的。"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("只能导入本系统导出的指标库工作簿（.xlsx）。")
        if upload.size > settings.PERFGOALS_MAX_UPLOAD_BYTES:
            limit = settings.PERFGOALS_MAX_UPLOAD_BYTES // 2**20
            raise forms.ValidationError(f"文件超过{limit}MB，拒绝导入。")
        return upload
