from django.apps import AppConfig


def _case_referrals(*, actor, case) -> dict:
    from phteah.accounts.roles import Capability
    from phteah.cases.access import can_edit_case
    from phteah.cases.models import Case

    from .selectors import case_letters, case_referrals

    return {
        "case_referrals": {
            "referrals": case_referrals(actor=actor, case=case),
            "letters": case_letters(actor=actor, case=case),
            "may_refer": actor.can(Capability.REFER_CASES)
            and can_edit_case(actor, case)
            and case.status == Case.Status.OPEN,
        }
    }


def _case_transfers(*, actor, case) -> dict:
    from phteah.accounts.roles import Capability
    from phteah.cases.access import can_edit_case
    from phteah.cases.models import Case

    from .selectors import case_transfers

    transfers = case_transfers(actor=actor, case=case)
    history = transfers.received.history_grant if transfers.received else None
    return {
        "case_transfers": {
            "transfers": transfers,
            "history_readable": history is not None and history.is_active(),
            "may_transfer": actor.can(Capability.TRANSFER_CASES)
            and can_edit_case(actor, case)
            and case.status == Case.Status.OPEN
            and transfers.pending is None,
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
        # ... and so does a transfer waiting on one.
        from .services import transfers_withdraw_for_grant

        events.subscribe(GrantRevoked, transfers_withdraw_for_grant)
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

        from .services import transfers as transfer_services

        # ... and its transfer still waiting (accepting a transfer closes the case too, but
        # the transfer is accepted by then).
        closing.closure_step(
            closing.ClosureStep(
                name="transfers",
                check=transfer_services.transfers_closure_check,
                preview=transfer_services.transfers_closure_preview,
                close=transfer_services.transfers_closure_close,
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
        # A case's transfer: "Transferred to X" on the sender's case, "Transferred from X"
        # on the receiver's, and the action for a supervisor; shown first, unfolded.
        page.case_section(
            page.CaseSection(
                key="transfers",
                template="referrals/_case_transfers.html",
                context=_case_transfers,
                position=5,
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
        # A letter to a partner not on Phteah, and its answer, show on the case.
        timeline.register_letters()
        from . import transfer_timeline

        # ... and so does a transfer: sent, answered or withdrawn on the sender's case, the
        # transfer it came from on the receiver's.
        transfer_timeline.register()
