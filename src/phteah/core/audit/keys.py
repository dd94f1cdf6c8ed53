"""The keys of the audit chain: HMAC keys kept outside the database.

Someone who can write to the database but does not hold the key cannot recompute the
chain after changing an event, so keying the chain turns "rewrite an event and re-hash the
rest" into a detectable change. Keys come from the ``AUDIT_KEYS`` setting (environment:
``AUDIT_KEYS="id:hex,id:hex"``) or, where it is empty, from a key file readable only by its
owner (``AUDIT_KEY_FILE``, by default ``$PHTEAH_DATA_DIR/audit_keys``), made on first use:

    2026-12-01-3f9a 5c1e…(64 hex digits)
    2026-06-01-a07b 9d0f…

The first key signs new events and checkpoints; the others are kept so that events and
checkpoints signed with them still verify. Every event and checkpoint records the id of its
key. ``phteah audit key rotate`` puts a new key first in the file; running processes notice
the changed file (its modification time) and sign with the new key from their next event.
``phteah audit key list`` shows the ids, never the secrets. The reading, making and rotating
of the key file is shared with the linkage keys (``phteah.core.keyfile``)."""

from __future__ import annotations

from phteah.core.keyfile import KeyRing, SecretKey


class AuditKey(SecretKey):
    pass


_RING = KeyRing(
    setting="AUDIT_KEYS", file_setting="AUDIT_KEY_FILE", label="Audit key", key_class=AuditKey
)


def new_key() -> AuditKey:
    return _RING.new_key()


def key_file():
    return _RING.file()


def audit_keys() -> tuple[AuditKey, ...]:
    """Every key, the current one first."""
    return _RING.keys()


def keys_source() -> str:
    """Where the keys come from (for ``phteah audit key list``)."""
    return _RING.source()


def current_key() -> AuditKey:
    return _RING.current()


def key_by_id(key_id: str) -> AuditKey | None:
    return _RING.by_id(key_id)


def audit_key_rotate() -> AuditKey:
    """Put a new key first in the key file, keeping the others for verification. Refuses
    when the keys come from the AUDIT_KEYS setting (rotate them where they are kept)."""
    return _RING.rotate()


def keys_reload() -> None:
    """Forget the loaded keys (after the settings or the key file changed)."""
    _RING.reload()
