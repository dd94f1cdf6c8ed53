"""The people pages, used as a person would."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from phteah.accounts.roles import Role
from phteah.core.models import AuditEvent
from phteah.people.models import Consent, Household, HouseholdMember, IdentityDocument, Person
from phteah.people.names import person_search_fields
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    HouseholdFactory,
    HouseholdMemberFactory,
    OrganisationFactory,
    PersonFactory,
)

from ..conftest import sign_in
from .conftest import JPEG, PDF, PNG, address
from .test_selectors import build

TODAY = datetime.date.today()


@pytest.fixture
def worker(member, client):
    membership = member(Role.CASE_WORKER)
    sign_in(client, membership.user)
    return membership


@pytest.fixture
def case(worker):
    return CaseFactory(organisation=worker.organisation, workers=[worker.user])


@pytest.fixture
def child(case):
    return case.person


def form_data(**kwargs):
    data = {
        "family_name_km": "សុខ",
        "given_name_km": "សុភា",
        "family_name_latin": "Sok",
        "given_name_latin": "Sophea",
        "nickname": "",
        "sex": "female",
        "date_of_birth": "2014-06-15",
        "age_years": "",
        "address_detail": "",
        "birth_province": "",
        "disability_notes": "",
        "phone": "",
        **address(None),
    }
    return data | kwargs


def actions():
    events = AuditEvent.objects.filter(action__startswith="people.").order_by("id")
    return list(events.values_list("action", flat=True))


# --- register -----------------------------------------------------------------------------


def test_the_register_page_shows_the_form(client, worker):
    response = client.get(reverse("people:register"))
    assert response.status_code == 200
    assert "Family name in Khmer" in response.content.decode()


def test_it_registers_a_person_with_khmer_digits(client, worker, places):
    data = form_data(
        date_of_birth="១៥/០៦/២០១៤",
        phone="០១២ ៣៤៥ ៦៧៨",
        date_of_birth_estimated="on",
        **address(places["thmei"]),
        birth_province="02",
    )
    response = client.post(reverse("people:register"), data)
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("people:person_detail", kwargs={"person_id": person.pk})
    assert person.date_of_birth == datetime.date(2014, 6, 15)
    assert person.date_of_birth_estimated
    assert person.phone == "012 345 678"
    assert person.village == places["thmei"]
    assert person.birth_province_id == "02"
    # The register form's POST also checks the network for the same child (network.md §7).
    assert actions() == ["people.person.created", "people.linkage.checked"]


def test_an_age_in_khmer_digits_gives_an_estimated_date_of_birth(client, worker):
    client.post(reverse("people:register"), form_data(date_of_birth="", age_years="៧"))
    person = Person.objects.get()
    assert person.date_of_birth.year == TODAY.year - 7
    assert person.date_of_birth_estimated


def test_a_person_without_any_name_is_refused(client, worker):
    data = form_data(family_name_km="", given_name_km="", family_name_latin="", given_name_latin="")
    response = client.post(reverse("people:register"), data)
    assert response.status_code == 200
    assert "Give the person&#x27;s name in Khmer or in Latin letters" in response.content.decode()
    assert not Person.objects.exists()


def test_a_wrong_photo_is_refused(client, worker):
    photo = SimpleUploadedFile("photo.jpg", PDF, content_type="image/jpeg")
    response = client.post(reverse("people:register"), form_data(photo=photo))
    assert response.status_code == 200
    assert "This type of file is not accepted" in response.content.decode()
    assert not Person.objects.exists()


def existing(organisation, **kwargs):
    names = {
        "family_name_latin": "Sok",
        "given_name_latin": "Sopheap",
        "family_name_km": "សុខ",
        "given_name_km": "សុភា",
    }
    return PersonFactory(
        organisation=organisation,
        date_of_birth=datetime.date(2014, 9, 1),
        **names,
        **person_search_fields(**names),
        **kwargs,
    )


def test_possible_duplicates_are_shown_before_anyone_is_created(client, worker, child):
    names = {"family_name_latin": "Sok", "given_name_latin": "Sopheap"}
    Person.objects.filter(pk=child.pk).update(
        **names, date_of_birth=datetime.date(2014, 9, 1), **person_search_fields(**names)
    )
    response = client.post(reverse("people:register"), form_data())
    html = response.content.decode()
    assert response.status_code == 200
    assert "This person may already be registered" in html
    assert reverse("people:person_detail", kwargs={"person_id": child.pk}) in html
    assert "% alike" in html
    assert Person.objects.count() == 1
    # The same data, confirmed: registered.
    confirmed = response.context["form"]["confirmed"].value()
    response = client.post(reverse("people:register"), form_data(confirmed=confirmed))
    assert response.status_code == 302
    assert Person.objects.count() == 2


def test_a_confirmation_does_not_cover_changed_names(client, worker, child):
    existing(worker.organisation)
    first = client.post(reverse("people:register"), form_data())
    confirmed = first.context["form"]["confirmed"].value()
    client.post(
        reverse("people:register"), form_data(given_name_latin="Sophia", confirmed=confirmed)
    )
    assert Person.objects.filter(given_name_latin="Sophia").count() == 0


def test_matches_in_another_caseload_are_redacted(client, worker):
    hidden = existing(worker.organisation)
    CaseFactory(organisation=worker.organisation, person=hidden)
    response = client.post(reverse("people:register"), form_data())
    html = response.content.decode()
    assert "possible match exists in another team" in html
    assert "Sopheap" not in html.replace('value="Sophea"', "")
    assert str(hidden.pk) not in html


# --- the person page ----------------------------------------------------------------------


def test_the_person_page_is_audited(client, worker, child):
    response = client.get(reverse("people:person_detail", kwargs={"person_id": child.pk}))
    assert response.status_code == 200
    assert actions() == ["people.person.viewed"]
    assert child.given_name_latin in response.content.decode()


def test_the_person_page_in_khmer(client, worker, child):
    worker.user.language = "km"
    worker.user.save()
    response = client.get(reverse("people:person_detail", kwargs={"person_id": child.pk}))
    assert response.status_code == 200
    assert "សុខ ដារ៉ា" in response.content.decode()


def test_the_person_page_takes_a_constant_number_of_queries(client, worker):
    counts = []
    for size in (1, 4):
        case = CaseFactory(organisation=worker.organisation, workers=[worker.user])
        build(case, size)
        url = reverse("people:person_detail", kwargs={"person_id": case.person.pk})
        client.get(reverse("people:person_list"))  # the session is saved once, first
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_other_case_workers_get_404(client, member, child):
    sign_in(client, member(Role.CASE_WORKER).user)
    response = client.get(reverse("people:person_detail", kwargs={"person_id": child.pk}))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="people.person.viewed").exists()


# --- editing ------------------------------------------------------------------------------


def edit_data(person, **kwargs):
    return (
        form_data(
            family_name_km=person.family_name_km,
            given_name_km=person.given_name_km,
            family_name_latin=person.family_name_latin,
            given_name_latin=person.given_name_latin,
            sex=person.sex,
            date_of_birth=person.date_of_birth.isoformat(),
            version=str(person.version),
        )
        | kwargs
    )


def test_it_edits_a_person(client, worker, child):
    url = reverse("people:person_edit", kwargs={"person_id": child.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, edit_data(child, nickname="Mey"))
    assert response.status_code == 302
    child.refresh_from_db()
    assert (child.nickname, child.version) == ("Mey", 2)


def test_the_second_of_two_edits_from_one_version_is_refused(client, worker, child):
    url = reverse("people:person_edit", kwargs={"person_id": child.pk})
    first = edit_data(child, nickname="Mey")
    second = edit_data(child, nickname="Nang", given_name_latin="Changed")
    assert client.post(url, first).status_code == 302
    response = client.post(url, second)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this record after you opened it" in html
    assert "The current version" in html
    assert 'name="version" value="2"' in html
    child.refresh_from_db()
    assert (child.nickname, child.version) == ("Mey", 2)
    assert child.given_name_latin != "Changed"
    assert actions() == ["people.person.updated"]


# --- files --------------------------------------------------------------------------------


@pytest.fixture
def photo(child):
    child.photo.save("p.png", ContentFile(PNG), save=True)
    return child


def test_the_photo_is_served_to_those_who_may_see_the_person(client, worker, photo):
    response = client.get(reverse("people:person_photo", kwargs={"person_id": photo.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PNG


def test_the_photo_of_another_organisation_is_404(client, member, photo, other_organisation):
    sign_in(client, member(Role.SUPERVISOR, org=other_organisation).user)
    response = client.get(reverse("people:person_photo", kwargs={"person_id": photo.pk}))
    assert response.status_code == 404


def test_the_photo_needs_signing_in(client, photo):
    client.logout()
    response = client.get(reverse("people:person_photo", kwargs={"person_id": photo.pk}))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_no_photo_is_404(client, worker, child):
    response = client.get(reverse("people:person_photo", kwargs={"person_id": child.pk}))
    assert response.status_code == 404


# --- documents ----------------------------------------------------------------------------


def test_it_records_a_document_with_a_scan(client, worker, child):
    url = reverse("people:document_edit", kwargs={"person_id": child.pk, "kind": "national_id"})
    assert client.get(url).status_code == 200
    scan = SimpleUploadedFile("id.pdf", PDF, content_type="application/pdf")
    data = {"status": "has", "number": "០១២៣", "obtained_on": "2024-01-02", "scan": scan}
    assert client.post(url, data).status_code == 302
    document = IdentityDocument.objects.get()
    assert (document.kind, document.number) == ("national_id", "0123")
    response = client.get(
        reverse("people:document_scan", kwargs={"person_id": child.pk, "kind": "national_id"})
    )
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]


def test_an_oversized_scan_is_refused(client, worker, child):
    url = reverse("people:document_edit", kwargs={"person_id": child.pk, "kind": "family_book"})
    scan = SimpleUploadedFile("big.pdf", PDF + b"\x00" * (5 * 1024 * 1024))
    response = client.post(url, {"status": "has", "scan": scan})
    assert response.status_code == 200
    assert "The file is too large" in response.content.decode()
    assert not IdentityDocument.objects.exists()


def test_an_unknown_document_kind_is_404(client, worker, child):
    url = reverse("people:document_edit", kwargs={"person_id": child.pk, "kind": "passport"})
    assert client.get(url).status_code == 404


# --- households ---------------------------------------------------------------------------


def test_a_household_is_added_and_members_found_by_search(client, worker, child, places):
    url = reverse("people:household_add", kwargs={"person_id": child.pk})
    data = {
        "name": "Sok family",
        "relationship": "child",
        "address_detail": "",
        "notes": "",
        **address(places["tuol"]),
    }
    response = client.post(url, data)
    household = Household.objects.get()
    assert response["Location"] == reverse(
        "people:household_detail", kwargs={"household_id": household.pk}
    )
    assert household.village == places["tuol"]
    detail = client.get(response["Location"])
    assert child.given_name_latin in detail.content.decode()

    mother = PersonFactory(
        organisation=worker.organisation,
        created_by=worker.user,
        family_name_latin="Chan",
        given_name_latin="Sreymom",
        **person_search_fields(family_name_latin="Chan", given_name_latin="Sreymom"),
    )
    add_url = reverse("people:household_member_add", kwargs={"household_id": household.pk})
    found = client.get(add_url, {"q": "sreym"})
    assert "Chan Sreymom" in found.content.decode()
    response = client.post(
        f"{add_url}?q=sreym",
        {"person": str(mother.pk), "relationship": "mother", "is_primary_carer": "on"},
    )
    assert response.status_code == 302
    member = HouseholdMember.objects.get(person=mother)
    assert member.is_primary_carer

    remove = reverse(
        "people:household_member_remove",
        kwargs={"household_id": household.pk, "member_id": member.pk},
    )
    assert client.get(remove).status_code == 405
    assert client.post(remove).status_code == 302
    assert not HouseholdMember.objects.filter(pk=member.pk).exists()


def test_a_person_the_worker_may_not_see_cannot_be_chosen(client, worker, child):
    household = HouseholdFactory(organisation=worker.organisation)
    HouseholdMemberFactory(household=household, person=child)
    hidden = CaseFactory(organisation=worker.organisation).person
    url = reverse("people:household_member_add", kwargs={"household_id": household.pk})
    response = client.post(url, {"person": str(hidden.pk), "relationship": "sibling"})
    assert response.status_code == 200
    assert HouseholdMember.objects.count() == 1


# --- consent ------------------------------------------------------------------------------


def test_it_records_and_withdraws_a_consent(client, worker, child):
    partner = OrganisationFactory(name="Partner NGO", name_km="អង្គការដៃគូ")
    url = reverse("people:consent_add", kwargs={"person_id": child.pk})
    page = client.get(url).content.decode()
    assert "Partner NGO" in page
    assert worker.organisation.name not in page.split("Organisations it may be shared with")[1]
    data = {
        "given_as": "guardian",
        "given_by_name": "Chan Sreymom",
        "given_on": "០១/០៥/២០២៥",
        "purpose": "share_organisation",
        "organisations": [str(partner.pk)],
        "for_referral": "on",
        "valid_until": "៣១/១២/២០២៧",
        "method": "verbal_witnessed",
        "witness_name": "",
        "notes": "",
    }
    response = client.post(url, data)
    assert "Give the witness&#x27;s name for a verbal consent." in response.content.decode()
    assert not Consent.objects.exists()
    response = client.post(url, data | {"witness_name": "Keo Sovann"})
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert list(consent.organisations.all()) == [partner]
    assert (consent.given_on, consent.valid_until, consent.for_referral) == (
        datetime.date(2025, 5, 1),
        datetime.date(2027, 12, 31),
        True,
    )
    page = client.get(reverse("people:person_detail", kwargs={"person_id": child.pk}))
    assert "Partner NGO" in page.content.decode()
    assert "Covers referrals" in page.content.decode()

    withdraw = reverse(
        "people:consent_withdraw", kwargs={"person_id": child.pk, "consent_id": consent.pk}
    )
    response = client.post(withdraw, {"withdrawn_on": "2025-04-30"})
    assert "cannot be withdrawn before" in response.content.decode()
    assert client.post(withdraw, {"withdrawn_on": "2025-05-02"}).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == datetime.date(2025, 5, 2)


def test_a_consent_of_another_person_is_404(client, worker, child):
    other = ConsentFactory(person=PersonFactory(organisation=worker.organisation))
    url = reverse("people:consent_withdraw", kwargs={"person_id": child.pk, "consent_id": other.pk})
    assert client.post(url, {"withdrawn_on": TODAY.isoformat()}).status_code == 404


# --- search -------------------------------------------------------------------------------


def test_the_search_page_lists_visible_people(client, worker, child):
    Person.objects.filter(pk=child.pk).update(search_latin="sok dara")
    response = client.get(reverse("people:person_list"), {"q": "dara"})
    assert (
        reverse("people:person_detail", kwargs={"person_id": child.pk}) in response.content.decode()
    )


def test_a_signed_consent_form_is_served_inline_as_an_image(client, worker, child):
    consent = ConsentFactory(person=child, method="signed_form", witness_name="")
    consent.scan.save("form.jpg", ContentFile(JPEG), save=True)
    url = reverse("people:consent_scan", kwargs={"person_id": child.pk, "consent_id": consent.pk})
    response = client.get(url)
    assert response["Content-Type"] == "image/jpeg"
    assert "inline" in response["Content-Disposition"]


def test_forms_opened_from_the_case_page_come_back_to_it(client, member, organisation):
    """Consent recorded from the case page returns to the case, never off-site."""
    import datetime

    from django.urls import reverse

    from phteah.people.models import Consent
    from tests.factories import CaseFactory

    from ..conftest import sign_in

    worker = member()
    case = CaseFactory(organisation=organisation, workers=[worker.user])
    sign_in(client, worker.user)
    case_url = reverse("cases:case_detail", kwargs={"case_id": case.pk})
    page = client.get(case_url).content.decode()
    add_url = reverse("people:consent_add", kwargs={"person_id": case.person_id})
    assert f"{add_url}?next=" in page
    data = {
        "given_as": "guardian",
        "given_by_name": "Sok Dara",
        "given_on": "2026-01-05",
        "purpose": "services",
        "method": "verbal_witnessed",
        "witness_name": "Chan Sophea",
    }
    response = client.post(f"{add_url}?next={case_url}", data)
    assert response.status_code == 302 and response.url == case_url
    response = client.post(f"{add_url}?next=https://evil.test/", data)
    assert response.url == reverse("people:person_detail", kwargs={"person_id": case.person_id})
    assert Consent.objects.filter(person_id=case.person_id).count() == 2
    assert datetime.date(2026, 1, 5) in set(Consent.objects.values_list("given_on", flat=True))


def test_the_person_page_offers_to_open_a_case(client, member, organisation):
    from django.urls import reverse

    from phteah.people import services

    from ..conftest import sign_in

    worker = member()
    sign_in(client, worker.user)
    person = services.person_create(
        actor=worker, family_name_latin="Keo", given_name_latin="Malis", sex="female"
    )
    page = client.get(reverse("people:person_detail", kwargs={"person_id": person.pk}))
    assert f"{reverse('cases:case_add')}?person={person.pk}" in page.content.decode()
