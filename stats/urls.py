from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("stats/", views.statistics, name="index"),
    path("stats/stats.xlsx", views.statistics_xlsx, name="xlsx"),
]
