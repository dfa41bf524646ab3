"""The unit list (单位名单): `import_units FILE` and the upload page, Excel and CSV.

A unit list imports whole or not at all; re-importing updates names and parents and
never deletes; every refusal names its row. The administrators edit units in the
browser, within two levels. Every change is logged.
"""

import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from projects.models import AdminChange, Department, Project
from tests.workflow_helpers import clean_project

HEADER = ("单位编码", "单位名称", "主管部门编码")
UNITS = [
    HEADER,
    ("101", "鄂州市数据局", None),
    ("101001", "鄂州市政务服务中心", "101"),
    ("101002", "鄂州市大数据中心", "101"),
]


def xlsx(rows, path=None):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    if path is not None:
        path.write_bytes(output.getvalue())
        return path
    return output.getvalue()


def import_units(path):
    out = StringIO()
    call_command("import_units", str(path), stdout=out)
    return out.getvalue()


def tree():
    """{name: (code, parent name)} of every unit."""
    return {
        unit.name: (unit.code, unit.parent.name if unit.parent else None)
        for unit in Department.objects.select_related("parent")
    }


def stored():
    return list(Department.objects.order_by("pk").values()), AdminChange.objects.count()


def test_a_unit_list_with_one_department_and_two_units_imports_from_excel(db, tmp_path):
    out = import_units(xlsx(UNITS, tmp_path / "单位名单.xlsx"))
    assert tree() == {
        "鄂州市数据局": ("101", None),
        "鄂州市政务服务中心": ("101001", "鄂州市数据局"),
        "鄂州市大数据中心": ("101002", "鄂州市数据局"),
    }
    assert "新增：101001 鄂州市政务服务中心（主管部门：鄂州市数据局）" in out
    assert "新增3个单位，更新0个，未变化0个" in out
    logged = AdminChange.objects.filter(subject="unit")
    assert logged.count() == 3 and {entry.actor_name for entry in logged} == {"系统（命令行）"}
    assert "主管部门：鄂州市数据局" in logged.get(subject_label="鄂州市大数据中心").after


def test_codes_typed_as_numbers_and_columns_in_another_order_are_read(db, tmp_path):
    rows = [("单位名称", "备注", "主管部门编码", "单位编码"), ("鄂州市数据局", "x", None, 101)]
    rows.append(("鄂州市政务服务中心", "", 101, 101001))
    import_units(xlsx(rows, tmp_path / "units.xlsx"))
    assert tree() == {"鄂州市数据局": ("101", None), "鄂州市政务服务中心": ("101001", "鄂州市数据局")}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_lists_import_in_utf8_and_gbk(db, tmp_path, encoding):
    text = "\n".join(",".join(cell or "" for cell in row) for row in UNITS) + "\n"
    path = tmp_path / "units.csv"
    path.write_bytes(text.encode(encoding))
    import_units(path)
    assert tree()["鄂州市大数据中心"] == ("101002", "鄂州市数据局")


def test_reimporting_updates_names_and_parents_and_deletes_nothing(db, tmp_path):
    import_units(xlsx([*UNITS, ("102", "鄂州市民政局", None)], tmp_path / "a.xlsx"))
    project = clean_project(unit="鄂州市大数据中心", name="大数据中心项目")
    before = AdminChange.objects.count()
    again = [
        HEADER,
        ("101", "鄂州市数据局", None),
        ("101001", "鄂州市政务服务中心（更名）", "101"),
        ("101002", "鄂州市大数据中心", "102"),  # moved to another 主管部门
    ]
    out = import_units(xlsx(again, tmp_path / "b.xlsx"))
    assert tree() == {
        "鄂州市数据局": ("101", None),
        "鄂州市政务服务中心（更名）": ("101001", "鄂州市数据局"),
        "鄂州市大数据中心": ("101002", "鄂州市民政局"),
        "鄂州市民政局": ("102", None),  # not in the list: kept as it was
    }
    assert "新增0个单位，更新2个，未变化1个" in out
    assert Project.objects.get(pk=project.pk).department.name == "鄂州市大数据中心"
    changes = AdminChange.objects.order_by("id")[before:]
    renamed = next(c for c in changes if c.subject_label == "鄂州市政务服务中心（更名）")
    assert "单位名称：鄂州市政务服务中心；" in renamed.before and "（更名）" in renamed.after
    assert len(changes) == 2


def test_two_units_may_swap_names_in_one_import(db, tmp_path):
    import_units(xlsx(UNITS, tmp_path / "a.xlsx"))
    swapped = [HEADER, ("101", "鄂州市数据局", None)]
    swapped += [("101001", "鄂州市大数据中心", "101"), ("101002", "鄂州市政务服务中心", "101")]
    import_units(xlsx(swapped, tmp_path / "b.xlsx"))
    assert tree()["鄂州市大数据中心"] == ("101001", "鄂州市数据局")
    assert tree()["鄂州市政务服务中心"] == ("101002", "鄂州市数据局")


def test_a_unit_made_before_it_had_a_code_takes_the_code_of_its_row(db, tmp_path):
    project = clean_project(unit="鄂州市数据局")  # the unit was made by an import of sheets
    unit = project.department
    assert unit.code is None
    import_units(xlsx(UNITS, tmp_path / "units.xlsx"))
    unit.refresh_from_db()
    assert unit.code == "101" and Department.objects.count() == 3
    assert Department.objects.get(code="101001").parent == unit


@pytest.mark.parametrize(
    ("rows", "problems"),
    [
        (
            [("编码", "名称")],
            ["第1行应为表头，含“单位编码”“单位名称”“主管部门编码”列；缺少单位编码、单位名称"],
        ),
        ([HEADER], ["单位名单没有任何单位"]),
        (
            [*UNITS, ("", "鄂州市无编码单位", None), ("103", "", None)],
            ["第5行：单位编码为空", "第6行：单位名称为空"],
        ),
        ([*UNITS, ("101001", "鄂州市重复编码单位", "101")], ["第5行：单位编码“101001”与第3行重复"]),
        ([*UNITS, ("103", "鄂州市数据局", None)], ["第5行：单位名称“鄂州市数据局”与第2行重复"]),
        ([*UNITS, ("103", "鄂州市某单位", "999")], ["第5行：主管部门编码“999”在名单和系统中都不存在"]),
        (
            [*UNITS, ("101001001", "鄂州市三级单位", "101001")],
            [
                "第5行：主管部门“鄂州市政务服务中心”本身是“鄂州市数据局”的所属单位，不能再作为主管部门（只分两级）"
            ],
        ),
        ([*UNITS, ("104", "鄂州市自管单位", "104")], ["第5行：单位不能是自己的主管部门"]),
        ([*UNITS, ("1" * 51, "鄂州市长编码单位", None)], ["第5行：单位编码超过50个字符"]),
    ],
)
def test_a_list_with_a_problem_is_refused_whole_and_names_the_row(db, tmp_path, rows, problems):
    before = stored()
    with pytest.raises(CommandError) as refused:
        import_units(xlsx(rows, tmp_path / "units.xlsx"))
    message = str(refused.value)
    assert "未导入任何单位" in message
    for problem in problems:
        assert problem in message
    assert stored() == before


def test_a_reimport_cannot_make_a_department_with_units_a_unit_itself(db, tmp_path):
    import_units(xlsx([*UNITS, ("102", "鄂州市民政局", None)], tmp_path / "a.xlsx"))
    before = stored()
    moved = [HEADER, ("101", "鄂州市数据局", "102")]
    with pytest.raises(CommandError) as refused:
        import_units(xlsx(moved, tmp_path / "b.xlsx"))
    assert "第2行：“鄂州市数据局”下有所属单位" in str(refused.value)
    assert "不能再隶属其他主管部门（只分两级）" in str(refused.value)
    assert stored() == before


def test_a_name_held_by_another_code_is_refused(db, tmp_path):
    import_units(xlsx(UNITS, tmp_path / "a.xlsx"))
    before = stored()
    with pytest.raises(CommandError) as refused:
        import_units(xlsx([HEADER, ("102", "鄂州市大数据中心", None)], tmp_path / "b.xlsx"))
    assert "第2行：单位名称“鄂州市大数据中心”已被单位编码为“101002”的单位使用" in str(refused.value)
    assert stored() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("units.xls", b"\xd0\xcf\x11\xe0", "只能导入.xlsx或.csv格式的单位名单"),
        ("units.xlsx", b"not a zip", "不是有效的Excel工作簿"),
        ("units.csv", b"", "文件为空"),
        ("units.csv", "单位编码,单位名称\n101,鄂州\x00市\n".encode(), "不是文本格式的CSV文件"),
    ],
)
def test_files_that_are_not_unit_lists_are_refused(db, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        import_units(path)
    assert not Department.objects.exists()


def test_a_formula_in_the_list_is_refused(db, tmp_path):
    rows = [*UNITS, ("103", '=HYPERLINK("http://x","鄂州市某单位")', None)]
    with pytest.raises(CommandError, match="单元格B5含有公式"):
        import_units(xlsx(rows, tmp_path / "units.xlsx"))
    assert not Department.objects.exists()


# -- in the browser: upload page and editing ---------------------------------------------


@pytest.fixture
def admin(db, django_user_model, client):
    user = django_user_model.objects.create_superuser("guanli", password=None, first_name="管理员甲")
    client.force_login(user)
    return user


def upload(client, name, content):
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse("manage:unit_import"), {"file": file})


def test_the_upload_page_imports_a_list_and_reports_each_unit(admin, client):
    response = upload(client, "单位名单.xlsx", xlsx(UNITS))
    page = response.content.decode()
    assert response.status_code == 200 and "新增3个单位，更新0个，未变化0个" in page
    assert "鄂州市政务服务中心" in page
    assert tree()["鄂州市政务服务中心"] == ("101001", "鄂州市数据局")
    assert set(AdminChange.objects.values_list("actor_name", flat=True)) == {"管理员甲"}
    listing = client.get(reverse("manage:units")).content.decode()
    # the tree: the 主管部门, then its 所属单位 by code
    assert (
        listing.index("鄂州市数据局")
        < listing.index("鄂州市政务服务中心")
        < listing.index("鄂州市大数据中心")
    )
    assert "导入单位名单：新增" in listing  # the log under the list


def test_the_upload_page_lists_every_problem_and_imports_nothing(admin, client):
    rows = [*UNITS, ("103", "鄂州市某单位", "999"), ("101001", "鄂州市重复", "101")]
    page = upload(client, "单位名单.xlsx", xlsx(rows)).content.decode()
    assert "单位名单未导入（共2处问题" in page
    assert "第5行：主管部门编码“999”在名单和系统中都不存在" in page
    assert "第6行：单位编码“101001”与第3行重复" in page
    assert not Department.objects.exists()
    page = upload(client, "units.docx", b"x").content.decode()
    assert "只能导入.xlsx或.csv格式的单位名单" in page


def test_an_administrator_edits_a_unit_and_the_change_is_logged(admin, client, tmp_path):
    import_units(xlsx([*UNITS, ("102", "鄂州市民政局", None)], tmp_path / "a.xlsx"))
    unit = Department.objects.get(code="101002")
    url = reverse("manage:unit", args=[unit.pk])
    new_parent = Department.objects.get(code="102")
    response = client.post(url, {"code": "101002", "name": "鄂州市大数据发展中心", "parent": new_parent.pk})
    assert response.status_code == 302
    assert tree()["鄂州市大数据发展中心"] == ("101002", "鄂州市民政局")
    entry = AdminChange.objects.filter(subject="unit", subject_id=str(unit.pk)).latest("id")
    assert entry.action == "修改单位" and entry.actor == admin
    assert "主管部门：鄂州市数据局" in entry.before and "主管部门：鄂州市民政局" in entry.after
    assert "鄂州市大数据发展中心" in client.get(url).content.decode()


@pytest.mark.parametrize(
    "case",
    [
        ("101", {"parent": "102"}, "下有所属单位，不能再隶属其他主管部门（只分两级）"),
        ("102", {"parent": "101001"}, "只能选择主管部门（本身没有主管部门的单位）作为上级"),
        ("102", {"name": "鄂州市数据局"}, "单位名称已被其他单位使用"),
        ("102", {"code": "101"}, "单位编码已被其他单位使用"),
        ("102", {"name": "  "}, "请填写单位名称"),
    ],
)
def test_a_unit_edit_that_breaks_the_rules_is_refused(admin, client, tmp_path, case):
    code, change, message = case
    import_units(xlsx([*UNITS, ("102", "鄂州市民政局", None)], tmp_path / "a.xlsx"))
    unit = Department.objects.select_related("parent").get(code=code)
    data = {"code": unit.code, "name": unit.name, "parent": unit.parent_id or ""}
    for key, value in change.items():
        data[key] = Department.objects.get(code=value).pk if key == "parent" else value
    before = stored()
    response = client.post(reverse("manage:unit", args=[unit.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert stored() == before


def test_an_administrator_creates_a_unit(admin, client):
    parent = Department.objects.create(code="101", name="鄂州市数据局")
    response = client.post(
        reverse("manage:unit_create"), {"code": " 101009 ", "name": "鄂州市新设中心", "parent": parent.pk}
    )
    assert response.status_code == 302
    assert tree()["鄂州市新设中心"] == ("101009", "鄂州市数据局")
    assert AdminChange.objects.get(action="新增单位").before == ""
