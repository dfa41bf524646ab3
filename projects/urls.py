from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("projects/<int:pk>/", views.project_detail, name="detail"),
    path("projects/new/", views.project_create, name="create"),
    path("projects/<int:pk>/edit/", views.project_edit, name="edit"),
    path("projects/<int:pk>/copy/", views.project_copy, name="copy"),
    path("projects/paste/", views.paste_sheet, name="paste"),
    path("projects/parse-value/", views.parse_value_json, name="parse_value"),
]
