"""The project editor: basic fields, goals and their indicator grids on one page.

Shape of the POST (nested formsets, kept flat):

* ``ProjectForm`` (no prefix) holds the basic fields and ``version``, the
  project version the page was loaded with (the save compares and increments it).
* One goal formset, prefix ``goals`` (``goals-0-term``, ``goals-0-text``,
  ``goals-0-position``, ``goals-0-DELETE``).
* One indicator formset per goal form, prefix ``g<goal index>``
  (``g0-3-level3`` is row 4 of the goal at index 0). New goals and rows are
  cloned in the browser from templates rendered with the placeholders
  ``__goal__`` (goal index) and ``__prefix__`` (row index), as the admin's
  ``empty_form`` does; the browser bumps each ``TOTAL_FORMS``.

Order is the ``position`` the browser maintains (the DOM order), not the form
index; deleting marks ``DELETE`` and hides the row, so indices never change.
All forms are "empty permitted": a row without any content is ignored, a goal
formset's forms all validate. Goal names are not typed: they are numbered per
term in order (长期绩效目标1, 年度绩效目标2 …), as on the sheet.

``ProjectEditor`` binds all of it, validates, collects the errors as Chinese
sentences that say where (``年度绩效目标1第3行：三级指标不能为空。``), and saves
the tree in one transaction with an atomic version compare-and-increment.
"""

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from indicators import framework
from indicators.checks import findings_by_goal, findings_by_indicator, project_findings
from indicators.fixes import row_fix
from indicators.values import normalize_number, parse_value

from .documents.limits import MAX_TEXT_CHARS
from .documents.validate import FIELD_LIMITS, control_problem, value_problem
from .models import Department, Funding, Goal, Project, ProjectType, Status
from .services import replace_goals

ROW_FIELDS = ("level1", "level2", "level3", "value", "basis")
ROW_LABELS = {
    "level1": "一级指标",
    "level2": "二级指标",
    "level3": "三级指标",
    "value": "指标值",
    "basis": "指标值确定依据",
}


def unlimited(form):
    """No `maxlength` in the page: the browser would cut a long paste without a word.
    The limit moves to `data-limit` (editor.js says when it is passed) and the server
    refuses a longer text with a message that gives both lengths."""
    for field in form.fields.values():
        limit = field.widget.attrs.pop("maxlength", None)
        if limit:
            field.widget.attrs["data-limit"] = limit


class StaleVersion(Exception):
    """Someone saved the project after this page was loaded."""


def filler_unit_field():
    """预算单位 among the user's 填报人 units (the form sets the queryset from
    `Department.objects.restrict(user, ...)`)."""
    return forms.ModelChoiceField(
        label="预算单位",
        queryset=Department.objects.none(),
        empty_label=None,
        error_messages={"required": "请选择预算单位。", "invalid_choice": "只能选择您担任填报人的预算单位。"},
    )


def _required(label):
    return {"required": f"{label}不能为空。"}


def refuse_control_characters(form):
    """Every text field of `form` refuses control characters with a Chinese message naming
    the field (Django's own NUL check reads "不允许是用空字符串。")."""
    for name, field in form.fields.items():
        if isinstance(field, forms.CharField):
            label = str(field.label or name)

            def check(value, label=label):
                problem = control_problem(value, label)
                if problem:
                    raise forms.ValidationError(problem, code="control")

            field.validators = [
                v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
            ] + [check]


BUDGET = Project._meta.get_field("budget")


def _too_long(label):
    """The message of a text longer than its field allows: both lengths, never a silent cut."""
    return f"{label}过长：有%(show_value)d个字，最多%(limit_value)d个字，请缩短。"


BUDGET_WHOLE_DIGITS = BUDGET.max_digits - BUDGET.decimal_places


class ProjectForm(forms.ModelForm):
    department = filler_unit_field()
    year = forms.IntegerField(
        label="年度",
        min_value=2000,
        max_value=2100,
        error_messages={
            **_required("年度"),
            "invalid": "年度应为四位数字，如 2025。",
            "min_value": "年度应在2000至2100之间。",
            "max_value": "年度应在2000至2100之间。",
        },
    )
    name = forms.CharField(
        label="项目名称",
        max_length=FIELD_LIMITS["name"],
        error_messages={**_required("项目名称"), "max_length": _too_long("项目名称")},
    )
    budget = forms.DecimalField(
        label="项目预算",
        min_value=0,
        max_digits=BUDGET.max_digits,
        decimal_places=BUDGET.decimal_places,
        error_messages={
            **_required("项目预算"),
            "invalid": "项目预算应为数字（万元），如 266 或 12.5。",
            "min_value": "项目预算不能为负数。",
            "max_digits": f"项目预算的数字过长（整数部分最多{BUDGET_WHOLE_DIGITS}位）。",
            "max_decimal_places": "项目预算最多保留%(max)s位小数。",
            "max_whole_digits": "项目预算的整数部分过长（最多%(max)s位）。",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "num"}),
    )
    project_type = forms.ChoiceField(
        label="项目类型",
        choices=ProjectType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择项目类型。", "invalid_choice": "项目类型不在规定范围内。"},
    )
    funding = forms.MultipleChoiceField(
        label="资金性质",
        choices=Funding.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "资金性质“%(value)s”不在规定范围内。"},
    )
    rationale = forms.CharField(label="立项依据", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Project
        fields = ("department", "year", "name", "budget", "project_type", "funding", "rationale")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        refuse_control_characters(self)
        self.fields["department"].queryset = Department.objects.restrict(user, "edit")
        if not self.instance.pk:
            self.initial["year"] = self.initial.get("year") or timezone.localdate().year
        unlimited(self)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.initial["budget"] = normalize_number(self.instance.budget)

    def _get_validation_exclusions(self):
        # Uniqueness (year + unit + name) is checked in clean() with a message
        # that names the project; keep the model from adding a second one.
        return {*super()._get_validation_exclusions(), "name"}

    def clean(self):
        data = super().clean()
        year, department, name = data.get("year"), data.get("department"), data.get("name")
        if year and department and name:
            clash = Project.objects.filter(year=year, department=department, name=name.strip())
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(
                    f"{department}{year}年度已有名为“{name.strip()}”的项目，项目名称不能重复。", code="unique"
                )
        return data


def stored_id_field():
    """The id of the stored goal or row a form shows (empty for a new one): saving
    updates that goal or row in place, so it keeps its identity (see `replace_goals`)."""
    return forms.CharField(widget=forms.HiddenInput(attrs={"class": "stored-id"}), required=False)


class ContentFormMixin:
    """Empty-permitted forms count as filled only when they hold content."""

    content_fields = ()

    def has_changed(self):
        return any(str(self[name].value() or "").strip() for name in self.content_fields)


def _select_choices(options, current, valid=False):
    """Options of a select, keeping a non-standard current value from a document
    (marked 原文 unless `valid`, e.g. several bases joined by 、)."""
    choices = [("", "请选择")] + [(option, option) for option in options]
    if current and current not in options:
        choices.append((current, current if valid else f"{current}（原文）"))
    return choices


def _row_field(name, **kwargs):
    """A text field of an indicator row, as long as the model's field allows."""
    label = ROW_LABELS[name]
    limit = FIELD_LIMITS[name]
    return forms.CharField(
        label=label,
        max_length=limit,
        error_messages={**_required(label), "max_length": _too_long(label)},
        **kwargs,
    )


class IndicatorForm(ContentFormMixin, forms.Form):
    content_fields = ROW_FIELDS

    level1 = _row_field("level1")
    level2 = _row_field("level2")
    level3 = _row_field("level3")
    value = _row_field("value", widget=forms.TextInput(attrs={"class": "value-input", "autocomplete": "off"}))
    basis = _row_field("basis")
    position = forms.IntegerField(widget=forms.HiddenInput(attrs={"class": "position"}), required=False)
    id = stored_id_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        refuse_control_characters(self)
        level1 = (self["level1"].value() or "").strip()
        level2 = (self["level2"].value() or "").strip()
        basis = (self["basis"].value() or "").strip()
        canonical = framework.canonical_level1(level1)
        if canonical:  # only its own level 2 (the old 产出指标 › 成本指标 is not offered)
            level2_options = list(framework.FRAMEWORK[canonical])
        else:
            level2_options = [name for names in framework.FRAMEWORK.values() for name in names]
        self.fields["level1"].widget = forms.Select(
            choices=_select_choices(framework.LEVEL1, level1), attrs={"class": "level1"}
        )
        self.fields["level2"].widget = forms.Select(
            choices=_select_choices(level2_options, level2), attrs={"class": "level2"}
        )
        several = framework.basis_parts(basis) is not None  # several bases: one value, 、-joined
        self.fields["basis"].widget = forms.Select(
            choices=_select_choices(framework.BASIS_OPTIONS, basis, valid=several),
            attrs={"class": "basis", "data-multiple": framework.BASIS_JOINER},
        )
        self.fields["level3"].widget.attrs["class"] = "level3"
        unlimited(self)

    def clean(self):
        data = super().clean()
        # A level 2 that belongs to one level 1 says which level 1 an empty cell means.
        if "level1" in self._errors and not str(self["level1"].value() or "").strip():
            home = framework.level1_of(data.get("level2"))
            if home:
                del self._errors["level1"]
                data["level1"] = home
        return data

    def clean_value(self):
        """A number the database cannot hold exactly is refused, never rounded (≥0.0000001% is not 0)."""
        value = self.cleaned_data["value"]
        problem = value_problem(value)
        if problem:
            raise forms.ValidationError(problem, code="number")
        return value

    @property
    def understood(self):
        """How the typed 指标值 is read (the page updates it while typing)."""
        text = str(self["value"].value() or "")
        return parse_value(text).describe() if text.strip() else ""


class GoalForm(forms.Form):
    term = forms.ChoiceField(choices=Goal.Term.choices, widget=forms.HiddenInput(attrs={"class": "term"}))
    text = forms.CharField(label="目标说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    position = forms.IntegerField(widget=forms.HiddenInput(attrs={"class": "position"}), required=False)
    id = stored_id_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        refuse_control_characters(self)


class EmptyPermittedFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "empty_permitted": True}


GoalFormSet = forms.formset_factory(GoalForm, extra=0, can_delete=True)
IndicatorFormSet = forms.formset_factory(
    IndicatorForm, formset=EmptyPermittedFormSet, extra=0, can_delete=True
)


def _order_key(form, index):
    position = form["position"].value()
    try:
        return (int(position), index)
    except (TypeError, ValueError):
        return (10**6, index)


def _deleted(form):
    return form.is_bound and form["DELETE"].value() in (True, "on", "true", "1")


class GoalBlock:
    """One goal form, its indicator formset and its display name."""

    def __init__(self, form, rows, index):
        self.form = form
        self.rows = rows
        self.index = index
        self.name = ""
        self.findings = []  # the review checks' table-level findings (stored project)

    @property
    def deleted(self):
        return _deleted(self.form)

    @property
    def term(self):
        return self.form["term"].value()

    def ordered_rows(self):
        forms_ = list(enumerate(self.rows.forms))
        return [form for index, form in sorted(forms_, key=lambda pair: _order_key(pair[1], pair[0]))]

    def live_rows(self):
        """Rows the user sees, in order, without deleted or empty ones."""
        return [form for form in self.ordered_rows() if not _deleted(form) and form.has_changed()]


def ordered_blocks(blocks):
    return [block for _, block in sorted(enumerate(blocks), key=lambda p: _order_key(p[1].form, p[0]))]


def live_blocks(blocks):
    return [block for block in ordered_blocks(blocks) if not block.deleted]


def name_blocks(blocks):
    """Number the goals per term in order (长期绩效目标1, 年度绩效目标2 …), as on the sheet."""
    counts = {}
    for block in live_blocks(blocks):
        term = block.term if block.term in Goal.Term.values else Goal.Term.ANNUAL
        counts[term] = counts.get(term, 0) + 1
        block.name = Goal.default_name(term, counts[term])


def bound_blocks(data):
    """The goal formset and the named goal blocks of posted editor data."""
    goal_formset = GoalFormSet(data, prefix="goals")
    blocks = [
        GoalBlock(form, IndicatorFormSet(data, prefix=f"g{index}"), index)
        for index, form in enumerate(goal_formset.forms)
    ]
    name_blocks(blocks)
    return goal_formset, blocks


class ProjectEditor:
    """All forms of the editor page, bound or initial, and their one-transaction save."""

    def __init__(self, user, project=None, data=None):
        self.user = user
        self.project = project or Project(created_by=user)
        self.data = data
        self.errors = []  # page-level messages in Chinese
        self.stored_goals, self.stored_rows = [], []  # the page as loaded (GET), for findings
        self.fix_count = 0  # rows with a one-click fix (see attach_findings)
        self.project_findings = []  # the review checks' findings about the whole project
        self.conflict = None  # a Conflict after a refused save
        self.project_form = ProjectForm(data, instance=self.project, user=user)
        if data is not None:
            self.goal_formset, self.blocks = bound_blocks(data)
        else:
            goals = self.initial_goals()
            self.goal_formset = GoalFormSet(
                prefix="goals",
                initial=[
                    {"term": goal.term, "text": goal.text, "position": n, "id": goal.pk or ""}
                    for n, goal in enumerate(goals, 1)
                ],
            )
            self.blocks = []
            self.stored_goals = goals
            for index, (form, goal) in enumerate(zip(self.goal_formset.forms, goals, strict=True)):
                rows = list(goal.indicators.all()) if goal.pk else []
                self.stored_rows.append(rows)
                initial = [
                    {**{name: getattr(row, name) for name in ROW_FIELDS}, "position": n, "id": row.pk}
                    for n, row in enumerate(rows, 1)
                ]
                self.blocks.append(
                    GoalBlock(form, IndicatorFormSet(prefix=f"g{index}", initial=initial), index)
                )
            name_blocks(self.blocks)

    def attach_findings(self, findings):
        """Put the review checks' findings of the stored project next to the goal and
        the row they concern (the page as loaded, rows in stored order)."""
        by_goal, by_row = findings_by_goal(findings), findings_by_indicator(findings)
        self.project_findings = project_findings(findings)
        stored = zip(self.stored_goals, self.stored_rows, strict=True)
        for block, (goal, rows) in zip(self.blocks, stored, strict=True):
            block.findings = by_goal.get(goal.pk, [])
            for form, row in zip(block.rows.forms, rows, strict=False):
                form.findings = by_row.get(row.pk, [])
                self.attach_fix(form, row.level1, row.level2)

    def attach_fix(self, form, level1, level2):
        """The one-click fix of a row, for its button (and the count of the 全部 button)."""
        form.fix = row_fix(level1, level2)
        self.fix_count += form.fix is not None

    def attach_posted_fixes(self):
        """The fixes of the rows as posted, when the page comes back unsaved (an error, a
        conflict): the buttons stay next to their rows, 全部一键修正 above."""
        for block in self.live_blocks():
            for form in block.live_rows():
                self.attach_fix(form, form["level1"].value(), form["level2"].value())

    def initial_goals(self):
        """The stored goals, plus an empty one for a term that has none (long first)."""
        goals = list(self.project.goals.all()) if self.project.pk else []
        terms = {goal.term for goal in goals}
        if Goal.Term.LONG not in terms:
            goals.insert(0, Goal(term=Goal.Term.LONG, position=1))
        if Goal.Term.ANNUAL not in terms:
            goals.append(Goal(term=Goal.Term.ANNUAL, position=1))
        return goals

    def ordered_blocks(self):
        return ordered_blocks(self.blocks)

    def live_blocks(self):
        return live_blocks(self.blocks)

    # -- templates for new goals and rows (cloned by editor.js) --------------
    @property
    def empty_goal(self):
        form = GoalForm(prefix="goals-__goal__", auto_id="id_%s")
        rows = IndicatorFormSet(prefix="g__goal__")
        return GoalBlock(form, rows, "__goal__")

    # -- validation ----------------------------------------------------------
    def is_valid(self):
        valid = self.project_form.is_valid()
        valid = self.goal_formset.is_valid() and valid
        for block in self.blocks:
            valid = block.rows.is_valid() and valid
        if not self.goal_formset.management_form.is_valid() or any(
            not block.rows.management_form.is_valid() for block in self.blocks
        ):
            self.errors.append("页面数据不完整，请刷新页面后重新填写。")
            valid = False
        self.collect_errors()
        return valid and not self.errors

    def collect_errors(self):
        for error in self.project_form.non_field_errors():
            self.errors.append(error)
        for name, errors in self.project_form.errors.items():
            if name != "__all__":
                self.errors.extend(errors)
        for block in self.live_blocks():
            for name, errors in block.form.errors.items():
                where = "目标说明" if name == "text" else ""
                self.errors.extend(f"{block.name}{where}：{error}" for error in errors)
            for number, form in enumerate(block.live_rows(), start=1):
                for name in ROW_FIELDS:
                    for error in form.errors.get(name, []):
                        self.errors.append(f"{block.name}第{number}行：{error}")

    # -- saving ----------------------------------------------------------------
    def goals_data(self):
        """The goals to store, in order; a goal without text and rows is dropped."""
        goals, counts = [], {}
        for block in self.live_blocks():
            term = block.form.cleaned_data["term"]
            text = block.form.cleaned_data.get("text", "").strip()
            rows = [
                {
                    **{name: form.cleaned_data[name].strip() for name in ROW_FIELDS},
                    "id": form.cleaned_data["id"],
                }
                for form in block.live_rows()
            ]
            if not text and not rows:
                continue
            counts[term] = counts.get(term, 0) + 1
            goals.append(
                {
                    "id": block.form.cleaned_data.get("id"),
                    "term": term,
                    "name": Goal.default_name(term, counts[term]),
                    "text": text,
                    "indicators": rows,
                }
            )
        return goals

    def save(self, reason=""):
        """Save project, goals and rows in one transaction; raise StaleVersion if outdated.
        `reason` is recorded with the project's history record (e.g. the one-click fixes)."""
        project = self.project_form.instance
        project._change_reason = reason or None
        try:
            with transaction.atomic():
                if project.pk:
                    expected = self.project_form.cleaned_data.get("version")
                    updated = (
                        Project.objects.restrict(self.user, "edit")
                        .filter(pk=project.pk, version=expected)
                        .update(version=F("version") + 1)
                    )
                    if not updated:
                        raise StaleVersion
                    project.version = expected + 1
                else:
                    project.status = Status.DRAFT
                    project.created_by = self.user
                project.name = project.name.strip()
                project.save()
                replace_goals(project, self.goals_data())
        except IntegrityError:
            self.errors.append("同一预算单位同一年度已有同名项目，项目名称不能重复。")
            return None
        return project


def _level1(form):
    return framework.canonical_level1(form["level1"].value())


def _move_to_level1(order, row, level1):
    """Move `row`, now under `level1`, within `order` (a table's rows as shown): to the end
    of that level 1's rows, or, when the table has none, where the framework's order
    (成本, 产出, 效益, 满意度) puts it. A row already next to one of its level 1 stays.
    Returns whether it moved."""
    at = order.index(row)
    others = order[:at] + order[at + 1 :]
    if any(_level1(form) == level1 for form in others[max(at - 1, 0) : at + 1]):
        return False
    same = [n for n, form in enumerate(others) if _level1(form) == level1]
    if same:
        to = same[-1] + 1
    else:
        rank = framework.LEVEL1.index(level1)
        earlier = [n for n, form in enumerate(others) if _level1(form) in framework.LEVEL1[:rank]]
        to = earlier[-1] + 1 if earlier else 0
    others.insert(to, row)
    order[:] = others
    return to != at


def apply_fixes(data, target):
    """The posted editor data with the one-click fixes applied (`indicators.fixes`): to the
    row whose stored id (or, for a row not yet saved, form prefix) is `target`, or to every
    row for "all". A row that changes its level 1 also moves to that level 1's rows (the
    positions renumbered), so the printed sheet keeps one block per level 1. Returns the
    new data and a Chinese line per row changed, naming its table (长期/年度绩效目标N)."""
    data = data.copy()
    done = []
    for block in live_blocks(bound_blocks(data)[1]):  # the forms read `data` as it changes
        order = block.live_rows()
        moved = False
        for form in list(order):
            if target != "all" and target not in (form["id"].value() or "", form.prefix):
                continue
            fix = row_fix(form["level1"].value(), form["level2"].value())
            if fix is None:
                continue
            for name, value in fix.changes.items():
                data[f"{form.prefix}-{name}"] = value
            label = fix.label
            if "level1" in fix.changes and _move_to_level1(order, form, fix.changes["level1"]):
                moved = True
                label += "，并排到本表“" + fix.changes["level1"] + "”的行中"
            level3 = (form["level3"].value() or "").strip() or "（未填三级指标）"
            done.append(f"{block.name}的“{level3}”{label}")
        if moved:
            for position, form in enumerate(order, start=1):
                data[f"{form.prefix}-position"] = str(position)
    return data, done


class Conflict:
    """What the other person saved while this page was open, next to what this page
    holds: the stored version, who saved it, and each place where the two differ."""

    BASIC = (
        ("name", "项目名称"),
        ("budget", "项目预算"),
        ("project_type", "项目类型"),
        ("rationale", "立项依据"),
    )

    def __init__(self, editor, stored):
        from .history import project_history

        self.stored = stored
        self.version = stored.version
        entries = [entry for entry in project_history(stored) if entry.lines]
        self.by = entries[0].user_name if entries else ""
        self.at = entries[0].at if entries else stored.updated_at
        self.lines = self.differences(editor, stored)

    @staticmethod
    def _row(row):
        return " / ".join(row.get(name, "") or "（空）" for name in ROW_FIELDS)

    def differences(self, editor, stored):
        """(where, theirs, mine) for each difference, in the order of the sheet."""
        mine = editor.project_form.cleaned_data
        lines = []
        for name, label in self.BASIC:
            theirs_value, my_value = getattr(stored, name), mine.get(name)
            if name == "budget":
                theirs_value, my_value = normalize_number(theirs_value), normalize_number(my_value)
            elif name == "project_type":
                theirs_value = stored.get_project_type_display()
                my_value = ProjectType(my_value).label if my_value in ProjectType.values else my_value
            if str(theirs_value or "").strip() != str(my_value or "").strip():
                lines.append((label, str(theirs_value or "（空）"), str(my_value or "（空）")))
        my_goals = {(goal["term"], goal["name"]): goal for goal in editor.goals_data()}
        their_goals = {(goal.term, goal.name): goal for goal in stored.goals.all()}
        for key in sorted(set(my_goals) | set(their_goals), key=lambda key: (key[0] != "long", key[1])):
            name = key[1]
            my_goal, their_goal = my_goals.get(key), their_goals.get(key)
            my_text = my_goal["text"] if my_goal else ""
            their_text = their_goal.text if their_goal else ""
            if my_text != their_text:
                lines.append((f"{name}目标说明", their_text or "（空）", my_text or "（空）"))
            my_rows = [self._row(row) for row in (my_goal["indicators"] if my_goal else [])]
            their_rows = [
                self._row({field: getattr(row, field) for field in ROW_FIELDS})
                for row in (their_goal.indicators.all() if their_goal else [])
            ]
            for number in range(max(len(my_rows), len(their_rows))):
                theirs = their_rows[number] if number < len(their_rows) else "（无此行）"
                mine_row = my_rows[number] if number < len(my_rows) else "（无此行）"
                if theirs != mine_row:
                    lines.append((f"{name}第{number + 1}行", theirs, mine_row))
        return lines


class PasteSheetForm(forms.Form):
    department = filler_unit_field()
    text = forms.CharField(
        label="批复表文本",
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false"}),
        max_length=MAX_TEXT_CHARS,
        error_messages={
            **_required("批复表文本"),
            "max_length": "粘贴的文本有%(show_value)d个字符，超过上限%(limit_value)d个字符；请分成几次粘贴。",
        },
        help_text=f"一次最多粘贴{MAX_TEXT_CHARS // 10000}万个字符",
        strip=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        refuse_control_characters(self)
        self.fields["department"].queryset = Department.objects.restrict(user, "import")
