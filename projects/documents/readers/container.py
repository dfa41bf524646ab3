"""The zip container of an Office file (.xlsx, .docx), checked before it is opened."""

import io
import math
import posixpath
import re
import zipfile

from ..errors import ImportFormatError
from ..limits import (
    MACRO_ENTRY,
    MAX_ENTRIES,
    MAX_RATIO,
    MAX_UNCOMPRESSED,
    MAX_WHOLE,
    MB,
    OTHER_PART,
    PART_LIMITS,
    RATIO_FLOOR,
)

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


CONTENT_TYPES = "[Content_Types].xml"
# Parts the libraries do not parse whole: openpyxl reads a worksheet as a stream;
# a content type that is not XML (pictures, fonts, embedded files) is held as bytes.
STREAMED_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
PATTERNS = tuple((re.compile(pattern), what, limit, whole) for pattern, what, limit, whole in PART_LIMITS)


def part_rule(name):
    """(what the part is, its limit in bytes, whether read whole) for a part's name in the zip."""
    for pattern, *rule in PATTERNS:
        if pattern.fullmatch(name):
            return tuple(rule)
    return OTHER_PART


def _megabytes(size):
    """'190', '12.1', '2': a size in MB as the refusals write it (tenths rounded up below 100 MB,
    so that a size just over a limit does not read as the limit)."""
    return f"{size / MB:.0f}" if size >= 100 * MB else f"{math.ceil(size / MB * 10) / 10:g}"


def _check_part(entry):
    """Refuse a part larger than its limit (each part of the zip has one)."""
    what, limit, _whole = part_rule(entry.filename)
    if entry.file_size > limit:
        raise ImportFormatError(
            entry.filename,
            f"{what}解压后约{_megabytes(entry.file_size)}MB，超过上限{_megabytes(limit)}MB，拒绝导入"
            "（未读取内容）。",
        )


def _content_types(archive, names):
    """The content type of each part, from [Content_Types].xml (checked small before): {name: type}."""
    from lxml import etree

    if CONTENT_TYPES not in names:
        return {}
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
    try:
        root = etree.fromstring(archive.read(CONTENT_TYPES), parser)
    except (etree.XMLSyntaxError, zipfile.BadZipFile, ValueError):
        raise ImportFormatError(CONTENT_TYPES, "内容类型清单无法读取，文件可能已损坏。") from None
    defaults, overrides = {}, {}
    for element in root:
        tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
        if tag == "Default":
            defaults[element.get("Extension", "").lower()] = element.get("ContentType", "")
        elif tag == "Override":
            overrides[element.get("PartName", "").lstrip("/")] = element.get("ContentType", "")
    return {
        name: overrides.get(name, defaults.get(posixpath.splitext(name)[1][1:].lower(), "")) for name in names
    }


def _read_whole(entry, content_type):
    """Whether openpyxl or python-docx would parse the part whole into memory.

    Decided on the content type the libraries go by, not on the name; a part
    without one counts as whole, and so does a part the table says is read whole.
    """
    if entry.is_dir():
        return False
    if part_rule(entry.filename)[2] or not content_type:
        return True
    return content_type != STREAMED_TYPE and content_type.split(";")[0].endswith("xml")


def _check_whole(archive, entries, names, noun):
    """Refuse when the parts parsed whole take too much together, naming the largest."""
    types = _content_types(archive, names)
    whole = [entry for entry in entries if _read_whole(entry, types.get(entry.filename, ""))]
    size = sum(entry.file_size for entry in whole)
    if size > MAX_WHOLE:
        largest = max(whole, key=lambda entry: entry.file_size)
        raise ImportFormatError(
            "",
            f"{noun}中需整体读入的部分（正文、样式、关系等）解压后共约{_megabytes(size)}MB，"
            f"超过上限{_megabytes(MAX_WHOLE)}MB，拒绝导入（未读取内容）；"
            f"其中最大的是{largest.filename}（约{_megabytes(largest.file_size)}MB）。",
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
                f"{noun}解压后约{_megabytes(total)}MB，超过上限{_megabytes(MAX_UNCOMPRESSED)}MB，拒绝导入。",
            )
        _check_whole(archive, entries, names, noun)
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
