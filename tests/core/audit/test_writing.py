"""Writing the trail: changes inside audited_atomic(), appended to their organisation's chain
when the outermost block commits; accesses pending, sealed later."""

import pytest
from django.db import connection, transaction

from phteah.core.audit import MASK, audit_log, audit_seal, audited_atomic, mask_secrets
from phteah.core.models import AuditChain, AuditEvent

from .conftest import access, log_events


@pytest.mark.django_db
class TestAuditLog:
    def test_it_chains_each_event_to_the_previous_one(self, organisation):
        first, second = log_events(organisation, 2)
        assert first.sequence == 1 and second.sequence == 2
        assert second.prev_hash == first.hash
        chain = AuditChain.objects.get(key=f"org:{organisation.pk}")
        assert chain.length == 2 and chain.head_hash == second.hash

    def test_each_organisation_has_its_own_chain(self, organisation, other_organisation):
        (a,) = log_events(organisation)
        (b,) = log_events(other_organisation)
        assert a.sequence == b.sequence == 1
        assert a.chain_key != b.chain_key

    def test_events_are_appended_when_the_outermost_block_commits(self, organisation):
        with audited_atomic():
            event = audit_log(actor=None, organisation=organisation, action="test.thing")
            assert event.sequence is None and not AuditEvent.all_chains.exists()
            with audited_atomic():
                inner = audit_log(actor=None, organisation=organisation, action="test.inner")
            assert inner.sequence is None
        assert (event.sequence, inner.sequence) == (1, 2)
        assert AuditEvent.all_chains.count() == 2

    def test_a_nested_block_rolled_back_drops_only_its_events(self, organisation):
        with audited_atomic():
            audit_log(actor=None, organisation=organisation, action="test.kept")
            with pytest.raises(ValueError), audited_atomic():
                audit_log(actor=None, organisation=organisation, action="test.dropped")
                raise ValueError
            audit_log(actor=None, organisation=organisation, action="test.kept_too")
        actions = list(AuditEvent.all_chains.order_by("sequence").values_list("action", flat=True))
        assert actions == ["test.kept", "test.kept_too"]

    def test_a_failed_service_leaves_no_event(self, organisation):
        with pytest.raises(ValueError), audited_atomic():
            audit_log(actor=None, organisation=organisation, action="test.thing")
            raise ValueError
        assert not AuditEvent.all_chains.exists()
        assert not AuditChain.objects.exists()

    def test_it_masks_secrets(self, organisation):
        with audited_atomic():
            event = audit_log(
                actor=None,
                organisation=organisation,
                action="test.thing",
                changes={"password": ["old", "new"], "role": ["viewer", "supervisor"]},
                data={"api_token": "abc", "nested": {"otp_secret": "x"}},
            )
        event.refresh_from_db()
        assert event.changes == {"password": MASK, "role": ["viewer", "supervisor"]}
        assert event.data == {"api_token": MASK, "nested": {"otp_secret": MASK}}

    def test_mask_leaves_empty_secrets_alone(self):
        assert mask_secrets({"password": ""}) == {"password": ""}

    def test_values_are_salted_and_digested_not_hashed(self, organisation):
        (event,) = log_events(organisation)
        event = AuditEvent.all_chains.get(pk=event.pk)
        assert set(event.digests) == set(event.salts) == {"data.i", "data.note"}
        assert event.salts["data.i"] != event.salts["data.note"]

    def test_events_cannot_be_changed_or_deleted_through_the_orm(self, organisation):
        (event,) = log_events(organisation)
        event.action = "test.other"
        with pytest.raises(PermissionError):
            event.save()
        with pytest.raises(PermissionError):
            event.delete()
        with pytest.raises(PermissionError):
            AuditEvent.all_chains.filter(pk=event.pk).update(action="x")
        with pytest.raises(PermissionError):
            AuditEvent.all_chains.filter(pk=event.pk).delete()


@pytest.mark.django_db
class TestWhereAuditLogRuns:
    def test_it_refuses_outside_audited_atomic(self, organisation):
        with pytest.raises(RuntimeError, match="inside audited_atomic"):
            audit_log(actor=None, organisation=organisation, action="test.thing")

    def test_it_refuses_in_a_plain_atomic_block_alone(self, organisation):
        with transaction.atomic(), pytest.raises(RuntimeError, match="inside audited_atomic"):
            audit_log(actor=None, organisation=organisation, action="test.thing")

    def test_it_refuses_inside_a_nested_plain_atomic_block(self, organisation):
        with audited_atomic():
            with transaction.atomic(), pytest.raises(RuntimeError, match="nested"):
                audit_log(actor=None, organisation=organisation, action="test.thing")
        assert not AuditEvent.all_chains.exists()

    def test_audited_atomic_refuses_inside_a_plain_atomic_of_a_service(self, organisation):
        with audited_atomic():
            with transaction.atomic(), pytest.raises(RuntimeError, match="plain"):
                with audited_atomic():
                    pass


@pytest.mark.django_db
class TestAccessEvents:
    def test_an_access_is_pending_until_sealed(self, organisation):
        event = access(organisation)
        stored = AuditEvent.all_chains.get(pk=event.pk)
        assert stored.sequence is None and stored.hash == "" and not stored.is_sealed
        assert audit_seal() == 1
        stored = AuditEvent.all_chains.get(pk=event.pk)
        assert stored.sequence == 1 and stored.hash
        assert AuditChain.objects.get(key=stored.chain_key).head_hash == stored.hash
        assert audit_seal() == 0

    def test_the_next_change_seals_the_pending_accesses_first(self, organisation):
        viewed = access(organisation)
        (changed,) = log_events(organisation)
        viewed = AuditEvent.all_chains.get(pk=viewed.pk)
        assert (viewed.sequence, changed.sequence) == (1, 2)
        assert changed.prev_hash == viewed.hash

    def test_recording_an_access_takes_no_chain_lock(self, organisation):
        log_events(organisation)
        with connection.execute_wrapper(_no_chain_queries):
            access(organisation)

    def test_an_access_inside_a_service_is_kept_when_the_service_fails(self, organisation):
        with pytest.raises(ValueError), audited_atomic():
            audit_log(actor=None, organisation=organisation, action="test.dropped")
            access(organisation)
            assert not AuditEvent.all_chains.exists()  # written after the transaction
            raise ValueError
        assert list(AuditEvent.all_chains.values_list("action", flat=True)) == ["test.viewed"]


def _no_chain_queries(execute, sql, params, many, context):
    assert "core_auditchain" not in sql, sql
    return execute(sql, params, many, context)
