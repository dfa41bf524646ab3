"""Views of the approval sheet: print page, Excel, PDF and Word downloads of a live
project and of an approval snapshot (one layout, one path), and batch exports of
the filtered list. (Importing files: `import_views`.)"""

import io

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from perfgoals.downloads import download

from .documents import layout
from .documents.data import approval_to_dict
from .documents.writers import docx as sheet_docx
from .documents.writers import pdf as sheet_pdf
from .documents.writers import xlsx as sheet_xlsx
from .filters import ProjectFilter
from .models import ApprovalSnapshot, Project

PDF_TYPE = "application/pdf"


class SheetSource:
    """What a sheet page or file is drawn from: a live project, or one of its approval
    snapshots (frozen project data), always through `layout.build_sheet`."""

    def __init__(self, request, pk, snapshot_id=None):
        visible = Project.objects.restrict(request.user, "export")
        if snapshot_id is None:
            self.project = get_object_or_404(visible.with_tree(), pk=pk)
            self.snapshot = None
            self.sheet = layout.build_sheet(self.project)
        else:
            self.project = get_object_or_404(visible, pk=pk)
            snapshots = ApprovalSnapshot.objects.filter(project=self.project)
            self.snapshot = get_object_or_404(snapshots, pk=snapshot_id)
            data = self.snapshot.data
            if "approval" not in data:  # a snapshot taken before sheets named the approval
                approved_on = timezone.localdate(self.snapshot.approved_at)
                data = {**data, "approval": approval_to_dict("", approved_on)}
            self.sheet = layout.build_sheet(data)
            self.snapshot.step_list = [
                {**step, "at": parse_datetime(step["at"])} for step in self.snapshot.steps
            ]
            # 第N次批复: its place among the project's approvals, not the internal version counter
            self.snapshot.number = snapshots.filter(approved_at__lte=self.snapshot.approved_at).count()

    def filename(self, suffix):
        archive = f"（第{self.snapshot.number}次批复存档）" if self.snapshot else ""
        return f"{layout.year_titled(self.project.year, self.sheet.name)}绩效目标批复{archive}.{suffix}"

    def url_args(self):
        return [self.project.pk] + ([self.snapshot.pk] if self.snapshot else [])


@login_required
def sheet(request, pk, snapshot_id=None):
    """The print page (A4) of a project's sheet, or of an approval snapshot."""
    source = SheetSource(request, pk, snapshot_id)
    prefix = "projects:snapshot" if source.snapshot else "projects:sheet"
    context = {
        "project": source.project,
        "sheet": source.sheet,
        "snapshot": source.snapshot,
        "downloads": [
            (reverse(f"{prefix}_{fmt}", args=source.url_args()), label) for fmt, label in DOWNLOAD_LABELS
        ],
    }
    return render(request, "projects/sheet.html", context)


DOWNLOAD_LABELS = (("xlsx", "导出Excel"), ("pdf", "导出PDF"), ("docx", "导出Word"))
WRITERS = {
    "xlsx": (sheet_xlsx.write_sheet, sheet_xlsx.CONTENT_TYPE),
    "docx": (sheet_docx.write_sheet, sheet_docx.CONTENT_TYPE),
}


@login_required
def sheet_file(request, pk, fmt, snapshot_id=None):
    """The sheet as .xlsx, .pdf or .docx (`fmt` from the URL configuration)."""
    source = SheetSource(request, pk, snapshot_id)
    if fmt in WRITERS:
        write, content_type = WRITERS[fmt]
        return download(write(source.sheet), content_type, source.filename(fmt))
    problem = sheet_pdf.missing()
    if problem:
        context = {"project": source.project, "component": problem[0], "remedy": problem[1]}
        return render(request, "projects/sheet_pdf_unavailable.html", context, status=503)
    content = sheet_pdf.render_pdf(source.sheet, base_url=request.build_absolute_uri("/"))
    return download(content, PDF_TYPE, source.filename("pdf"))


def _filtered(request):
    """The list page's projects: scoped to the user first, then its GET filters.

    An invalid filter (`?year=abc`, a unit the user cannot see) is refused, as the
    list refuses it, instead of exporting everything the user may see.
    """
    base = Project.objects.restrict(request.user, "export")
    filterset = ProjectFilter(request.GET, queryset=base, user=request.user)
    if not filterset.is_valid():
        fields = filterset.form.fields
        problems = [
            f"{fields[name].label if name in fields else name}：{error.rstrip('。 ')}。"
            for name, errors in filterset.form.errors.items()
            for error in errors
        ]
        return None, render(request, "projects/export_refused.html", {"problems": problems}, status=400)
    return filterset.qs, None


def _batch(request, write, content_type, filename):
    """A batch export of the list's filter (refused when the filter is invalid)."""
    projects, refused = _filtered(request)
    if refused:
        return refused
    return download(write(projects), content_type, filename)


def _into_buffer(write):
    def written(projects):
        buffer = io.BytesIO()
        write(projects, buffer)
        return buffer.getvalue()

    return written


@login_required
def export_xlsx(request):
    """汇总 and one worksheet per project."""
    write = _into_buffer(sheet_xlsx.write_batch)
    return _batch(request, write, sheet_xlsx.CONTENT_TYPE, "项目支出绩效目标批复.xlsx")


@login_required
def export_docx(request):
    """Every sheet of the list's filter in one Word document, one project per page."""

    def write(projects):
        sheets = (layout.build_sheet(project) for project in sheet_xlsx.iter_with_tree(projects))
        return sheet_docx.write_sheets(sheets)[0]

    return _batch(request, write, sheet_docx.CONTENT_TYPE, "项目支出绩效目标批复.docx")


@login_required
def export_rows(request):
    """One row per indicator."""
    write = _into_buffer(sheet_xlsx.write_rows)
    return _batch(request, write, sheet_xlsx.CONTENT_TYPE, "绩效指标明细.xlsx")
