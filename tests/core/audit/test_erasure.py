"""Erasure: an administrator removes values from their organisation's events, with a reason;
the chain still verifies and records what was erased, by whom, when and why."""

from datetime import UTC

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from phteah.accounts.roles import Role
from phteah.core.audit import audit_log, audit_verify, audited_atomic
from phteah.core.audit.erasure import (
    ERASE_AUDIT_VALUES,
    audit_event_get_for_erasure,
    audit_values_erase,
)
from phteah.core.errors import NotFound, ServiceError
from phteah.core.models import AuditEvent

from .conftest import access, stored


def _registered(organisation, name="Sok Dara", ip="10.1.2.3", target=None):
    with audited_atomic():
        return audit_log(
            actor=None,
            organisation=organisation,
            action="people.person.created",
            target=target,
            changes={"full_name": [None, name], "sex": [None, "f"]},
            data={"note": f"{name} came with her aunt"},
            ip=ip,
        )


@pytest.fixture
def admin(member):
    return member(Role.ORG_ADMIN)


def test_the_capability_is_the_administrators():
    from phteah.accounts.roles import Capability, capabilities_of

    assert Capability.ERASE_AUDIT_VALUES == ERASE_AUDIT_VALUES
    assert [r for r in Role if ERASE_AUDIT_VALUES in capabilities_of(r)] == [Role.ORG_ADMIN]


@pytest.mark.django_db
class TestErasure:
    def test_it_removes_the_values_and_salts_and_keeps_the_digests(self, admin, organisation):
        event = _registered(organisation)
        before = stored(event.pk)
        erasure = audit_values_erase(
            actor=admin,
            event_ids=[event.pk],
            paths=["changes.full_name", "data.note"],
            reason="Registered on the wrong child",
            ip="10.0.0.1",
        )
        after = stored(event.pk)
        assert after.changes == {"sex": [None, "f"]} and after.data == {}
        assert set(after.salts) == {"changes.sex", "ip"}
        assert after.digests == before.digests
        assert after.hash == before.hash and after.sequence == before.sequence
        marker = {"at": erasure.created_at.astimezone(UTC).isoformat(), "by": str(admin.user.pk)}
        assert after.erased == {"changes.full_name": marker, "data.note": marker}
        assert "Sok Dara" not in str(AuditEvent.all_chains.values_list().get(pk=event.pk))
        assert audit_verify().ok

    def test_the_erasure_event_says_what_by_whom_when_and_why(self, admin, organisation):
        event = _registered(organisation)
        erasure = audit_values_erase(
            actor=admin, event_ids=[event.pk], paths=["ip"], reason="Retention limit"
        )
        recorded = stored(erasure.pk)
        assert recorded.action == "core.audit.values_erased"
        assert recorded.actor_id == admin.user.pk
        assert recorded.chain_key == event.chain_key and recorded.sequence == 2
        assert recorded.data == {"erased": {str(event.pk): ["ip"]}, "reason": "Retention limit"}
        assert (
            stored(event.pk).erased["ip"]["at"] == recorded.created_at.astimezone(UTC).isoformat()
        )

    def test_without_paths_every_value_of_the_event_goes(self, admin, organisation):
        event = _registered(organisation)
        erasure = audit_values_erase(actor=admin, event_ids=[event.pk], reason="Court order")
        after = stored(event.pk)
        assert (after.changes, after.data, after.ip, after.salts) == ({}, {}, None, {})
        assert sorted(erasure.data["erased"][str(event.pk)]) == [
            "changes.full_name",
            "changes.sex",
            "data.note",
            "ip",
        ]
        assert audit_verify().ok

    def test_a_target_erases_every_event_about_that_record(self, admin, organisation):
        person = ("people.person", "0b1e1f3c-0000-4000-8000-000000000001")
        first = _registered(organisation, target=person)
        second = _registered(organisation, name="Sok Dara", target=person)
        other = _registered(organisation, name="Chan Sopheap")
        access(organisation, target=person)  # pending: erased as well
        erasure = audit_values_erase(
            actor=admin, target=person, paths=["changes.full_name"], reason="Wrong child"
        )
        assert set(erasure.data["erased"]) == {str(first.pk), str(second.pk)}
        assert "full_name" in stored(other.pk).changes
        assert audit_verify().ok

    def test_a_pending_event_can_be_erased_and_sealed_after(self, admin, organisation):
        viewed = access(organisation, data={"page": "person"})
        audit_values_erase(actor=admin, event_ids=[viewed.pk], reason="Mistake")
        after = stored(viewed.pk)
        assert after.sequence is not None  # sealed by the erasure's own write
        assert after.data == {} and audit_verify().ok

    def test_only_administrators_erase(self, member, organisation):
        event = _registered(organisation)
        for role in (Role.SUPERVISOR, Role.CASE_WORKER, Role.ME_OFFICER, Role.VIEWER):
            with pytest.raises(NotFound):
                audit_values_erase(actor=member(role), event_ids=[event.pk], reason="x")
        assert stored(event.pk).erased == {}

    def test_only_events_of_the_administrators_organisation(
        self, admin, organisation, other_organisation
    ):
        theirs = _registered(other_organisation)
        mine = _registered(organisation)
        with pytest.raises(NotFound):
            audit_values_erase(actor=admin, event_ids=[mine.pk, theirs.pk], reason="x")
        with pytest.raises(NotFound):
            audit_event_get_for_erasure(actor=admin, event_id=theirs.pk)
        assert stored(theirs.pk).erased == {} and stored(mine.pk).erased == {}
        refusals = AuditEvent.all_chains.filter(action="core.access.denied_outside")
        assert refusals.filter(organisation=other_organisation).exists()

    @pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
    def test_a_reason_is_required_and_not_endless(self, admin, organisation, reason):
        event = _registered(organisation)
        with pytest.raises(ServiceError) as error:
            audit_values_erase(actor=admin, event_ids=[event.pk], reason=reason)
        assert error.value.field == "reason"
        assert stored(event.pk).erased == {}
        assert not AuditEvent.all_chains.filter(action="core.audit.values_erased").exists()

    def test_an_unknown_path_is_refused_and_nothing_is_erased(self, admin, organisation):
        event = _registered(organisation)
        with pytest.raises(ServiceError, match="data.nothing"):
            audit_values_erase(
                actor=admin,
                event_ids=[event.pk],
                paths=["changes.full_name", "data.nothing"],
                reason="x",
            )
        assert stored(event.pk).erased == {} and "full_name" in stored(event.pk).changes

    def test_a_value_erased_once_cannot_be_erased_again(self, admin, organisation):
        event = _registered(organisation)
        audit_values_erase(actor=admin, event_ids=[event.pk], paths=["ip"], reason="x")
        with pytest.raises(ServiceError):
            audit_values_erase(actor=admin, event_ids=[event.pk], paths=["ip"], reason="x")

    def test_the_record_of_an_erasure_cannot_be_erased(self, admin, organisation):
        event = _registered(organisation)
        erasure = audit_values_erase(actor=admin, event_ids=[event.pk], reason="x")
        with pytest.raises(ServiceError, match="earlier erasure"):
            audit_values_erase(
                actor=admin, event_ids=[erasure.pk], paths=["data.erased"], reason="y"
            )
        # Its reason may go; what it erased stays, and the chain still verifies.
        again = audit_values_erase(actor=admin, event_ids=[erasure.pk], reason="y")
        assert again.data["erased"] == {str(erasure.pk): ["data.reason"]}
        assert "erased" in stored(erasure.pk).data
        assert audit_verify().ok


@pytest.mark.django_db
class TestTheCommand:
    def test_an_operator_erases_with_a_reason(self, organisation, capsys):
        event = _registered(organisation)
        call_command(
            "audit",
            "erase",
            "--organisation",
            organisation.short_code.lower(),
            "--event",
            str(event.pk),
            "--path",
            "changes.full_name",
            "--reason",
            "Court order 12/2026",
        )
        assert f"event {event.pk}: changes.full_name" in capsys.readouterr().out
        erasure = AuditEvent.all_chains.get(action="core.audit.values_erased")
        assert erasure.actor_id is None and erasure.actor_label.startswith("command line (")
        assert stored(event.pk).erased["changes.full_name"]["by"] is None
        assert audit_verify().ok

    def test_another_organisations_event_is_not_found(self, organisation, other_organisation):
        event = _registered(other_organisation)
        with pytest.raises(CommandError, match="No such event"):
            call_command(
                "audit",
                "erase",
                "--organisation",
                organisation.short_code,
                "--event",
                str(event.pk),
                "--reason",
                "x",
            )

    def test_an_unknown_organisation_or_a_missing_reason(self, organisation):
        event = _registered(organisation)
        with pytest.raises(CommandError, match="short code"):
            call_command(
                "audit",
                "erase",
                "--organisation",
                "NOPE",
                "--event",
                str(event.pk),
                "--reason",
                "x",
            )
        with pytest.raises(CommandError):
            call_command(
                "audit",
                "erase",
                "--organisation",
                organisation.short_code,
                "--event",
                str(event.pk),
                "--reason",
                " ",
            )


@pytest.mark.django_db
def test_an_operator_erases_a_typed_email_from_the_system_chain(capsys):
    with audited_atomic():
        failed = audit_log(
            actor=None,
            organisation=None,
            action="accounts.login.failed",
            actor_label="someone@example.test",
        )
    call_command(
        "audit", "erase", "--system", "--event", str(failed.pk), "--reason", "Retention limit"
    )
    after = stored(failed.pk)
    assert after.actor_label == "" and "actor_label" in after.erased
    erasure = AuditEvent.all_chains.get(action="core.audit.values_erased")
    assert erasure.chain_key == "system" and audit_verify().ok
