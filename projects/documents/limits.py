"""Limits of what the readers accept, checked before the work they would cost.

One place, so that the text, JSON, Excel and Word readers refuse alike and the
pages can state the limits. Uploads are also capped by
`settings.PERFGOALS_MAX_UPLOAD_BYTES`, pasted text by `MAX_TEXT_CHARS`.
Together they keep any accepted file within about 5 s and 300 MB
(tests/test_reader_bounds.py measures the crafted files of issue 12).
"""

# Zip containers (.xlsx, .docx): checked on the zip directory before anything is decompressed.
MAX_ENTRIES = 5000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100  # per entry larger than RATIO_FLOOR; our own sheets compress ~10:1
RATIO_FLOOR = 1024 * 1024
MACRO_ENTRY = "vbaproject.bin"
# Parts that openpyxl / python-docx load whole into memory, and each worksheet
# (read as a stream): their uncompressed size, from the zip directory.
MB = 1024 * 1024
PART_LIMITS = (
    ("xl/sharedStrings.xml", "共享字符串", 4 * MB),
    ("xl/styles.xml", "样式表", 8 * MB),
    ("xl/worksheets/", "工作表", 16 * MB),
    ("word/document.xml", "文档正文", 10 * MB),
)

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
