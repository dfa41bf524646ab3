from django.urls import path

from . import views

app_name = "results"

urlpatterns = [
    path("results/", views.rounds, name="rounds"),
    path("results/rules/", views.rules, name="rules"),
    path("results/import/", views.import_upload, name="import"),
    path("results/rounds/<int:pk>/", views.overview, name="overview"),
    path("results/rounds/<int:pk>/overview.xlsx", views.overview_xlsx, name="overview_xlsx"),
    path("results/rounds/<int:pk>/forms.xlsx", views.forms_xlsx, name="forms_xlsx"),
    path("results/forms/<int:pk>/", views.form_page, name="form"),
    *(
        path(f"results/forms/<int:pk>/{code}/", views.transition, {"code": code}, name=code)
        for code in ("confirm", "return")
    ),
    path("results/forms/<int:pk>/adjust/", views.adjust, name="adjust"),
    path("results/forms/<int:pk>/print/", views.form_print, name="print"),
    path("results/forms/<int:pk>/form.xlsx", views.form_xlsx, name="xlsx"),
    path("results/forms/<int:pk>/form.pdf", views.form_pdf, name="pdf"),
]
