"""Referrals between the demo organisations, in every state, made through the services as
their members would: Hope for Mothers asks Family Bridge and Kumar Care Network to take a
baby into emergency foster care (Family Bridge accepts, reports back and completes it; Kumar
Care's request is withdrawn as taken), Sunrise Children's Home asks for counselling (one
declined, one waiting), and one referral withdrawn by its sender. Each rests on the
guardian's signed consent naming the partners. The members then read their older notices
and leave the newest unread, as the bell would show them after a few days. Idempotent: a
case already referred is left alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone
from django_scopes import scope, scopes_disabled

from phteah.accounts.models import Membership, Organisation
from phteah.accounts.roles import Role
from phteah.cases.models import Case, ServiceType
from phteah.core.audit import audited_atomic
from phteah.notifications.models import Notification
from phteah.notifications.services import notification_mark_read
from phteah.people.models import Consent
from phteah.referrals.models import Referral, ReferralGroup
from phteah.referrals.services import (
    referral_accept,
    referral_complete,
    referral_decline,
    referral_feedback,
    referral_send,
    referral_withdraw,
)


@dataclass
class ReferralSummary:
    states: dict = field(default_factory=dict)
    notices_read: int = 0

    def __str__(self) -> str:
        shown = ", ".join(f"{count} {state}" for state, count in sorted(self.states.items()))
        return f"Demo referrals: {shown}; {self.notices_read} notices read, the newest unread."


def _read_the_older_notices(organisations) -> int:
    """Each member reads the older half of their unread notices (through the service the
    list uses), leaving the newest unread."""
    read = 0
    for organisation in organisations:
        with scope(organisation=organisation.pk):
            members = Membership.objects.filter(
                organisation=organisation, is_active=True
            ).select_related("user", "organisation")
            for member in members:
                unread = list(
                    Notification.objects.filter(
                        organisation=organisation, recipient=member.user, read_at=None
                    )
                    .order_by("created_at", "pk")
                    .values_list("pk", flat=True)
                )
                for notification_id in unread[: len(unread) // 2]:
                    notification_mark_read(actor=member, notification_id=notification_id)
                    read += 1
    return read


def _member(organisation, role):
    return (
        Membership.objects.filter(organisation=organisation, role=role, is_active=True)
        .select_related("user", "organisation")
        .order_by("user__email")
        .first()
    )


def _service(organisation, code: str) -> bool:
    return ServiceType.objects.filter(organisation=organisation, code=code, is_active=True).exists()


def _consent(case: Case, partners) -> None:
    consent = Consent.objects.create(
        organisation=case.organisation,
        person=case.person,
        given_as=Consent.GivenAs.GUARDIAN,
        given_by_name="Chan Sreymom",
        given_on=timezone.localdate() - timedelta(days=20),
        purpose=Consent.Purpose.SHARE_ORGANISATION,
        for_referral=True,
        method=Consent.Method.SIGNED_FORM,
        witness_name="Keo Sovann",
    )
    consent.organisations.set(partners)


def _open_cases(organisation, count: int) -> list[Case]:
    referred = ReferralGroup.objects.filter(organisation=organisation).values("case_id")
    return list(
        Case.objects.filter(organisation=organisation, status=Case.Status.OPEN)
        .exclude(pk__in=referred)
        .select_related("person")
        .order_by("reference")[:count]
    )


def _send(sender, case, partners, code, reason, urgency="urgent"):
    with scopes_disabled():
        worker = _member(sender, Role.SUPERVISOR)
    with scope(organisation=sender.pk), audited_atomic():
        _consent(case, partners)
    with scope(organisation=sender.pk):
        group = referral_send(
            actor=worker,
            case_id=case.pk,
            receiver_ids=[p.pk for p in partners],
            service_codes=[code],
            urgency=urgency,
            reason=reason,
        )
        return worker, {r.receiver_id: r for r in group.referrals.all()}


def demo_referrals_create() -> ReferralSummary:
    summary = ReferralSummary()
    with scopes_disabled():
        orgs = {o.short_code: o for o in Organisation.objects.filter(short_code__in=(
            "HFM", "SCH", "FBC", "KCN"))}  # fmt: skip
        if len(orgs) < 4 or ReferralGroup.objects.filter(organisation__in=orgs.values()).exists():
            return summary
        hfm, sch, fbc, kcn = orgs["HFM"], orgs["SCH"], orgs["FBC"], orgs["KCN"]
        answer = {org.pk: _member(org, Role.SUPERVISOR) for org in (fbc, kcn, sch)}
        workers = {org.pk: _member(org, Role.CASE_WORKER) for org in (fbc, kcn, sch)}
        babies = _open_cases(hfm, 4) if _service(hfm, "emergency_foster_care") else []
        children = _open_cases(sch, 2) if _service(sch, "counselling") else []
    if None in answer.values() or None in workers.values() or len(babies) < 4:
        return summary
    # A baby for emergency foster care: Family Bridge accepts first, Kumar Care is told.
    _sender, referrals = _send(
        hfm, babies[0], [fbc, kcn], "emergency_foster_care",
        "A baby of three months left at the hospital; the mother cannot care for her now.",
    )  # fmt: skip
    taken = referrals[fbc.pk]
    with scope(organisation=fbc.pk):
        referral_accept(
            actor=answer[fbc.pk],
            referral_id=taken.pk,
            case_type=Case.Type.FOSTER_CARE,
            workers=[workers[fbc.pk].user],
        )
        referral_feedback(
            actor=answer[fbc.pk],
            referral_id=taken.pk,
            note="Placed with an emergency foster family in Meanchey; feeding well.",
        )
        referral_complete(
            actor=answer[fbc.pk],
            referral_id=taken.pk,
            outcome="Four months in emergency foster care, then a permanent family was found.",
        )
    # Declined, and waiting.
    _sender, referrals = _send(
        hfm, babies[1], [kcn], "emergency_foster_care",
        "Twins born early; the family needs a place for both while the mother recovers.",
        urgency="emergency",
    )  # fmt: skip
    with scope(organisation=kcn.pk):
        referral_decline(
            actor=answer[kcn.pk],
            referral_id=referrals[kcn.pk].pk,
            reason="no_place",
            note="Our foster families are all full this month.",
        )
    _send(
        hfm, babies[2], [fbc, kcn], "emergency_foster_care",
        "A baby with a heart condition needs a foster family near the hospital.",
    )  # fmt: skip
    # Accepted, the work just begun.
    _sender, referrals = _send(
        hfm, babies[3], [fbc], "counselling",
        "The young mother asks for counselling near her family in Battambang.", urgency="routine",
    )  # fmt: skip
    with scope(organisation=fbc.pk):
        referral_accept(
            actor=answer[fbc.pk],
            referral_id=referrals[fbc.pk].pk,
            case_type=Case.Type.COMMUNITY_SUPPORT,
            workers=[workers[fbc.pk].user],
        )
    # Withdrawn by its sender.
    if children:
        sender, referrals = _send(
            sch, children[0], [fbc], "counselling",
            "Nightmares since the fire; the school asks for counselling.", urgency="routine",
        )  # fmt: skip
        with scope(organisation=sch.pk):
            referral_withdraw(actor=sender, referral_id=referrals[fbc.pk].pk)
    summary.notices_read = _read_the_older_notices(orgs.values())
    with scopes_disabled():
        for state in Referral.objects.filter(organisation__in=orgs.values()).values_list(
            "state", flat=True
        ):
            summary.states[state] = summary.states.get(state, 0) + 1
    return summary
