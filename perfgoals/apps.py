from axes.apps import AppConfig as BaseAxesConfig


class AxesConfig(BaseAxesConfig):
    """django-axes (login throttling) as the admin shows it: in Chinese. Its field and
    model names are translated in locale/zh_Hans/LC_MESSAGES/django.po, what it
    hard-codes in English is replaced in perfgoals/axes_admin.py."""

    verbose_name = "登录保护"

    def ready(self):
        super().ready()
        from . import axes_admin

        axes_admin.install()
