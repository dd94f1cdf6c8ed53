"""Anchoring: a signed checkpoint of every chain head outside the database, the database
compared with it, and each organisation's own entry mailed to its administrators."""

import json
import stat

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from phteah.accounts.roles import Role
from phteah.core.audit import audit_verify
from phteah.core.audit.anchor import (
    FORMAT,
    audit_anchor,
    checkpoint_problem,
    checkpoint_read,
    latest_checkpoint,
)
from phteah.core.models import AuditChain, AuditEvent

from .conftest import access, log_events, raw


@pytest.mark.django_db
class TestAnchor:
    def test_it_writes_a_signed_checkpoint_of_every_chain_head(
        self, organisation, other_organisation, settings
    ):
        events = log_events(organisation, 3)
        log_events(other_organisation, 1)
        result = audit_anchor()
        assert result.ok
        assert result.path.parent == settings.AUDIT_ANCHOR_DIR
        data = json.loads(result.path.read_text())
        assert data["format"] == FORMAT and data["signature"] and data["key_id"]
        entry = next(c for c in data["chains"] if c["chain"] == f"org:{organisation.pk}")
        assert entry["length"] == 3 and entry["head_hash"] == events[-1].hash
        assert entry["last_event_at"] == events[-1].created_at.isoformat()
        assert {c["chain"] for c in data["chains"]} == set(
            AuditChain.objects.values_list("key", flat=True)
        )
        assert checkpoint_problem(checkpoint_read(result.path)) is None

    def test_the_file_is_readable_by_its_owner_only_and_written_whole(self, organisation):
        log_events(organisation)
        result = audit_anchor()
        assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
        assert stat.S_IMODE(result.path.parent.stat().st_mode) == 0o700
        assert [p.name for p in result.path.parent.iterdir()] == [result.path.name]

    def test_it_seals_the_pending_events_first(self, organisation):
        log_events(organisation)
        access(organisation)
        result = audit_anchor()
        assert result.sealed == 1
        assert result.checkpoint.entry(f"org:{organisation.pk}").length == 2

    def test_verify_compares_with_the_latest_checkpoint(self, organisation):
        log_events(organisation, 2)
        first = audit_anchor()
        log_events(organisation, 1)
        second = audit_anchor()
        assert first.path.name < second.path.name
        assert latest_checkpoint()[0].name == second.path.name
        report = audit_verify()
        assert report.ok and report.checkpoint == second.path.name

    def test_verify_without_a_checkpoint_says_so(self, organisation):
        log_events(organisation)
        report = audit_verify()
        assert report.ok and report.checkpoint is None

    def test_it_refuses_to_write_over_a_database_behind_the_last_checkpoint(self, organisation):
        """Otherwise cutting a chain and waiting for the next anchor would hide the cut."""
        events = log_events(organisation, 3)
        audit_anchor()
        raw("DELETE FROM core_auditevent WHERE id = %s", [events[-1].pk])
        raw(
            "UPDATE core_auditchain SET length = 2, head_hash = %s WHERE key = %s",
            [events[1].hash, events[1].chain_key],
        )
        result = audit_anchor()
        assert result.path is None and len(list(result_files())) == 1
        assert any("shorter" in problem for problem in result.problems)

    def test_it_refuses_when_a_head_does_not_match_its_last_event(self, organisation):
        log_events(organisation, 2)
        raw("UPDATE core_auditchain SET length = 5")
        result = audit_anchor()
        assert result.path is None and "event #5 is missing" in result.problems[0]

    def test_a_new_chain_since_the_last_checkpoint_is_fine(self, organisation, other_organisation):
        log_events(organisation)
        audit_anchor()
        log_events(other_organisation)
        assert audit_anchor().ok and audit_verify().ok


def result_files():
    from phteah.core.audit.anchor import anchor_dir

    return anchor_dir().glob("checkpoint-*.json")


@pytest.mark.django_db
class TestAnchorEmail:
    def test_each_organisation_gets_only_its_own_entry(
        self, organisation, other_organisation, member, settings
    ):
        settings.AUDIT_ANCHOR_EMAIL = True
        admin = member(Role.ORG_ADMIN)
        member(Role.SUPERVISOR)  # not an administrator: no mail
        other_admin = member(Role.ORG_ADMIN, org=other_organisation)
        member(Role.ORG_ADMIN, is_active=False)  # no longer a member
        log_events(organisation, 2)
        log_events(other_organisation, 1)
        log_events(None, 1)  # the system chain goes to nobody
        result = audit_anchor()
        assert result.emailed == 2
        by_address = {message.to[0]: message for message in mail.outbox}
        assert set(by_address) == {admin.user.email, other_admin.user.email}
        (name, content, mimetype) = by_address[admin.user.email].attachments[0]
        assert mimetype == "application/json" and name.endswith(".json")
        own = json.loads(content)
        assert [c["chain"] for c in own["chains"]] == [f"org:{organisation.pk}"]
        assert str(other_organisation.pk) not in by_address[admin.user.email].body + content

    def test_the_mailed_entry_is_a_checkpoint_verify_accepts(
        self, organisation, member, settings, tmp_path
    ):
        settings.AUDIT_ANCHOR_EMAIL = True
        member(Role.ORG_ADMIN)
        events = log_events(organisation, 2)
        audit_anchor()
        received = tmp_path / "received.json"
        received.write_text(mail.outbox[0].attachments[0][1])
        assert audit_verify(checkpoint=received).ok
        raw("DELETE FROM core_auditevent WHERE id = %s", [events[-1].pk])
        raw(
            "UPDATE core_auditchain SET length = 1, head_hash = %s",
            [events[0].hash],
        )
        problems = [p.problem for p in audit_verify(checkpoint=received).problems]
        assert problems == [
            "checkpoint received.json recorded 2 events; the chain is shorter now (its latest "
            "events were deleted)"
        ]

    def test_it_mails_each_administrator_in_their_language(
        self, organisation, member, settings, monkeypatch
    ):
        settings.AUDIT_ANCHOR_EMAIL = True
        for language in ("km", "en"):
            admin = member(Role.ORG_ADMIN)
            admin.user.language = language
            admin.user.save()
        languages = {}

        class Recording(EmailMessage):
            def __init__(self, *args, to, **kwargs):
                languages[to[0]] = translation.get_language()
                super().__init__(*args, to=to, **kwargs)

        monkeypatch.setattr("phteah.core.audit.anchor.EmailMessage", Recording)
        log_events(organisation)
        audit_anchor()
        assert sorted(languages.values()) == ["en", "km"]
        english = next(m for m in mail.outbox if languages[m.to[0]] == "en")
        assert "signed checkpoint of your organisation's audit trail" in english.body

    def test_only_chains_that_changed_are_mailed_again(self, organisation, member, settings):
        settings.AUDIT_ANCHOR_EMAIL = True
        member(Role.ORG_ADMIN)
        log_events(organisation)
        audit_anchor()
        audit_anchor()
        assert len(mail.outbox) == 1
        log_events(organisation)
        audit_anchor()
        assert len(mail.outbox) == 2
        assert audit_anchor(email=True).emailed == 1  # asked for: every organisation
        assert len(mail.outbox) == 3

    def test_no_mail_unless_asked(self, organisation, member, settings):
        settings.AUDIT_ANCHOR_EMAIL = False
        member(Role.ORG_ADMIN)
        log_events(organisation)
        assert audit_anchor().emailed == 0 and mail.outbox == []

    def test_a_failed_mail_is_reported_after_the_checkpoint_is_written(
        self, organisation, member, settings, monkeypatch
    ):
        settings.AUDIT_ANCHOR_EMAIL = True
        member(Role.ORG_ADMIN)
        log_events(organisation)

        def refuse(self, *args, **kwargs):
            raise OSError("mail server down")

        monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
        result = audit_anchor()
        assert result.path.exists() and not result.ok
        assert "mail server down" in result.email_failures[0]


@pytest.mark.django_db
class TestTheCommand:
    def test_anchor(self, organisation, capsys):
        log_events(organisation, 2)
        call_command("audit", "anchor")
        assert "Checkpoint of 1 chain(s) written to" in capsys.readouterr().out
        call_command("audit", "verify")
        assert "the database holds everything of checkpoint checkpoint-" in (
            capsys.readouterr().out
        )

    def test_anchor_exits_non_zero_when_the_trail_was_cut(self, organisation, capsys):
        events = log_events(organisation, 2)
        call_command("audit", "anchor")
        raw("DELETE FROM core_auditevent WHERE id = %s", [events[-1].pk])
        raw("UPDATE core_auditchain SET length = 1, head_hash = %s", [events[0].hash])
        with pytest.raises(CommandError, match="No checkpoint written"):
            call_command("audit", "anchor")
        assert "TAMPERED org:" in capsys.readouterr().err

    def test_verify_against_a_given_checkpoint_or_none(self, organisation, tmp_path):
        events = log_events(organisation, 2)
        path = audit_anchor().path
        raw("DELETE FROM core_auditevent WHERE id = %s", [events[-1].pk])
        raw("UPDATE core_auditchain SET length = 1, head_hash = %s", [events[0].hash])
        with pytest.raises(CommandError):
            call_command("audit", "verify", "--checkpoint", str(path))
        call_command("audit", "verify", "--no-checkpoint")  # the cut chain itself is intact
        with pytest.raises(CommandError):
            call_command("audit", "verify", "--checkpoint", str(tmp_path / "missing.json"))

    def test_mail_on_request(self, organisation, member, capsys):
        member(Role.ORG_ADMIN)
        log_events(organisation)
        call_command("audit", "anchor", "--email")
        assert "1 e-mail(s) sent" in capsys.readouterr().out
        assert AuditEvent.all_chains.count() == 1  # anchoring writes nothing to the trail
