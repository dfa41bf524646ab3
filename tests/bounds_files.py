"""Crafted files of issue 12 for the reader bounds: written with zipfile, no Excel needed."""

import io
import re
import zipfile

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def small_workbook():
    """A one-sheet workbook with a few texts (openpyxl writes it; about 5 KB)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "表1"
    sheet["A1"] = "2025年项目支出绩效目标表"
    sheet["A2"] = "项目名称"
    sheet["B2"] = "测试项目"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _rewrite(data, change):
    """A copy of the zip `data`; `change(name, body, out)` returns the new body, or None if it wrote it."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            body = change(info.filename, source.read(info.filename), target)
            if body is not None:
                target.writestr(info.filename, body)
    return out.getvalue()


def crafted_dimension():
    """About 5 KB whose worksheet claims the whole sheet: `A1:XFD1048576`."""

    def change(name, body, out):
        if name.startswith("xl/worksheets/"):
            return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', body)
        return body

    return _rewrite(small_workbook(), change)


def _strings_block(number):
    """About 30 KB of shared strings: a repeated part deflate finds again, and 600 fresh digits,
    so that the part compresses about 50:1, below the ratio that marks a zip bomb (as in the issue)."""
    fresh = "".join(f"{(number * 7919 + i * 104729) % 10**12:012d}" for i in range(50))
    return ("<si><t>测试指标名称重复的文字内容</t></si>" * 640 + f"<si><t>{fresh}</t></si>").encode()


def big_shared_strings(megabytes):
    """A workbook whose shared strings take `megabytes` uncompressed."""
    blocks = megabytes * 2**20 // len(_strings_block(0)) + 1

    def change(name, body, out):
        if name == "xl/_rels/workbook.xml.rels":
            return body.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdStrings" Target="sharedStrings.xml" Type="http://schemas.'
                b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
            )
        if name == "[Content_Types].xml":
            return body.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
        if name == "xl/workbook.xml":
            out.writestr(name, body)
            with out.open("xl/sharedStrings.xml", "w") as strings:
                strings.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="%s">' % MAIN)
                for number in range(blocks):
                    strings.write(_strings_block(number))
                strings.write(b"</sst>")
            return None
        return body

    return _rewrite(small_workbook(), change)


def empty_cells(rows, columns):
    """A workbook whose sheet holds rows × columns empty cells (`<c r="A1"/>`)."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(c).encode() for c in range(1, columns + 1)]

    def change(name, body, out):
        if name.startswith("xl/worksheets/"):
            head, _, rest = body.partition(b"<sheetData>")
            tail = rest.partition(b"</sheetData>")[2]
            with out.open(name, "w") as sheet:
                sheet.write(head + b"<sheetData>")
                for r in range(1, rows + 1):
                    cells = b"".join(b'<c r="%s%d"/>' % (letter, r) for letter in letters)
                    sheet.write(b'<row r="%d">%s</row>' % (r, cells))
                sheet.write(b"</sheetData>" + tail)
            return None
        return body

    return _rewrite(small_workbook(), change)


def long_document(megabytes):
    """A Word document whose body (word/document.xml) takes about `megabytes`: short paragraphs."""
    from docx import Document

    document = Document()
    document.add_paragraph("2025年项目支出绩效目标表")
    out = io.BytesIO()
    document.save(out)
    paragraph = b"<w:p><w:r><w:t>%d</w:t></w:r></w:p>"
    count = int(megabytes * 2**20) // (len(paragraph) + 4)

    def change(name, body, target):
        if name == "word/document.xml":
            head, _, rest = body.partition(b"<w:body>")
            with target.open(name, "w") as part:
                part.write(head + b"<w:body>")
                for i in range(count):
                    part.write(paragraph % i)
                part.write(rest)
            return None
        return body

    return _rewrite(out.getvalue(), change)
