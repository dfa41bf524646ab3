"""The zip container of an Office file (.xlsx, .docx), checked before it is opened."""

import io
import zipfile

from ..errors import ImportFormatError
from ..limits import MACRO_ENTRY, MAX_ENTRIES, MAX_RATIO, MAX_UNCOMPRESSED, PART_LIMITS, RATIO_FLOOR

KINDS = {
    "xlsx": ("xl/workbook.xml", "工作簿", "Excel工作簿（.xlsx）", ".xlsm", ".xlsx"),
    "docx": ("word/document.xml", "文档", "Word文档（.docx）", ".docm", ".docx"),
}


def kind_of(names):
    """'xlsx', 'docx' or None, by the main part the zip holds."""
    for kind, (main, *_rest) in KINDS.items():
        if main in names:
            return kind
    return None


def _check_part(entry):
    """Refuse a part that would be loaded or walked whole when it is too large."""
    for prefix, what, limit in PART_LIMITS:
        if entry.filename.startswith(prefix) and entry.file_size > limit:
            raise ImportFormatError(
                entry.filename,
                f"{what}解压后约{entry.file_size / 2**20:.0f}MB，超过上限{limit // 2**20}MB，拒绝导入"
                "（未读取内容）。",
            )


def check_container(data, expect="xlsx"):
    """Refuse a zip that is not a plain .xlsx/.docx, or that would decompress too far.

    Returns the kind found ('xlsx' or 'docx'). With `expect` set, any other kind
    is refused; `expect=None` accepts both.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportFormatError(
            "", "文件不是有效的Excel工作簿（.xlsx）或Word文档（.docx），可能已损坏。"
        ) from None
    with archive:
        entries = archive.infolist()
        names = {entry.filename for entry in entries}
        kind = kind_of(names)
        noun = KINDS[kind][1] if kind else "文件"
        if len(entries) > MAX_ENTRIES:
            raise ImportFormatError(
                "", f"{noun}包含{len(entries)}个内部文件，超过上限{MAX_ENTRIES}，拒绝导入。"
            )
        total = 0
        for entry in entries:
            name = entry.filename.lower()
            if name.endswith(MACRO_ENTRY) or (name.endswith(".bin") and "vba" in name):
                plain = KINDS[kind][4] if kind else ".xlsx或.docx"
                raise ImportFormatError(
                    entry.filename, f"{noun}含有宏（VBA），出于安全考虑拒绝导入；请另存为{plain}。"
                )
            total += entry.file_size
            if entry.file_size > RATIO_FLOOR and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
                raise ImportFormatError(
                    entry.filename,
                    f"压缩比异常（{entry.file_size // max(entry.compress_size, 1)}:1），"
                    "疑似压缩炸弹，拒绝导入。",
                )
            _check_part(entry)
        if total > MAX_UNCOMPRESSED:
            raise ImportFormatError(
                "",
                f"{noun}解压后约{total // 2**20}MB，超过上限{MAX_UNCOMPRESSED // 2**20}MB，拒绝导入。",
            )
        if kind is None:
            raise ImportFormatError("", "文件不是Excel工作簿（.xlsx）或Word文档（.docx）。")
        if expect and kind != expect:
            raise ImportFormatError("", f"文件是{KINDS[kind][2]}，不是{KINDS[expect][2]}。")
        content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
        if b"macroEnabled" in content_types:
            _main, noun, _label, macro_suffix, plain = KINDS[kind]
            raise ImportFormatError(
                "", f"{noun}为启用宏的格式（{macro_suffix}），出于安全考虑拒绝导入；请另存为{plain}。"
            )
    return kind
