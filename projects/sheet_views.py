"""Views of the approval sheet: print page, Excel and PDF downloads, batch
exports of the filtered list, and the upload page for importing sheets."""

import io

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header

from .documents import layout
from .documents.errors import ImportFormatError
from .documents.readers import read_projects
from .documents.writers import pdf as sheet_pdf
from .documents.writers import xlsx as sheet_xlsx
from .filters import ProjectFilter
from .forms import departments_for_filler, filler_unit_field
from .models import Project
from .services import import_projects

PDF_TYPE = "application/pdf"
UPLOAD_SUFFIXES = (".xlsx", ".docx", ".txt", ".json")


def _sheet_of(request, pk):
    project = get_object_or_404(Project.objects.visible_to(request.user).with_tree(), pk=pk)
    return project, layout.build_sheet(project)


def _download(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _filename(project, suffix):
    return f"{project.year}年{project.name}绩效目标批复.{suffix}"


@login_required
def sheet(request, pk):
    project, sheet = _sheet_of(request, pk)
    return render(request, "projects/sheet.html", {"project": project, "sheet": sheet})


@login_required
def sheet_xlsx_download(request, pk):
    project = get_object_or_404(Project.objects.visible_to(request.user).with_tree(), pk=pk)
    return _download(sheet_xlsx.write_project(project), sheet_xlsx.CONTENT_TYPE, _filename(project, "xlsx"))


@login_required
def sheet_pdf_download(request, pk):
    project, sheet = _sheet_of(request, pk)
    problem = sheet_pdf.missing()
    if problem:
        context = {"project": project, "component": problem[0], "remedy": problem[1]}
        return render(request, "projects/sheet_pdf_unavailable.html", context, status=503)
    content = sheet_pdf.render_pdf(sheet, base_url=request.build_absolute_uri("/"))
    return _download(content, PDF_TYPE, _filename(project, "pdf"))


def _filtered(request):
    """The list page's projects: scoped to the user first, then its GET filters."""
    base = Project.objects.visible_to(request.user)
    return ProjectFilter(request.GET, queryset=base, user=request.user).qs


@login_required
def export_xlsx(request):
    buffer = io.BytesIO()
    sheet_xlsx.write_batch(_filtered(request), buffer)
    return _download(buffer.getvalue(), sheet_xlsx.CONTENT_TYPE, "项目支出绩效目标批复.xlsx")


@login_required
def export_rows(request):
    buffer = io.BytesIO()
    sheet_xlsx.write_rows(_filtered(request), buffer)
    return _download(buffer.getvalue(), sheet_xlsx.CONTENT_TYPE, "绩效指标明细.xlsx")


# -- import --------------------------------------------------------------------


class ImportForm(forms.Form):
    department = filler_unit_field()
    file = forms.FileField(
        label="批复表文件",
        help_text=(
            "Word文档（.docx）、Excel工作簿（.xlsx：本系统导出的或单位自制的）、文本（.txt）或JSON（.json）；"
            "可读批复表、项目支出绩效目标表、绩效目标申报表等常见格式"
        ),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = units

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.PERFGOALS_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"文件大小{upload.size / 2**20:.1f}MB，超过上限{limit / 2**20:.1f}MB，拒绝导入。"
            )
        name = upload.name.lower()
        if name.endswith((".xlsm", ".xlsb", ".xls")):
            raise forms.ValidationError(
                "只接受.xlsx格式的工作簿（不接受含宏或旧版格式），请在Excel中另存为.xlsx。"
            )
        if name.endswith((".docm", ".doc")):
            raise forms.ValidationError(
                "只接受.docx格式的Word文档（不接受含宏或旧版.doc格式），请在Word中另存为.docx。"
            )
        if not name.endswith(UPLOAD_SUFFIXES):
            raise forms.ValidationError("只能导入.docx、.xlsx、.txt或.json文件。")
        return upload


@login_required
def import_upload(request):
    units = departments_for_filler(request.user)
    if not units.exists():
        return render(request, "projects/import_forbidden.html", status=403)
    form = ImportForm(request.POST or None, request.FILES or None, units=units)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        unit = form.cleaned_data["department"]
        try:
            parsed = read_projects(upload.name, upload.read())
            report = import_projects(parsed.projects, department=unit.name, user=request.user)
        except ImportFormatError as exc:
            context["failure"] = str(exc)
        else:
            context.update(
                report=report,
                repairs=parsed.repairs,
                skipped=parsed.skipped,
                unplaced=parsed.unplaced,
                unit=unit,
                filename=upload.name,
            )
    return render(request, "projects/import.html", context)
