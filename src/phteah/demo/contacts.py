"""A contact request across the demo network, made through the services as its members would:
a worker of Family Bridge Cambodia registers two children whom Hope for Mothers already holds;
the duplicate check reports "a possible match exists at Hope for Mothers" for each, the worker
asks, and a supervisor of Hope for Mothers answers the first ("yes, we hold this child") while
the second waits. Idempotent: once Family Bridge has sent a contact request, nothing is made."""

from __future__ import annotations

from dataclasses import dataclass

from django_scopes import scope, scopes_disabled

from phteah.accounts.models import Membership, Organisation
from phteah.accounts.roles import Role
from phteah.people.models import Person
from phteah.people.network import network_check
from phteah.people.services import person_create
from phteah.referrals.models import ContactRequest
from phteah.referrals.services import contact_request_answer, contact_request_send

COPIED = (
    "family_name_km",
    "given_name_km",
    "family_name_latin",
    "given_name_latin",
    "sex",
    "date_of_birth",
    "date_of_birth_estimated",
    "village",
)
MESSAGES = (
    "A girl came to our centre in Meanchey with her grandmother, who says an organisation "
    "helped her mother after the birth. Do you know her? We would like to talk before we plan.",
    "A boy was brought to us by the commune council. His aunt mentions Hope for Mothers. Can we "
    "talk about him?",
)


@dataclass
class ContactSummary:
    sent: int = 0
    answered: int = 0

    def __str__(self) -> str:
        return f"Demo contact requests: {self.sent} sent, {self.answered} answered."


def _member(organisation, role):
    return (
        Membership.objects.filter(organisation=organisation, role=role, is_active=True)
        .select_related("user", "organisation")
        .order_by("user__email")
        .first()
    )


def demo_contacts_create() -> ContactSummary:
    summary = ContactSummary()
    with scopes_disabled():
        orgs = {o.short_code: o for o in Organisation.objects.filter(short_code__in=("HFM", "FBC"))}
        if len(orgs) < 2:
            return summary
        hfm, fbc = orgs["HFM"], orgs["FBC"]
        if ContactRequest.objects.filter(organisation=fbc).exists():
            return summary
        worker, chief = _member(fbc, Role.CASE_WORKER), _member(hfm, Role.SUPERVISOR)
        held = list(
            Person.objects.filter(
                organisation=hfm, date_of_birth__isnull=False, village__isnull=False
            )
            .exclude(family_name_latin="")
            .select_related("village")
            .order_by("created_at", "pk")[:2]
        )
    if worker is None or chief is None or len(held) < 2:
        return summary
    sent = []
    for person, message in zip(held, MESSAGES, strict=True):
        with scope(organisation=fbc.pk):
            registered = person_create(
                actor=worker, **{name: getattr(person, name) for name in COPIED}
            )
            matches = [
                m
                for m in network_check(actor=worker, person_id=registered.pk)
                if m.candidate_organisation_id == hfm.pk
            ]
            if not matches:
                continue
            sent.append(
                contact_request_send(
                    actor=worker,
                    match_id=matches[0].pk,
                    message=message,
                    contact=f"{worker.user.full_name}, 012 345 678",
                )
            )
    summary.sent = len(sent)
    if sent:
        with scope(organisation=hfm.pk):
            contact_request_answer(
                actor=chief,
                contact_request_id=sent[0].pk,
                answer="Yes, we supported her mother for a year after the birth. Call us.",
                holds_child=True,
                answer_contact=f"{chief.user.full_name}, 023 456 789",
            )
        summary.answered = 1
    return summary
