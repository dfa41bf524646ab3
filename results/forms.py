"""The monitoring form's editor: the funds and the overall text (one form), one row
form per indicator row. The browser's POST and an imported file (Excel, JSON) are
validated by the same forms, so they are refused and computed alike.

Row forms are prefixed by the row's id (``r17-actual``); ``version`` is the form
version the page was loaded with (a stale save is refused).
"""

from django import forms
from django.db import transaction
from django.db.models import F
from simple_history.utils import bulk_update_with_history

from indicators.values import normalize_number

from . import scoring
from .history import keep_opening
from .models import (
    EDITABLE,
    FUND_COLUMNS,
    FUND_PART_KEYS,
    FUND_PARTS,
    Cause,
    Likelihood,
    ResultForm,
    ResultRow,
)
from .scoring import Achievement


class StaleVersion(Exception):
    """Someone saved the form after this page was loaded."""


def _amount(label):
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=18,
        decimal_places=6,
        error_messages={
            "invalid": "应为数字（万元），如 266 或 12.5。",
            "min_value": "不能为负数。",
            "max_digits": "数字过长。",
            "max_decimal_places": "最多保留6位小数。",
            "max_whole_digits": "整数部分过长。",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "num", "autocomplete": "off"}),
    )


class RateChecked:
    """Funds whose execution rate (执行数 ÷ 全年预算数) the form can hold."""

    def clean(self):
        data = super().clean()
        error = ResultForm.rate_error(data.get("budget_full"), data.get("executed"))
        if error:
            self.add_error("executed", error)
        return data


class FundsForm(RateChecked, forms.ModelForm):
    budget_full = _amount("全年预算数")
    executed = _amount("执行数")
    forecast = _amount("全年预计执行数")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ResultForm
        fields = ("budget_full", "executed", "forecast", "funds_reason", "summary")
        widgets = {
            "funds_reason": forms.Textarea(attrs={"rows": 2}),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        period = self.instance.round.period
        self.fields["executed"].label = f"{period}执行数"
        self.fields["summary"].label = f"{period}执行情况"
        self.fields["funds_reason"].label = "偏差原因"
        self.fields["version"].initial = self.instance.version
        for name in ("budget_full", "executed", "forecast"):
            value = getattr(self.instance, name)
            self.initial[name] = "" if value is None else normalize_number(value)


class RowForm(forms.ModelForm):
    causes = forms.MultipleChoiceField(
        label="偏差原因",
        choices=Cause.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "偏差原因“%(value)s”不在规定范围内"
            "（经费保障、制度保障、人员保障、硬件条件保障、其他）。"
        },
    )
    likelihood = forms.ChoiceField(
        label="完成目标可能性",
        choices=[("", "请选择"), *Likelihood.choices],
        required=False,
        error_messages={"invalid_choice": "完成目标可能性应为“确定能”“有可能”或“完全不可能”。"},
    )

    class Meta:
        model = ResultRow
        fields = ("actual", "forecast", "causes", "reason", "likelihood", "note")
        widgets = {
            "actual": forms.TextInput(attrs={"class": "value-input", "autocomplete": "off"}),
            "forecast": forms.TextInput(attrs={"class": "value-input", "autocomplete": "off"}),
            "reason": forms.Textarea(attrs={"rows": 2}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, period="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actual"].label = f"{period}实际完成值"
        self.fields["reason"].label = "偏差原因说明"
        self.fields["note"].label = "备注（改进措施）"
        for name in ("actual", "forecast"):
            self.fields[name].error_messages["max_length"] = "过长（最多%(limit_value)d个字）。"
            if self.instance.is_qualitative:  # a qualitative row is reported in words
                self.fields[name].widget = forms.Textarea(attrs={"rows": 2, "maxlength": 200})

    def _value(self, name):
        text = (self.cleaned_data.get(name) or "").strip()
        error = self.instance.value_error(text)
        if error:
            raise forms.ValidationError(error)
        return text

    def clean_actual(self):
        text = self._value("actual")
        error = self.instance.progress_error(text)
        if error:
            raise forms.ValidationError(error)
        return text

    def clean_forecast(self):
        return self._value("forecast")


def _points(label):
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=scoring.INDICATOR_POINTS,
        max_digits=6,
        decimal_places=2,
        error_messages={
            "invalid": "应为数字，如 10 或 8.5。",
            "min_value": "不能为负数。",
            "max_value": "不能超过90分。",
            "max_digits": "数字过长。",
            "max_decimal_places": "最多保留2位小数。",
            "max_whole_digits": "数字过大。",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "num points", "autocomplete": "off"}),
    )


class EvaluationFundsForm(RateChecked, forms.ModelForm):
    """The self-evaluation's funds (全年预算数（A）, 全年执行数（B）) and 实际完成情况."""

    budget_full = _amount("全年预算数（A）")
    executed = _amount("全年执行数（B）")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ResultForm
        fields = ("budget_full", "executed", "summary")
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}
        labels = {"summary": "实际完成情况"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        for (part, part_label), (column, column_label) in (
            (part, column) for part in FUND_PARTS for column in FUND_COLUMNS
        ):
            label = f"{part_label.removeprefix('其中：')}{column_label}"
            self.fields[f"{part}_{column}"] = _amount(label)
        for name in ("budget_full", "executed", *FUND_PART_KEYS):
            value = getattr(self.instance, name)
            self.initial[name] = "" if value is None else normalize_number(value)


class EvaluationRowForm(forms.ModelForm):
    weight = _points("分值")
    points = _points("得分")
    level = forms.ChoiceField(
        label="完成程度",
        choices=[("", "请选择"), *Achievement.choices],
        required=False,
        error_messages={"invalid_choice": "完成程度应为“达成”“部分达成”或“未达成”。"},
    )

    class Meta:
        model = ResultRow
        fields = ("actual", "weight", "level", "points", "reason")
        widgets = {
            "actual": forms.TextInput(attrs={"class": "value-input", "autocomplete": "off"}),
            "reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, period="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actual"].label = "实际完成值（B）"
        self.fields["actual"].error_messages["max_length"] = "过长（最多%(limit_value)d个字）。"
        self.fields["reason"].label = "偏差原因分析及改进措施"
        for name in ("weight", "points"):
            value = getattr(self.instance, name)
            self.initial[name] = "" if value is None else scoring.points_text(value)

    def clean_actual(self):
        text = (self.cleaned_data.get("actual") or "").strip()
        error = self.instance.value_error(text)
        if error:
            raise forms.ValidationError(error)
        return text

    def clean(self):
        data = super().clean()
        if not self.instance.is_qualitative:
            data["level"], data["points"] = "", None  # scored from the actual value
            return data
        level, points, weight = data.get("level"), data.get("points"), data.get("weight")
        if points is not None and not level:
            self.add_error("level", "填写得分前请选择完成程度。")
        error = scoring.band_error(level, points, weight)
        if error:
            self.add_error("points", error)
        return data


FORM_KEYS = ("budget_full", "executed", "forecast", "funds_reason", "summary")
ROW_KEYS = ("actual", "forecast", "causes", "reason", "likelihood", "note")
AMOUNT_KEYS = ("budget_full", "executed", "forecast", *FUND_PART_KEYS)


class FormEditor:
    """The whole form's editor, bound to a POST or to an imported file's values.

    `errors` lists (key, message): key is a form field (`executed`) or
    `rows.<index>.<field>` (index 0-based in the form's order), so that an import
    can say which cell or JSON path a message is about.
    """

    FUNDS_FORM, ROW_FORM = FundsForm, RowForm
    FORM_KEYS, ROW_KEYS = FORM_KEYS, ROW_KEYS

    def __init__(self, form, data=None, rows=None):
        self.form = form
        self.rows = list(form.rows.all()) if rows is None else rows
        # As stored: validating a ModelForm writes the cleaned values onto its instance.
        self.stored = [self.values_of(row) for row in self.rows]
        self.stored_form = [getattr(form, key) for key in self.FORM_KEYS]
        self.changed = False
        period = form.round.period
        self.funds = self.FUNDS_FORM(data, instance=form)
        self.row_forms = [
            self.ROW_FORM(data, instance=row, prefix=f"r{row.pk}", period=period) for row in self.rows
        ]
        self.errors = []

    @classmethod
    def data_from(cls, values, form, rows):
        """The editor's POST data for values read from a file: {form keys, "rows": [...]}."""
        data = {"version": str(form.version)}
        for key in cls.FORM_KEYS:
            if key in values:
                data[key] = values[key]
            else:
                current = getattr(form, key)
                data[key] = (
                    "" if current is None else (normalize_number(current) if key in AMOUNT_KEYS else current)
                )
        for row, given in zip(rows, values.get("rows", []), strict=False):
            for key in cls.ROW_KEYS:
                value = given.get(key, getattr(row, key))
                data[f"r{row.pk}-{key}"] = "" if value is None else value
        return data

    def values_of(self, row):
        return [list(getattr(row, key)) if key == "causes" else getattr(row, key) for key in self.ROW_KEYS]

    @property
    def messages(self):
        return [message for _, message in self.errors]

    def is_valid(self):
        self.errors = []
        if self.funds.is_valid() is False:
            for name, errors in self.funds.errors.items():
                label = self.funds.fields[name].label if name in self.funds.fields else ""
                self.errors += [(name, f"{label}：{error}" if label else error) for error in errors]
        for index, (row, row_form) in enumerate(zip(self.rows, self.row_forms, strict=True)):
            if not row_form.is_valid():
                for name, errors in row_form.errors.items():
                    label = row_form.fields[name].label if name in row_form.fields else ""
                    self.errors += [
                        (f"rows.{index}.{name}", f"{row.label}{label}：{error}") for error in errors
                    ]
        self.check_whole()
        return not self.errors

    def check_whole(self):
        """Checks over the whole form, after each part is valid."""

    def _apply(self):
        """Put the valid values on the form and its rows (in memory), set `changed` and
        return the rows that changed."""
        form = self.form
        for key in self.FORM_KEYS:
            setattr(form, key, self.funds.cleaned_data[key])
        changed = []
        for row, row_form, stored in zip(self.rows, self.row_forms, self.stored, strict=True):
            for key in self.ROW_KEYS:
                setattr(row, key, row_form.cleaned_data[key])
            row.causes = [code for code in Cause.values if code in row.causes]
            if self.values_of(row) != stored:
                changed.append(row)
        self.changed = bool(changed) or [getattr(form, key) for key in self.FORM_KEYS] != self.stored_form
        return changed

    def differs(self):
        """Whether the valid values differ from what is stored; nothing is written (an
        import checks that a submitted form's sheet was left as it is)."""
        self._apply()
        return self.changed

    def save(self, user=None, check_version=True):
        """Store what changed and the recomputed lights, in one transaction; `changed`
        says whether anything did (nothing is written otherwise).

        Raises StaleVersion when the form changed since the page was loaded, or
        when it is no longer editable (submitted meanwhile).
        """
        form = self.form
        changed = self._apply()
        if not self.changed:
            return form
        for row in changed if user is not None else ():
            row._history_user = user
        with transaction.atomic():
            expected = self.funds.cleaned_data.get("version") if check_version else form.version
            updated = ResultForm.objects.filter(pk=form.pk, version=expected, status__in=EDITABLE).update(
                version=F("version") + 1
            )
            if not updated:
                raise StaleVersion
            form.version = expected + 1
            keep_opening(form)
            form.evaluate(self.rows)
            if user is not None:
                form._history_user = user
            form.save()
            if changed:
                fields = [*self.ROW_KEYS, *ResultRow.COMPUTED]
                bulk_update_with_history(changed, ResultRow, fields, default_user=user)
            unchanged = [row for row in self.rows if row not in changed]
            if unchanged:
                ResultRow.objects.bulk_update(unchanged, list(ResultRow.COMPUTED))
        return form


class EvaluationEditor(FormEditor):
    """The self-evaluation form's editor: funds, 实际完成情况, and per row the actual value
    (or a qualitative row's level and points), the weight and the reasons. The weights
    must add up to 90."""

    FUNDS_FORM, ROW_FORM = EvaluationFundsForm, EvaluationRowForm
    FORM_KEYS = ("budget_full", "executed", "summary", *FUND_PART_KEYS)
    ROW_KEYS = ("actual", "weight", "level", "points", "reason")

    def check_whole(self):
        if self.errors or not self.rows:
            return
        weights = [row_form.cleaned_data.get("weight") for row_form in self.row_forms]
        if any(weight is None for weight in weights):
            index = weights.index(None)
            self.errors.append((f"rows.{index}.weight", f"{self.rows[index].label}分值：请填写分值。"))
            return
        total = sum(weights)
        if total != scoring.INDICATOR_POINTS:
            self.errors.append(
                (
                    "rows.0.weight",
                    f"各指标分值合计应为90分，现为{scoring.points_text(total)}分，请调整后再保存。",
                )
            )


def editor_class(form):
    """The editor of `form`'s kind (round loaded)."""
    return EvaluationEditor if form.round.kind == "evaluation" else FormEditor


def editor_for(form, data=None, rows=None):
    return editor_class(form)(form, data, rows=rows)
