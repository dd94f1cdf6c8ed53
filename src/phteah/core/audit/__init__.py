"""The audit trail: writing (``writing``), hashing (``chain``), keys (``keys``) and checking
(``verify``). Services import from here."""

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
    "MASK",
    "SYSTEM_CHAIN",
    "AuditReport",
    "ChainProblem",
    "audit_access",
    "audit_log",
    "audit_seal",
    "audit_value",
    "audit_verify",
    "audited_atomic",
    "audited_create",
    "audited_update",
    "chain_key_for",
    "diff",
    "mask_secrets",
    "snapshot",
]
