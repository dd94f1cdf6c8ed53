import importlib

import pytest
from django.urls import reverse

from phteah.accounts.models import User
from phteah.accounts.roles import Role

from ..conftest import sign_in


def test_passwords_are_hashed_with_argon2():
    settings_module = importlib.import_module("phteah.settings")
    assert settings_module.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_celery_runs_eagerly_without_a_broker(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    settings_module = importlib.reload(importlib.import_module("phteah.settings"))
    assert settings_module.CELERY_TASK_ALWAYS_EAGER is True
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    settings_module = importlib.reload(settings_module)
    assert settings_module.CELERY_TASK_ALWAYS_EAGER is False
    monkeypatch.delenv("REDIS_URL")
    importlib.reload(settings_module)


@pytest.mark.django_db
def test_pages_carry_a_strict_csp_and_secure_headers(client):
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_signed_in_pages_are_not_cached(client, member):
    sign_in(client, member().user)
    assert client.get(reverse("accounts:home"))["Cache-Control"] == "no-store, private"


@pytest.mark.django_db
def test_forms_are_csrf_protected(member):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    worker = member()
    response = strict.post(
        reverse("accounts:login"), {"username": worker.user.email, "password": "x"}
    )
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_the_django_admin_is_for_superusers_only(client, member, role):
    sign_in(client, member(role).user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "login" in response.url


@pytest.mark.django_db
def test_a_superuser_reaches_the_admin_and_cannot_edit_audit_events(client):
    root = User.objects.create_superuser(email="root@example.test", password="x", full_name="Root")
    sign_in(client, root)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:core_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403


@pytest.mark.django_db
def test_a_superuser_must_pass_two_factor_too(client):
    root = User.objects.create_superuser(email="root@example.test", password="x", full_name="Root")
    client.force_login(root)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "two-factor" in response.url
