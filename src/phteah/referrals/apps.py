from django.apps import AppConfig


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
