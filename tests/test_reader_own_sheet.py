"""Our own sheet copied as text reads back to the same data (the page in a browser, the Word
export's text); the unit the file names and the unit chosen on the page are both said; a
unit named before the year of a title is used when the sheet names none."""

import io
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from playwright.sync_api import expect

from projects.documents.data import project_to_dict
from projects.documents.errors import ImportFormatError
from projects.documents.readers import read_text, unit_repairs
from projects.documents.readers.text import parse_sheets
from projects.models import Department, Project, Role
from projects.permissions import SYSTEM
from projects.services import import_projects

from .conftest import ROOT, SEED_DEPARTMENT, login, upload_and_confirm
from .editor_support import seed_sheet
from .test_sheet_approval import FINANCE_BODY, approved  # noqa: F401 (a fixture)
from .workflow_helpers import member

ANHUI = ROOT / "fixtures" / "variants" / "anhui-jinan-2025.txt"  # 实施单位：六安市金安区体育局
ANHUI_UNIT = "六安市金安区体育局"
OTHER = "甲局"


def content(project):
    """What a copy must keep: the project data without its id, unit, state and record."""
    data = project_to_dict(Project.objects.with_tree().get(pk=project.pk))
    for key in ("id", "department", "status", "approval", "approvals"):
        data.pop(key, None)
    return data


def copied_text(page, how):
    """The text a user copies: select all (Ctrl+A) and copy, or the sheet element's text."""
    if how == "select_all":
        page.locator("body").click(position={"x": 5, "y": 5})
        page.keyboard.press("Control+A")
        return page.evaluate("() => window.getSelection().toString()")
    return page.locator("article.sheet").inner_text()


def paste(page, unit, text):
    page.goto(f"{page.base_url}{reverse('projects:paste')}")
    page.get_by_label("预算单位").select_option(label=unit)
    page.get_by_label("批复表文本").fill(text)
    page.get_by_role("button", name="新建草稿项目").click()


@pytest.mark.browser
@pytest.mark.parametrize(
    "case", ["draft sheet select_all", "approved sheet select_all", "approved snapshot text"]
)
def test_our_sheet_page_copied_in_the_browser_pastes_back_to_the_same_project(
    page, request, django_user_model, case
):
    state, where, how = case.split()
    if state == "draft":
        request.getfixturevalue("seed")
        source = Project.objects.get(name="一窗受理工作项目", department__name=SEED_DEPARTMENT)
    else:
        source = request.getfixturevalue("approved")[1]
    Department.objects.create(name=OTHER)
    django_user_model.objects.create_superuser("boss", password="boss-pass-123")
    login(page, "boss", "boss-pass-123")
    url = reverse("projects:sheet", args=[source.pk])
    if where == "snapshot":
        url = reverse("projects:snapshot", args=[source.pk, source.snapshots.get().pk])
    page.goto(f"{page.base_url}{url}")
    text = copied_text(page, how)
    assert "预算单位：" in text and ("未批复（草稿）" in text) == (state == "draft")
    assert (f"批复单位：{FINANCE_BODY}" in text) == (state == "approved")
    paste(page, OTHER, text)
    expect(page.get_by_role("heading", name=source.name)).to_be_visible()
    copy = Project.objects.get(department__name=OTHER)
    assert content(copy) == content(source)
    said = f"文件中的预算单位“{source.department.name}”，按所选单位“{OTHER}”导入。"
    expect(page.get_by_text(said)).to_be_visible()
    if how == "select_all":  # the menu and buttons above the sheet came with the copy
        expect(page.get_by_text("批复表标题之前的")).to_be_visible()


def _text(element):
    return "".join(
        "\t" if node.tag == qn("w:tab") else node.text or "" for node in element.iter(qn("w:t"), qn("w:tab"))
    )


def word_text(data):
    """What Word copies of a document: a line per paragraph, a line per table row with TAB
    between its cells (a merged cell's continuation empty)."""
    lines = []
    for block in Document(io.BytesIO(data)).element.body.iterchildren():
        if block.tag == qn("w:p"):
            lines.append(_text(block))
        for row in block.iter(qn("w:tr")) if block.tag == qn("w:tbl") else ():
            lines.append(
                "\t".join(" ".join(_text(p) for p in cell.iter(qn("w:p"))) for cell in row.iter(qn("w:tc")))
            )
    return "\n".join(lines)


@pytest.mark.parametrize("which", ["draft", "approved"])
def test_the_text_of_our_word_export_reads_back_to_the_same_data(request, client, which, django_user_model):
    if which == "draft":
        request.getfixturevalue("seed")
        source = Project.objects.get(name="一窗受理工作项目", department__name=SEED_DEPARTMENT)
    else:
        source = request.getfixturevalue("approved")[1]
    client.force_login(django_user_model.objects.create_superuser("boss"))
    text = word_text(client.get(reverse("projects:sheet_docx", args=[source.pk])).content)
    assert text.splitlines()[0].startswith("未批复（草稿）") == (which == "draft")
    result = read_text(text)
    assert result.projects[0]["department"] == source.department.name
    (copy,) = import_projects(result.projects, department=OTHER, user=SYSTEM).created
    assert content(copy) == content(source)


# -- lines before the first title -------------------------------------------------------------

MENU = "项目支出绩效目标管理\n项目\n导入\n← 返回项目\n打印\n导出Word\n"


def test_a_pages_menu_above_the_sheet_is_skipped_and_said():
    sheet = seed_sheet("政府雇员经费")
    result = read_text(MENU + sheet)
    assert result.projects == parse_sheets(sheet).projects
    assert [str(item) for item in result.skipped] == [
        "第1行：批复表标题之前的6行不属于批复表，已跳过："
        "“项目支出绩效目标管理”“项目”“导入”“← 返回项目”“打印”“导出Word”。"
    ]


@pytest.mark.parametrize(
    "before, where",
    [
        ("项目名称\t政府雇员经费\n", "第1行：在批复表标题之前出现了内容“项目名称”"),  # a row of a sheet
        (MENU + "项目预算\t110万\n", "第1行：在批复表标题之前出现了内容“项目支出绩效目标管理”"),
        ("预算单位：鄂州市数据局\n", "第1行：在批复表标题之前出现了内容“预算单位：鄂州市数据局”"),
    ],
)
def test_a_sheets_own_row_before_its_title_is_still_refused(before, where):
    with pytest.raises(ImportFormatError, match=where):
        read_text(before + seed_sheet("政府雇员经费"))


def test_text_without_a_title_is_refused_at_its_first_line():
    with pytest.raises(ImportFormatError, match="第1行：在批复表标题之前出现了内容“项目支出绩效目标管理”"):
        read_text(MENU)


# -- the unit the file names, the unit chosen ---------------------------------------------------


@pytest.fixture
def filler(db, django_user_model):
    return member(django_user_model, "filler", SEED_DEPARTMENT, Role.FILLER)


def test_the_upload_preview_and_report_say_the_chosen_unit_replaces_the_files(client, filler):
    said = f"文件中的实施单位“{ANHUI_UNIT}”，按所选单位“{SEED_DEPARTMENT}”导入。"
    client.force_login(filler)
    unit = Department.objects.get(name=SEED_DEPARTMENT)
    response = client.post(
        reverse("projects:import"),
        {"department": unit.pk, "file": SimpleUploadedFile(ANHUI.name, ANHUI.read_bytes())},
        follow=True,
    )
    assert said in response.content.decode()  # the preview
    response = upload_and_confirm(client, unit, ANHUI.name, ANHUI.read_bytes())
    assert said in response.content.decode()  # the report after 确认导入
    assert Project.objects.get().department == unit
    assert not Department.objects.filter(name=ANHUI_UNIT).exists()


def test_the_paste_page_says_the_chosen_unit_replaces_the_files(client, filler):
    client.force_login(filler)
    unit = Department.objects.get(name=SEED_DEPARTMENT)
    response = client.post(
        reverse("projects:paste"),
        {"department": unit.pk, "text": ANHUI.read_text(encoding="utf-8")},
        follow=True,
    )
    assert f"已修复：第1行：文件中的实施单位“{ANHUI_UNIT}”，按所选单位“{SEED_DEPARTMENT}”导入。" in (
        response.content.decode()
    )
    assert Project.objects.get().department == unit


def test_the_command_says_which_unit_it_used_and_which_it_created(db):
    out = StringIO()
    call_command("import_approvals", str(ANHUI), "--department", SEED_DEPARTMENT, stdout=out)
    assert (
        f"修复 第1行：文件中的实施单位“{ANHUI_UNIT}”，按--department指定的单位“{SEED_DEPARTMENT}”导入。"
        in (out.getvalue())
    )
    assert "新建单位" in out.getvalue()  # 鄂州市数据局 did not exist either
    out = StringIO()
    call_command("import_approvals", str(ANHUI), "--dry-run", stdout=out)
    assert f"将新建单位“{ANHUI_UNIT}”" in out.getvalue() and "按--department" not in out.getvalue()
    assert not Department.objects.filter(name=ANHUI_UNIT).exists()
    out = StringIO()
    call_command("import_approvals", str(ANHUI), stdout=out)
    assert f"{ANHUI}：新建单位“{ANHUI_UNIT}”（文件中的单位，系统中原无）" in out.getvalue()
    assert Project.objects.filter(department__name=ANHUI_UNIT).count() == 1
    out = StringIO()
    call_command("import_approvals", str(ANHUI), stdout=out)  # again: the unit exists now
    assert "新建单位" not in out.getvalue()


def test_a_unit_the_file_names_as_the_chosen_one_is_not_reported():
    result = read_text(ANHUI.read_text(encoding="utf-8"))
    before = list(result.repairs)
    unit_repairs(result, ANHUI_UNIT)
    assert result.repairs == before


# -- a unit named before the year of a title --------------------------------------------------

OTHER_LAYOUT = (
    "项目名称\t政务外网运维\n年度资金总额\t50万元\n"
    "一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t运维节点数\t≥30个\n"
)


@pytest.mark.parametrize(
    "text",
    [
        "鄂州市数据局2025年项目支出绩效目标表\n" + OTHER_LAYOUT,  # another layout (`recognize`)
        seed_sheet("政府雇员经费").replace("2025年", "鄂州市数据局2025年", 1),  # the official layout
    ],
    ids=["another layout", "official layout"],
)
def test_a_unit_before_the_year_of_the_title_is_the_unit_when_the_sheet_names_none(text):
    result = read_text(text)
    assert result.projects[0]["department"] == "鄂州市数据局"
    assert "第1行：表中没有写预算单位，按标题取为“鄂州市数据局”，请核对。" in [str(r) for r in result.repairs]
    unit_repairs(result, "甲局")
    assert "第1行：标题中的单位“鄂州市数据局”，按所选单位“甲局”导入。" in [str(r) for r in result.repairs]


def test_a_unit_line_wins_over_the_title(db, tmp_path):
    text = "鄂州市数据局2025年项目支出绩效目标表\n实施单位\t鄂州市大数据中心\n" + OTHER_LAYOUT
    result = read_text(text)
    assert result.projects[0]["department"] == "鄂州市大数据中心"
    assert not any("按标题" in str(r) for r in result.repairs)
    path = tmp_path / "单位在标题.txt"
    path.write_text(text.replace("实施单位\t鄂州市大数据中心\n", ""), encoding="utf-8")
    out = StringIO()
    call_command("import_approvals", str(path), stdout=out)
    assert "按标题取为“鄂州市数据局”" in out.getvalue()
    assert Project.objects.get(name="政务外网运维").department.name == "鄂州市数据局"


@pytest.mark.parametrize(
    "title",
    [
        "2025年项目支出绩效目标表",  # no unit
        "天津市农业绿色发展专项(畜禽粪污资源化利用)2025年项目支出绩效目标表",  # a project's name
        "关于下达2025年项目支出绩效目标表",
    ],
)
def test_a_title_without_a_unit_before_its_year_gives_none(title):
    result = read_text(f"{title}\n{OTHER_LAYOUT}")
    assert "department" not in result.projects[0]
