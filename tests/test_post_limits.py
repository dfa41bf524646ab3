"""Issue 12 item 8: the paste and upload limits are stated on their pages and enforced with a
Chinese message on the page the input came from (no English "Bad Request (400)")."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.documents.limits import MAX_TEXT_CHARS
from projects.models import Project, Role

from .editor_support import editor_data, make_user, unit


@pytest.fixture
def filler(db, client):
    department = unit("鄂州市数据局")
    client.force_login(make_user("filler", department, Role.FILLER))
    client.raise_request_exception = False
    return department


def test_the_paste_page_states_its_limits(client, filler):
    page = client.get(reverse("projects:paste")).content.decode()
    assert "一次最多粘贴50万个字符" in page and "不超过5MB" in page
    assert 'enctype="multipart/form-data"' in page  # 3 bytes a character, not 9 as URL-encoded


def test_a_megabyte_of_pasted_text_gets_a_chinese_answer_on_the_paste_page(client, filler):
    text = "测试文字" * 90_000  # 360,000 characters, 1 MB in UTF-8
    response = client.post(reverse("projects:paste"), {"department": filler.pk, "text": text})
    page = response.content.decode()
    assert response.status_code == 200
    assert "第1行第1列：单元格文字有360000个字符，超过上限20000个" in page
    assert "Bad Request" not in page and not Project.objects.exists()


def test_text_over_the_paste_limit_is_refused_by_the_form(client, filler):
    text = "a\tb\n" * (MAX_TEXT_CHARS // 4 + 1)
    response = client.post(reverse("projects:paste"), {"department": filler.pk, "text": text})
    page = response.content.decode()
    assert response.status_code == 200
    assert f"粘贴的文本有{len(text)}个字符，超过上限{MAX_TEXT_CHARS}个字符；请分成几次粘贴。" in page


@pytest.mark.parametrize("page_name", ["projects:paste", "projects:create"])
def test_a_body_over_the_post_limit_returns_to_its_page_with_the_reason(client, filler, settings, page_name):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    data = {"department": filler.pk, "text": "x" * 20_000}
    if page_name == "projects:create":
        data = {**editor_data(department=filler), "rationale": "依据" * 10_000}
    response = client.post(reverse(page_name), data)
    assert response.status_code == 302 and response["Location"] == reverse(page_name)
    page = client.get(response["Location"]).content.decode()
    assert "提交的内容超过上限（0.0MB），系统没有处理，也没有保存任何内容。请减少内容后分几次提交。" in page
    assert not Project.objects.exists()


def test_a_file_over_the_upload_limit_is_refused_on_the_upload_page(client, filler, settings):
    settings.PERFGOALS_MAX_UPLOAD_BYTES = 2 * 2**20
    page = client.get(reverse("projects:import")).content.decode()
    assert "文件不超过2MB" in page
    upload = SimpleUploadedFile("大文件.txt", b"x" * (3 * 2**20))
    response = client.post(reverse("projects:import"), {"department": filler.pk, "file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "文件大小3.0MB，超过上限2.0MB，拒绝导入。" in page
