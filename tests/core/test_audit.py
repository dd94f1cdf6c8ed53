import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from phteah.core.audit import MASK, audit_log, audit_verify, mask_secrets
from phteah.core.models import AuditChain, AuditEvent


def _log(organisation, n=1, **kwargs):
    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(
                audit_log(
                    actor=None,
                    organisation=organisation,
                    action="test.thing",
                    data={"i": i},
                    **kwargs,
                )
            )
    return events


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
class TestAuditLog:
    def test_it_chains_each_event_to_the_previous_one(self, organisation):
        first, second = _log(organisation, 2)
        assert first.sequence == 1 and second.sequence == 2
        assert second.prev_hash == first.hash
        chain = AuditChain.objects.get(key=f"org:{organisation.pk}")
        assert chain.length == 2 and chain.head_hash == second.hash

    def test_each_organisation_has_its_own_chain(self, organisation, other_organisation):
        (a,) = _log(organisation)
        (b,) = _log(other_organisation)
        assert a.sequence == b.sequence == 1
        assert a.chain_key != b.chain_key

    def test_it_masks_secrets(self, organisation):
        with transaction.atomic():
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

    def test_events_cannot_be_changed_or_deleted_through_the_orm(self, organisation):
        (event,) = _log(organisation)
        event.action = "test.other"
        with pytest.raises(PermissionError):
            event.save()
        with pytest.raises(PermissionError):
            event.delete()
        with pytest.raises(PermissionError):
            AuditEvent.all_chains.filter(pk=event.pk).update(action="x")
        with pytest.raises(PermissionError):
            AuditEvent.all_chains.filter(pk=event.pk).delete()


@pytest.mark.django_db(transaction=True)
def test_audit_log_refuses_to_run_outside_a_transaction(organisation):
    with pytest.raises(RuntimeError):
        audit_log(actor=None, organisation=organisation, action="test.thing")


@pytest.mark.django_db
class TestAuditVerify:
    def test_an_untouched_trail_verifies(self, organisation, other_organisation):
        _log(organisation, 3)
        _log(other_organisation, 2)
        _log(None, 1)
        checked, problems = audit_verify()
        assert checked == 6
        assert problems == []

    def test_it_detects_an_edited_row(self, organisation):
        events = _log(organisation, 3)
        _raw("UPDATE core_auditevent SET action = %s WHERE id = %s", ["test.forged", events[1].pk])
        _checked, problems = audit_verify()
        assert [(p.event_id, p.problem) for p in problems] == [
            (events[1].pk, "contents were changed after writing")
        ]

    def test_it_detects_an_edited_json_value(self, organisation):
        events = _log(organisation, 2)
        with connection.cursor() as cursor:
            cursor.execute("SELECT data FROM core_auditevent WHERE id = %s", [events[0].pk])
            forged = cursor.fetchone()[0].replace("0", "7")
        _raw("UPDATE core_auditevent SET data = %s WHERE id = %s", [forged, events[0].pk])
        _checked, problems = audit_verify()
        assert any(p.event_id == events[0].pk for p in problems)

    def test_it_detects_a_deleted_row_in_the_middle(self, organisation):
        events = _log(organisation, 4)
        _raw("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
        _checked, problems = audit_verify()
        assert problems and problems[0].event_id == events[2].pk
        assert "missing" in problems[0].problem

    def test_it_detects_the_latest_row_deleted(self, organisation):
        events = _log(organisation, 3)
        _raw("DELETE FROM core_auditevent WHERE id = %s", [events[-1].pk])
        _checked, problems = audit_verify()
        assert len(problems) == 1 and problems[0].event_id is None

    def test_it_detects_a_rehashed_row_by_its_broken_link(self, organisation):
        """Someone who edits a row and recomputes its hash still breaks the next link."""
        events = _log(organisation, 3)
        _raw("UPDATE core_auditevent SET hash = %s WHERE id = %s", ["f" * 64, events[0].pk])
        _checked, problems = audit_verify()
        assert {p.event_id for p in problems} == {events[0].pk, events[1].pk}

    def test_the_command_exits_non_zero_on_tampering(self, organisation, capsys):
        events = _log(organisation, 2)
        call_command("audit", "verify")
        assert "2 audit events verified" in capsys.readouterr().out
        _raw("UPDATE core_auditevent SET ip = %s WHERE id = %s", ["10.0.0.9", events[0].pk])
        with pytest.raises(CommandError):
            call_command("audit", "verify")
        assert "TAMPERED" in capsys.readouterr().err

    def test_the_console_command_exit_code(self, organisation, tmp_path):
        """`phteah audit verify` as a process: exit 1 when tampered (CommandError → 1)."""
        from django.core.management import ManagementUtility

        events = _log(organisation, 1)
        _raw("UPDATE core_auditevent SET action = %s WHERE id = %s", ["x", events[0].pk])
        with pytest.raises(SystemExit) as exit_info:
            ManagementUtility(["phteah", "audit", "verify"]).execute()
        assert exit_info.value.code == 1
