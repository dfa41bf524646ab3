from django.urls import path

from . import views, workflow_views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("projects/<int:pk>/", views.project_detail, name="detail"),
    path("projects/<int:pk>/submit/", workflow_views.submit, name="submit"),
    path("projects/<int:pk>/approve/", workflow_views.approve, name="approve"),
    path("projects/<int:pk>/return/", workflow_views.send_back, name="return"),
    path("projects/<int:pk>/reopen/", workflow_views.reopen, name="reopen"),
    path("projects/<int:pk>/approved/<int:snapshot_id>/", workflow_views.snapshot, name="snapshot"),
    path("queue/", workflow_views.queue, name="queue"),
]
