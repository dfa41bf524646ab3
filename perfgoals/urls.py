from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "项目支出绩效目标管理"
admin.site.site_title = "绩效目标管理"
admin.site.index_title = "数据维护"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("projects.urls")),
    path("", include("indicators.urls")),
]
