"""Voiding a mistaken visit, service delivered or assessment, and restoring it. A voided
record is never deleted: it stays in the case, read-only and struck through, and counts for
nothing (due dates, counts, the latest assessment); a supervisor can restore it. Whoever may
change the case may void; only supervisors restore (``Capability.RESTORE_VOIDED``). The
care app voids placements the same way (phteah.care.services.placements)."""

from __future__ import annotations

from phteah.core.audit import audited_atomic

from ..access import (
    assessment_get_for_user,
    service_delivery_get_for_user,
    visit_get_for_user,
)
from .records import case_for_change, record_restore, record_void


def visit_void(*, actor, case_id, visit_id, reason: str, ip: str | None = None):
    with audited_atomic():
        case = case_for_change(actor, case_id)
        visit = visit_get_for_user(actor=actor, checked_case=case, visit_id=visit_id, lock=True)
        record_void(actor, case, visit, reason=reason, action="care.visit.voided", ip=ip)
    return visit


def visit_restore(*, actor, case_id, visit_id, ip: str | None = None):
    with audited_atomic():
        case = case_for_change(actor, case_id)
        visit = visit_get_for_user(actor=actor, checked_case=case, visit_id=visit_id, lock=True)
        record_restore(actor, case, visit, action="care.visit.restored", ip=ip)
    return visit


def service_void(*, actor, case_id, service_id, reason: str, ip: str | None = None):
    with audited_atomic():
        case = case_for_change(actor, case_id)
        service = service_delivery_get_for_user(
            actor=actor, checked_case=case, service_id=service_id, lock=True
        )
        record_void(actor, case, service, reason=reason, action="care.service.voided", ip=ip)
    return service


def service_restore(*, actor, case_id, service_id, ip: str | None = None):
    with audited_atomic():
        case = case_for_change(actor, case_id)
        service = service_delivery_get_for_user(
            actor=actor, checked_case=case, service_id=service_id, lock=True
        )
        record_restore(actor, case, service, action="care.service.restored", ip=ip)
    return service


def assessment_void(*, actor, case_id, assessment_id, reason: str, ip: str | None = None):
    """Void an assessment. The case's risk level is the case's own (the initial assessment
    only set it once): it is not changed back; edit the case if it was wrong too."""
    with audited_atomic():
        case = case_for_change(actor, case_id)
        assessment = assessment_get_for_user(
            actor=actor, checked_case=case, assessment_id=assessment_id, lock=True
        )
        record_void(actor, case, assessment, reason=reason, action="cases.assessment.voided", ip=ip)
    return assessment


def assessment_restore(*, actor, case_id, assessment_id, ip: str | None = None):
    with audited_atomic():
        case = case_for_change(actor, case_id)
        assessment = assessment_get_for_user(
            actor=actor, checked_case=case, assessment_id=assessment_id, lock=True
        )
        record_restore(actor, case, assessment, action="cases.assessment.restored", ip=ip)
    return assessment
