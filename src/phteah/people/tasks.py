"""Background work of the people app (Celery; run in-process when no broker is set)."""

from __future__ import annotations

from celery import shared_task

from .network import network_matches_purge


@shared_task(name="phteah.people.network_matches_purge")
def network_matches_purge_task() -> int:
    """Remove the network matches past their 24 hours."""
    return network_matches_purge()


@shared_task(name="phteah.people.linkage_rebuild_organisation")
def linkage_rebuild_organisation_task(organisation_id: str) -> int:
    """Make the linkage records of an organisation that takes part in the check again."""
    from django_scopes import scope

    from .linkage import linkage_rebuild
    from .models import Person

    with scope(organisation=organisation_id):
        return linkage_rebuild(Person.objects.filter(organisation_id=organisation_id)).people
