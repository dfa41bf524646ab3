from axes.apps import AppConfig as BaseAxesConfig


class AxesConfig(BaseAxesConfig):
    """django-axes (login throttling) as the admin shows it: in Chinese. Its field and
    model names are translated in locale/zh_Hans/LC_MESSAGES/django.po."""

    verbose_name = "登录保护"
