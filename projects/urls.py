from django.urls import path

from . import import_views, sheet_views, views, workflow_views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("todo/", views.todo_list, name="todo"),
    path("projects/<int:pk>/", views.project_detail, name="detail"),
    *(
        path(f"projects/<int:pk>/{code}/", workflow_views.transition, {"code": code}, name=code)
        for code in ("submit", "pass", "approve", "return", "reopen", "withdraw")
    ),
    path("projects/<int:pk>/approved/<int:snapshot_id>/", sheet_views.sheet, name="snapshot"),
    *(
        path(
            f"projects/<int:pk>/approved/<int:snapshot_id>/sheet.{fmt}",
            sheet_views.sheet_file,
            {"fmt": fmt},
            name=f"snapshot_{fmt}",
        )
        for fmt in ("xlsx", "pdf", "docx")
    ),
    path("queue/", workflow_views.queue, name="queue"),
    path("projects/<int:pk>/sheet/", sheet_views.sheet, name="sheet"),
    *(
        path(f"projects/<int:pk>/sheet.{fmt}", sheet_views.sheet_file, {"fmt": fmt}, name=f"sheet_{fmt}")
        for fmt in ("xlsx", "pdf", "docx")
    ),
    path("projects/export.xlsx", sheet_views.export_xlsx, name="export_xlsx"),
    path("projects/export.docx", sheet_views.export_docx, name="export_docx"),
    path("projects/export-rows.xlsx", sheet_views.export_rows, name="export_rows"),
    path("import/", import_views.import_upload, name="import"),
    path("import/<uuid:token>/", import_views.import_preview, name="import_preview"),
    path("import/<uuid:token>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("projects/new/", views.project_create, name="create"),
    path("projects/<int:pk>/edit/", views.project_edit, name="edit"),
    path("projects/<int:pk>/copy/", views.project_copy, name="copy"),
    path("projects/<int:pk>/delete/", views.project_delete, name="delete"),
    path("projects/paste/", views.paste_sheet, name="paste"),
    path("projects/parse-value/", views.parse_value_json, name="parse_value"),
]
