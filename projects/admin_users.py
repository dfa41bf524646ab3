"""The admin's 用户 and 组 pages with the permissions named in Chinese.

Django names the permissions it creates in English ("Can add log entry", stored in
auth_permission whatever the language), so the 权限 pickers label each one from its
model instead: 管理 | 日志记录 | 可增加日志记录.
"""

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission

ACTIONS = {"add": "增加", "change": "修改", "delete": "删除", "view": "查看"}


def model_name(model):
    """The model's name; a history model of django-simple-history (named "historical 项目",
    untranslatable) by the model it records."""
    recorded = getattr(model, "instance_type", None)
    return f"{recorded._meta.verbose_name}历史记录" if recorded else model._meta.verbose_name


def permission_label(permission):
    """管理 | 日志记录 | 可增加日志记录; a permission of a model's own keeps its name."""
    content_type = permission.content_type
    model = content_type.model_class()
    if model is None:  # a model since removed
        return str(permission)
    name = model_name(model)
    app = apps.get_app_config(content_type.app_label).verbose_name
    action, _, codename_model = permission.codename.partition("_")
    if action in ACTIONS and codename_model == model._meta.model_name:
        return f"{app} | {name} | 可{ACTIONS[action]}{name}"
    return f"{app} | {name} | {permission.name}"


class ChinesePermissions:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.related_model is Permission:
            field.queryset = field.queryset.select_related("content_type")
            field.label_from_instance = permission_label
        return field


class ChineseGroupAdmin(ChinesePermissions, GroupAdmin):
    pass


class ChineseUserAdmin(ChinesePermissions, UserAdmin):
    pass


for model, model_admin in ((Group, ChineseGroupAdmin), (get_user_model(), ChineseUserAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
