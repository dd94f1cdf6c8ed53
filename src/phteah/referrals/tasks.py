"""Background work of the referrals app (Celery; run in-process when no broker is set)."""

from __future__ import annotations

from celery import shared_task

from .services import referrals_overdue_notify
from .services.retention import referral_groups_erase


@shared_task(name="phteah.referrals.overdue_notify")
def referrals_overdue_notify_task() -> int:
    """Tell the receivers of the referrals waiting past their answer date (once each)."""
    return referrals_overdue_notify()


@shared_task(name="phteah.referrals.groups_erase")
def referral_groups_erase_task() -> int:
    """Blank the details of the referrals that ended untaken long enough ago."""
    return referral_groups_erase()
