"""Realistic synthetic projects for demos and benchmarks (deterministic per seed)."""

import random
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from indicators import framework
from indicators.models import Indicator
from projects.models import Department, Funding, Goal, Project, ProjectType, Status

CITY = "鄂州市"
UNIT_KINDS = (
    "数据局", "财政局", "教育局", "卫生健康委员会", "民政局", "交通运输局", "水利和湖泊局",
    "农业农村局", "生态环境局", "住房和城乡建设局", "文化和旅游局", "人力资源和社会保障局",
    "市场监督管理局", "应急管理局", "自然资源和规划局", "公安局", "司法局", "商务局",
)  # fmt: skip
DISTRICTS = ("", "鄂城区", "华容区", "梁子湖区", "葛店开发区", "临空经济区")
TOPICS = (
    "政务服务", "信息化建设", "设施运维", "人员培训", "专项检查", "公共服务", "宣传推广",
    "课题研究", "系统升级", "应急保障", "环境整治", "民生保障", "数据治理", "标准化建设",
)  # fmt: skip
KINDS = ("工作经费", "运维费", "购买服务项目", "专项资金", "建设项目", "补助资金")
# level 2 -> (level-3 name, unit, low, high, comparator) for quantitative rows
QUANTITATIVE = {
    "数量指标": [("服务人次", "人次", 500, 50000, ">="), ("培训场次", "场", 2, 40, ">="),
                 ("设备维修次数", "次", 2, 30, "<="), ("覆盖乡镇数量", "个", 3, 24, "=")],
    "质量指标": [("验收合格率", "%", 90, 100, ">="), ("系统正常运行率", "%", 95, 100, ">="),
                 ("问题整改率", "%", 85, 100, ">=")],
    "时效指标": [("按期完成率", "%", 90, 100, ">="), ("办结时限", "个工作日", 3, 20, "<=")],
    "经济效益指标": [("节约运行成本", "万元", 1, 50, ">=")],
    "社会效益指标": [("群众办事时间缩短", "%", 10, 50, ">="), ("受益人数", "人", 1000, 200000, ">=")],
    "生态效益指标": [("能耗降低", "%", 1, 15, ">=")],
    "可持续影响指标": [("长效机制建立", "项", 1, 5, ">=")],
    "服务对象满意度指标": [("群众满意度", "%", 85, 99, ">="), ("服务对象满意度", "%", 85, 99, ">=")],
}  # fmt: skip
QUALITATIVE = ("确保完成", "有效提升", "持续改善", "明显提高", "保障正常运转", "力争全省前列")
SYMBOLS = {">=": "≥", "<=": "≤", "=": "等于"}
BASES = ("计划标准", "行业标准", "历史标准", "其他标准")


class Command(BaseCommand):
    help = "生成演示用的项目数据（可重复：相同 --seed 得到相同数据）。"

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, required=True)
        parser.add_argument("--units", type=int, default=20)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--year", type=int, default=2026)
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, projects, units, seed, year, batch, **options):
        if projects < 1 or units < 1:
            raise CommandError("--projects 与 --units 必须为正整数。")
        rng = random.Random(seed)
        departments = [Department.objects.get_or_create(name=name)[0] for name in unit_names(units)]
        done = 0
        while done < projects:
            size = min(batch, projects - done)
            with transaction.atomic():
                create_batch(rng, departments, year, range(done, done + size), seed)
            done += size
            self.stdout.write(f"已生成 {done}/{projects} 个项目")
        self.stdout.write(self.style.SUCCESS(f"完成：已生成{projects}个项目（{units}个单位，{year}年）。"))


def unit_names(count):
    names = []
    for index in range(count):
        district = DISTRICTS[index // len(UNIT_KINDS) % len(DISTRICTS)]
        kind = UNIT_KINDS[index % len(UNIT_KINDS)]
        suffix = f"（{index // (len(UNIT_KINDS) * len(DISTRICTS)) + 1}）" if index >= 108 else ""
        names.append(f"{CITY}{district}{kind}{suffix}")
    return names


def create_batch(rng, departments, year, numbers, seed):
    statuses = [Status.DRAFT] * 4 + [Status.SUBMITTED] * 2 + [Status.RETURNED] + [Status.APPROVED] * 3
    projects = []
    for number in numbers:
        budget = Decimal(rng.choice((5, 8, 12, 20, 25, 30, 50, 80, 110, 150, 240, 300, 500, 1200)))
        project_type = rng.choice(
            [ProjectType.RECURRING] * 6 + [ProjectType.CONTINUING] * 3 + [ProjectType.ONE_OFF]
        )
        topic, kind = rng.choice(TOPICS), rng.choice(KINDS)
        projects.append(
            Project(
                year=year,
                department=rng.choice(departments),
                name=f"{topic}{kind}（示例{seed}-{number + 1:05d}）",
                budget=budget,
                project_type=project_type,
                funding=[Funding.APPROPRIATION] if rng.random() < 0.85 else [Funding.NON_TAX],
                rationale=f"根据年度工作部署，保障{topic}工作正常开展，提升服务质量和效率。",
                status=rng.choice(statuses),
            )
        )
    Project.objects.bulk_create(projects)
    goals, goal_rows = [], []
    for project in projects:
        for term in (Goal.Term.LONG, Goal.Term.ANNUAL):
            goal = Goal(
                project=project,
                term=term,
                position=1,
                name=Goal.default_name(term, 1),
                text=f"{'持续' if term == Goal.Term.LONG else '年内'}推进{project.name[:8]}相关工作，"
                "确保各项任务按期保质完成。",
            )
            goals.append(goal)
            goal_rows.append(indicator_rows(rng, project.budget))
    Goal.objects.bulk_create(goals)
    rows = [
        Indicator.build(goal=goal, position=position, **row)
        for goal, specs in zip(goals, goal_rows, strict=True)
        for position, row in enumerate(specs, start=1)
    ]
    Indicator.objects.bulk_create(rows, batch_size=2000)


def indicator_rows(rng, budget):
    """5–15 rows for one goal table (so 10–30 per project), in framework order."""
    rows = [
        {
            "level1": framework.COST,
            "level2": "经济成本指标",
            "level3": "总成本",
            "value": f"≤{budget.normalize():f}万元",
            "basis": "预算支出标准",
        }
    ]
    wanted = rng.randint(4, 14)
    # Each indicator name at most once per table (a real table does not repeat a row).
    pools = {level2: rng.sample(specs, len(specs)) for level2, specs in QUANTITATIVE.items()}
    plan = ["数量指标", "质量指标", "社会效益指标", "服务对象满意度指标"]  # 产出, 效益, 满意度
    extra = [
        "数量指标",
        "质量指标",
        "时效指标",
        "经济效益指标",
        "社会效益指标",
        "生态效益指标",
        "可持续影响指标",
    ]
    while len(plan) < wanted:
        left = [level2 for level2 in extra if plan.count(level2) < len(pools[level2])]
        if not left:
            break
        plan.append(rng.choice(left))
    plan = plan[:wanted]
    plan.sort(key=lambda level2: list(_level2_order()).index(level2))
    for level2 in plan:
        level1 = framework.level1_of(level2)
        name, unit, low, high, comparator = pools[level2].pop()
        if level2 != "服务对象满意度指标" and level2 not in ("数量指标", "时效指标") and rng.random() < 0.15:
            value = rng.choice(QUALITATIVE)
        else:
            value = f"{SYMBOLS[comparator]}{rng.randint(low, high)}{unit}"
        rows.append(
            {
                "level1": level1,
                "level2": level2,
                "level3": name,
                "value": value,
                "basis": rng.choice(BASES),
            }
        )
    if rng.random() < 0.05:  # the seed's most common real mistake: 社会效益 filed under 产出指标
        rows.append(
            {"level1": framework.OUTPUT, "level2": "社会效益", "level3": "服务水平提升", "value": "有效提升",
             "basis": "其他标准"}
        )  # fmt: skip
    if rng.random() < 0.03:  # a satisfaction target that is not a percentage
        rows[-1 if rows[-1]["level2"] == "服务对象满意度指标" else 0]["value"] = "良好"
    return rows


def _level2_order():
    for names in framework.FRAMEWORK.values():
        yield from names
