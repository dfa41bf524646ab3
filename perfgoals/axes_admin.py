"""django-axes' admin pages (登录保护) in Chinese.

axes marks its field names for translation (locale/zh_Hans has them) but hard-codes
English where an administrator reads it: each record's name (the models' __str__, in
the page titles, the breadcrumbs, the history and the delete pages: "Attempted Access:
…", "Access Log for …"), the 状态 column of the attempts ("Status", "4 Attempt
Remaining") and the message of its action (which, as axes has it, fails in the admin).
Its records are named here in Chinese and the attempts' ModelAdmin registered again
with Chinese labels (`install`, from the app's ready(); importing axes.admin here
registers axes' own first, if the admin's autodiscovery has not yet).
"""

from axes import admin as axes_admin
from axes.conf import settings
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.utils import timezone


def _when(moment):
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}" if moment else "时间未记录"


def _who(record):
    """tianbao（10.0.0.8）: the user name tried and the address it came from."""
    return f"{record.username or '未填用户名'}（{record.ip_address or '地址未知'}）"


def attempt_name(attempt):
    """登录失败尝试：tianbao（10.0.0.8），2026-03-02 09:15:00起"""
    return f"登录失败尝试：{_who(attempt)}，{_when(attempt.attempt_time)}起"


def log_name(log):
    """登录日志：tianbao（10.0.0.8），2026-03-02 09:15:00"""
    return f"登录日志：{_who(log)}，{_when(log.attempt_time)}"


def failure_name(failure):
    """登录失败记录：tianbao（10.0.0.8），2026-03-02 09:15:00，已锁定"""
    locked = "，已锁定" if failure.locked_out else ""
    return f"登录失败记录：{_who(failure)}，{_when(failure.attempt_time)}{locked}"


class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    @admin.display(description="状态")
    def status(self, obj):
        left = settings.AXES_FAILURE_LIMIT - obj.failures_since_start
        return f"还可尝试{left}次" if left > 0 else "已锁定"

    @admin.action(description="清除已过期的尝试记录")
    def cleanup_expired_attempts(self, request, queryset):
        # The threshold counts from the request's attempt time, which axes sets on logins
        # only: without it axes' own action fails (AttributeError) on the admin's request.
        request.axes_attempt_time = timezone.now()
        count = self.handler.clean_expired_user_attempts(request=request)
        self.message_user(request, f"已清除{count}条过期的登录失败尝试。")


NAMES = {AccessAttempt: attempt_name, AccessLog: log_name, AccessFailureLog: failure_name}


def install():
    """Name axes' records in Chinese; register the attempts' admin with Chinese labels."""
    for model, name in NAMES.items():
        model.__str__ = name
    if admin.site.is_registered(AccessAttempt):  # unless AXES_ENABLE_ADMIN is off
        admin.site.unregister(AccessAttempt)
        admin.site.register(AccessAttempt, AccessAttemptAdmin)
