"""Django's own messages with plural forms (the password validators) read in Chinese: our
locale catalogue must declare Chinese plural forms, or it hides Django's for ngettext."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation


def test_the_password_validators_speak_chinese():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        validate_password("123")
    assert "密码长度太短。密码必须包含至少 8 个字符。" in refused.value.messages
    assert not [message for message in refused.value.messages if "password" in message.lower()]


def test_the_change_password_page_refuses_a_short_password_in_chinese(client, django_user_model):
    user = django_user_model.objects.create_user("tianbao", password="old-pass-4321")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "old-pass-4321", "new_password1": "123", "new_password2": "123"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "密码长度太短" in page and "This password" not in page
