"""Read approval and target tables from a Word document (.docx, python-docx).

The zip container is checked first (entries, size, ratio, macros: `container`),
then the body's paragraphs and tables become one grid (`grid.grid_from_docx`:
merged cells resolved, checkbox characters and Wingdings symbols read, the work
bounded by `limits`). One document may hold one or many projects, with titles as
paragraphs between tables or as rows of a table. The official layout goes to
its own reader (`official`), every other layout to the recognizer.
"""

import io

from ..errors import ImportFormatError
from .container import check_container
from .grid import grid_from_docx
from .official import is_official, read_official
from .recognize import recognize


def read_grid(grid):
    return read_official(grid) if is_official(grid) else recognize(grid)


def read_document(data):
    from docx import Document

    check_container(data, expect="docx")
    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for a damaged file
        raise ImportFormatError("", f"无法读取Word文档（{type(exc).__name__}），文件可能已损坏。") from None
    return read_grid(grid_from_docx(document.element.body))
