"""One-click fixes (一键修正) for the review findings that have exactly one right answer.

A fix is read from a row's own level names, so it applies equally to a stored
row (shown next to its finding in the editor) and to a row as the editor posts
it: a level 2 that belongs to exactly one other level 1 moves there (its short
name written in full, 社会效益 → 社会效益指标; an empty level 1 is filled), a
cost row filed under 产出指标 in the old layout moves to 成本指标 › 经济成本指标,
and a short level-2 name in its right place is written in full (服务对象 →
服务对象满意度指标, as the form prints it). Everything else is left to the
person filling in the form.
"""

from dataclasses import dataclass

from . import framework


@dataclass(frozen=True)
class Fix:
    label: str  # what the button says, e.g. 移到“效益指标”
    changes: dict  # field name -> new value


def row_fix(level1, level2):
    """The one fix for a row with these level names, or None."""
    level1, level2 = (level1 or "").strip(), (level2 or "").strip()
    if not level2:
        return None
    if (
        framework.canonical_level1(level1) == framework.OUTPUT
        and framework.canonical_level2(level2) == "成本指标"
    ):
        cost = framework.FRAMEWORK[framework.COST][0]
        return Fix(
            f"移到“{framework.COST}”，二级指标改为“{cost}”", {"level1": framework.COST, "level2": cost}
        )
    home = framework.level1_of(level2)
    full = framework.canonical_level2(level2)
    if home is None:
        return None
    if framework.belongs(level1, level2):
        if full == level2:
            return None
        return Fix(f"二级指标改为全称“{full}”", {"level2": full})  # a short name in its right place
    changes = {"level1": home}
    label = f"移到“{home}”"
    if full != level2:
        changes["level2"] = full
        label += f"，二级指标改为“{full}”"
    return Fix(label, changes)
