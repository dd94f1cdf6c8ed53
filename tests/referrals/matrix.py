"""Permission matrix rows for the referrals app (tests/test_permissions.py)."""

from phteah.care.models import ProviderCareType
from phteah.referrals.models import PartnerProfile
from tests.factories import CareProviderFactory
from tests.matrix_support import expect, only_admin

# The network's pages need only a membership; a published profile is seen by every member
# of every organisation.
ROWS = [
    ("referrals:directory", None, "get", None, expect(200)),
    ("referrals:capacity", None, "get", None, expect(200)),
    ("referrals:organisation_detail", "partner", "get", None, expect(200, other=200)),
    ("referrals:profile_edit", None, "get", None, only_admin()),
    ("referrals:profile_edit", None, "post", {"answer_days": ""}, only_admin()),
]


def objects(world) -> dict[str, dict]:
    owner = world["owner"]
    PartnerProfile.objects.update_or_create(
        organisation=owner,
        defaults={"published": True, "contact_name": "Sok Dara", "contact_phone": "012345678"},
    )
    PartnerProfile.objects.get_or_create(organisation=world["other"])
    provider = CareProviderFactory(organisation=owner, network_published=True)
    ProviderCareType.objects.create(
        organisation=owner, provider=provider, care_type="emergency_foster", age_max=5
    )
    return {"partner": {"organisation_id": owner.pk}}
