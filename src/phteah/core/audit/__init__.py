"""The audit trail: writing (``writing``), hashing (``chain``), keys (``keys``), checking
(``verify``, on one ``snapshot``), signed checkpoints outside the database (``anchor``) and
the erasure of values (``erasure``). Services import from here."""

from .anchor import audit_anchor
from .erasure import ERASE_AUDIT_VALUES, audit_values_erase
from .verify import AuditReport, ChainProblem, audit_verify
from .writing import (
    MASK,
    SYSTEM_CHAIN,
    audit_access,
    audit_log,
    audit_seal,
    audit_value,
    audited_atomic,
    audited_create,
    audited_update,
    chain_key_for,
    diff,
    mask_secrets,
    snapshot,
)

__all__ = [
    "ERASE_AUDIT_VALUES",
    "MASK",
    "SYSTEM_CHAIN",
    "AuditReport",
    "ChainProblem",
    "audit_access",
    "audit_anchor",
    "audit_log",
    "audit_seal",
    "audit_value",
    "audit_values_erase",
    "audit_verify",
    "audited_atomic",
    "audited_create",
    "audited_update",
    "chain_key_for",
    "diff",
    "mask_secrets",
    "snapshot",
]
