"""The approval sheet as PDF: WeasyPrint renders the same HTML sheet template.

Without WeasyPrint (or its Pango libraries) or without a CJK serif font the
PDF would come out with empty boxes instead of Chinese; `missing()` says what
to install so the view can answer with a clear page instead.
"""

import functools
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from ..layout import with_page_splits

FONT_FAMILY = "Noto Serif CJK SC"
FONT_GLOBS = ("NotoSerifCJK*", "NotoSerifSC*")
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")


def font_family():
    return getattr(settings, "PERFGOALS_PDF_FONT", FONT_FAMILY)


@functools.cache
def font_installed(family):
    """Whether fontconfig knows `family` (falls back to looking for the files)."""
    fc_list = shutil.which("fc-list")
    if fc_list:
        try:
            out = subprocess.run(
                [fc_list, family, "family"], capture_output=True, text=True, timeout=10, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        return any(family in line.split(",") for line in out.splitlines())
    if family != FONT_FAMILY:
        return False
    return any(any(Path(d).rglob(pattern)) for d in FONT_DIRS for pattern in FONT_GLOBS if Path(d).is_dir())


@functools.cache
def _weasyprint_problem():
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        return str(exc)
    return None


def missing():
    """What is missing to print Chinese PDFs, as (component, how to install), or None."""
    problem = _weasyprint_problem()
    if problem:
        return (
            "PDF引擎WeasyPrint无法加载",
            "请在虚拟环境中执行 pip install weasyprint，并安装系统库："
            "apt-get install libpango-1.0-0 libpangoft2-1.0-0",
        )
    family = font_family()
    if not font_installed(family):
        return (
            f"中文字体“{family}”未安装",
            "请安装中文字体：apt-get install fonts-noto-cjk（安装后执行 fc-cache -f 并重启服务）",
        )
    return None


# Each pass settles the next page cut of every row group; real sheets need one or two.
MAX_PASSES = 8


def render_pdf(sheet, base_url=None, stylesheets=("css/sheet.css",)):
    """PDF bytes of a sheet layout (see `projects.documents.layout`): the HTML sheet
    template with the given static stylesheets (a form's own styles after the sheet's).

    Where a page cuts a goal's rows, the cut becomes part of the layout
    (`layout.with_page_splits`): the rest starts the next page with its 目标名称
    repeated as `年度绩效目标1（续）` (and its 一级/二级指标), instead of an empty cell;
    continuation pages name the project at the top (sheet.css). Where pages fall is
    measured on the sheet without merged cells and without keeping level-1 groups
    together: WeasyPrint pushes a merged cell or a kept group that cannot fit on a page
    to the next one whole, leaving a blank page and losing the table header."""
    from weasyprint import CSS

    styles = [CSS(filename=finders.find(name)) for name in stylesheets]
    for _ in range(MAX_PASSES):
        measured = _render(_unmerged(sheet), base_url, styles)
        splits = {key: _group_start(sheet, key, row) for key, row in page_splits(measured).items()}
        if not splits:
            break
        sheet = with_page_splits(sheet, splits)
    return _render(sheet, base_url, styles).write_pdf()


def _group_start(sheet, key, row):
    """Cut before the level-1 group that row `row` belongs to, unless the group starts
    the row group (then it is longer than a page and is cut where the page is)."""
    body = sheet.blocks[key[0]].bodies[key[1]]
    start = row
    while start > 0 and body[start].keep_with_previous:
        start -= 1
    return start or row


def _render(sheet, base_url, styles):
    from weasyprint import HTML

    html = render_to_string("projects/sheet_document.html", {"sheet": sheet, "pdf": True})
    return HTML(string=html, base_url=base_url).render(stylesheets=styles)


def _unmerged(sheet):
    """`sheet` with every merged cell of its row groups drawn as one cell per row (the text
    in the first) and no level-1 group kept together: the same rows and heights, but
    rows a page may cut anywhere."""
    blocks = []
    for block in sheet.blocks:
        bodies = []
        for body in block.bodies:
            rows = [replace(row, cells=list(row.cells)) for row in body]
            for index, row in enumerate(body):
                for position, cell in enumerate(row.cells):
                    if cell.rowspan > 1:
                        rows[index].cells[position] = replace(cell, rowspan=1)
                        for below in rows[index + 1 : index + cell.rowspan]:
                            below.cells.append(replace(cell, text="", rowspan=1))
            for row in rows:
                row.cells.sort(key=lambda cell: cell.col)
                row.keep_with_previous = False
            bodies.append(rows)
        blocks.append(replace(block, bodies=bodies))
    return replace(sheet, blocks=blocks)


def page_splits(document):
    """{(block, body): row} for each row group with merged cells that a page cuts: the
    first of its rows on a later page than its first row (rows carry `data-place`)."""
    pages = {}  # (block, body, row) -> first page
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants(placeholders=True):
            element = getattr(box, "element", None)
            place = element.get("data-place") if element is not None and box.element_tag == "tr" else None
            if place:
                pages.setdefault(tuple(int(part) for part in place.split("-")), number)
    first_page, splits = {}, {}
    for (block, body, row), number in sorted(pages.items()):
        start = first_page.setdefault((block, body), number)
        if number > start and (block, body) not in splits and row > 0:
            splits[(block, body)] = row
    return splits
