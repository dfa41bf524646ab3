"""URLs of the administrators' pages (系统管理), namespace `manage`."""

from django.urls import path

from . import manage_views

app_name = "manage"

urlpatterns = [
    path("units/", manage_views.units, name="units"),
    path("units/import/", manage_views.unit_import, name="unit_import"),
    path("units/new/", manage_views.unit_edit, name="unit_create"),
    path("units/<int:pk>/", manage_views.unit_edit, name="unit"),
    path("users/", manage_views.users, name="users"),
    path("users/new/", manage_views.user_create, name="user_create"),
    path("users/<int:pk>/", manage_views.user_detail, name="user"),
    path("users/<int:pk>/roles/", manage_views.user_roles, name="user_roles"),
    path(
        "users/<int:pk>/roles/<int:membership_id>/remove/",
        manage_views.user_role_remove,
        name="user_role_remove",
    ),
    path("users/<int:pk>/active/", manage_views.user_active, name="user_active"),
    path("years/", manage_views.years, name="years"),
]
