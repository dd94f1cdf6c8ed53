"""Assessments: initial, full, review and closure, each domain scored 1–4 with a reason."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from phteah.accounts.models import Membership
from phteah.core.audit import audit_log, audited_atomic
from phteah.core.errors import ServiceError
from phteah.core.limits import check_values
from phteah.core.submissions import once

from ..models import Assessment, AssessmentDomain, AssessmentScore, Case, RiskLevel
from .records import case_changed, case_date, case_for_change, creates

ASSESSMENT_FIELDS = ("kind", "assessed_on", "risk_level", "summary")


@once
def assessment_add(
    *,
    actor: Membership,
    case_id,
    kind: str,
    assessed_on: date,
    risk_level: str,
    scores: dict,
    summary: str = "",
    ip: str | None = None,
) -> Assessment:
    """Record an assessment with a score 1–4 (and a reason) for every domain in use:
    ``scores = {domain_id: (score, reason)}``. An initial assessment sets the case's risk
    level to its own."""
    with audited_atomic():
        case = case_for_change(actor, case_id)
        check_values(
            Assessment,
            {
                "kind": kind,
                "assessed_on": assessed_on,
                "risk_level": risk_level,
                "summary": summary,
            },
        )
        case_date(case, assessed_on, "assessed_on")
        if kind not in Assessment.Kind.values:
            raise ServiceError(_("Choose the kind of assessment."), field="kind")
        if risk_level not in RiskLevel.values:
            raise ServiceError(_("Choose the risk level."), field="risk_level")
        domains = list(
            AssessmentDomain.objects.filter(organisation_id=case.organisation_id, is_active=True)
        )
        if not domains:
            raise ServiceError(
                _(
                    "Your organisation has no wellbeing domains to score. Ask your "
                    "administrator to set them up under Assessment domains."
                )
            )
        given = {str(key): value for key, value in scores.items()}
        rows = []
        for domain in domains:
            score, reason = given.get(str(domain.pk), (None, ""))
            if score not in (1, 2, 3, 4):
                raise ServiceError(
                    _("Give a score from 1 to 4 for every domain: %(domain)s is missing.")
                    % {"domain": domain.display_name(getattr(actor.user, "language", None))}
                )
            check_values(AssessmentScore, {"reason": reason})
            rows.append((domain, score, (reason or "").strip()))
        assessment = Assessment.objects.create(
            organisation_id=case.organisation_id,
            case=case,
            kind=kind,
            assessed_on=assessed_on,
            assessed_by=actor.user,
            risk_level=risk_level,
            summary=summary,
        )
        AssessmentScore.objects.bulk_create(
            [
                AssessmentScore(
                    organisation_id=case.organisation_id,
                    assessment=assessment,
                    domain=domain,
                    score=score,
                    reason=reason,
                )
                for domain, score, reason in rows
            ]
        )
        audit_log(
            actor=actor.user,
            organisation=case.organisation_id,
            action="cases.assessment.created",
            target=assessment,
            changes=creates(assessment, ASSESSMENT_FIELDS)
            | {"scores": [None, {domain.code: score for domain, score, _r in rows}]},
            ip=ip,
        )
        if kind == Assessment.Kind.INITIAL and case.risk_level != risk_level:
            old = case.risk_level
            Case.objects.filter(pk=case.pk).update(risk_level=risk_level, version=case.version + 1)
            case.risk_level, case.version = risk_level, case.version + 1
            audit_log(
                actor=actor.user,
                organisation=case.organisation_id,
                action="cases.case.risk_changed",
                target=case,
                changes={"risk_level": [old, risk_level]},
                ip=ip,
            )
        case_changed(case)
    return assessment
