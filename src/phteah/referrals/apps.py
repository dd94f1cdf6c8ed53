from django.apps import AppConfig


def _case_referrals(*, actor, case) -> dict:
    from phteah.accounts.roles import Capability
    from phteah.cases.access import can_edit_case
    from phteah.cases.models import Case

    from .selectors import case_referrals

    return {
        "case_referrals": {
            "referrals": case_referrals(actor=actor, case=case),
            "may_refer": actor.can(Capability.REFER_CASES)
            and can_edit_case(actor, case)
            and case.status == Case.Status.OPEN,
        }
    }


def _opted_out() -> set:
    from .models import PartnerProfile

    return set(
        PartnerProfile.objects.filter(linkage_participates=False).values_list(
            "organisation_id", flat=True
        )
    )


def _network_matches(*, actor, person) -> dict:
    from phteah.accounts.roles import Capability
    from phteah.people.network import network_matches

    from .selectors import person_contact_requests

    matches = list(network_matches(actor=actor, person=person))
    requests = person_contact_requests(actor=actor, person=person) if matches else {}
    return {
        "network_matches": [
            (match, requests.get(str(match.candidate_organisation_id))) for match in matches
        ],
        "may_ask": actor.can(Capability.EDIT_CASES),
    }


def _create_profile(event) -> None:
    from .services import partner_profile_ensure

    partner_profile_ensure(organisation_id=event.organisation_id)


class ReferralsConfig(AppConfig):
    name = "phteah.referrals"
    label = "referrals"
    verbose_name = "The referral network"

    def ready(self):
        from phteah.accounts.events import OrganisationCreated
        from phteah.core import events

        # Every organisation has its partner profile, unpublished until its administrator
        # publishes it.
        events.subscribe(OrganisationCreated, _create_profile)
        # A consent withdrawn ends its grants (cases); the referrals waiting on them go too.
        from phteah.cases.events import GrantRevoked

        from .services import referrals_withdraw_for_grant

        events.subscribe(GrantRevoked, referrals_withdraw_for_grant)
        from django.utils.translation import gettext_lazy

        from phteah.cases import closing, page

        from .services import referrals as referral_services

        # Closing a case withdraws its referrals still waiting for an answer.
        closing.closure_step(
            closing.ClosureStep(
                name="referrals",
                check=referral_services.referrals_closure_check,
                preview=referral_services.referrals_closure_preview,
                close=referral_services.referrals_closure_close,
            )
        )

        page.case_section(
            page.CaseSection(
                key="referrals",
                template="referrals/_case_referrals.html",
                context=_case_referrals,
                position=95,
                title=gettext_lazy("Referrals to partners"),
            )
        )
        # The duplicate check across organisations leaves out those that do not take part, and
        # the person page shows its matches with "Ask them" (a contact request).
        from phteah.people import linkage
        from phteah.people import page as person_page

        linkage.opted_out_source(_opted_out)
        person_page.person_section(
            person_page.PersonSection(
                key="network_matches",
                template="referrals/_person_matches.html",
                context=_network_matches,
                position=5,
            )
        )
        from . import timeline

        # Every step of a referral shows on the sender's case and on the receiver's.
        timeline.register()
