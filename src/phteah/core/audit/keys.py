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
``phteah audit key list`` shows the ids, never the secrets."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class AuditKey:
    id: str
    secret: bytes

    def __repr__(self) -> str:  # never print the secret
        return f"AuditKey({self.id!r})"


def _parse(text: str, source: str) -> list[AuditKey]:
    keys = []
    for number, line in enumerate(text.replace(",", "\n").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key_id, sep, secret = line.replace(":", " ", 1).partition(" ")
        secret = secret.strip()
        try:
            raw = bytes.fromhex(secret)
        except ValueError:
            raw = b""
        if not sep or not key_id or len(raw) < 32:
            raise ImproperlyConfigured(
                f"Audit key {number} in {source} must be 'id secret' with a secret of at "
                "least 64 hex digits."
            )
        keys.append(AuditKey(key_id, raw))
    if len({key.id for key in keys}) != len(keys):
        raise ImproperlyConfigured(f"Two audit keys in {source} have the same id.")
    return keys


def new_key() -> AuditKey:
    return AuditKey(f"{date.today().isoformat()}-{secrets.token_hex(2)}", secrets.token_bytes(32))


def _line(key: AuditKey) -> str:
    return f"{key.id} {key.secret.hex()}\n"


def key_file() -> Path:
    return Path(settings.AUDIT_KEY_FILE)


def _write_new_file(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


@lru_cache(maxsize=8)
def _loaded(configured: str, path: str, _version: tuple | None) -> tuple[AuditKey, ...]:
    if configured:
        return tuple(_parse(configured, "AUDIT_KEYS"))
    file = Path(path)
    keys = _parse(file.read_text(), str(file))
    if not keys:
        raise ImproperlyConfigured(f"{file} holds no audit key.")
    return tuple(keys)


def _version(file: Path) -> tuple:
    """Which key file this is (a rotation replaces it: another inode, another time), made
    on first use."""
    try:
        stat = file.stat()
    except FileNotFoundError:
        try:
            _write_new_file(file, _line(new_key()))
        except FileExistsError:
            pass  # made at the same moment by another process
        stat = file.stat()
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def audit_keys() -> tuple[AuditKey, ...]:
    """Every key, the current one first."""
    if settings.AUDIT_KEYS:
        return _loaded(settings.AUDIT_KEYS, "", None)
    file = key_file()
    return _loaded("", str(file), _version(file))


def keys_source() -> str:
    """Where the keys come from (for ``phteah audit key list``)."""
    return "the AUDIT_KEYS setting" if settings.AUDIT_KEYS else str(key_file())


def current_key() -> AuditKey:
    return audit_keys()[0]


def key_by_id(key_id: str) -> AuditKey | None:
    return next((key for key in audit_keys() if key.id == key_id), None)


def audit_key_rotate() -> AuditKey:
    """Put a new key first in the key file, keeping the others for verification. Refuses
    when the keys come from the AUDIT_KEYS setting (rotate them where they are kept)."""
    if settings.AUDIT_KEYS:
        raise ImproperlyConfigured(
            "The audit keys come from the AUDIT_KEYS setting: add the new key there, first."
        )
    path = key_file()
    old = audit_keys()  # makes the file if it is missing
    key = new_key()
    while key.id in {k.id for k in old}:
        key = new_key()
    temporary = path.with_name(path.name + ".new")
    temporary.unlink(missing_ok=True)
    _write_new_file(temporary, _line(key) + "".join(_line(k) for k in old))
    os.replace(temporary, path)
    _loaded.cache_clear()
    return key


def keys_reload() -> None:
    """Forget the loaded keys (after the settings or the key file changed)."""
    _loaded.cache_clear()
