"""Importing files in the browser: upload, preview what was understood, confirm.

Uploading reads the file at once (a file that cannot be read is refused with
the place and nothing is kept) and shows the preview: every project with its
header fields, goals and rows drawn like the approval sheet, what the import
would do with it (新建 / 更新 / 未变化 / 不能导入), and the reader's report
(repairs, skipped rows, text it had no place for). Nothing is stored until the
uploader confirms; the file waits meanwhile as a `PendingImport` of theirs.
Confirming reads the file again and imports it all or nothing, refusing a
project that someone changed after the preview.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .documents import layout
from .documents.errors import ImportFormatError
from .documents.readers import read_projects, unit_repairs
from .forms import filler_unit_field
from .models import Department, PendingImport, Status
from .services import import_projects, log_refused, plan_import
from .uploads import checked_upload

UPLOAD_SUFFIXES = (".docx", ".xlsx", ".txt", ".json")


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
        limit = settings.PERFGOALS_MAX_UPLOAD_BYTES / 2**20
        self.fields["file"].help_text += f"；文件不超过{limit:g}MB"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = checked_upload(upload)
        if name.endswith((".docm", ".doc")):
            raise forms.ValidationError(
                "只接受.docx格式的Word文档（不接受含宏或旧版.doc格式），请在Word中另存为.docx。"
            )
        if not name.endswith(UPLOAD_SUFFIXES):
            raise forms.ValidationError("只能导入.docx、.xlsx、.txt或.json文件。")
        return upload


def _units(request):
    return Department.objects.restrict(request.user, "import")


@login_required
def import_upload(request):
    """Step 1: choose the unit and the file; a readable file goes to its preview."""
    units = _units(request)
    if not units.exists():
        return render(request, "projects/import_forbidden.html", status=403)
    form = ImportForm(request.POST or None, request.FILES or None, units=units)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        unit = form.cleaned_data["department"]
        try:
            parsed = read_projects(upload.name, content)
        except ImportFormatError as exc:
            log_refused(upload.name, exc, request.user)
            context["failure"] = str(exc)
        else:
            _, seen = plan_import(parsed.projects, department=unit.name, user=request.user)
            PendingImport.expired().delete()
            pending = PendingImport.objects.create(
                user=request.user, department=unit, filename=upload.name[:255], content=content, seen=seen
            )
            return redirect("projects:import_preview", token=pending.token)
    return render(request, "projects/import.html", context)


def _pending(request, token):
    """The uploader's own file, still waiting (another user's token answers 404)."""
    pending = get_object_or_404(PendingImport.objects.select_related("department"), token=token)
    if pending.user_id != request.user.pk or pending in PendingImport.expired():
        raise Http404("没有这个待确认的导入（可能已确认、已取消或已过期），请重新上传文件。")
    return pending


def _read_pending(pending):
    """The waiting file read again, with the unit chosen on the page said where the file names another."""
    parsed = read_projects(pending.filename, bytes(pending.content))
    unit_repairs(parsed, pending.department.name)
    return parsed


def _preview_context(request, pending, parsed):
    plan, seen = plan_import(parsed.projects, department=pending.department.name, user=request.user)
    items = []
    for planned in plan:
        data = {**planned.data, "department": pending.department.name, "status": Status.DRAFT}
        items.append(
            {
                "planned": planned,
                "sheet": layout.build_sheet(data),
                "budget": layout.budget_text(data["budget"]),
            }
        )
    counts = {
        label: sum(1 for p in plan if p.label == label) for label in ("新建", "更新", "未变化", "不能导入")
    }
    return {
        "pending": pending,
        "items": items,
        "counts": counts,
        "importable": any(p.action in ("create", "update") for p in plan),
        "refused": [p for p in plan if p.action == "refused"],
        "repairs": parsed.repairs,
        "skipped": parsed.skipped,
        "unplaced": parsed.unplaced,
        "seen": seen,
    }


@login_required
def import_preview(request, token):
    """Step 2: what was understood, and what the import would do; confirm or cancel."""
    pending = _pending(request, token)
    try:
        parsed = _read_pending(pending)
    except ImportFormatError as exc:  # the readers changed since the upload
        pending.delete()
        return render(
            request, "projects/import.html", {"form": ImportForm(units=_units(request)), "failure": exc}
        )
    context = _preview_context(request, pending, parsed)
    if request.method == "GET":
        with transaction.atomic():
            pending.seen = context["seen"]
            pending.save(update_fields=["seen"])
    return render(request, "projects/import_preview.html", context)


@login_required
@require_POST
def import_confirm(request, token):
    """Step 3: import what the preview showed, all or nothing."""
    pending = _pending(request, token)
    if request.POST.get("action") == "cancel":
        pending.delete()
        messages.info(request, f"已取消导入“{pending.filename}”，未导入任何数据。")
        return redirect("projects:import")
    try:
        parsed = _read_pending(pending)
        report = import_projects(
            parsed.projects, department=pending.department.name, user=request.user, expected=pending.seen
        )
    except ImportFormatError as exc:
        log_refused(pending.filename, exc, request.user)
        pending.delete()
        context = {"form": ImportForm(units=_units(request)), "failure": str(exc)}
        return render(request, "projects/import.html", context)
    pending.delete()
    context = {
        "form": ImportForm(units=_units(request)),
        "report": report,
        "repairs": parsed.repairs,
        "skipped": parsed.skipped,
        "unplaced": parsed.unplaced,
        "unit": pending.department,
        "filename": pending.filename,
    }
    return render(request, "projects/import.html", context)
