"""Background work of the cases app (Celery; run in-process when no broker is set)."""

from __future__ import annotations

from celery import shared_task
from django_scopes import scopes_disabled

from .services.grants import grants_expire


@shared_task(name="phteah.cases.grants_expire")
def grants_expire_task() -> int:
    """Mark the shares past their end as ended, so that their grantees are told."""
    with scopes_disabled():
        return grants_expire()
