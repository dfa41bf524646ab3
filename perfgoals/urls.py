from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from . import errors

admin.site.site_header = "项目支出绩效目标管理"
admin.site.site_title = "绩效目标管理"
admin.site.index_title = "数据维护"


def favicon(request):
    """The icon, for browsers that ask /favicon.ico (pages without our <link rel="icon">: the admin)."""
    return redirect(static("favicon.ico"))


urlpatterns = [
    path("health/", errors.health, name="health"),
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    # Only what we serve: no e-mail password reset (accounts are provisioned by administrators).
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("manage/", include("projects.manage_urls")),
    path("", include("projects.urls")),
    path("", include("indicators.urls")),
    path("", include("results.urls")),
    path("", include("stats.urls")),
]

handler400 = "perfgoals.errors.bad_request"
handler500 = "perfgoals.errors.server_error"
