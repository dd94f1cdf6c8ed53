"""Migration people 0005: the one organisation a consent named becomes the first of the
organisations it names, and such a consent keeps covering the referral's sharing."""

import pytest

from tests.migration_support import migrated_from

BEFORE = [("people", "0004_person_global_id")]


@pytest.mark.django_db(transaction=True)
def test_a_named_organisation_is_copied_and_covers_referrals():
    with migrated_from(BEFORE) as migration:
        apps = migration.old
        Organisation = apps.get_model("accounts", "Organisation")
        owner = Organisation.objects.create(name="Old data", short_code="OLD", kind="ngo")
        partner = Organisation.objects.create(name="Partner", short_code="PAR", kind="ngo")
        person = apps.get_model("people", "Person")._base_manager.create(
            organisation=owner, sex="female", nickname="Pov"
        )
        Consent = apps.get_model("people", "Consent")
        common = {
            "organisation": owner,
            "person": person,
            "given_as": "guardian",
            "given_by_name": "Sok Chea",
            "given_on": "2026-01-05",
            "method": "signed_form",
        }
        named = Consent._base_manager.create(
            purpose="share_organisation", shared_with=partner, **common
        )
        services = Consent._base_manager.create(purpose="services", **common)
        New = migration.forward().get_model("people", "Consent")
        after = New._base_manager.get(pk=named.pk)
        assert list(after.organisations.values_list("pk", flat=True)) == [partner.pk]
        assert (after.for_referral, after.for_transfer) == (True, False)
        untouched = New._base_manager.get(pk=services.pk)
        assert not untouched.organisations.exists() and not untouched.for_referral
