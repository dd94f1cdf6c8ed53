"""Background work of the people app (Celery; run in-process when no broker is set)."""

from __future__ import annotations

from celery import shared_task

from .network import network_matches_purge


@shared_task(name="phteah.people.network_matches_purge")
def network_matches_purge_task() -> int:
    """Remove the network matches past their 24 hours."""
    return network_matches_purge()
