"""Checks every upload form makes before a file is read (import, unit list, results)."""

from django import forms
from django.conf import settings

OLD_WORKBOOKS = (".xlsm", ".xlsb", ".xls")


def checked_upload(upload, workbook=True):
    """`upload`, or a ValidationError: larger than `PERFGOALS_MAX_UPLOAD_BYTES`, or (with
    `workbook`) a workbook with macros or in an old format. Returns the lower-case name."""
    limit = settings.PERFGOALS_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise forms.ValidationError(
            f"文件大小{upload.size / 2**20:.1f}MB，超过上限{limit / 2**20:.1f}MB，拒绝导入。"
        )
    name = upload.name.lower()
    if workbook and name.endswith(OLD_WORKBOOKS):
        raise forms.ValidationError(
            "只接受.xlsx格式的工作簿（不接受含宏或旧版格式），请在Excel中另存为.xlsx。"
        )
    return name
