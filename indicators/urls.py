from django.urls import path

from . import library_views, views

app_name = "indicators"

urlpatterns = [
    path("rules/", views.rules, name="rules"),
    path("library/", library_views.library_page, name="library"),
    path("library/indicator/", library_views.indicator_projects, name="library_indicator"),
    path("library/suggest/", library_views.suggest, name="suggest"),
    path("library/common/", library_views.common_indicator, name="common"),
    path("library/library.xlsx", library_views.library_xlsx, name="library_xlsx"),
    path("library/import/", library_views.library_import, name="library_import"),
]
