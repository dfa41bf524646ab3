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


def big_shared_strings(megabytes, data=None):
    """A workbook (`data`, or a small one) whose shared strings take `megabytes` uncompressed."""
    blocks = int(megabytes * 2**20) // len(_strings_block(0)) + 1

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

    return _rewrite(data or small_workbook(), change)


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


def small_document():
    """A Word document of one paragraph (python-docx writes it; about 36 KB)."""
    from docx import Document

    document = Document()
    document.add_paragraph("2025年项目支出绩效目标表")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _fresh_block(unit, number):
    """About 30 KB of XML: `unit` repeated (deflate finds it again) and then 600 fresh digits
    inside the same element, so that a part of such blocks compresses about 50:1."""
    fresh = "".join(f"{(number * 7919 + i * 104729) % 10**12:012d}" for i in range(50))
    return unit % b"" * 640 + unit % fresh.encode()


def _swell(data, part, megabytes, unit, close):
    """A copy of the zip `data` whose `part` gains `megabytes` of `unit` blocks before `close`."""
    blocks = int(megabytes * 2**20) // len(_fresh_block(unit, 0)) + 1

    def change(name, body, out):
        if name != part:
            return body
        head, _, rest = body.rpartition(close)
        with out.open(name, "w") as target:
            target.write(head)
            for number in range(blocks):
                target.write(_fresh_block(unit, number))
            target.write(close + rest)
        return None

    return _rewrite(data, change)


def big_word_styles(megabytes, data=None):
    """A Word document (`data`, or a small one) whose styles (word/styles.xml) gain `megabytes`:
    python-docx parses them whole."""
    unit = b'<w:style w:type="paragraph" w:styleId="s%s"><w:name w:val="x"/></w:style>'
    return _swell(data or small_document(), "word/styles.xml", megabytes, unit, b"</w:styles>")


def big_defined_names(megabytes, data=None):
    """A workbook (`data`, or a small one) whose xl/workbook.xml gains `megabytes` of defined names:
    openpyxl parses it whole."""

    def change(name, body, out):
        if name == "xl/workbook.xml" and b"<definedNames>" not in body:
            return body.replace(b"</sheets>", b"</sheets><definedNames></definedNames>")
        return body

    unit = b"<definedName name=\"n%s\">'\xe8\xa1\xa81'!$A$1</definedName>"
    return _swell(
        _rewrite(data or small_workbook(), change), "xl/workbook.xml", megabytes, unit, b"</definedNames>"
    )


def big_styles(megabytes, data=None):
    """A workbook (`data`, or a small one) whose xl/styles.xml gains `megabytes` of cell formats."""
    unit = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><!--%s-->'
    return _swell(data or small_workbook(), "xl/styles.xml", megabytes, unit, b"</cellXfs>")


def disguised_styles(megabytes, data):
    """A Word document (`data`) with a picture's name that holds `megabytes` of styles: its
    content type (what python-docx goes by) says styles, and the body refers to it (not as a
    picture: python-docx would then keep it as bytes)."""
    styles = big_word_styles(megabytes)
    body = zipfile.ZipFile(io.BytesIO(styles)).read("word/styles.xml")

    def change(name, part, out):
        if name == "[Content_Types].xml":
            return part.replace(
                b"</Types>",
                b'<Override PartName="/word/media/image9.png" ContentType="application/vnd.openxmlformats-'
                b'officedocument.wordprocessingml.styles+xml"/></Types>',
            )
        if name == "word/_rels/document.xml.rels":
            return part.replace(
                b"</Relationships>",
                b'<Relationship Id="rId99" Target="media/image9.png" Type="http://schemas.openxmlformats.'
                b'org/officeDocument/2006/relationships/customXml"/></Relationships>',
            )
        if name == "word/document.xml":
            out.writestr(name, part)
            out.writestr("word/media/image9.png", body)
            return None
        return part

    return _rewrite(data, change)
