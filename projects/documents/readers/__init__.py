"""Turn an uploaded or given file into projects: detects its format by content."""

from ..errors import ImportFormatError
from .jsondoc import parse_document
from .text import ParseResult, parse_sheets

ZIP_MAGIC = b"PK\x03\x04"


def decode_text(data):
    """Text of a file saved by Word/Excel/Notepad: UTF-8 (with or without BOM) or GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFormatError("", "文件编码无法识别，请另存为UTF-8编码的文本文件。")


def read_projects(filename, data):
    """Parse a file's bytes into a ParseResult (projects as plain dicts, repairs)."""
    if data.startswith(ZIP_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        from .xlsx import read_workbook

        return read_workbook(data)
    if b"\x00" in data[:4096]:
        raise ImportFormatError("", "文件不是文本、JSON或Excel文件，无法导入。")
    text = decode_text(data)
    if text.lstrip().startswith("{") or filename.lower().endswith(".json"):
        return ParseResult(projects=parse_document(text), backup=True)
    return parse_sheets(text)
