"""The figures of the statistics page as a workbook: one sheet per chart, its table."""

from decimal import Decimal

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FONT = "SimSun"


def sheet_name(title, used):
    """An Excel sheet name (≤31 characters, no []:*?/\\), unique in the workbook."""
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "图表"
    candidate, number = name, 2
    while candidate.lower() in used:
        suffix = f"（{number}）"
        candidate, number = name[: 31 - len(suffix)] + suffix, number + 1
    used.add(candidate.lower())
    return candidate


def write_charts(charts, year, scope_note, output):
    import xlsxwriter

    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_numbers": False})
    workbook.set_properties({"title": f"{year}年统计分析"})
    title = workbook.add_format({"font_name": FONT, "bold": True, "font_size": 14})
    note = workbook.add_format({"font_name": FONT, "font_color": "#57606A"})
    head = workbook.add_format({"font_name": FONT, "bold": True, "border": 1, "bg_color": "#F1EFE8"})
    text = workbook.add_format({"font_name": FONT, "border": 1})
    number = workbook.add_format({"font_name": FONT, "border": 1, "num_format": "#,##0.######"})
    used = set()
    if not charts:
        workbook.add_worksheet("统计分析").write_string(0, 0, "没有可统计的项目。", note)
    for chart in charts:
        sheet = workbook.add_worksheet(sheet_name(chart.title, used))
        sheet.write_string(0, 0, f"{year}年 {chart.title}" if chart.yearly else chart.title, title)
        sheet.write_string(1, 0, f"统计范围：{scope_note}" + (f"；{chart.note}" if chart.note else ""), note)
        sheet.write_row(3, 0, chart.table.columns, head)
        for col, label in enumerate(chart.table.columns):
            widest = max([len(label), *(len(str(row[col] or "")) for row in chart.table.rows)])
            sheet.set_column(col, col, max(10, min(50, widest * 2 + 2)))  # a Chinese character: 2
        for row, cells in enumerate(chart.table.rows, start=4):
            for col, value in enumerate(cells):
                if value is None:  # no figure: an empty cell
                    sheet.write_blank(row, col, None, text)
                elif isinstance(value, (int, Decimal)) and not isinstance(value, bool):
                    sheet.write_number(row, col, float(value), number)
                else:
                    sheet.write_string(row, col, str(value), text)
    workbook.close()
