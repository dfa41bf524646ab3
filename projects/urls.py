from django.urls import path

from . import sheet_views, views, workflow_views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("projects/<int:pk>/", views.project_detail, name="detail"),
    *(
        path(f"projects/<int:pk>/{code}/", workflow_views.transition, {"code": code}, name=code)
        for code in ("submit", "approve", "return", "reopen")
    ),
    path("projects/<int:pk>/approved/<int:snapshot_id>/", workflow_views.snapshot, name="snapshot"),
    path("queue/", workflow_views.queue, name="queue"),
    path("projects/<int:pk>/sheet/", sheet_views.sheet, name="sheet"),
    path("projects/<int:pk>/sheet.xlsx", sheet_views.sheet_xlsx_download, name="sheet_xlsx"),
    path("projects/<int:pk>/sheet.pdf", sheet_views.sheet_pdf_download, name="sheet_pdf"),
    path("projects/export.xlsx", sheet_views.export_xlsx, name="export_xlsx"),
    path("projects/export-rows.xlsx", sheet_views.export_rows, name="export_rows"),
    path("import/", sheet_views.import_upload, name="import"),
    path("projects/new/", views.project_create, name="create"),
    path("projects/<int:pk>/edit/", views.project_edit, name="edit"),
    path("projects/<int:pk>/copy/", views.project_copy, name="copy"),
    path("projects/paste/", views.paste_sheet, name="paste"),
    path("projects/parse-value/", views.parse_value_json, name="parse_value"),
]
