"""Checking the audit trail: ``audit_verify`` recomputes every chain.

What it checks, chain by chain, on one consistent snapshot of the database
(``read_snapshot``):

- the events' sequence numbers have no gap and each links to the one before it;
- each event's keyed hash (HMAC-SHA256 under the key it names: a rewrite needs the key);
- each value against its salted digest: a value changed, added, or removed without an
  erasure; the salt of an erased value still stored;
- each ``erased`` marker against the erasure that authorised it: an event
  ``core.audit.values_erased`` of the same chain, itself intact, that lists the event and
  the value, and whose time and author the marker repeats;
- the chain head (length and last hash);
- the latest checkpoint (``anchor``): a chain it records that is gone, shorter, or holds
  another event at the checkpoint's length; a checkpoint file newer than the one used that
  was edited, forged or signed with an unknown key."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

from ..models import GENESIS_HASH, AuditChain, AuditEvent
from .anchor import (
    Checkpoint,
    CheckpointError,
    checkpoint_compare,
    checkpoint_problem,
    checkpoint_read,
    latest_checkpoint,
)
from .chain import event_hash, event_values, hashed_fields, value_digest
from .keys import audit_keys
from .snapshot import read_snapshot

ERASURE_ACTION = "core.audit.values_erased"
CHECKPOINT = "checkpoint"  # the chain_key of a problem with a checkpoint file itself


@dataclass(frozen=True)
class ChainProblem:
    chain_key: str
    sequence: int | None
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        if self.chain_key == CHECKPOINT:
            return self.problem
        if self.event_id:
            where = f"event {self.event_id}" + (f" (#{self.sequence})" if self.sequence else "")
        else:
            where = "chain head"
        return f"{self.chain_key}: {where}: {self.problem}"


@dataclass
class AuditReport:
    checked: int = 0
    pending: int = 0
    problems: list[ChainProblem] = field(default_factory=list)
    checkpoint: str | None = None  # the checkpoint the database was compared with

    @property
    def ok(self) -> bool:
        return not self.problems


def _iso(moment) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


@dataclass
class _Chain:
    """What one chain's walk collects for the checks made once the whole chain is read."""

    key: str
    markers: list[tuple[AuditEvent, str, object]] = field(default_factory=list)
    # (event id, path) -> [(time, author)] of the intact erasures that name it
    authorised: dict[tuple[int, str], list[tuple[str | None, str | None]]] = field(
        default_factory=dict
    )

    def read_values(self, event, problem) -> bool:
        """Check *event*'s values against its digests; keep its erased markers for later.
        True when the values are intact."""
        intact = True
        values = event_values(event)
        digests, salts, erased = event.digests or {}, event.salts or {}, event.erased or {}
        for path, value in values.items():
            if path not in digests:
                problem(f"the value {path} was added after writing")
                intact = False
            elif path not in salts or value_digest(salts[path], path, value) != digests[path]:
                problem(f"the value {path} was changed after writing")
                intact = False
            elif path in erased:
                problem(f"the value {path} was erased, but it is there again")
                intact = False
        for path in digests:
            if path in values:
                continue
            if path not in erased:
                problem(f"the value {path} was removed without an erasure")
                intact = False
            elif path in salts:
                problem(f"the salt of the erased value {path} is still stored")
        for path, marker in erased.items():
            if path not in digests:
                problem(f"the value {path} is marked erased, but the event never held it")
            elif path not in values:
                self.markers.append((event, path, marker))
        return intact

    def add_erasure(self, event) -> None:
        erased = (event.data or {}).get("erased")
        if not isinstance(erased, dict):
            return
        author = str(event.actor_id) if event.actor_id else None
        for event_id, paths in erased.items():
            if not isinstance(paths, list):
                continue
            for path in paths:
                try:
                    place = (int(event_id), str(path))
                except (TypeError, ValueError):
                    continue
                self.authorised.setdefault(place, []).append((_iso(event.created_at), author))

    def check_markers(self, report: AuditReport) -> None:
        for event, path, marker in self.markers:
            allowed = self.authorised.get((event.id, path), [])
            seen = (
                (marker.get("at"), marker.get("by")) if isinstance(marker, dict) else (None, None)
            )
            if seen not in allowed:
                report.problems.append(
                    ChainProblem(
                        self.key,
                        event.sequence,
                        event.id,
                        f"the value {path} is marked erased, but no erasure authorised it",
                    )
                )


def _chain_heads() -> dict[str, AuditChain]:
    return {chain.key: chain for chain in AuditChain.objects.all()}


def _chain_keys() -> set[str]:
    return set(AuditEvent.all_chains.order_by().values_list("chain_key", flat=True).distinct())


def _verify_chain(report: AuditReport, chain_key: str, head, keys: dict, batch_size: int) -> None:
    walk = _Chain(chain_key)
    prev_hash, expected = GENESIS_HASH, 1
    events = AuditEvent.all_chains.filter(chain_key=chain_key, sequence__isnull=False)
    for event in events.order_by("sequence").iterator(chunk_size=batch_size):
        report.checked += 1

        def problem(text, event=event):
            report.problems.append(ChainProblem(chain_key, event.sequence, event.id, text))

        if event.sequence != expected:
            problem(f"events {expected}–{event.sequence - 1} are missing (deleted)")
        if event.prev_hash != prev_hash:
            problem("link to the previous event is broken")
        key = keys.get(event.key_id)
        hash_ok = False
        if key is None:
            problem(f"signed with an unknown key ({event.key_id or 'none'})")
        elif (
            event_hash(secret=key.secret, prev_hash=event.prev_hash, fields=hashed_fields(event))
            != event.hash
        ):
            problem("contents were changed after writing")
        else:
            hash_ok = True
        values_ok = walk.read_values(event, problem)
        if event.action == ERASURE_ACTION and hash_ok and values_ok:
            walk.add_erasure(event)  # only an intact erasure authorises anything
        prev_hash, expected = event.hash, event.sequence + 1
    pending = AuditEvent.all_chains.filter(chain_key=chain_key, sequence__isnull=True)
    for event in pending.order_by("id").iterator(chunk_size=batch_size):
        report.pending += 1

        def pending_problem(text, event=event):
            report.problems.append(ChainProblem(chain_key, None, event.id, text))

        walk.read_values(event, pending_problem)
    walk.check_markers(report)
    if head is None:
        if expected > 1:
            report.problems.append(ChainProblem(chain_key, None, None, "chain head is missing"))
    elif head.length != expected - 1 or head.head_hash != prev_hash:
        report.problems.append(
            ChainProblem(
                chain_key,
                None,
                None,
                f"head records {head.length} events but {expected - 1} were found "
                "(the latest events were deleted or the head was changed)",
            )
        )


def audit_verify(
    *, checkpoint: Checkpoint | Path | str | None = "latest", batch_size: int = 2000
) -> AuditReport:
    """Recompute every chain (see the module's docstring) and compare the database with a
    checkpoint: the latest in ``AUDIT_ANCHOR_DIR`` (``"latest"``), a given one (a
    ``Checkpoint`` or the path of its file), or none (``None``)."""
    report = AuditReport()
    # The checkpoint is read before the snapshot begins, so it can never be newer than it.
    if checkpoint == "latest":
        checkpoint, problems = latest_checkpoint()
        report.problems += [ChainProblem(CHECKPOINT, None, None, text) for text in problems]
    elif isinstance(checkpoint, str | Path):
        path = Path(checkpoint)
        try:
            checkpoint = checkpoint_read(path)
        except CheckpointError as error:
            report.problems.append(ChainProblem(CHECKPOINT, None, None, str(error)))
            checkpoint = None
    if checkpoint is not None:
        trouble = checkpoint_problem(checkpoint)
        if trouble:
            name = checkpoint.name or checkpoint.created_at
            report.problems.append(
                ChainProblem(CHECKPOINT, None, None, f"checkpoint {name}: {trouble}")
            )
            checkpoint = None
        else:
            report.checkpoint = checkpoint.name or checkpoint.created_at
    keys = {key.id: key for key in audit_keys()}
    with read_snapshot():
        heads = _chain_heads()
        for chain_key in sorted(set(heads) | _chain_keys()):
            _verify_chain(report, chain_key, heads.get(chain_key), keys, batch_size)
        if checkpoint is not None:
            for chain_key, text in checkpoint_compare(checkpoint):
                report.problems.append(ChainProblem(chain_key, None, None, text))
    return report
