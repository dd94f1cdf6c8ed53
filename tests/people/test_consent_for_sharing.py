"""Which consent covers sharing a person with another organisation (the grants of the
referral network rest on it): a truth table over who gave it, when, what it names and what it
covers."""

import datetime

import pytest

from phteah.accounts.models import Organisation
from phteah.people.models import SharingPurpose
from phteah.people.selectors import consent_for_sharing
from tests.factories import CaseFactory, ConsentFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
REFERRAL, TRANSFER, GOVERNMENT = (
    SharingPurpose.REFERRAL,
    SharingPurpose.TRANSFER,
    SharingPurpose.GOVERNMENT_SHARE,
)


@pytest.fixture
def child():
    return CaseFactory().person


@pytest.fixture
def partner():
    return OrganisationFactory(name="Partner", kind=Organisation.Kind.NGO)


@pytest.fixture
def dosvy():
    return OrganisationFactory(name="DoSVY", kind=Organisation.Kind.PROVINCIAL_OFFICE)


def covers(child, organisation, purpose) -> bool:
    return consent_for_sharing(person=child, organisation=organisation, purpose=purpose) is not None


def named(child, *organisations, **values):
    values = {"purpose": "share_organisation", "for_referral": True} | values
    return ConsentFactory(person=child, organisations=list(organisations), **values)


def test_nothing_covers_sharing_without_a_consent(child, partner, dosvy):
    ConsentFactory(person=child, purpose="services")
    for organisation in (partner, dosvy):
        for purpose in SharingPurpose.values:
            assert not covers(child, organisation, purpose)


def test_a_consent_naming_partners_covers_each_of_them_for_what_it_says(child, partner):
    second, unnamed = OrganisationFactory(), OrganisationFactory()
    consent = named(child, partner, second)
    assert consent_for_sharing(person=child, organisation=partner, purpose=REFERRAL) == consent
    assert covers(child, second, REFERRAL)
    assert not covers(child, unnamed, REFERRAL)
    assert not covers(child, partner, TRANSFER)  # it covers referrals only
    assert not covers(child, partner, GOVERNMENT)  # a partner is not government


def test_a_transfer_needs_a_consent_that_covers_it(child, partner):
    named(child, partner, for_referral=False, for_transfer=True)
    assert covers(child, partner, TRANSFER)
    assert not covers(child, partner, REFERRAL)


@pytest.mark.parametrize(
    "values",
    [
        {"given_as": "child_assent"},  # assent alone never covers sharing
        {"withdrawn_on": TODAY},
        {"withdrawn_on": TODAY - 3 * DAY},
        {"valid_until": TODAY - DAY},  # expired
        {"given_on": TODAY + DAY},  # not yet given
    ],
)
def test_a_consent_that_is_not_in_force_covers_nothing(child, partner, dosvy, values):
    named(child, partner, **values)
    ConsentFactory(person=child, purpose="share_government", **values)
    assert not covers(child, partner, REFERRAL)
    assert not covers(child, dosvy, GOVERNMENT)


def test_a_consent_withdrawn_from_tomorrow_still_covers_today(child, partner):
    named(child, partner, withdrawn_on=TODAY + DAY, valid_until=TODAY)
    assert covers(child, partner, REFERRAL)


def test_an_adult_consenting_for_themselves_covers(child, partner):
    named(child, partner, given_as="adult")
    assert covers(child, partner, REFERRAL)


def test_a_consent_to_share_with_government_covers_government_offices(child, partner, dosvy):
    ConsentFactory(person=child, purpose="share_government")
    commune = OrganisationFactory(kind=Organisation.Kind.COMMUNE_COUNCIL)
    assert covers(child, dosvy, GOVERNMENT)
    assert covers(child, commune, GOVERNMENT)
    assert covers(child, dosvy, REFERRAL)  # a referral to a government office
    assert not covers(child, partner, GOVERNMENT)
    assert not covers(child, partner, REFERRAL)
    assert not covers(child, dosvy, TRANSFER)


def test_a_consent_naming_government_offices_covers_only_those(child, dosvy):
    other_dosvy = OrganisationFactory(kind=Organisation.Kind.PROVINCIAL_OFFICE)
    ConsentFactory(person=child, purpose="share_government", organisations=[dosvy])
    assert covers(child, dosvy, GOVERNMENT)
    assert not covers(child, other_dosvy, GOVERNMENT)


def test_a_consent_naming_a_government_office_as_a_partner_is_not_a_government_share(child, dosvy):
    named(child, dosvy)
    assert not covers(child, dosvy, GOVERNMENT)


def test_the_longest_lasting_consent_is_the_one_that_covers(child, partner):
    named(child, partner, valid_until=TODAY + 10 * DAY)
    longer = named(child, partner, valid_until=TODAY + 100 * DAY)
    assert consent_for_sharing(person=child, organisation=partner, purpose=REFERRAL) == longer
    open_ended = named(child, partner)
    assert consent_for_sharing(person=child, organisation=partner, purpose=REFERRAL) == open_ended


def test_another_organisations_consent_never_covers(child, partner):
    elsewhere = CaseFactory().person
    named(elsewhere, partner)
    assert not covers(child, partner, REFERRAL)


def test_an_unknown_purpose_is_covered_by_nothing(child, partner):
    named(child, partner)
    assert not covers(child, partner, "gossip")
