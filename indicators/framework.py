"""The national indicator framework (财预〔2021〕101号) as data.

Level 1 -> level 2, the short names documents use for them, and the five
bases of a target value. Code, forms and the review checks all read from here;
stored rows keep whatever a document says, the checks judge deviations.
"""

import functools
import re

COST = "成本指标"
OUTPUT = "产出指标"
BENEFIT = "效益指标"
SATISFACTION = "满意度指标"

LEVEL1 = (COST, OUTPUT, BENEFIT, SATISFACTION)

FRAMEWORK = {
    COST: ("经济成本指标", "社会成本指标", "生态环境成本指标"),
    OUTPUT: ("数量指标", "质量指标", "时效指标"),
    BENEFIT: ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
    SATISFACTION: ("服务对象满意度指标",),
}

# Older and provincial forms file 成本指标 as a level 2 under 产出指标.
LEGACY_FRAMEWORK = {
    OUTPUT: ("成本指标",),
}

LEVEL1_ALIASES = {
    "成本": COST,
    "产出": OUTPUT,
    "效益": BENEFIT,
    "满意度": SATISFACTION,
}

LEVEL2_ALIASES = {
    "经济成本": "经济成本指标",
    "社会成本": "社会成本指标",
    "生态环境成本": "生态环境成本指标",
    "生态成本": "生态环境成本指标",
    "数量": "数量指标",
    "质量": "质量指标",
    "时效": "时效指标",
    "经济效益": "经济效益指标",
    "社会效益": "社会效益指标",
    "生态效益": "生态效益指标",
    "可持续影响": "可持续影响指标",
    "服务对象": "服务对象满意度指标",
    "服务对象满意度": "服务对象满意度指标",
    "满意度": "服务对象满意度指标",
}

# Level 2 names whose targets must be quantitative (数量, 时效, 成本).
QUANTITATIVE_LEVEL2 = ("数量指标", "时效指标", *FRAMEWORK[COST], "成本指标")

BASIS_OPTIONS = ("计划标准", "行业标准", "历史标准", "预算支出标准", "其他标准")
# Several bases may be ticked on the form; they are written in one cell, joined by 、.
BASIS_JOINER = "、"


def _clean(name):
    return (name or "").strip().replace("\u3000", "")


@functools.lru_cache(maxsize=4096)  # pure; level names repeat on every row
def canonical_level1(name):
    """The framework's level-1 name for `name` (or an alias of it), else None."""
    name = _clean(name)
    if name in FRAMEWORK:
        return name
    return LEVEL1_ALIASES.get(name)


@functools.lru_cache(maxsize=4096)  # pure; level names repeat on every row
def canonical_level2(name):
    """The framework's level-2 name for `name` (or an alias of it), else None."""
    name = _clean(name)
    if any(name in names for names in FRAMEWORK.values()):
        return name
    if name == "成本指标":
        return name
    return LEVEL2_ALIASES.get(name)


def level1_of(level2):
    """The level 1 that a level 2 belongs to in the 2021 framework, else None."""
    level2 = canonical_level2(level2)
    for level1, names in FRAMEWORK.items():
        if level2 in names:
            return level1
    return None


def belongs(level1, level2, legacy=True):
    """Whether `level2` sits under `level1` (aliases allowed; legacy forms if asked)."""
    l1, l2 = canonical_level1(level1), canonical_level2(level2)
    if l1 is None or l2 is None:
        return False
    if l2 in FRAMEWORK[l1]:
        return True
    return legacy and l2 in LEGACY_FRAMEWORK.get(l1, ())


def is_level1_name(text):
    return canonical_level1(text) is not None


def is_level2_name(text):
    return canonical_level2(text) is not None


def level2_choices():
    """{level1: [level2, ...]} for forms and the editor's dependent drop-down."""
    return {level1: list(names) for level1, names in FRAMEWORK.items()}


def basis_parts(text):
    """The bases a 指标值确定依据 cell names, if all are options (else None), in form order."""
    parts = {part.strip() for part in re.split(r"[、,，/／;；和及]", text or "") if part.strip()}
    if not parts or not parts <= set(BASIS_OPTIONS):
        return None
    return [option for option in BASIS_OPTIONS if option in parts]
