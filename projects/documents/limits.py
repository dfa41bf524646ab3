"""Limits of what the readers accept, checked before the work they would cost.

One place, so that the text, JSON, Excel and Word readers refuse alike and the
pages can state the limits. Uploads are also capped by
`settings.PERFGOALS_MAX_UPLOAD_BYTES`, pasted text by `MAX_TEXT_CHARS`.
Together they keep any accepted file within about 5 s and 300 MB
(tests/test_reader_bounds.py measures the crafted files of issue 12).
"""

# Zip containers (.xlsx, .docx): checked on the zip directory before anything is
# decompressed (zipfile never inflates an entry past the size the directory states).
MB = 1024 * 1024
MAX_ENTRIES = 5000
MAX_RATIO = 100  # per entry larger than RATIO_FLOOR; our own sheets compress ~10:1
RATIO_FLOOR = MB
MACRO_ENTRY = "vbaproject.bin"
# Every part has a limit on its uncompressed size: the first pattern (re.fullmatch on
# the part's name) that matches gives it, OTHER_PART the rest. A part is "whole" when
# openpyxl or python-docx parse it whole into memory (about 15-25 MB of memory a MB of
# XML, measured); worksheets are read as a stream, pictures, embedded files and fonts
# are held as bytes. A part at an unusual name is counted whole: the libraries find
# parts through the relationships and content types, not by their names.
PART_LIMITS = (
    (r"\[Content_Types\]\.xml", "内容类型清单", 1 * MB, True),
    (r".*\.rels", "关系清单", 1 * MB, True),
    (r"docProps/.*", "文档属性", 1 * MB, True),
    (r"(xl|word)/theme/.*", "主题", 2 * MB, True),
    (r"(xl|word)/media/.*", "图片", 8 * MB, False),
    (r"(xl|word)/embeddings/.*", "嵌入对象", 8 * MB, False),
    (r"word/fonts/.*", "嵌入字体", 8 * MB, False),
    (r"xl/workbook\.xml", "工作簿结构", 2 * MB, True),
    (r"xl/sharedStrings\.xml", "共享字符串", 4 * MB, True),
    (r"xl/styles\.xml", "样式表", 4 * MB, True),
    (r"xl/worksheets/.*", "工作表", 16 * MB, False),
    (r"xl/externalLinks/.*", "外部链接", 1 * MB, True),
    (r"xl/(chartsheets|drawings|charts)/.*", "图表", 2 * MB, True),
    (r"word/document\.xml", "文档正文", 10 * MB, True),
    (r"word/styles\.xml", "样式表", 2 * MB, True),
    (r"word/numbering\.xml", "编号定义", 2 * MB, True),
    (r"word/settings\.xml", "文档设置", 1 * MB, True),
    (r"word/header\d*\.xml", "页眉", 1 * MB, True),
    (r"word/footer\d*\.xml", "页脚", 1 * MB, True),
    (r"word/comments\w*\.xml", "批注", 2 * MB, True),
    (r"word/(footnotes|endnotes)\.xml", "脚注或尾注", 2 * MB, True),
)
OTHER_PART = ("内部文件", 2 * MB, True)
# The parts read whole, together (one Word body at its limit takes 227 MB at 9.8 MB,
# measured), and all the parts of a container together.
MAX_WHOLE = 12 * MB
MAX_UNCOMPRESSED = 32 * MB
# Worksheets and tables.
MAX_ROWS = 20000
MAX_COLUMNS = 50
# Filled cells of one file (all sheets of a workbook, all tables of a document,
# all lines of a text): what the recognizer of other layouts may be given.
MAX_CELLS = 50_000
# Excel: the rows and cells one worksheet's XML may hold (filled or empty), and
# the cells a sheet's used area (A1 to the last filled row and column) or its
# merged ranges may span.
MAX_SHEET_ELEMENTS = 500_000
MAX_SHEET_AREA = 100_000
MAX_MERGED_CELLS = 100_000

# Word documents (.docx), read by `readers.docx` through `readers.grid` (issue 11).
MAX_DOCX_TABLES = 1000
MAX_DOCX_CELLS = MAX_CELLS
MAX_CELL_CHARS = 20_000
MAX_DOCX_CHARS = 5_000_000

# Text (a .txt file or the paste page) and JSON.
MAX_TEXT_CHARS = 500_000
MAX_JSON_DEPTH = 32
