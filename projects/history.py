"""A project's history for people: who changed what (before → after), and each workflow step.

The records come from django-simple-history (Project, Goal, Indicator) and from
`Transition`. Records written by one save (the same user within a moment) are
grouped into one entry. Saves and imports update goals and rows in place
(`services.replace_goals`), so rows are matched by identity: a row deleted and a
new one that takes its number are 删除 and 新增. Records written before that
replaced every goal and row in each save; such a save's deletions and creations
are still paired by place (goal, row number) and read as the change they were:
`年度绩效目标1 第3行 指标值：等于36人 → ≤36万元`.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from indicators.models import Indicator

from .models import Funding, Goal, Project

# Records of the same user closer than this belong to one save.
SAME_SAVE = timedelta(seconds=2)
PROJECT_FIELDS = ("name", "year", "department", "budget", "project_type", "funding", "rationale", "status")
GOAL_FIELDS = ("name", "text")
ROW_FIELDS = ("level1", "level2", "level3", "value", "basis")


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class Line:
    where: str
    verb: str  # 新增 / 修改 / 删除 / 移动 / 移动并修改
    changes: list = field(default_factory=list)
    row: bool = False  # a line about an indicator row (counted in the entry's summary)


@dataclass
class Entry:
    at: object
    user: object
    transitions: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    reason: str = ""  # why a save was made, when the editor says (一键修正：…)

    @property
    def summary(self):
        """The rows of one save in a phrase: `指标：新增1行、移动1行、修改2行`."""
        verbs = [line.verb for line in self.lines if line.row]
        counts = [(verb, sum(verb in done for done in verbs)) for verb in ("新增", "删除", "移动", "修改")]
        counts = [f"{verb}{n}行" for verb, n in counts if n]
        return "指标：" + "、".join(counts) if counts else ""

    @property
    def user_name(self):
        if self.user is None:
            return "系统（导入或命令）"
        return self.user.get_full_name() or self.user.get_username()


def change_reason(text):
    """`text` as the note of a history record (`_change_reason`), which holds 100 characters:
    a longer note (a long project name, many fixed rows) ends in "…" instead of failing the
    save on PostgreSQL; the records' own fields keep everything whole."""
    limit = Project.history.model._meta.get_field("history_change_reason").max_length
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label(model, name):
    return str(model._meta.get_field(name).verbose_name)


def display_value(model, name, value):
    """A stored value of `model.name` as people read it: choices by their label
    (已提交, not submitted), amounts as written (88.5, not 88.500000), lists joined."""
    from decimal import Decimal

    from indicators.values import normalize_number

    if value is None or value in ("", []):
        return "（空）"
    if name == "funding":
        return "、".join(Funding(code).label if code in Funding.values else code for code in value)
    try:
        field = model._meta.get_field(name)
    except Exception:  # not a field (an admin's computed column)
        field = None
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return normalize_number(value)
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    return str(value)


def _display(model, name, value):
    shown = display_value(model, name, value)
    return f"{shown}万元" if name == "budget" and shown != "（空）" else shown


def _diff(model, fields, before, after):
    """Changes between two records (historical or not) of `model` over `fields`."""
    changes = []
    for name in fields:
        attname = model._meta.get_field(name).attname
        old, new = getattr(before, attname), getattr(after, attname)
        if old != new and attname != name:  # a foreign key: show the names
            old, new = getattr(before, name), getattr(after, name)
        if old != new:
            changes.append(
                Change(_label(model, name), _display(model, name, old), _display(model, name, new))
            )
    return changes


def _records(project):
    project_records = list(Project.history.filter(id=project.pk).select_related("history_user"))
    goal_records = list(Goal.history.filter(project_id=project.pk).select_related("history_user"))
    goal_ids = {record.id for record in goal_records}
    row_records = list(Indicator.history.filter(goal_id__in=goal_ids).select_related("history_user"))
    transitions = list(project.transitions.select_related("user"))
    return project_records, goal_records, row_records, transitions


def _when(item):
    return getattr(item, "history_date", None) or item.at


def _who(item):
    return item.history_user_id if hasattr(item, "history_user_id") else item.user_id


def _key(item):
    model = "transition" if not hasattr(item, "history_type") else type(item).__name__
    return model, item.id


def _groups(items):
    """Items in time order, one group per save: the same user, each within SAME_SAVE of the
    previous one, and a new group whenever the project or any one object is saved again."""
    groups, keys = [], set()
    for item in sorted(items, key=lambda item: (_when(item), getattr(item, "history_id", 0))):
        key = _key(item)
        saved_again = key in keys or (key[0] == "HistoricalProject" and any(k[0] == key[0] for k in keys))
        if (
            groups
            and not saved_again
            and _who(groups[-1][-1]) == _who(item)
            and _when(item) - _when(groups[-1][-1]) <= SAME_SAVE
        ):
            groups[-1].append(item)
        else:
            groups.append([item])
            keys = set()
        keys.add(key)
    return groups


def project_history(project):
    """The project's history entries, newest first."""
    project_records, goal_records, row_records, transitions = _records(project)
    goal_place = {}  # goal id -> (term, position, name), as last recorded
    previous = {}  # (model, id) -> last record seen, for in-place changes
    entries = []
    for group in _groups(project_records + goal_records + row_records + transitions):
        first = group[0]
        user = first.history_user if hasattr(first, "history_user_id") else first.user
        entry = Entry(at=_when(group[-1]), user=user)
        goals = [r for r in group if isinstance(r, Goal.history.model)]
        rows = [r for r in group if isinstance(r, Indicator.history.model)]
        for record in goals:
            goal_place[record.id] = (record.term, record.position, record.name)
        by_place = _replaced_every_goal(goals, previous)
        moved = _moved(rows, previous)
        goal_lines = _pair(
            Goal,
            GOAL_FIELDS,
            goals,
            previous,
            place=lambda r: (r.term, r.position),
            where=_goal_where,
            by_place=by_place,
        )
        row_lines = _pair(
            Indicator,
            ROW_FIELDS,
            rows,
            previous,
            place=lambda r: (*goal_place.get(r.goal_id, ("", 0, ""))[:2], r.position),
            where=lambda r: _row_where(r, goal_place),
            moved=moved,
            by_place=by_place,
        )
        for line in row_lines:
            line.row = True
        for item in group:
            if isinstance(item, Project.history.model):
                before = previous.get(("project", item.id))
                previous[("project", item.id)] = item
                if item.history_type == "+":
                    counts = f"{len([g for g in goals if g.history_type == '+'])}个目标，"
                    counts += f"{len([r for r in rows if r.history_type == '+'])}行指标"
                    reason = item.history_change_reason or ""
                    source = f"{reason}，" if reason.startswith("复制自") else ""
                    entry.lines.append(Line("项目", f"新建（{source}{counts}）"))
                    goal_lines, row_lines = [], []
                elif before is not None:
                    fields = PROJECT_FIELDS
                    if any(isinstance(i, project.transitions.model) for i in group):
                        fields = tuple(f for f in fields if f != "status")
                    else:  # a transition's own label is shown as the transition
                        entry.reason = item.history_change_reason or entry.reason
                    changes = _diff(Project, fields, before, item)
                    if changes:
                        entry.lines.append(Line("项目", "修改", changes))
            elif not hasattr(item, "history_type"):
                entry.transitions.append(item)
        entry.lines += goal_lines + row_lines
        if entry.lines or entry.transitions:
            entries.append(entry)
    entries.reverse()
    return entries


def _goal_where(record):
    return record.name


def _row_where(record, goal_place):
    goal = goal_place.get(record.goal_id, ("", 0, "目标"))[2]
    return f"{goal} 第{record.position}行" + (f"（{record.level3}）" if record.level3 else "")


def _replaced_every_goal(goals, previous):
    """Whether one save deleted every goal the project had (and so every row): how saves
    worked before rows kept their identity. Only such a save is read by place."""
    alive = {key for key, record in previous.items() if key[0] == Goal.__name__}
    alive = {key for key in alive if previous[key].history_type != "-"}
    deleted = {(Goal.__name__, record.id) for record in goals if record.history_type == "-"}
    return bool(alive) and alive <= deleted


def _moved(rows, previous):
    """{row id: old position} of the rows one save moved within their goal: those out of
    their old order among the rows kept. The save writes only the rows it changed, so the
    goal's other rows (as last recorded) count too: a row moved up one place past a row
    pushed down by an insertion keeps its number and has no record of its own. A row
    inserted or removed above another shifts it without moving it: the longest run still
    in the old order stays put, preferring the run that keeps the most rows at their
    number (the rows reported as moved are then those whose number changed)."""
    written = {record.id: record for record in rows}
    goals = {record.goal_id for record in rows if record.history_type == "~"}
    if not goals:  # nothing kept was written: nothing moved
        return {}
    kept = {}
    for (model, row_id), before in previous.items():
        if model != Indicator.__name__ or before.goal_id not in goals or before.history_type == "-":
            continue
        after = written.get(row_id, before)
        if after.history_type != "-" and after.goal_id == before.goal_id:
            kept.setdefault(before.goal_id, []).append((after.position, before.position, row_id))
    moved = {}
    for members in kept.values():
        members.sort()
        in_order = _longest_increasing([(old, new == old) for new, old, _ in members])
        for index, (_, old, row_id) in enumerate(members):
            if index not in in_order:
                moved[row_id] = old
    return moved


def _longest_increasing(values):
    """Indexes of one longest subsequence of `values` ((old position, stayed) pairs) whose
    old positions strictly increase; among the longest, one with the most rows that stayed
    (n is small)."""
    best = [((1, int(stayed)), [i]) for i, (_, stayed) in enumerate(values)]
    for i, (old, stayed) in enumerate(values):
        for j in range(i):
            (length, kept), members = best[j]
            score = (length + 1, kept + int(stayed))
            if values[j][0] < old and score > best[i][0]:
                best[i] = (score, [*members, i])
    return set(max(best, key=lambda item: item[0], default=((0, 0), []))[1])


def _pair(model, fields, records, previous, *, place, where, moved=None, by_place=False):
    """Lines for one group's records of `model`: in-place changes (and moves of rows),
    deletions and creations; with `by_place` (a save that replaced every goal), a
    deletion and a creation at the same place are paired as the change they were."""
    lines = []
    deleted, created = {}, {}
    moved = dict(moved or {})
    for record in records:
        key = (model.__name__, record.id)
        before = previous.get(key)
        previous[key] = record
        slot = place(record) if by_place else (*place(record), record.history_type != "-", record.id)
        if record.history_type == "~" and before is not None:
            changes = _diff(model, fields, before, record)
            if record.id in moved:
                lines.append(_move_line(record, moved.pop(record.id), changes, where))
            elif changes:
                lines.append(Line(where(record), "修改", changes))
        elif record.history_type == "-":
            deleted.setdefault(slot, record)
        elif record.history_type == "+":
            created.setdefault(slot, record)
    for row_id, old_position in moved.items():  # moved, though the save did not write it
        lines.append(_move_line(previous[(model.__name__, row_id)], old_position, [], where))
    for key in sorted(set(deleted) | set(created), key=lambda key: (key[0] != Goal.Term.LONG, *key[1:])):
        old, new = deleted.get(key), created.get(key)
        if old and new:
            changes = _diff(model, fields, old, new)
            if changes:
                lines.append(Line(where(new), "修改", changes))
        elif new:
            added = [Change(_label(model, f), "", _display(model, f, getattr(new, f))) for f in fields]
            lines.append(Line(where(new), "新增", [change for change in added if change.after != "（空）"]))
        else:
            lines.append(Line(where(old), "删除"))
    return lines


def _move_line(record, old_position, changes, where):
    place_change = Change("位置", f"第{old_position}行", f"第{record.position}行")
    return Line(where(record), "移动并修改" if changes else "移动", [place_change, *changes])
