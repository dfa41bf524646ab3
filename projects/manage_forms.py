"""Forms of the administrators' pages (系统管理): units, users and their roles, years."""

from django import forms

from .models import Department, Role, Scope, YearSetting, tree_problem
from .units import SUFFIXES
from .uploads import checked_upload


def unit_label(unit):
    """`101 鄂州市数据局`, and `　└ 101001 鄂州市政务服务中心` for a 所属单位."""
    text = f"{unit.code} {unit.name}" if unit.code else unit.name
    return f"　└ {text}" if unit.parent_id else text


def units_in_tree_order(queryset):
    """Units as the tree reads: each 主管部门 followed by its 所属单位."""
    units = list(queryset.select_related("parent").order_by("name"))
    key = {unit.pk: (unit.code or "", unit.name) for unit in units}

    def position(unit):
        top = unit.parent if unit.parent_id else unit
        return (key.get(top.pk, (top.code or "", top.name)), unit.parent_id is not None, key[unit.pk])

    return sorted(units, key=position)


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return unit_label(obj)


class UnitForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ("code", "name", "parent")
        error_messages = {
            "code": {"unique": "单位编码已被其他单位使用。"},
            "name": {"unique": "单位名称已被其他单位使用。", "required": "请填写单位名称。"},
            "parent": {
                "invalid_choice": "只能选择主管部门（本身没有主管部门的单位）作为上级，单位只分两级。"
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Department.objects.filter(parent=None)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents.order_by("name")
        self.fields["parent"].empty_label = "（无，本单位为主管部门）"
        self.fields["parent"].label_from_instance = unit_label
        self.fields["code"].required = False

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip() or None

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean(self):
        cleaned = super().clean()
        problem = tree_problem(self.instance, cleaned.get("parent"))
        if problem:
            self.add_error("parent", problem)
        return cleaned


class UnitListForm(forms.Form):
    file = forms.FileField(
        label="单位名单文件",
        help_text="Excel（.xlsx）或CSV，表头为“单位编码、单位名称、主管部门编码”，每个单位一行；主管部门的主管部门编码留空。",
        error_messages={"required": "请选择单位名单文件。"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not checked_upload(upload, workbook=False).endswith(SUFFIXES):
            raise forms.ValidationError("只能导入.xlsx或.csv格式的单位名单。")
        return upload


class NewUserForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150, error_messages={"required": "请填写用户名。"})
    full_name = forms.CharField(label="姓名", max_length=150, required=False)
    password = forms.CharField(
        label="初始密码",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="留空则自动生成，并只显示一次。",
    )


class AssignRoleForm(forms.Form):
    units = UnitChoiceField(
        label="单位",
        queryset=Department.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        error_messages={"required": "请选择至少一个单位。", "invalid_choice": "所选单位不存在。"},
        help_text="可按住Ctrl选择多个单位；财政审核人选择其归口管理的主管部门。",
    )
    role = forms.ChoiceField(label="角色", choices=Role.choices, error_messages={"required": "请选择角色。"})
    scope = forms.ChoiceField(
        label="范围",
        choices=Scope.choices,
        initial=Scope.UNIT,
        required=False,
        widget=forms.RadioSelect,
        help_text="“本单位及所属单位”：主管部门的角色同时适用于其全部所属单位。财政审核人总是含所属单位。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["units"]
        field.queryset = Department.objects.all()
        field.choices = [
            (unit.pk, unit_label(unit)) for unit in units_in_tree_order(Department.objects.all())
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Role.FINANCE:
            cleaned["scope"] = Scope.TREE
        elif not cleaned.get("scope"):
            cleaned["scope"] = Scope.UNIT
        return cleaned


class YearSettingForm(forms.Form):
    year = forms.IntegerField(
        label="年度",
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": "请填写年度。",
            "invalid": "年度应为四位数字。",
            "min_value": "年度应在2000至2100之间。",
            "max_value": "年度应在2000至2100之间。",
        },
    )
    two_level = forms.BooleanField(label="两级审核", required=False)
    finance_body = forms.CharField(
        label="财政部门（批复单位）",
        max_length=YearSetting._meta.get_field("finance_body").max_length,
        required=False,
        help_text="财政审核人批复时，批复表上署名的批复单位，如“鄂州市财政局”。",
    )

    def clean_finance_body(self):
        return self.cleaned_data.get("finance_body", "").strip()
