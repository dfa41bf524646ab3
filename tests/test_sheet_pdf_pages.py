"""A sheet longer than a page: the PDF's continuation pages name the project and repeat the
goal's 目标名称 (with （续）) and its 一级/二级指标 instead of leaving the cells empty."""

import subprocess
from decimal import Decimal

import pytest

from projects.documents import layout
from projects.documents.writers import pdf
from projects.models import Project
from projects.permissions import SYSTEM
from projects.services import import_projects

NAME = "全市政务服务一体化平台运维项目"


def long_project():
    rows = [
        {
            "level1": "产出指标",
            "level2": "数量指标",
            "level3": f"第{n}类政务服务事项接入数量（含市、区、街道三级事项，按季度统计）",
            "value": f"≥{n}项",
            "basis": "计划标准",
        }
        for n in range(1, 41)
    ]
    rows.append(
        {
            "level1": "满意度指标",
            "level2": "服务对象满意度指标",
            "level3": "群众满意度",
            "value": "≥95%",
            "basis": "计划标准",
        }
    )
    data = {
        "year": 2025,
        "department": "鄂州市数据局",
        "name": NAME,
        "budget": Decimal("300"),
        "project_type": "recurring",
        "funding": ["appropriation"],
        "rationale": "《鄂州市政务服务条例》",
        "goals": [
            {"term": "long", "name": "长期绩效目标1", "text": "建成一体化平台。", "indicators": rows[-1:]},
            {"term": "annual", "name": "年度绩效目标1", "text": "平台稳定运行。", "indicators": rows},
        ],
    }
    created = import_projects([data], user=SYSTEM).created[0]
    return Project.objects.with_tree().get(pk=created.pk)


def pages_text(data, tmp_path):
    path = tmp_path / "sheet.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True)
    return ["".join(page.split()) for page in out.stdout.split("\f") if page.strip()]


@pytest.mark.skipif(pdf.missing() is not None, reason="WeasyPrint or the CJK font is missing")
def test_continuation_pages_repeat_the_project_name_and_the_goal_name(db, tmp_path):
    sheet = layout.build_sheet(long_project())
    pages = pages_text(pdf.render_pdf(sheet), tmp_path)
    assert len(pages) >= 2
    assert f"项目名称：{NAME}（续）" not in pages[0] and "年度绩效目标1（续）" not in pages[0]
    for page in pages[1:]:
        assert f"项目名称：{NAME}（续）" in page
    for page in pages[2:]:  # the annual table's pages after its first: the goal cell is there
        body = page.replace(f"项目名称：{NAME}（续）", "")  # a wrapped cell may interleave its lines
        assert "年度绩效目标1" in body and "（续）" in body and "产出指标" in body and "数量指标" in body
    # every row is printed once, in order, and the table header repeats on each page
    text = "".join(pages)
    assert all(text.count(f"第{n}类政务服务事项接入数量") == 1 for n in range(1, 41))
    assert all("三级指标" in page for page in pages if "第" in page and "类政务服务事项" in page)


def test_a_cut_row_group_repeats_its_merged_cells_on_the_rest():
    sheet = layout.build_sheet(
        {
            "year": 2025,
            "department": "甲局",
            "name": "项目",
            "budget": "1",
            "project_type": "recurring",
            "funding": [],
            "rationale": "",
            "status": "draft",
            "goals": [
                {
                    "term": "annual",
                    "name": "年度绩效目标1",
                    "text": "",
                    "indicators": [
                        {
                            "level1": "产出指标",
                            "level2": "数量指标",
                            "level3": f"指标{n}",
                            "value": "1个",
                            "basis": "",
                        }
                        for n in range(4)
                    ],
                }
            ],
        }
    )
    block = next(i for i, b in enumerate(sheet.blocks) if b.kind == "table" and b.bodies)
    split = layout.with_page_splits(sheet, {(block, 0): 3})
    top, rest = split.blocks[block].bodies
    assert [(c.role, c.text, c.rowspan) for c in top[0].cells if c.rowspan > 1] == [
        ("goal", "年度绩效目标1", 3),
        ("level1", "产出指标", 3),
        ("level2", "数量指标", 3),
    ]
    assert [(c.role, c.text, c.rowspan) for c in rest[0].cells][:3] == [
        ("goal", "年度绩效目标1（续）", 1),
        ("level1", "产出指标", 1),
        ("level2", "数量指标", 1),
    ]
    assert rest[0].page_start and [row.number for row in split.rows] == list(range(len(split.rows)))
    original = sheet.blocks[block].bodies[0][0].cells
    assert next(c for c in original if c.role == "goal").rowspan == 4  # the original is untouched
