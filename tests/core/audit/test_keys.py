"""The audit keys: outside the database, rotated with the old ones kept for verification."""

import stat

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError

from phteah.core.audit import audit_verify
from phteah.core.audit.anchor import audit_anchor
from phteah.core.audit.keys import audit_key_rotate, audit_keys, current_key, keys_reload

from .conftest import log_events, stored


def test_the_key_file_is_made_on_first_use_readable_by_its_owner_only(key_file):
    assert not key_file.exists()
    key = current_key()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().split() == [key.id, key.secret.hex()]
    assert len(key.secret) == 32 and key.secret.hex() not in repr(key)


def test_keys_from_the_setting_come_first_to_last(settings):
    settings.AUDIT_KEYS = f"new:{'ab' * 32},old:{'cd' * 32}"
    keys_reload()
    assert [key.id for key in audit_keys()] == ["new", "old"]
    assert current_key().id == "new"


@pytest.mark.parametrize(
    "configured", ["short:abcd", "nohex:" + "zz" * 32, f"same:{'ab' * 32},same:{'cd' * 32}"]
)
def test_a_bad_key_setting_is_refused(settings, configured):
    settings.AUDIT_KEYS = configured
    keys_reload()
    with pytest.raises(ImproperlyConfigured):
        audit_keys()


def test_rotation_puts_the_new_key_first_and_keeps_the_old(key_file):
    old = current_key()
    new = audit_key_rotate()
    assert new.id != old.id
    assert [key.id for key in audit_keys()] == [new.id, old.id]
    assert current_key() == new
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [p.name for p in key_file.parent.iterdir()] == [key_file.name]  # no leftovers


def test_a_running_process_notices_the_rotated_file(key_file):
    """Another process rotated the file: this one signs with the new key from its next event,
    without a restart."""
    current_key()  # loaded and cached
    new_line = f"2099-01-01-beef {'ef' * 32}\n"
    key_file.write_text(new_line + key_file.read_text())
    assert current_key().id == "2099-01-01-beef"


def test_rotation_is_refused_when_the_keys_come_from_the_setting(settings):
    settings.AUDIT_KEYS = f"only:{'ab' * 32}"
    keys_reload()
    with pytest.raises(ImproperlyConfigured):
        audit_key_rotate()
    with pytest.raises(CommandError, match="AUDIT_KEYS"):
        call_command("audit", "key", "rotate")


@pytest.mark.django_db
def test_events_and_checkpoints_signed_with_an_older_key_still_verify(key_file, organisation):
    before = log_events(organisation, 2)
    audit_anchor()
    new = audit_key_rotate()
    after = log_events(organisation, 1)
    assert {stored(e.pk).key_id for e in before} != {stored(e.pk).key_id for e in after}
    assert stored(after[0].pk).key_id == new.id
    report = audit_verify()  # against the checkpoint signed with the old key
    assert report.ok and report.checkpoint
    audit_anchor()
    assert audit_verify().ok


@pytest.mark.django_db
def test_an_event_whose_key_was_dropped_is_reported(key_file, organisation):
    old = current_key()
    log_events(organisation, 1)
    audit_key_rotate()
    lines = key_file.read_text().splitlines()
    key_file.write_text(lines[0] + "\n")  # the old key thrown away
    (problem,) = audit_verify().problems
    assert problem.problem == f"signed with an unknown key ({old.id})"


def test_the_command_lists_ids_never_secrets(key_file, capsys):
    old = current_key()
    call_command("audit", "key", "rotate")
    new = current_key()
    assert new.id in capsys.readouterr().out
    call_command("audit", "key", "list")
    out = capsys.readouterr().out
    assert f"{new.id}  (current)" in out and old.id in out
    assert new.secret.hex() not in out and old.secret.hex() not in out
    assert str(key_file) in out
