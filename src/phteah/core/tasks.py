"""Scheduled audit work (Celery beat, see ``CELERY_BEAT_SCHEDULE`` in settings; the cron
lines for a machine without a broker are in docs/deployment.md). Tasks only call the audit
functions; everything they do is also a ``phteah audit`` command."""

import logging

from celery import shared_task

from .audit import audit_seal
from .audit.anchor import audit_anchor
from .submissions import submissions_purge

log = logging.getLogger(__name__)


@shared_task(name="phteah.core.audit_seal")
def audit_seal_task() -> int:
    """Seal the pending access events into their chains (every minute)."""
    return audit_seal()


@shared_task(name="phteah.core.audit_anchor")
def audit_anchor_task() -> str:
    """Write a signed checkpoint of every chain head (hourly). Fails loudly when the
    database is behind the previous checkpoint: the trail was cut."""
    result = audit_anchor()
    if result.problems:
        raise RuntimeError(
            "No audit checkpoint written, the trail does not match the previous one: "
            + "; ".join(result.problems)
        )
    for failure in result.email_failures:
        log.error("Audit checkpoint e-mail failed: %s", failure)
    return str(result.path)


@shared_task(name="phteah.core.submissions_purge")
def submissions_purge_task() -> int:
    """Remove the one-time form tokens claimed more than two days ago (daily)."""
    return submissions_purge()
