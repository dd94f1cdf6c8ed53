"""Secret keys kept outside the database: in a setting or in a key file of their own.

Two sets of keys use it: the audit chain's (``AUDIT_KEYS`` / ``AUDIT_KEY_FILE``, see
``phteah.core.audit.keys``) and the linkage keys of the duplicate check across organisations
(``LINKAGE_KEYS`` / ``LINKAGE_KEY_FILE``, see ``phteah.people.linkage``). Each comes from its
setting (environment: ``NAME="id:hex,id:hex"``) or, where that is empty, from its key file,
readable only by its owner and made on first use, one key a line, the current key first:

    2026-12-01-3f9a 5c1e…(64 hex digits)
    2026-06-01-a07b 9d0f…

A secret has at least 32 bytes (64 hex digits). The older keys stay so that what they signed
can still be checked. A running process notices a changed key file (another inode, time or
size) and uses its new first key from its next use. Keys print their id, never the secret."""

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
class SecretKey:
    id: str
    secret: bytes

    def __repr__(self) -> str:  # never print the secret
        return f"{type(self).__name__}({self.id!r})"


def parse_keys(text: str, source: str, label: str, key_class=SecretKey) -> list:
    """The keys of a setting's value or a key file's text (``label`` names them in errors:
    "Audit key", "Linkage key")."""
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
                f"{label} {number} in {source} must be 'id secret' with a secret of at "
                "least 64 hex digits."
            )
        keys.append(key_class(key_id, raw))
    if len({key.id for key in keys}) != len(keys):
        raise ImproperlyConfigured(f"Two {label.lower()}s in {source} have the same id.")
    return keys


def key_line(key: SecretKey) -> str:
    return f"{key.id} {key.secret.hex()}\n"


def write_new_file(path: Path, text: str) -> None:
    """Write a file that must not exist yet, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


class KeyRing:
    """The keys named by two settings: ``setting`` (the keys themselves, first to last) and
    ``file_setting`` (the path of the key file used when the first is empty)."""

    def __init__(self, *, setting: str, file_setting: str, label: str, key_class=SecretKey):
        self.setting = setting
        self.file_setting = file_setting
        self.label = label
        self.key_class = key_class
        self._loaded = lru_cache(maxsize=8)(self._load)

    def _configured(self) -> str:
        return getattr(settings, self.setting, "") or ""

    def file(self) -> Path:
        return Path(getattr(settings, self.file_setting))

    def new_key(self) -> SecretKey:
        return self.key_class(
            f"{date.today().isoformat()}-{secrets.token_hex(2)}", secrets.token_bytes(32)
        )

    def _load(self, configured: str, path: str, _version: tuple | None) -> tuple:
        if configured:
            return tuple(parse_keys(configured, self.setting, self.label, self.key_class))
        file = Path(path)
        keys = parse_keys(file.read_text(), str(file), self.label, self.key_class)
        if not keys:
            raise ImproperlyConfigured(f"{file} holds no {self.label.lower()}.")
        return tuple(keys)

    def _version(self, file: Path) -> tuple:
        """Which key file this is (a rotation replaces it: another inode, another time), made
        on first use."""
        try:
            stat = file.stat()
        except FileNotFoundError:
            try:
                write_new_file(file, key_line(self.new_key()))
            except FileExistsError:
                pass  # made at the same moment by another process
            stat = file.stat()
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def keys(self) -> tuple:
        """Every key, the current one first."""
        configured = self._configured()
        if configured:
            return self._loaded(configured, "", None)
        file = self.file()
        return self._loaded("", str(file), self._version(file))

    def current(self):
        return self.keys()[0]

    def by_id(self, key_id: str):
        return next((key for key in self.keys() if key.id == key_id), None)

    def source(self) -> str:
        """Where the keys come from (the setting's name or the file's path)."""
        return f"the {self.setting} setting" if self._configured() else str(self.file())

    def rotate(self):
        """Put a new key first in the key file, keeping the others. Refuses when the keys
        come from the setting (rotate them where they are kept)."""
        if self._configured():
            raise ImproperlyConfigured(
                f"The {self.label.lower()}s come from the {self.setting} setting: add the new "
                "key there, first."
            )
        path = self.file()
        old = self.keys()  # makes the file if it is missing
        key = self.new_key()
        while key.id in {k.id for k in old}:
            key = self.new_key()
        temporary = path.with_name(path.name + ".new")
        temporary.unlink(missing_ok=True)
        write_new_file(temporary, key_line(key) + "".join(key_line(k) for k in old))
        os.replace(temporary, path)
        self._loaded.cache_clear()
        return key

    def reload(self) -> None:
        """Forget the loaded keys (after the settings or the key file changed)."""
        self._loaded.cache_clear()
