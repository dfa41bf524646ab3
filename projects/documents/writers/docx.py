"""The approval sheet as a Word document (python-docx), drawn from the layout.

The document looks like the issued one: A4 portrait, the title 宋体 bold 小二
(18 pt) centred, the unit line and 金额单位 above the tables, the tables in
宋体 五号 (10.5 pt) with single black borders, labels and headers bold, the
merged cells of the layout (目标名称 / 一级指标 / 二级指标 down their rows, the
basic fields across) merged in Word. A sheet that is not approved carries the
red 未批复（状态） mark under which nothing is an approval.

Each table block of the layout becomes one Word table; a section title (长期
绩效目标表 …) opens the table it heads, and its title and column header rows
repeat on every printed page. Tables are separated by an empty 1 pt paragraph
so that Word keeps them apart. A batch writes one project per page.

The Word reader (`readers.docx`) reads these documents back.
"""

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "宋体"
TITLE_SIZE = Pt(18)  # 小二
BODY_SIZE = Pt(10.5)  # 五号
MARK_COLOR = RGBColor(0xC0, 0x00, 0x00)
PAGE_WIDTH, PAGE_HEIGHT = Cm(21), Cm(29.7)
MARGIN_SIDE, MARGIN_TOP = Cm(1.8), Cm(2)
# Column widths in cm (17.4 cm usable), in the proportions of the Excel sheet.
COLUMN_WIDTHS_CM = (2.55, 1.9, 2.4, 4.4, 2.4, 3.75)
CENTERED = {"section", "header", "label", "goal", "level1", "level2", "target", "basis"}
BOLD = {"section", "header", "label"}


def _east_asian(run_or_style_font_element, name):
    """Word takes Chinese text's font from w:eastAsia, which python-docx does not set."""
    fonts = run_or_style_font_element.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        run_or_style_font_element.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def _font(run, size=BODY_SIZE, bold=False, color=None):
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    _east_asian(run._element.get_or_add_rPr(), FONT)


def _paragraph(container, text, *, align=WD_ALIGN_PARAGRAPH.LEFT, size=BODY_SIZE, bold=False, color=None):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(0)
    lines = (text or "").split("\n")
    for number, line in enumerate(lines):
        run = paragraph.add_run(line)
        _font(run, size, bold, color)
        if number < len(lines) - 1:
            run.add_break()
    return paragraph


def _set_cell(cell, text, role):
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if role in CENTERED else WD_ALIGN_PARAGRAPH.LEFT
    paragraph.paragraph_format.space_after = Pt(0)
    lines = (text or "").split("\n")
    for number, line in enumerate(lines):
        run = paragraph.add_run(line)
        _font(run, bold=role in BOLD)
        if number < len(lines) - 1:
            run.add_break()


def _repeat_as_header(row):
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _no_split(row):
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))


def _table(document, rows, repeat=0):
    """One Word table of layout rows (their numbers shifted to start at 0)."""
    first = rows[0].number
    table = document.add_table(rows=len(rows), cols=len(COLUMN_WIDTHS_CM))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for word_row in table.rows:
        for col, cell in enumerate(word_row.cells):
            cell.width = Cm(COLUMN_WIDTHS_CM[col])
    for index in range(repeat):
        _repeat_as_header(table.rows[index])
    for row in rows:
        _no_split(table.rows[row.number - first])
        for cell in row.cells:
            top = row.number - first
            target = table.cell(top, cell.col)
            if cell.colspan > 1 or cell.rowspan > 1:
                target = target.merge(table.cell(top + cell.rowspan - 1, cell.last_col))
            _set_cell(target, cell.text, cell.role)
    return table


def _spacer(document):
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = Pt(1)
    _font(paragraph.add_run(""), size=Pt(1))
    return paragraph


def _heading(document, block):
    for row in block.head:
        if row.kind == "mark":
            _paragraph(
                document,
                f"{row.cells[0].text}　此表尚未批复，不作为批复依据",
                align=WD_ALIGN_PARAGRAPH.CENTER,
                size=Pt(12),
                bold=True,
                color=MARK_COLOR,
            )
        elif row.kind == "title":
            title = _paragraph(
                document, row.cells[0].text, align=WD_ALIGN_PARAGRAPH.CENTER, size=TITLE_SIZE, bold=True
            )
            title.paragraph_format.space_after = Pt(8)
        else:  # 预算单位：… and 金额单位：万元 on one line, the amount unit at the right margin
            paragraph = _paragraph(document, row.cells[0].text)
            usable = PAGE_WIDTH - 2 * MARGIN_SIDE
            paragraph.paragraph_format.tab_stops.add_tab_stop(usable, alignment=2)  # right
            run = paragraph.add_run("\t" + row.cells[1].text)
            _font(run)
            paragraph.paragraph_format.space_after = Pt(3)


def _approval(document, block):
    """批复单位 at the left and 批复日期 at the right margin, under the last table."""
    for row in block.head:
        body = next((cell.text for cell in row.cells if cell.role == "approval_body"), "")
        day = next(cell.text for cell in row.cells if cell.role == "approval_date")
        paragraph = _paragraph(document, body)
        paragraph.paragraph_format.space_before = Pt(6)
        paragraph.paragraph_format.tab_stops.add_tab_stop(PAGE_WIDTH - 2 * MARGIN_SIDE, alignment=2)
        _font(paragraph.add_run("\t" + day))


def _draw(document, sheet):
    pending_section = None
    first_table = True
    for block in sheet.blocks:
        if block.kind == "heading":
            _heading(document, block)
            continue
        if block.kind == "approval":
            _approval(document, block)
            continue
        if block.kind == "section":  # opens the table it heads
            pending_section = block
            continue
        rows = block.rows
        repeat = len(block.head)
        if pending_section is not None:
            rows = pending_section.rows + rows
            repeat += len(pending_section.rows)
            pending_section = None
        if not first_table:
            _spacer(document)
        _table(document, rows, repeat=repeat)
        first_table = False


def _document():
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin = section.right_margin = MARGIN_SIDE
    section.top_margin = section.bottom_margin = MARGIN_TOP
    normal = document.styles["Normal"]
    normal.font.size = BODY_SIZE
    _east_asian(normal.element.get_or_add_rPr(), FONT)
    return document


def _footer_page_numbers(document):
    """`第 N 页，共 M 页` centred in the footer, as the printed sheet has it."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, field in (("第 ", None), (None, "PAGE"), (" 页，共 ", None), (None, "NUMPAGES"), (" 页", None)):
        run = paragraph.add_run(text or "")
        _font(run, size=Pt(9))
        if field:
            begin, instruction, end = (
                OxmlElement("w:fldChar"),
                OxmlElement("w:instrText"),
                OxmlElement("w:fldChar"),
            )
            begin.set(qn("w:fldCharType"), "begin")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = field
            end.set(qn("w:fldCharType"), "end")
            run._r.append(begin)
            run._r.append(instruction)
            run._r.append(end)


def _save(document):
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def write_sheet(sheet):
    """One sheet (see `projects.documents.layout`) as .docx bytes."""
    document = _document()
    document.core_properties.title = sheet.title
    document.core_properties.subject = sheet.name
    _footer_page_numbers(document)
    _draw(document, sheet)
    return _save(document)


def write_sheets(sheets):
    """Several sheets in one document, each starting on a new page; returns (bytes, count)."""
    document = _document()
    document.core_properties.title = "项目支出绩效目标批复"
    _footer_page_numbers(document)
    count = 0
    for count, sheet in enumerate(sheets, start=1):
        if count > 1:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _draw(document, sheet)
    return _save(document), count
