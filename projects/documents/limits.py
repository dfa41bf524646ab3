"""Limits of what the readers accept, checked before the work they would cost.

One place, so that the text, JSON, Excel and Word readers refuse alike and the
pages can state the limits. Uploads are also capped by
`settings.PERFGOALS_MAX_UPLOAD_BYTES`.
"""

# Zip containers (.xlsx, .docx): checked on the zip directory before anything is decompressed.
MAX_ENTRIES = 5000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100  # per entry larger than RATIO_FLOOR; our own sheets compress ~10:1
RATIO_FLOOR = 1024 * 1024
MACRO_ENTRY = "vbaproject.bin"

# Worksheets and tables.
MAX_ROWS = 20000
MAX_COLUMNS = 50

# Word documents (.docx), read by `readers.docx` through `readers.grid` (issue 11).
MAX_DOCX_TABLES = 1000
MAX_DOCX_CELLS = 200_000
MAX_CELL_CHARS = 20_000
MAX_DOCX_CHARS = 5_000_000
