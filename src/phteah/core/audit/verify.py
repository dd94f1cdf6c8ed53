"""Checking the audit trail: ``audit_verify`` recomputes every chain."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import GENESIS_HASH, AuditChain, AuditEvent
from .chain import event_hash, event_values, hashed_fields, value_digest
from .keys import key_by_id

ERASURE_ACTION = "core.audit.values_erased"


@dataclass(frozen=True)
class ChainProblem:
    chain_key: str
    sequence: int | None
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"event {self.event_id} (#{self.sequence})" if self.event_id else "chain head"
        return f"{self.chain_key}: {where}: {self.problem}"


@dataclass
class AuditReport:
    checked: int = 0
    pending: int = 0
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _value_problems(event, authorised: set[tuple[int, str]]) -> list[str]:
    """What is wrong with the event's values against its digests (and erasures)."""
    problems = []
    values = event_values(event)
    digests, salts, erased = event.digests or {}, event.salts or {}, event.erased or {}
    for path, value in values.items():
        if path not in digests:
            problems.append(f"the value {path} was added after writing")
        elif path not in salts or value_digest(salts[path], path, value) != digests[path]:
            problems.append(f"the value {path} was changed after writing")
    for path in digests:
        if path in values:
            continue
        if path not in erased:
            problems.append(f"the value {path} was removed without an erasure")
        elif (event.id, path) not in authorised:
            problems.append(f"the value {path} is marked erased, but no erasure authorised it")
    return problems


def _authorised_erasures() -> set[tuple[int, str]]:
    """(event id, path) pairs that a recorded erasure removed."""
    pairs = set()
    erasures = AuditEvent.all_chains.filter(action=ERASURE_ACTION).values_list("data", flat=True)
    for data in erasures:
        for event_id, paths in ((data or {}).get("erased") or {}).items():
            for path in paths:
                pairs.add((int(event_id), path))
    return pairs


def audit_verify(*, batch_size: int = 2000) -> AuditReport:
    """Recompute every chain: links, sequence numbers, keyed hashes, value digests and
    erasures, and each chain's head."""
    report = AuditReport()
    authorised = _authorised_erasures()
    chains = {chain.key: chain for chain in AuditChain.objects.all()}
    keys = set(chains) | set(AuditEvent.all_chains.values_list("chain_key", flat=True).distinct())
    for chain_key in sorted(keys):
        chain = chains.get(chain_key)
        prev_hash, expected = GENESIS_HASH, 1
        events = AuditEvent.all_chains.filter(chain_key=chain_key, sequence__isnull=False)
        for event in events.order_by("sequence").iterator(chunk_size=batch_size):
            report.checked += 1

            def problem(text, event=event, chain_key=chain_key):
                report.problems.append(ChainProblem(chain_key, event.sequence, event.id, text))

            if event.sequence != expected:
                problem(f"events {expected}–{event.sequence - 1} are missing (deleted)")
            if event.prev_hash != prev_hash:
                problem("link to the previous event is broken")
            key = key_by_id(event.key_id)
            if key is None:
                problem(f"signed with an unknown key ({event.key_id or 'none'})")
            elif (
                event_hash(
                    secret=key.secret, prev_hash=event.prev_hash, fields=hashed_fields(event)
                )
                != event.hash
            ):
                problem("contents were changed after writing")
            for text in _value_problems(event, authorised):
                problem(text)
            prev_hash, expected = event.hash, event.sequence + 1
        pending = AuditEvent.all_chains.filter(chain_key=chain_key, sequence__isnull=True)
        for event in pending.order_by("id").iterator(chunk_size=batch_size):
            report.pending += 1
            for text in _value_problems(event, authorised):
                report.problems.append(ChainProblem(chain_key, None, event.id, text))
        if chain is None:
            report.problems.append(ChainProblem(chain_key, None, None, "chain head is missing"))
        elif chain.length != expected - 1 or chain.head_hash != prev_hash:
            report.problems.append(
                ChainProblem(
                    chain_key,
                    None,
                    None,
                    f"head records {chain.length} events but {expected - 1} were found "
                    "(the latest events were deleted or the head was changed)",
                )
            )
    return report
