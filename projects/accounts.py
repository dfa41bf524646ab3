"""Administering people and years: add users, assign and remove roles, deactivate
accounts, set a year's review mode.

Used by the 系统管理 pages and by `adduser`. Every change is written to the
`AdminChange` log in the same transaction (who, when, before → after), so the
page can show what was done to an account and by whom. The checks of a role
are here, once: a 财政审核人 is assigned to 主管部门 and always reaches their
所属单位 (scope `tree`).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.crypto import get_random_string

from .models import AdminChange, Membership, Role, Scope, YearSetting
from .permissions import SYSTEM

PASSWORD_CHARS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
NOTHING = "（无）"


class AccountError(Exception):
    """A refused change to an account; `message` says why, in Chinese. Nothing was changed."""

    def __init__(self, message):
        self.message = message
        super().__init__(message)


def actor_name(actor):
    if actor is SYSTEM:
        return "系统（命令行）"
    return actor.get_full_name() or actor.get_username()


def log(actor, subject, subject_id, label, action, *, before="", after=""):
    """One line of the administrators' log (AdminChange)."""
    return AdminChange.objects.create(
        actor=None if actor is SYSTEM else actor,
        actor_name=actor_name(actor),
        subject=subject,
        subject_id=str(subject_id),
        subject_label=label[:200],
        action=action,
        before=before,
        after=after,
    )


def user_label(user):
    name = user.get_full_name()
    return f"{user.get_username()}（{name}）" if name else user.get_username()


def membership_text(membership):
    """`鄂州市数据局 · 审核人（本单位及所属单位）`."""
    return (
        f"{membership.department.name} · {membership.get_role_display()}（{membership.get_scope_display()}）"
    )


def roles_text(user):
    memberships = Membership.objects.filter(user=user).select_related("department")
    lines = sorted(membership_text(m) for m in memberships)
    return "；".join(lines) or NOTHING


def account_text(user):
    return (
        f"用户名：{user.get_username()}；姓名：{user.get_full_name() or NOTHING}；"
        f"状态：{'启用' if user.is_active else '停用'}"
    )


def generated_password():
    return get_random_string(12, PASSWORD_CHARS)


def check_username(username):
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise AccountError("请填写用户名。")
    if len(username) > User._meta.get_field("username").max_length:
        raise AccountError("用户名过长。")
    try:
        User.username_validator(username)
    except ValidationError:
        raise AccountError(f"用户名“{username}”无效：只能包含字母、数字和 @/./+/-/_ 。") from None
    return username


def check_password(password, user):
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountError("密码不符合要求：" + "".join(exc.messages)) from None


def check_role(unit, role, scope):
    """The scope a role gets in `unit`, or AccountError: a 财政审核人 is assigned to 主管部门
    (归口管理) and always reaches their 所属单位."""
    if role == Role.FINANCE:
        if scope == Scope.UNIT:
            raise AccountError("财政审核人按主管部门归口管理，范围总是“本单位及所属单位”，不能只选本单位。")
        if unit.parent_id is not None:
            raise AccountError(
                f"“{unit.name}”是“{unit.parent}”的所属单位；财政审核人应分配到主管部门（归口管理），"
                "即可看到其全部所属单位。"
            )
        return Scope.TREE
    return scope


@transaction.atomic
def create_user(actor, username, full_name="", password=None):
    """A new active user without roles; returns (user, generated password or None)."""
    User = get_user_model()
    username = check_username(username)
    full_name = (full_name or "").strip()
    if len(full_name) > User._meta.get_field("first_name").max_length:
        raise AccountError("姓名过长。")
    if User.objects.filter(username=username).exists():
        raise AccountError(f"用户名“{username}”已存在。")
    generated = None
    if not password:
        password = generated = generated_password()
    check_password(password, User(username=username, first_name=full_name))
    user = User.objects.create_user(username, password=password, first_name=full_name)
    log(actor, AdminChange.Subject.USER, user.pk, user_label(user), "新增用户", after=account_text(user))
    return user, generated


@transaction.atomic
def set_password(actor, user, password):
    check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    log(actor, AdminChange.Subject.USER, user.pk, user_label(user), "修改密码")


@transaction.atomic
def assign_roles(actor, user, units, role, scope=None):
    """Give `user` `role` in each of `units` (or change the scope of that role there;
    `scope` None keeps it, and is 本单位 for a new role). All units or none; one log
    entry. Returns [(unit, "added" | "changed" | None)]."""
    role = Role(role)
    scopes = [check_role(unit, role, scope) for unit in units]  # every unit before any write
    before = roles_text(user)
    outcomes = []
    for unit, unit_scope in zip(units, scopes, strict=True):
        membership = (
            Membership.objects.select_for_update().filter(user=user, department=unit, role=role).first()
        )
        if membership is None:
            Membership.objects.create(user=user, department=unit, role=role, scope=unit_scope or Scope.UNIT)
            outcomes.append((unit, "added"))
        elif unit_scope is not None and membership.scope != unit_scope:
            membership.scope = unit_scope
            membership.save(update_fields=["scope"])
            outcomes.append((unit, "changed"))
        else:
            outcomes.append((unit, None))
    done = {outcome for _, outcome in outcomes if outcome}
    if done:
        action = "分配角色" if "added" in done else "修改角色范围"
        after = roles_text(user)
        log(actor, AdminChange.Subject.USER, user.pk, user_label(user), action, before=before, after=after)
    return outcomes


@transaction.atomic
def remove_role(actor, membership):
    user = membership.user
    before = roles_text(user)
    membership.delete()
    log(
        actor,
        AdminChange.Subject.USER,
        user.pk,
        user_label(user),
        "移除角色",
        before=before,
        after=roles_text(user),
    )


@transaction.atomic
def set_active(actor, user, active):
    """Activate or deactivate an account (a deactivated user may do nothing and cannot log in)."""
    if actor is not SYSTEM and user.pk == actor.pk and not active:
        raise AccountError("不能停用自己的账号。")
    if user.is_active == active:
        return False
    before = account_text(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    action = "启用账号" if active else "停用账号"
    log(
        actor,
        AdminChange.Subject.USER,
        user.pk,
        user_label(user),
        action,
        before=before,
        after=account_text(user),
    )
    return True


def year_text(setting):
    mode = "两级审核" if setting.two_level else "一级审核"
    return f"{mode}；财政部门：{setting.finance_body or NOTHING}"


@transaction.atomic
def configure_year(actor, year, two_level, finance_body=""):
    """Set how the projects of `year` are reviewed. Steps already under way finish on
    their route: the mode decides where 提交 sends a project from now on."""
    setting = YearSetting.objects.select_for_update().filter(year=year).first()
    before = year_text(setting) if setting else ""
    if setting is None:
        setting = YearSetting(year=year)
    setting.two_level, setting.finance_body = two_level, finance_body
    after = year_text(setting)
    if before == after:
        return setting, False
    setting.save()
    log(actor, AdminChange.Subject.YEAR, year, f"{year}年度", "修改年度设置", before=before, after=after)
    return setting, True
