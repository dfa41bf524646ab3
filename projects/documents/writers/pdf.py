"""The approval sheet as PDF: WeasyPrint renders the same HTML sheet template.

Without WeasyPrint (or its Pango libraries) or without a CJK serif font the
PDF would come out with empty boxes instead of Chinese; `missing()` says what
to install so the view can answer with a clear page instead.
"""

import functools
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

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


def render_pdf(sheet, base_url=None, stylesheets=("css/sheet.css",)):
    """PDF bytes of a sheet layout (see `projects.documents.layout`): the HTML sheet
    template with the given static stylesheets (a form's own styles after the sheet's)."""
    from weasyprint import CSS, HTML

    html = render_to_string("projects/sheet_document.html", {"sheet": sheet, "pdf": True})
    styles = [CSS(filename=finders.find(name)) for name in stylesheets]
    return HTML(string=html, base_url=base_url).write_pdf(stylesheets=styles)
