"""The partner profile: one per organisation (new ones through OrganisationCreated, existing
ones through migration 0002), changed only by its administrators through an audited service
that refuses hostile input and publishes only the organisation's own services."""

import pytest

from phteah.accounts.models import Organisation
from phteah.accounts.roles import Role
from phteah.accounts.services import organisation_create
from phteah.core.errors import ServiceError
from phteah.core.models import AuditEvent
from phteah.referrals.models import PartnerProfile
from phteah.referrals.services import partner_profile_update
from tests.factories import CareProviderFactory, ServiceTypeFactory
from tests.migration_support import migrated_from

from .support import make_places


@pytest.fixture
def admin_with_profile(admin, organisation):
    PartnerProfile.objects.get_or_create(organisation=organisation)
    return admin


def _update(actor, **values):
    defaults = {
        "published": True,
        "accepts_referrals": True,
        "contact_name": "Sok Dara",
        "contact_phone": "012 345 678",
    }
    return partner_profile_update(actor=actor, **(defaults | values))


@pytest.mark.unscoped
def test_a_new_organisation_gets_an_unpublished_profile(db):
    organisation = organisation_create(actor=None, name="New NGO", short_code="NEW", kind="ngo")
    profile = PartnerProfile.objects.get(organisation=organisation)
    assert not profile.published
    assert profile.answer_days == 3
    assert profile.linkage_participates


@pytest.mark.django_db(transaction=True)
def test_migration_0002_gives_every_organisation_an_unpublished_profile():
    with migrated_from([("referrals", "0001_initial")]) as migration:
        Old = migration.old.get_model("accounts", "Organisation")
        first = Old.objects.create(name="Old one", short_code="OLD1", kind="ngo")
        second = Old.objects.create(name="Old two", short_code="OLD2", kind="ngo")
        Profile = migration.forward().get_model("referrals", "PartnerProfile")
        rows = Profile.objects.filter(organisation_id__in=[first.pk, second.pk])
        assert sorted(rows.values_list("published", flat=True)) == [False, False]
    Organisation.objects.filter(pk__in=[first.pk, second.pk]).delete()


def test_the_admin_publishes_the_profile_and_own_services(admin_with_profile, organisation, events):
    places = make_places()
    ServiceTypeFactory(organisation=organisation, code="counselling", name_en="Counselling")
    ServiceTypeFactory(organisation=organisation, code="legal_aid", name_en="Legal aid")
    profile = _update(
        admin_with_profile,
        description_km="អំពីយើង",
        contact_email="contact@example.org",
        languages=["en", "km", "km"],
        districts=[places["1201"]],
        communes=[places["1201"].communes.get()],
        answer_days=5,
        telegram_chat_id="-1001234567890",
        service_codes=["counselling"],
    )
    profile.refresh_from_db()
    assert profile.published and profile.languages == ["km", "en"]
    assert list(profile.services.values_list("code", "name_en")) == [("counselling", "Counselling")]
    assert list(profile.districts.values_list("code", flat=True)) == ["1201"]
    assert events()[-1] == "referrals.profile.updated"
    changes = AuditEvent.all_chains.filter(organisation=organisation).latest("id").changes
    assert {"published", "services", "districts", "communes", "languages"} <= set(changes)

    _update(admin_with_profile, service_codes=["legal_aid"])
    assert list(profile.services.values_list("code", flat=True)) == ["legal_aid"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"contact_name": ""}, "contact_name"),
        ({"contact_phone": "", "contact_email": ""}, "contact_name"),
        ({"contact_email": "not an address"}, "contact_email"),
        ({"contact_name": "x" * 151}, "contact_name"),
        ({"description_en": "a\x00b"}, "description_en"),
        ({"answer_days": 0}, "answer_days"),
        ({"answer_days": 61}, "answer_days"),
        ({"answer_days": True}, "answer_days"),
        ({"answer_days": "3"}, "answer_days"),
        ({"languages": ["xx"]}, "languages"),
        ({"languages": "km"}, "languages"),
        ({"telegram_chat_id": "chat; drop"}, "telegram_chat_id"),
        ({"service_codes": ["not_ours"]}, "services"),
        ({"districts": ["1201"]}, "districts"),
    ],
)
def test_hostile_values_are_refused_and_nothing_changes(
    admin_with_profile, organisation, values, field
):
    before = PartnerProfile.objects.get(organisation=organisation)
    with pytest.raises(ServiceError) as refused:
        _update(admin_with_profile, **values)
    assert refused.value.field == field
    after = PartnerProfile.objects.get(organisation=organisation)
    assert (after.published, after.updated_at) == (before.published, before.updated_at)


def test_another_organisations_or_inactive_services_are_refused(
    admin_with_profile, organisation, other_organisation
):
    ServiceTypeFactory(organisation=other_organisation, code="theirs")
    ServiceTypeFactory(organisation=organisation, code="retired", is_active=False)
    for code in ("theirs", "retired"):
        with pytest.raises(ServiceError):
            _update(admin_with_profile, service_codes=[code])


def test_a_commune_outside_the_districts_is_refused(admin_with_profile):
    places = make_places()
    with pytest.raises(ServiceError) as refused:
        _update(
            admin_with_profile, districts=[places["0801"]], communes=[places["1201"].communes.get()]
        )
    assert refused.value.field == "communes"


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CASE_WORKER, Role.ME_OFFICER, Role.VIEWER])
def test_only_those_who_manage_the_network_profile_may_change_it(member, organisation, role):
    with pytest.raises(PermissionError):
        _update(member(role))


def test_the_profile_publishes_the_chosen_providers(
    admin_with_profile, organisation, other_organisation
):
    shown = CareProviderFactory(organisation=organisation, name="Shown")
    hidden = CareProviderFactory(organisation=organisation, name="Hidden", network_published=True)
    _update(admin_with_profile, provider_ids=[str(shown.pk)])
    shown.refresh_from_db()
    hidden.refresh_from_db()
    assert shown.network_published and not hidden.network_published
    from django_scopes import scopes_disabled

    with scopes_disabled():
        theirs = CareProviderFactory(organisation=other_organisation)
    with pytest.raises(ServiceError):
        _update(admin_with_profile, provider_ids=[str(theirs.pk)])
