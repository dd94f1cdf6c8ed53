"""audit_verify recomputes every chain; `phteah audit verify` seals first and exits 1 on a
problem. The tampering a database user can do is in test_tampering.py."""

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from phteah.core.audit import audit_verify
from phteah.core.models import AuditChain, AuditEvent

from .conftest import access, log_events, raw


@pytest.mark.django_db
class TestAuditVerify:
    def test_an_untouched_trail_verifies(self, organisation, other_organisation):
        log_events(organisation, 3)
        log_events(other_organisation, 2)
        log_events(None, 1)
        access(organisation)
        report = audit_verify()
        assert (report.checked, report.pending) == (6, 1)
        assert report.problems == [] and report.ok

    def test_a_chain_with_only_pending_events_has_no_head_yet_and_that_is_fine(self, organisation):
        access(organisation)
        assert not AuditChain.objects.exists()
        assert audit_verify().problems == []

    def test_it_detects_an_edited_row(self, organisation):
        events = log_events(organisation, 3)
        raw("UPDATE core_auditevent SET action = %s WHERE id = %s", ["test.forged", events[1].pk])
        assert [(p.event_id, p.problem) for p in audit_verify().problems] == [
            (events[1].pk, "contents were changed after writing")
        ]

    def test_it_detects_a_deleted_row_in_the_middle(self, organisation):
        events = log_events(organisation, 4)
        raw("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
        problems = audit_verify().problems
        assert problems[0].event_id == events[2].pk and "missing" in problems[0].problem

    def test_it_detects_the_latest_row_deleted_while_the_head_still_counts_it(self, organisation):
        events = log_events(organisation, 3)
        raw("DELETE FROM core_auditevent WHERE id = %s", [events[-1].pk])
        (problem,) = audit_verify().problems
        assert problem.event_id is None and "head records 3 events but 2" in problem.problem

    def test_it_detects_a_missing_head(self, organisation):
        log_events(organisation, 2)
        raw("DELETE FROM core_auditchain")
        (problem,) = audit_verify().problems
        assert problem.problem == "chain head is missing"

    def test_a_pending_event_with_a_changed_value_is_detected_too(self, organisation):
        event = access(organisation, data={"page": "case"})
        raw("UPDATE core_auditevent SET ip = %s WHERE id = %s", ["10.9.9.9", event.pk])
        (problem,) = audit_verify().problems
        assert (problem.event_id, problem.sequence) == (event.pk, None)
        assert "the value ip was added" in problem.problem


@pytest.mark.django_db
class TestTheCommand:
    def test_verify_seals_the_pending_events_first(self, organisation, capsys):
        log_events(organisation, 2)
        access(organisation)
        call_command("audit", "verify")
        out = capsys.readouterr().out
        assert "OK: 3 audit events verified (1 sealed now)" in out
        assert not AuditEvent.all_chains.filter(sequence__isnull=True).exists()

    def test_it_exits_non_zero_on_tampering(self, organisation, capsys):
        events = log_events(organisation, 2)
        raw("UPDATE core_auditevent SET ip = %s WHERE id = %s", ["10.0.0.9", events[0].pk])
        with pytest.raises(CommandError):
            call_command("audit", "verify")
        assert "TAMPERED org:" in capsys.readouterr().err

    def test_the_console_command_exit_code(self, organisation):
        """`phteah audit verify` as a process: exit 1 when tampered (CommandError → 1)."""
        events = log_events(organisation, 1)
        raw("UPDATE core_auditevent SET action = %s WHERE id = %s", ["x", events[0].pk])
        with pytest.raises(SystemExit) as exit_info:
            ManagementUtility(["phteah", "audit", "verify"]).execute()
        assert exit_info.value.code == 1

    def test_seal(self, organisation, capsys):
        access(organisation)
        access(organisation)
        call_command("audit", "seal")
        assert "2 pending audit events sealed" in capsys.readouterr().out
