"""Migration core 0002 re-chains the events written before it (unkeyed SHA-256 over the
whole event, display labels included) into the keyed, erasable chain, and records in each
chain whether its old form was intact."""

import hashlib
import json
from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from phteah.core.audit import audit_verify
from phteah.core.models import AuditEvent

LEGACY = [("core", "0001_initial")]
OLD_GENESIS = "0" * 64


def _legacy_hash(event) -> str:
    """The hash of the trail before 0002 (phteah.core.audit as it was then)."""
    fields = {
        "chain_key": event.chain_key,
        "sequence": int(event.sequence),
        "created_at": event.created_at.astimezone(UTC).isoformat(),
        "organisation_id": str(event.organisation_id) if event.organisation_id else None,
        "actor_id": str(event.actor_id) if event.actor_id else None,
        "actor_label": event.actor_label,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "changes": event.changes,
        "data": event.data,
        "ip": event.ip,
    }
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((event.prev_hash + payload).encode("utf-8")).hexdigest()


def _legacy_chain(apps, organisation, n):
    Event = apps.get_model("core", "AuditEvent")
    Chain = apps.get_model("core", "AuditChain")
    key, head = f"org:{organisation.pk}", OLD_GENESIS
    start = timezone.now() - timedelta(days=30)
    events = []
    for sequence in range(1, n + 1):
        event = Event(
            chain_key=key,
            sequence=sequence,
            created_at=start + timedelta(hours=sequence),
            organisation_id=organisation.pk,
            actor_label="admin@example.test",
            action="accounts.office.updated",
            target_type="accounts.organisation",
            target_id=str(organisation.pk),
            target_label=f"{organisation.name} (in English)",
            changes={"name": ["Old office", f"Office {sequence}"]},
            data={"note": "ការិយាល័យ"},
            ip="10.0.0.7",
            prev_hash=head,
        )
        event.hash = _legacy_hash(event)
        event.save()
        head = event.hash
        events.append(event)
    Chain.objects.create(key=key, length=n, head_hash=head)
    return events


@pytest.mark.django_db(transaction=True)
def test_legacy_events_are_rechained_and_verify():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(LEGACY)
    try:
        apps = executor.loader.project_state(LEGACY).apps
        Organisation = apps.get_model("accounts", "Organisation")
        intact = Organisation.objects.create(name="Intact", short_code="INT", kind="ngo")
        tampered = Organisation.objects.create(name="Tampered", short_code="TMP", kind="ngo")
        _legacy_chain(apps, intact, 3)
        bad = _legacy_chain(apps, tampered, 3)
        Event = apps.get_model("core", "AuditEvent")
        Event.objects.filter(pk=bad[1].pk).update(data={"note": "changed afterwards"})

        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
    finally:
        MigrationExecutor(connection).migrate(leaves)  # the schema the other tests expect

    report = audit_verify(checkpoint=None)
    assert report.ok, report.problems
    assert report.checked == 8  # 3 + 3 events, and one record of the re-chaining per chain
    notes = {
        event.organisation_id: event
        for event in AuditEvent.all_chains.filter(action="core.audit.rechained")
    }
    assert notes[intact.pk].data == {"events": 3, "previous_chain_intact": True}
    assert notes[tampered.pk].data == {"events": 3, "previous_chain_intact": False}
    assert notes[intact.pk].sequence == 4
    rechained = AuditEvent.all_chains.get(chain_key=f"org:{intact.pk}", sequence=1)
    assert rechained.changes == {"name": ["Old office", "Office 1"]}
    assert set(rechained.digests) == {"changes.name", "data.note", "ip", "actor_label"}
    assert rechained.key_id and not hasattr(rechained, "target_label")
