"""The zip container of an Office file (.xlsx, .docx), checked before it is opened."""

import io
import zipfile

from ..errors import ImportFormatError
from ..limits import MACRO_ENTRY, MAX_ENTRIES, MAX_RATIO, MAX_UNCOMPRESSED, RATIO_FLOOR


def check_container(data):
    """Refuse a zip that is not a plain .xlsx, or that would decompress too far."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportFormatError("", "文件不是有效的Excel工作簿（.xlsx），可能已损坏。") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise ImportFormatError(
                "", f"工作簿包含{len(entries)}个内部文件，超过上限{MAX_ENTRIES}，拒绝导入。"
            )
        total = 0
        for entry in entries:
            name = entry.filename.lower()
            if name.endswith(MACRO_ENTRY) or (name.endswith(".bin") and "vba" in name):
                raise ImportFormatError(
                    entry.filename, "工作簿含有宏（VBA），出于安全考虑拒绝导入；请另存为.xlsx。"
                )
            total += entry.file_size
            if entry.file_size > RATIO_FLOOR and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
                raise ImportFormatError(
                    entry.filename,
                    f"压缩比异常（{entry.file_size // max(entry.compress_size, 1)}:1），"
                    "疑似压缩炸弹，拒绝导入。",
                )
        if total > MAX_UNCOMPRESSED:
            raise ImportFormatError(
                "",
                f"工作簿解压后约{total // 2**20}MB，超过上限{MAX_UNCOMPRESSED // 2**20}MB，拒绝导入。",
            )
        names = {entry.filename for entry in entries}
        if "xl/workbook.xml" not in names:
            raise ImportFormatError("", "文件不是Excel工作簿（.xlsx）。")
        content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
        if b"macroEnabled" in content_types:
            raise ImportFormatError(
                "", "工作簿为启用宏的格式（.xlsm），出于安全考虑拒绝导入；请另存为.xlsx。"
            )
