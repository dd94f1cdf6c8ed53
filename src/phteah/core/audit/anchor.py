"""Anchoring: signed checkpoints of every chain head, kept outside the database.

The keyed chain stops someone who can write to the database from rewriting an event, but
not from cutting a chain: deleting its newest events and setting the head back, or deleting
an organisation's whole chain and its head, leaves a chain that is shorter but intact.
``audit_anchor()`` (``phteah audit anchor``, hourly with Celery beat) writes what every chain
looked like — its key, length, last hash, the time of its last event — into a file outside
the database, signed with HMAC-SHA256 under the current audit key::

    {"format": "phteah-audit-checkpoint/1", "created_at": "...", "key_id": "...",
     "chains": [{"chain": "org:…", "length": 1204, "head_hash": "…", "last_event_at": "…"}],
     "signature": "…"}

``audit_verify()`` compares the database with the latest checkpoint: a chain that is gone,
shorter, or whose event at the checkpoint's length has another hash is reported. A new
checkpoint is never written over a database that is behind the previous one, so a cut
chain cannot be made to look normal by waiting for the next anchor.

With ``AUDIT_ANCHOR_EMAIL`` each organisation's administrators also receive their own
chain's entry, signed on its own (the same format with one chain), as an e-mail attachment:
a copy out of the operator's reach. ``phteah audit verify --checkpoint FILE`` checks the
database against such a file.

Who the administrators are is known to the accounts app, above core: it registers a finder
(``register_recipients``)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from ..models import AuditChain, AuditEvent
from .chain import canonical
from .keys import current_key, key_by_id
from .snapshot import read_snapshot
from .writing import audit_seal

log = logging.getLogger(__name__)

FORMAT = "phteah-audit-checkpoint/1"
FILE_PREFIX = "checkpoint-"
ORGANISATION_PREFIX = "org:"


class CheckpointError(ValueError):
    """A checkpoint file that cannot be read as one."""


@dataclass(frozen=True)
class ChainEntry:
    chain: str
    length: int
    head_hash: str
    last_event_at: str | None

    def as_json(self) -> dict:
        return {
            "chain": self.chain,
            "length": self.length,
            "head_hash": self.head_hash,
            "last_event_at": self.last_event_at,
        }


@dataclass(frozen=True)
class Checkpoint:
    created_at: str
    key_id: str
    chains: tuple[ChainEntry, ...]
    signature: str = ""
    name: str = ""  # the file it was read from

    def payload(self) -> dict:
        return {
            "format": FORMAT,
            "created_at": self.created_at,
            "key_id": self.key_id,
            "chains": [entry.as_json() for entry in self.chains],
        }

    def as_json(self) -> str:
        return json.dumps(self.payload() | {"signature": self.signature}, indent=1) + "\n"

    def entry(self, chain: str) -> ChainEntry | None:
        return next((entry for entry in self.chains if entry.chain == chain), None)


def _signature(secret: bytes, payload: dict) -> str:
    message = (FORMAT + "\n" + canonical(payload)).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def checkpoint_sign(*, created_at: str, chains: Iterable[ChainEntry]) -> Checkpoint:
    key = current_key()
    unsigned = Checkpoint(created_at=created_at, key_id=key.id, chains=tuple(chains))
    return replace(unsigned, signature=_signature(key.secret, unsigned.payload()))


def checkpoint_problem(checkpoint: Checkpoint) -> str | None:
    """Why *checkpoint* cannot be trusted (unknown key, signature that does not verify)."""
    key = key_by_id(checkpoint.key_id)
    if key is None:
        return f"signed with an unknown key ({checkpoint.key_id or 'none'})"
    expected = _signature(key.secret, checkpoint.payload())
    if not hmac.compare_digest(expected, checkpoint.signature):
        return "its signature does not verify (the file was changed or forged)"
    return None


def checkpoint_parse(text: str, *, name: str = "") -> Checkpoint:
    try:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise CheckpointError(f"not a checkpoint ({FORMAT})")
        chains = tuple(
            ChainEntry(
                chain=str(item["chain"]),
                length=int(item["length"]),
                head_hash=str(item["head_hash"]),
                last_event_at=item.get("last_event_at"),
            )
            for item in data["chains"]
        )
        return Checkpoint(
            created_at=str(data["created_at"]),
            key_id=str(data["key_id"]),
            chains=chains,
            signature=str(data["signature"]),
            name=name,
        )
    except CheckpointError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise CheckpointError(f"unreadable checkpoint: {error}") from error


def checkpoint_read(path: Path) -> Checkpoint:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CheckpointError(f"cannot read {path}: {error}") from error
    return checkpoint_parse(text, name=Path(path).name)


def anchor_dir() -> Path:
    return Path(settings.AUDIT_ANCHOR_DIR)


def _files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(directory.glob(f"{FILE_PREFIX}*.json"), key=lambda path: path.name)


def latest_checkpoint(directory: Path | None = None) -> tuple[Checkpoint | None, list[str]]:
    """The newest checkpoint that verifies, and what is wrong with any newer file (each
    newer file that is unreadable, forged, edited, or signed with an unknown key)."""
    problems = []
    for path in reversed(_files(directory or anchor_dir())):
        try:
            checkpoint = checkpoint_read(path)
        except CheckpointError as error:
            problems.append(f"checkpoint {path.name}: {error}")
            continue
        problem = checkpoint_problem(checkpoint)
        if problem is None:
            return checkpoint, problems
        problems.append(f"checkpoint {path.name}: {problem}")
    return None, problems


def _write_atomically(directory: Path, name: str, text: str) -> Path:
    """Write *text* to directory/name readable by its owner only, whole or not at all."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    final = directory / name
    temporary = directory / f".{name}.{secrets.token_hex(4)}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    directory_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(directory_fd)  # the new name survives a crash too
    finally:
        os.close(directory_fd)
    return final


# --- comparing the database with a checkpoint -------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _events_at(pairs: list[tuple[str, int]]) -> dict[tuple[str, int], tuple[str, datetime]]:
    """{(chain, sequence): (hash, time)} of the events at those places, a few queries."""
    found = {}
    for start in range(0, len(pairs), 200):
        condition = Q()
        for chain, sequence in pairs[start : start + 200]:
            condition |= Q(chain_key=chain, sequence=sequence)
        rows = AuditEvent.all_chains.filter(condition).values_list(
            "chain_key", "sequence", "hash", "created_at"
        )
        for chain, sequence, event_hash, created in rows.order_by():
            found[(chain, sequence)] = (event_hash, created)
    return found


def checkpoint_compare(checkpoint: Checkpoint) -> list[tuple[str, str]]:
    """(chain, problem) for every chain of *checkpoint* that the database no longer holds as
    it was: gone, shorter, or another event at the checkpoint's length. Run inside a read
    snapshot."""
    heads = dict(AuditChain.objects.values_list("key", "length"))
    wanted = [(entry.chain, entry.length) for entry in checkpoint.chains if entry.length]
    events = _events_at(wanted)
    problems = []
    for entry in checkpoint.chains:
        if not entry.length:
            continue
        where = f"checkpoint {checkpoint.name or checkpoint.created_at}"
        found = events.get((entry.chain, entry.length))
        if found is None and entry.chain not in heads:
            problem = f"{where} recorded {entry.length} events; the chain is gone"
        elif found is None:
            problem = (
                f"{where} recorded {entry.length} events; the chain is shorter now (its "
                "latest events were deleted)"
            )
        elif found[0] != entry.head_hash:
            problem = (
                f"{where} recorded another event #{entry.length} (the chain was cut and "
                "written again)"
            )
        elif heads.get(entry.chain, 0) < entry.length:
            problem = f"{where} recorded {entry.length} events; the head was set back"
        else:
            continue
        problems.append((entry.chain, problem))
    return problems


# --- e-mail to the organisations' administrators ----------------------------------------

# Finders: organisation id -> [(e-mail address, language code)] of its administrators.
_recipient_finders: list[Callable[[str], Iterable[tuple[str, str]]]] = []


def register_recipients(finder: Callable[[str], Iterable[tuple[str, str]]]) -> None:
    """Let a higher app say who receives an organisation's checkpoint (idempotent)."""
    if finder not in _recipient_finders:
        _recipient_finders.append(finder)


def _recipients(organisation_id: str) -> list[tuple[str, str]]:
    found = {}
    for finder in _recipient_finders:
        for email, language in finder(organisation_id):
            if email:
                found.setdefault(email, language)
    return sorted(found.items())


def _mail_entry(checkpoint: Checkpoint, entry: ChainEntry) -> int:
    """Mail the organisation's own entry, signed on its own, to its administrators."""
    own = checkpoint_sign(created_at=checkpoint.created_at, chains=[entry])
    created = datetime.fromisoformat(checkpoint.created_at)
    day = checkpoint.created_at[:10]
    sent = 0
    for email, language in _recipients(entry.chain[len(ORGANISATION_PREFIX) :]):
        with translation.override(language or settings.LANGUAGE_CODE):
            when = formats.date_format(timezone.localtime(created), "DATETIME_FORMAT")
            message = EmailMessage(
                subject=_("Phteah: checkpoint of your organisation's audit trail"),
                body=_(
                    "Phteah made a signed checkpoint of your organisation's audit trail on "
                    "%(time)s: %(length)s events; the last one's fingerprint is %(hash)s.\n\n"
                    "Keep this e-mail and its attachment somewhere safe. If the trail is ever "
                    "changed outside Phteah, comparing it with this checkpoint shows it: give "
                    "the attached file to your platform operator, who checks it with "
                    "'phteah audit verify --checkpoint'."
                )
                % {"time": when, "length": entry.length, "hash": entry.head_hash},
                to=[email],
            )
        message.attach(f"phteah-audit-checkpoint-{day}.json", own.as_json(), "application/json")
        message.send()
        sent += 1
    return sent


# --- anchoring --------------------------------------------------------------------------


@dataclass
class AnchorResult:
    checkpoint: Checkpoint | None = None
    path: Path | None = None
    sealed: int = 0
    emailed: int = 0
    problems: list[str] = field(default_factory=list)  # why nothing was written
    email_failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.email_failures


def _heads() -> list[ChainEntry]:
    """Every chain's head, checked against its last event (inside the read snapshot)."""
    chains = list(AuditChain.objects.order_by("key").values_list("key", "length", "head_hash"))
    events = _events_at([(key, length) for key, length, _head in chains if length])
    entries = []
    for key, length, head in chains:
        event = events.get((key, length))
        entries.append(ChainEntry(key, length, head, _iso(event[1]) if event else None))
    return entries


def audit_anchor(*, email: bool | None = None) -> AnchorResult:
    """Seal the pending events, then write a signed checkpoint of every chain head into
    ``AUDIT_ANCHOR_DIR``, unless the database is behind the previous checkpoint or a head
    does not match its chain's last event (then nothing is written and ``problems`` says
    why). *email*: mail each organisation its entry — None: as ``AUDIT_ANCHOR_EMAIL`` says,
    for the chains that changed since the previous checkpoint; True: every organisation's."""
    result = AnchorResult(sealed=audit_seal())
    previous, result.problems = latest_checkpoint()  # read before the snapshot: never newer
    with read_snapshot():
        if previous is not None:
            result.problems += [f"{chain}: {text}" for chain, text in checkpoint_compare(previous)]
        entries = _heads()
    for entry in entries:
        if entry.length and entry.last_event_at is None:
            result.problems.append(
                f"{entry.chain}: the head records {entry.length} events but event "
                f"#{entry.length} is missing"
            )
    if result.problems:
        return result
    created = timezone.now().astimezone(UTC)
    checkpoint = checkpoint_sign(created_at=created.isoformat(), chains=entries)
    name = f"{FILE_PREFIX}{created:%Y%m%dT%H%M%S%fZ}.json"
    result.path = _write_atomically(anchor_dir(), name, checkpoint.as_json())
    result.checkpoint = replace(checkpoint, name=name)
    if not (settings.AUDIT_ANCHOR_EMAIL if email is None else email):
        return result
    for entry in entries:
        if not entry.chain.startswith(ORGANISATION_PREFIX) or not entry.length:
            continue
        before = previous.entry(entry.chain) if previous else None
        if email is None and before is not None and before.head_hash == entry.head_hash:
            continue  # nothing new in this organisation's trail since the last checkpoint
        try:
            result.emailed += _mail_entry(checkpoint, entry)
        except Exception as error:  # the checkpoint is written: report, go on
            log.exception("Mailing the audit checkpoint of %s failed", entry.chain)
            result.email_failures.append(f"{entry.chain}: {error}")
    return result
