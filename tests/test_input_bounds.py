"""Issue 12 item 6: no input brings a 500. Each bad input answers a 4xx page with a Chinese
message that says what and where, keeps what the user typed, and stores nothing; on the
command line it is a CommandError."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from projects.models import Project, Role

from .editor_support import editor_data, make_user, seed_sheet, unit

SHEET = seed_sheet("一窗受理工作项目")
ROW = {
    "level1": "产出指标",
    "level2": "数量指标",
    "level3": "服务窗口工作人员数量",
    "value": "等于35人",
    "basis": "其他标准",
}

# (what the issue typed, where it goes, what the answer must say)
EDITOR_INPUTS = [
    ("value", "≥9999999999999999999人", "指标值“≥9999999999999999999人”的数值过大（整数部分最多18位）"),
    ("value", "≥0.0000001%", "指标值“≥0.0000001%”的小数位数过多（最多6位，不能四舍五入保存）"),
    ("budget", "12345678901234567890", "项目预算的数字过长（整数部分最多12位）"),
    ("budget", "1e400", "项目预算的数字过长"),
    ("name", "一窗\x00受理", "项目名称含有不可见的控制字符（第3个字符，U+0000）"),
    ("rationale", "依据\n第二\x00行", "立项依据含有不可见的控制字符（第2行第3个字符，U+0000）"),
    ("level3", "人员\x07数量", "三级指标含有不可见的控制字符"),
    ("basis", "依" * 60, "指标值确定依据过长：有60个字，最多50个字，请缩短。"),
    ("name", "长" * 201, "项目名称过长：有201个字，最多200个字，请缩短。"),
]


@pytest.fixture
def filler(db, client):
    department = unit("鄂州市数据局")
    client.force_login(make_user("filler", department, Role.FILLER))
    client.raise_request_exception = False
    return department


@pytest.mark.parametrize(("field", "typed", "message"), EDITOR_INPUTS)
def test_the_editor_answers_bad_input_on_its_page_and_keeps_it(client, filler, field, typed, message):
    row = {**ROW, field: typed} if field in ROW else ROW
    basic = {field: typed} if field not in ROW else {}
    data = editor_data(department=filler, goals=[{"term": "annual", "rows": [row]}], **basic)
    response = client.post(reverse("projects:create"), data)
    page = response.content.decode()
    assert response.status_code == 200, page[:500]
    assert message in page
    assert "不允许是用空字符串" not in page
    assert not Project.objects.exists()
    if "\x00" not in typed and "\x07" not in typed:
        assert f'value="{typed}"' in page or f">{typed}<" in page  # what was typed stays on the page


PASTED = [
    (SHEET.replace("等于35人", "≥9999999999999999999人", 1), "指标值“≥9999999999999999999人”的数值过大"),
    (SHEET.replace("≥98%", "≥0.0000001%", 1), "的小数位数过多"),
    (SHEET.replace("266万\t", "12345678901234567890万\t", 1), "项目预算“12345678901234567890”的数值过大"),
    (
        SHEET.replace("\t其他标准\n", "\t" + "依" * 60 + "\n", 1),
        "第15行：指标值确定依据“" + "依" * 30 + "…”有60个字，超过上限50个字",
    ),
    (
        SHEET.replace("确保优化", "确保\x00优化", 1),
        "批复表文本含有不可见的控制字符（第17行第19个字符，U+0000）",
    ),
]


@pytest.mark.parametrize(("text", "message"), PASTED)
def test_the_paste_page_answers_bad_input_on_its_page_and_keeps_the_text(client, filler, text, message):
    response = client.post(reverse("projects:paste"), {"department": filler.pk, "text": text})
    page = response.content.decode()
    assert response.status_code == 200, page[:500]
    assert message in page
    assert "不允许是用空字符串" not in page
    assert not Project.objects.exists()
    if "\x00" not in text:
        assert "群众满意度" in page and text.split("\n")[8][:20] in page  # the pasted text stays


def _backup(budget):
    project = {"year": 2025, "name": "备份项目", "budget": budget, "project_type": "recurring", "goals": []}
    return json.dumps({"format": "perfgoals/1", "projects": [project]}).encode()


FILES = [
    ("budget-1e15.json", _backup("1e15"), "项目预算“1000000000000000”的数值过大"),
    ("budget-1e400.json", _backup("1e400"), "项目预算“1E+400”的数值过大"),
    ("budget-20.json", _backup("12345678901234567890"), "项目预算“12345678901234567890”的数值过大"),
    (
        "deep.json",
        b'{"format": "perfgoals/1", "projects": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "JSON嵌套超过32层",
    ),
    (
        "huge-int.json",
        b'{"format": "perfgoals/1", "projects": [], "x": ' + b"9" * 5000 + b"}",
        "不是有效的JSON",
    ),
    ("nul.txt", SHEET.replace("确保优化", "确保\x00优化").encode() * 1, "文件不是文本"),
    ("nul-late.txt", ("\n" * 5000 + SHEET).replace("确保优化", "确保\x00优化").encode(), "控制字符"),
    ("surrogate.json", _backup("1").replace(b"\\u5907", b"\\ud800"), "控制字符"),
    ("value.txt", SHEET.replace("等于35人", "≥9999999999999999999人", 1).encode(), "的数值过大"),
    ("basis.txt", SHEET.replace("\t其他标准\n", "\t" + "依" * 60 + "\n", 1).encode(), "超过上限50个字"),
]


@pytest.mark.parametrize(("name", "content", "message"), FILES, ids=[f[0] for f in FILES])
def test_the_upload_page_answers_bad_files_on_its_page(client, filler, name, content, message):
    upload = SimpleUploadedFile(name, content)
    response = client.post(reverse("projects:import"), {"department": filler.pk, "file": upload})
    page = response.content.decode()
    assert response.status_code == 200, page[:500]
    assert message in page
    assert not Project.objects.exists()


@pytest.mark.parametrize(("name", "content", "message"), FILES, ids=[f[0] for f in FILES])
def test_the_command_line_answers_bad_files_with_a_command_error(db, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError) as refused:
        call_command("import_approvals", str(path), department="鄂州市数据局")
    assert message in str(refused.value)
    assert not Project.objects.exists()


def test_the_lengths_of_issue_11_on_the_command_line(db, tmp_path):
    """A 300-character 三级指标 is refused naming its line (the model allows 200); a
    10,000-character 立项依据 is stored whole (a text field): never a DataError."""
    long_level3 = SHEET.replace("服务窗口工作人员数量", "数" * 300, 1)
    path = tmp_path / "level3.txt"
    path.write_text(long_level3, encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("import_approvals", str(path), department="鄂州市数据局")
    assert "三级指标“" + "数" * 30 + "…”有300个字，超过上限200个字" in str(refused.value)
    assert "第" in str(refused.value).split("三级指标")[0]  # the line is named
    assert not Project.objects.exists()

    rationale = "依据" * 5000
    lines = SHEET.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("立项依据\t"))
    lines[at] = "立项依据\t" + rationale
    path = tmp_path / "rationale.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    call_command("import_approvals", str(path), department="鄂州市数据局")
    assert Project.objects.get().rationale == rationale
