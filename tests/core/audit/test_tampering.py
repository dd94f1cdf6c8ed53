"""What someone who can write to the database (but does not hold the audit key, nor write
to the checkpoint folder) can do to the trail, and that verify reports each of it.

Every test here fails if its tampering goes undetected."""

import hashlib
import hmac
import json
import secrets
from datetime import UTC

import pytest
from django.utils import timezone

from phteah.accounts.roles import Role
from phteah.core.audit import audit_verify
from phteah.core.audit.anchor import ChainEntry, Checkpoint, _signature, audit_anchor
from phteah.core.audit.chain import canonical, hashed_fields, new_salt, value_digest
from phteah.core.audit.erasure import audit_values_erase
from phteah.core.audit.keys import current_key
from phteah.core.models import AuditEvent

from .conftest import log_events, raw, set_columns, stored

pytestmark = pytest.mark.django_db


def problems(**kwargs):
    return [(p.event_id, p.problem) for p in audit_verify(**kwargs).problems]


def cut_newest(events, keep):
    """Delete the events after the first *keep* and set the head back to the last kept."""
    for event in events[keep:]:
        raw("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    raw(
        "UPDATE core_auditchain SET length = %s, head_hash = %s WHERE key = %s",
        [keep, events[keep - 1].hash, events[0].chain_key],
    )


def rewrite_from(event, sign, *, key_id=None, **changes):
    """Change *event* and re-hash it and every later event of its chain with *sign*, the head
    too: a consistent chain, only not under the audit key."""
    later = list(
        AuditEvent.all_chains.filter(
            chain_key=event.chain_key, sequence__gte=event.sequence
        ).order_by("sequence")
    )
    prev = later[0].prev_hash
    for current in later:
        if current.pk == event.pk:
            for name, value in changes.items():
                setattr(current, name, value)
        if key_id is not None:
            current.key_id = key_id
        current.prev_hash, current.hash = prev, sign(prev, hashed_fields(current))
        set_columns(
            current.pk,
            prev_hash=current.prev_hash,
            hash=current.hash,
            key_id=current.key_id,
            **{n: getattr(current, n) for n in changes if current.pk == event.pk},
        )
        prev = current.hash
    raw("UPDATE core_auditchain SET head_hash = %s WHERE key = %s", [prev, event.chain_key])
    return later


def plain_sha256(prev, fields):
    return hashlib.sha256((prev + canonical(fields)).encode()).hexdigest()


def hmac_with(secret):
    return lambda prev, fields: hmac.new(
        secret, (prev + canonical(fields)).encode(), hashlib.sha256
    ).hexdigest()


class TestCuttingAChain:
    def test_deleting_the_newest_events_and_fixing_the_head(self, organisation):
        events = log_events(organisation, 5)
        audit_anchor()
        cut_newest(events, 3)
        assert problems(checkpoint=None) == []  # an intact, shorter chain: only the anchor knows
        assert problems() == [
            (
                None,
                f"checkpoint {audit_verify().checkpoint} recorded 5 events; the chain is shorter "
                "now (its latest events were deleted)",
            )
        ]

    def test_cutting_and_writing_on_until_the_chain_is_as_long_again(self, organisation):
        events = log_events(organisation, 4)
        audit_anchor()
        cut_newest(events, 2)
        log_events(organisation, 3)  # Phteah goes on writing: #3, #4, #5 are new events
        assert problems(checkpoint=None) == []
        ((event_id, text),) = problems()
        assert "recorded another event #4 (the chain was cut and written again)" in text

    def test_deleting_an_organisations_whole_chain_and_its_head(
        self, organisation, other_organisation
    ):
        events = log_events(organisation, 3)
        log_events(other_organisation, 2)
        audit_anchor()
        raw("DELETE FROM core_auditevent WHERE chain_key = %s", [events[0].chain_key])
        raw("DELETE FROM core_auditchain WHERE key = %s", [events[0].chain_key])
        assert problems(checkpoint=None) == []
        report = audit_verify()
        assert [(p.chain_key, p.problem) for p in report.problems] == [
            (
                events[0].chain_key,
                f"checkpoint {report.checkpoint} recorded 3 events; the chain is gone",
            )
        ]


class TestRewritingEvents:
    def test_rewriting_an_event_and_rehashing_the_rest_with_plain_sha256(self, organisation):
        events = log_events(organisation, 4)
        rewrite_from(events[1], plain_sha256, action="test.forged")
        assert problems() == [(e.pk, "contents were changed after writing") for e in events[1:]]

    def test_rehashing_with_a_key_that_is_not_the_audit_key(self, organisation):
        events = log_events(organisation, 3)
        rewrite_from(events[0], hmac_with(secrets.token_bytes(32)), action="test.forged")
        assert problems() == [(e.pk, "contents were changed after writing") for e in events]

    def test_rehashing_with_an_own_key_under_an_own_key_id(self, organisation):
        events = log_events(organisation, 2)
        rewrite_from(
            events[1], hmac_with(secrets.token_bytes(32)), key_id="2026-12-01-f00d", action="x"
        )
        assert problems() == [(events[1].pk, "signed with an unknown key (2026-12-01-f00d)")]

    def test_changing_an_events_id(self, organisation):
        events = log_events(organisation, 3)
        new_id = max(e.pk for e in events) + 1000
        raw("UPDATE core_auditevent SET id = %s WHERE id = %s", [new_id, events[1].pk])
        assert problems() == [(new_id, "contents were changed after writing")]

    def test_swapping_two_events_ids(self, organisation):
        events = log_events(organisation, 2)
        a, b = events[0].pk, events[1].pk
        raw("UPDATE core_auditevent SET id = %s WHERE id = %s", [-1, a])
        raw("UPDATE core_auditevent SET id = %s WHERE id = %s", [a, b])
        raw("UPDATE core_auditevent SET id = %s WHERE id = %s", [b, -1])
        assert {text for _id, text in problems()} == {"contents were changed after writing"}
        assert len(problems()) == 2


class TestChangingValues:
    def test_changing_a_value(self, organisation):
        (event,) = log_events(organisation)
        set_columns(event.pk, data={"i": 0, "note": "another note"})
        assert problems() == [(event.pk, "the value data.note was changed after writing")]

    def test_changing_a_value_and_its_digest(self, organisation):
        (event,) = log_events(organisation)
        salts, digests = stored(event.pk).salts, stored(event.pk).digests
        digests["data.note"] = value_digest(salts["data.note"], "data.note", "another note")
        set_columns(event.pk, data={"i": 0, "note": "another note"}, digests=digests)
        assert problems() == [(event.pk, "contents were changed after writing")]

    def test_removing_a_value_without_an_erasure(self, organisation):
        (event,) = log_events(organisation)
        set_columns(event.pk, data={"i": 0})
        assert problems() == [(event.pk, "the value data.note was removed without an erasure")]

    def test_removing_a_value_and_its_salt_and_forging_an_erased_marker(self, organisation):
        (event,) = log_events(organisation)
        salts = stored(event.pk).salts
        del salts["data.note"]
        marker = {"at": timezone.now().astimezone(UTC).isoformat(), "by": None}
        set_columns(event.pk, data={"i": 0}, salts=salts, erased={"data.note": marker})
        assert problems() == [
            (event.pk, "the value data.note is marked erased, but no erasure authorised it")
        ]

    def test_copying_a_real_erasures_marker_onto_another_value(self, organisation, member):
        admin = member(Role.ORG_ADMIN)
        first, second = log_events(organisation, 2)
        audit_values_erase(actor=admin, event_ids=[first.pk], paths=["data.note"], reason="x")
        marker = stored(first.pk).erased["data.note"]
        salts = stored(second.pk).salts
        del salts["data.note"]
        set_columns(second.pk, data={"i": 1}, salts=salts, erased={"data.note": marker})
        assert problems() == [
            (second.pk, "the value data.note is marked erased, but no erasure authorised it")
        ]

    def test_widening_an_erasure_record_to_cover_more(self, organisation, member):
        admin = member(Role.ORG_ADMIN)
        first, second = log_events(organisation, 2)
        erasure = audit_values_erase(
            actor=admin, event_ids=[first.pk], paths=["data.note"], reason="x"
        )
        marker = stored(first.pk).erased["data.note"]
        data = stored(erasure.pk).data
        data["erased"][str(second.pk)] = ["data.note"]
        set_columns(erasure.pk, data=data)
        salts = stored(second.pk).salts
        del salts["data.note"]
        set_columns(second.pk, data={"i": 1}, salts=salts, erased={"data.note": marker})
        found = problems()
        assert (erasure.pk, "the value data.erased was changed after writing") in found
        assert (
            second.pk,
            "the value data.note is marked erased, but no erasure authorised it",
        ) in found

    def test_putting_an_erased_value_back(self, organisation, member):
        admin = member(Role.ORG_ADMIN)
        (event,) = log_events(organisation)
        before = stored(event.pk)
        audit_values_erase(actor=admin, event_ids=[event.pk], paths=["data.note"], reason="x")
        set_columns(event.pk, data=before.data, salts=before.salts)  # restored from a backup
        assert problems() == [(event.pk, "the value data.note was erased, but it is there again")]

    def test_keeping_the_salt_of_an_erased_value(self, organisation, member):
        admin = member(Role.ORG_ADMIN)
        (event,) = log_events(organisation)
        salts = stored(event.pk).salts
        audit_values_erase(actor=admin, event_ids=[event.pk], paths=["data.note"], reason="x")
        set_columns(event.pk, salts=salts)
        assert problems() == [(event.pk, "the salt of the erased value data.note is still stored")]

    def test_adding_a_value(self, organisation):
        (event,) = log_events(organisation)
        set_columns(event.pk, data={"i": 0, "note": "note 0", "extra": "Sok Dara"})
        assert problems() == [(event.pk, "the value data.extra was added after writing")]

    def test_adding_a_value_with_a_salt_and_a_digest(self, organisation):
        (event,) = log_events(organisation)
        current = stored(event.pk)
        salt = new_salt()
        set_columns(
            event.pk,
            ip="10.6.6.6",
            salts=current.salts | {"ip": salt},
            digests=current.digests | {"ip": value_digest(salt, "ip", "10.6.6.6")},
        )
        assert problems() == [(event.pk, "contents were changed after writing")]


class TestAuthorisedErasure:
    def test_a_real_erasure_verifies_and_says_what_who_when_why(self, organisation, member):
        admin = member(Role.ORG_ADMIN)
        events = log_events(organisation, 3)
        audit_anchor()
        erasure = audit_values_erase(
            actor=admin, event_ids=[events[1].pk], paths=["data.note"], reason="Court order"
        )
        report = audit_verify()
        assert report.ok and report.checkpoint  # the erasure appends: the anchor still holds
        assert "note" not in stored(events[1].pk).data
        recorded = stored(erasure.pk)
        assert recorded.data == {
            "erased": {str(events[1].pk): ["data.note"]},
            "reason": "Court order",
        }
        assert recorded.actor_id == admin.user.pk
        assert stored(events[1].pk).erased["data.note"] == {
            "at": recorded.created_at.astimezone(UTC).isoformat(),
            "by": str(admin.user.pk),
        }


class TestCheckpointFiles:
    def _latest(self, settings):
        return sorted(settings.AUDIT_ANCHOR_DIR.glob("checkpoint-*.json"))[-1]

    def test_an_edited_checkpoint_file(self, organisation, settings):
        log_events(organisation, 2)
        audit_anchor()
        path = self._latest(settings)
        data = json.loads(path.read_text())
        data["chains"][0]["length"] = 1  # to hide a later cut
        path.write_text(json.dumps(data))
        assert problems() == [
            (
                None,
                f"checkpoint {path.name}: its signature does not verify (the file was changed "
                "or forged)",
            )
        ]

    def test_a_forged_checkpoint_file_with_the_right_key_id(self, organisation, settings):
        events = log_events(organisation, 3)
        audit_anchor()
        cut_newest(events, 2)
        forged = Checkpoint(
            created_at=timezone.now().astimezone(UTC).isoformat(),
            key_id=current_key().id,
            chains=(ChainEntry(events[0].chain_key, 2, events[1].hash, None),),
        )
        forged = Checkpoint(
            created_at=forged.created_at,
            key_id=forged.key_id,
            chains=forged.chains,
            signature=_signature(secrets.token_bytes(32), forged.payload()),
        )
        path = settings.AUDIT_ANCHOR_DIR / "checkpoint-99991231T000000000000Z.json"
        path.write_text(forged.as_json())
        found = [text for _id, text in problems()]
        assert found[0] == (
            f"checkpoint {path.name}: its signature does not verify (the file was changed or "
            "forged)"
        )
        # ...and the database is still compared with the newest checkpoint that verifies.
        assert "recorded 3 events; the chain is shorter now" in found[1]

    def test_a_checkpoint_signed_with_an_unknown_key(self, organisation, settings):
        log_events(organisation)
        audit_anchor()
        path = self._latest(settings)
        data = json.loads(path.read_text())
        data["key_id"] = "2020-01-01-dead"
        path.write_text(json.dumps(data))
        assert problems() == [
            (None, f"checkpoint {path.name}: signed with an unknown key (2020-01-01-dead)")
        ]

    def test_an_unreadable_checkpoint_file(self, organisation, settings):
        log_events(organisation)
        settings.AUDIT_ANCHOR_DIR.mkdir(parents=True)
        (settings.AUDIT_ANCHOR_DIR / "checkpoint-20990101T000000000000Z.json").write_text("{")
        ((event_id, text),) = problems()
        assert text.startswith("checkpoint checkpoint-20990101T000000000000Z.json: unreadable")
