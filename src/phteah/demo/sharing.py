"""Cases the demo organisations share with government: Family Bridge Cambodia shares its
open Battambang cases with the Battambang DoSVY (on the guardian's consent to share with
government social services); the DoSVY's supervisor gives them to its case worker, who has
recorded a follow-up visit in the first. One case of Svay Kang commune is shared with its
commune council. Everything goes through the services, so the audit trails of both sides
hold what a real share would. Idempotent: a case already shared is left alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django_scopes import scope, scopes_disabled

from phteah.accounts.models import Membership, Organisation
from phteah.accounts.roles import Role
from phteah.cases.models import Case, CaseGrant
from phteah.cases.services import (
    authority_visit_record,
    case_grant_assign,
    case_share_with_government,
)
from phteah.core.audit import audited_atomic
from phteah.people.models import Consent

SHARED_CASES = 3  # Family Bridge's Battambang cases shared with the DoSVY


@dataclass
class SharingSummary:
    shares: int = 0
    visits: int = 0

    def __str__(self) -> str:
        return (
            f"Demo sharing: {self.shares} cases shared with government; "
            f"follow-up visits by their officers: {self.visits}."
        )


def _member(organisation, role) -> Membership | None:
    return (
        Membership.objects.filter(organisation=organisation, role=role, is_active=True)
        .select_related("user", "organisation")
        .order_by("user__email")
        .first()
    )


def _consent(case: Case, today: date) -> None:
    """The guardian's signed consent to share with government social services."""
    if not Consent.objects.filter(
        person=case.person, purpose=Consent.Purpose.SHARE_GOVERNMENT, withdrawn_on=None
    ).exists():
        Consent.objects.create(
            organisation=case.organisation,
            person=case.person,
            given_as=Consent.GivenAs.GUARDIAN,
            given_by_name="Nov Sreymom",
            given_on=today - timedelta(days=40),
            purpose=Consent.Purpose.SHARE_GOVERNMENT,
            method=Consent.Method.SIGNED_FORM,
            witness_name="Keo Sovann",
        )


def _share(owner, office, cases, today, summary, *, visit: bool) -> None:
    with scopes_disabled():
        supervisor = _member(owner, Role.SUPERVISOR)
        chief = _member(office, Role.SUPERVISOR)
        officer = _member(office, Role.CASE_WORKER)
    if supervisor is None or chief is None or officer is None:
        return
    for index, case in enumerate(cases):
        with scopes_disabled():
            if CaseGrant.objects.filter(case=case, grantee=office).exists():
                continue
        with scope(organisation=owner.pk), audited_atomic():
            _consent(case, today)
        with scope(organisation=owner.pk):
            grant = case_share_with_government(
                actor=supervisor, case_id=case.pk, grantee_id=office.pk
            )
        with scope(organisation=office.pk):
            case_grant_assign(actor=chief, grant_id=grant.pk, handled_by_id=officer.user_id)
        summary.shares += 1
        if visit and index == 0:
            with scope(organisation=office.pk):
                authority_visit_record(
                    actor=officer,
                    case_id=case.pk,
                    visited_on=timezone.localdate(),
                    people_seen="កុមារ និងយាយរបស់គាត់",
                    schooling="attending",
                    wellbeing_notes="កុមារមានសុខភាពល្អ ហើយបានត្រឡប់ទៅរៀនវិញ។ យាយត្រូវការជំនួយស្បៀងអាហារ។",
                )
            summary.visits += 1


def demo_sharing_create(*, today: date | None = None) -> SharingSummary:
    today = today or timezone.localdate()
    summary = SharingSummary()
    with scopes_disabled():
        owner = Organisation.objects.filter(short_code="FBC").first()
        dosvy = Organisation.objects.filter(short_code="BDSVY").first()
        council = Organisation.objects.filter(short_code="SKCC").first()
        if owner is None or dosvy is None:
            return summary
        open_cases = (
            Case.objects.filter(organisation=owner, status=Case.Status.OPEN)
            .select_related("person", "organisation")
            .order_by("reference")
        )
        in_battambang = list(
            open_cases.filter(person__village__commune__district__province_id="02")[:SHARED_CASES]
        )
    _share(owner, dosvy, in_battambang, today, summary, visit=True)
    if council is not None:
        with scopes_disabled():
            communes = list(council.communes.values_list("pk", flat=True))
            local = list(open_cases.filter(person__village__commune_id__in=communes)[:1])
        _share(owner, council, local, today, summary, visit=False)
    return summary
