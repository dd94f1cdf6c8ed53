"""Transfers between the demo organisations, made through the services as their members
would: Sunrise Children's Home hands a child's case over to Family Bridge, which accepts (the
child's new case opens at Family Bridge, Sunrise's closes as transferred and Family Bridge
reads its history), and Hope for Mothers asks Kumar Care Network to take over another case
(waiting for an answer). Each rests on the guardian's signed consent naming the receiver and
covering a transfer. Idempotent: nothing is made when the demo organisations have
transfers already."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone
from django_scopes import scope, scopes_disabled

from phteah.accounts.models import Membership, Organisation
from phteah.accounts.roles import Role
from phteah.cases.models import Case
from phteah.core.audit import audited_atomic
from phteah.people.models import Consent
from phteah.referrals.models import ReferralGroup, Transfer
from phteah.referrals.services import transfer_accept, transfer_send


@dataclass
class TransferSummary:
    states: dict = field(default_factory=dict)

    def __str__(self) -> str:
        shown = ", ".join(f"{count} {state}" for state, count in sorted(self.states.items()))
        return f"Demo transfers: {shown}."


def _member(organisation, role):
    return (
        Membership.objects.filter(organisation=organisation, role=role, is_active=True)
        .select_related("user", "organisation")
        .order_by("user__email")
        .first()
    )


def _open_case(organisation) -> Case | None:
    """An open case of *organisation* neither referred nor transferred yet."""
    referred = ReferralGroup.objects.filter(organisation=organisation).values("case_id")
    return (
        Case.objects.filter(organisation=organisation, status=Case.Status.OPEN)
        .exclude(pk__in=referred)
        .select_related("person")
        .order_by("-reference")
        .first()
    )


def _send(sender, receiver, reason: str) -> Transfer | None:
    with scopes_disabled():
        supervisor = _member(sender, Role.SUPERVISOR)
        case = _open_case(sender)
    if supervisor is None or case is None:
        return None
    with scope(organisation=sender.pk), audited_atomic():
        consent = Consent.objects.create(
            organisation=sender,
            person=case.person,
            given_as=Consent.GivenAs.GUARDIAN,
            given_by_name="Chan Sreymom",
            given_on=timezone.localdate() - timedelta(days=10),
            purpose=Consent.Purpose.SHARE_ORGANISATION,
            for_transfer=True,
            method=Consent.Method.SIGNED_FORM,
            witness_name="Keo Sovann",
        )
        consent.organisations.set([receiver])
    with scope(organisation=sender.pk):
        return transfer_send(
            actor=supervisor, case_id=case.pk, receiver_id=receiver.pk, reason=reason
        )


def demo_transfers_create() -> TransferSummary:
    summary = TransferSummary()
    with scopes_disabled():
        orgs = {o.short_code: o for o in Organisation.objects.filter(short_code__in=(
            "HFM", "SCH", "FBC", "KCN"))}  # fmt: skip
        if len(orgs) < 4 or Transfer.objects.filter(organisation__in=orgs.values()).exists():
            return summary
        hfm, sch, fbc, kcn = orgs["HFM"], orgs["SCH"], orgs["FBC"], orgs["KCN"]
        answerer = _member(fbc, Role.SUPERVISOR)
        worker = _member(fbc, Role.CASE_WORKER)
    if answerer is None or worker is None:
        return summary
    accepted = _send(
        sch,
        fbc,
        "The family moved to Phnom Penh, near Family Bridge's office; Sunrise has no social "
        "worker there.",
    )
    if accepted is not None:
        with scope(organisation=fbc.pk):
            transfer_accept(actor=answerer, transfer_id=accepted.pk, workers=[worker.user])
    _send(
        hfm,
        kcn,
        "The mother and baby live with relatives in Kumar Care's district now; its team can "
        "visit every week.",
    )
    with scopes_disabled():
        for state in Transfer.objects.filter(organisation__in=orgs.values()).values_list(
            "state", flat=True
        ):
            summary.states[state] = summary.states.get(state, 0) + 1
    return summary
