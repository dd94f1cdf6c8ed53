"""People services: what they write, what they refuse, and the audit events they leave."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from phteah.accounts.models import Organisation
from phteah.accounts.roles import Role
from phteah.core.concurrency import EditConflict
from phteah.core.errors import NotFound, ServiceError
from phteah.core.models import AuditEvent
from phteah.people import selectors, services
from phteah.people.models import Consent, Household, HouseholdMember, IdentityDocument, Person
from tests.factories import (
    CaseFactory,
    HouseholdFactory,
    HouseholdMemberFactory,
    OrganisationFactory,
    PersonFactory,
)

from .conftest import JPEG, PDF, PNG

TODAY = datetime.date.today()


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


@pytest.fixture
def child(worker):
    """A person with a case assigned to the worker."""
    return CaseFactory(organisation=worker.organisation, workers=[worker.user]).person


def register(actor, **kwargs):
    values = {
        "family_name_latin": "Sok",
        "given_name_latin": "Sophea",
        "family_name_km": "សុខ",
        "given_name_km": "សុភា",
        "sex": "female",
        "date_of_birth": datetime.date(2015, 3, 1),
    } | kwargs
    return services.person_create(actor=actor, ip="10.0.0.1", **values)


# --- registering and changing a person --------------------------------------------------


def test_it_registers_a_person_with_normalised_search_fields(worker, places):
    person = register(worker, nickname="Mey", village=places["thmei"])
    assert person.organisation_id == worker.organisation_id
    assert person.created_by_id == worker.user_id
    assert person.search_latin == "sok sophea mey"
    assert person.search_km == "សុខ សុភា"
    assert person.name_key == "sksp"
    assert person.name_key_km == "សុខសុភា"
    event = AuditEvent.objects.get()
    assert event.action == "people.person.created"
    assert event.target_id == str(person.pk)
    assert event.changes["given_name_latin"] == [None, "Sophea"]
    # Stored as the village's id; shown as its name in the reader's language.
    assert event.changes["village"] == [None, places["thmei"].pk]
    assert event.ip == "10.0.0.1"


def test_an_age_gives_an_estimated_date_of_birth(worker):
    person = register(worker, date_of_birth=None, age_years=7)
    assert person.date_of_birth == services.date_of_birth_from_age(7)
    assert person.date_of_birth.year == TODAY.year - 7
    assert person.date_of_birth_estimated


def test_an_age_on_29_february_falls_back_to_28_february():
    assert services.date_of_birth_from_age(1, datetime.date(2024, 2, 29)) == datetime.date(
        2023, 2, 28
    )


@pytest.mark.parametrize(
    "values, field",
    [
        (
            {
                "family_name_latin": "",
                "given_name_latin": "",
                "family_name_km": "",
                "given_name_km": "",
            },
            "family_name_km",
        ),
        ({"date_of_birth": TODAY + datetime.timedelta(days=1)}, "date_of_birth"),
        ({"age_years": 5}, "age_years"),
        ({"date_of_birth": None, "age_years": 130}, "age_years"),
        ({"sex": "x"}, "sex"),
    ],
)
def test_it_refuses_bad_person_data_and_writes_nothing(worker, values, field):
    with pytest.raises(ServiceError) as raised:
        register(worker, **values)
    assert raised.value.field == field
    assert not Person.objects.exists()
    assert not AuditEvent.objects.exists()


def test_only_one_script_is_needed(worker):
    person = register(worker, family_name_latin="", given_name_latin="")
    assert person.name_km == "សុខ សុភា"
    assert person.name_key == ""


def test_viewers_cannot_register(member):
    with pytest.raises(PermissionError):
        register(member(Role.VIEWER))


def test_it_updates_a_person_and_logs_the_changes(worker, child):
    before = child.given_name_latin
    services.person_update(
        actor=worker, person_id=child.pk, expected_version=1, given_name_latin="Sopheap", ip=None
    )
    child.refresh_from_db()
    assert child.given_name_latin == "Sopheap"
    assert child.version == 2
    assert child.search_latin.endswith("sopheap")
    event = AuditEvent.objects.get()
    assert event.action == "people.person.updated"
    assert event.changes == {"given_name_latin": [before, "Sopheap"]}


def test_an_update_without_change_writes_no_event(worker, child):
    services.person_update(actor=worker, person_id=child.pk, expected_version=1)
    assert actions() == []


def test_two_edits_from_the_same_version_the_second_is_refused(worker, supervisor, child):
    services.person_update(
        actor=worker, person_id=child.pk, expected_version=1, nickname="Mey", ip=None
    )
    with pytest.raises(EditConflict) as raised:
        services.person_update(
            actor=supervisor, person_id=child.pk, expected_version=1, nickname="Nang", ip=None
        )
    assert raised.value.obj.nickname == "Mey"
    child.refresh_from_db()
    assert child.nickname == "Mey"
    assert child.version == 2
    assert actions() == ["people.person.updated"]


def test_a_case_worker_of_another_case_cannot_update(member, child):
    stranger = member(Role.CASE_WORKER)
    with pytest.raises(NotFound):
        services.person_update(actor=stranger, person_id=child.pk, expected_version=1, nickname="X")
    child.refresh_from_db()
    assert child.nickname == ""


def test_the_record_view_is_audited(worker, child):
    selectors.person_get_detail(actor=worker, person_id=child.pk, record_view=True)
    event = AuditEvent.all_chains.get()
    assert (event.action, event.target_id) == ("people.person.viewed", str(child.pk))
    assert event.sequence is None  # an access event: written without a lock, sealed later


# --- uploads -----------------------------------------------------------------------------


def upload(content: bytes, name="file.png", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_photo_is_stored_under_a_random_name_by_its_real_type(worker):
    person = register(worker, photo=upload(JPEG, name="child.png"))
    assert person.photo.name.startswith("people/photos/")
    assert person.photo.name.endswith(".jpg")
    assert "child" not in person.photo.name


@pytest.mark.parametrize(
    "content, name",
    [
        (PDF, "photo.png"),  # a PDF is not a photo
        (b"GIF89a" + b"\x00" * 20, "photo.gif"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "photo.png"),
        (PNG + b"\x00" * (2 * 1024 * 1024), "big.png"),  # over 2 MB
    ],
)
def test_wrong_or_oversized_photos_are_refused(worker, content, name):
    with pytest.raises(ServiceError) as raised:
        register(worker, photo=upload(content, name=name))
    assert raised.value.field == "photo"
    assert not Person.objects.exists()


def test_a_photo_can_be_replaced_and_removed(worker, child):
    person = services.person_update(
        actor=worker, person_id=child.pk, expected_version=1, photo=upload(PNG)
    )
    assert person.photo.name.endswith(".png")
    person = services.person_update(
        actor=worker, person_id=person.pk, expected_version=2, remove_photo=True
    )
    child.refresh_from_db()
    assert child.photo.name == ""
    assert [e.changes["photo"][1] is None for e in AuditEvent.objects.order_by("id")] == [
        False,
        True,
    ]


def test_a_replaced_or_removed_photo_leaves_storage_once_committed(
    worker, child, django_capture_on_commit_callbacks
):
    storage = child.photo.storage
    with django_capture_on_commit_callbacks(execute=True):
        first = services.person_update(
            actor=worker, person_id=child.pk, expected_version=1, photo=upload(PNG)
        ).photo.name
    with django_capture_on_commit_callbacks(execute=False) as pending:
        second = services.person_update(
            actor=worker, person_id=child.pk, expected_version=2, photo=upload(JPEG, "b.jpg")
        ).photo.name
    assert storage.exists(first)  # not before the change is committed
    for callback in pending:
        callback()
    assert not storage.exists(first) and storage.exists(second)
    with django_capture_on_commit_callbacks(execute=True):
        services.person_update(
            actor=worker, person_id=child.pk, expected_version=3, remove_photo=True
        )
    assert not storage.exists(second)


def test_a_replaced_scan_leaves_storage(worker, child, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        old = services.identity_document_save(
            actor=worker,
            person_id=child.pk,
            kind="birth_certificate",
            status="has",
            scan=upload(PDF, name="scan.pdf"),
        ).scan
        old_name = old.name
        services.identity_document_save(
            actor=worker,
            person_id=child.pk,
            kind="birth_certificate",
            status="has",
            scan=upload(PDF, name="again.pdf"),
        )
    assert not old.storage.exists(old_name)


# --- identity documents --------------------------------------------------------------------


def test_one_document_row_per_kind_is_created_then_updated(worker, child):
    services.identity_document_save(
        actor=worker, person_id=child.pk, kind="birth_certificate", status="in_process"
    )
    services.identity_document_save(
        actor=worker,
        person_id=child.pk,
        kind="birth_certificate",
        status="has",
        number="BB-77",
        obtained_on=TODAY,
        scan=upload(PDF, name="scan.pdf"),
    )
    document = IdentityDocument.objects.get()
    assert (document.status, document.number) == ("has", "BB-77")
    assert document.scan.name.endswith(".pdf")
    assert actions() == ["people.document.created", "people.document.updated"]
    assert AuditEvent.objects.order_by("id").last().changes["status"] == ["in_process", "has"]


@pytest.mark.parametrize(
    "values, field",
    [
        ({"status": "none", "obtained_on": TODAY}, "obtained_on"),
        ({"status": "has", "obtained_on": TODAY + datetime.timedelta(days=2)}, "obtained_on"),
        ({"status": "has", "scan": upload(b"MZ\x90\x00", name="scan.pdf")}, "scan"),
        (
            {"status": "has", "scan": upload(PDF + b"\x00" * (5 * 1024 * 1024), name="a.pdf")},
            "scan",
        ),
        ({"status": "lost"}, "status"),
    ],
)
def test_bad_documents_are_refused(worker, child, values, field):
    with pytest.raises(ServiceError) as raised:
        services.identity_document_save(
            actor=worker, person_id=child.pk, kind="national_id", **values
        )
    assert raised.value.field == field
    assert not IdentityDocument.objects.exists()


# --- households ----------------------------------------------------------------------------


def test_a_household_is_created_with_its_first_member(worker, child, places):
    household = services.household_create(
        actor=worker,
        person_id=child.pk,
        name="Sok family",
        relationship="child",
        village=places["thmei"],
    )
    member = HouseholdMember.objects.get()
    assert (member.household, member.person, member.organisation_id) == (
        household,
        child,
        worker.organisation_id,
    )
    assert actions() == ["people.household.created", "people.household_member.added"]


def test_members_are_added_once_and_removed(worker, child):
    household = HouseholdFactory(organisation=worker.organisation)
    HouseholdMemberFactory(household=household, person=child)
    mother = PersonFactory(organisation=worker.organisation, given_name_latin="Srey")
    HouseholdMemberFactory(household=household, person=mother, relationship="mother")
    # the mother is visible through the household, so she can be added elsewhere too
    other = services.household_create(
        actor=worker, person_id=child.pk, name="Grandmother's", relationship="grandparent"
    )
    member = services.household_member_add(
        actor=worker,
        household_id=other.pk,
        person_id=mother.pk,
        relationship="mother",
        is_primary_carer=True,
    )
    assert member.is_primary_carer
    with pytest.raises(ServiceError):
        services.household_member_add(
            actor=worker, household_id=other.pk, person_id=mother.pk, relationship="mother"
        )
    services.household_member_remove(
        actor=worker, household_id=member.household_id, member_id=member.pk
    )
    assert not HouseholdMember.objects.filter(pk=member.pk).exists()
    assert actions()[-1] == "people.household_member.removed"


def test_an_invisible_person_cannot_be_added(worker, child, member):
    household = services.household_create(
        actor=worker, person_id=child.pk, name="Sok family", relationship="child"
    )
    hidden = CaseFactory(organisation=worker.organisation).person
    with pytest.raises(NotFound):
        services.household_member_add(
            actor=worker, household_id=household.pk, person_id=hidden.pk, relationship="sibling"
        )
    assert HouseholdMember.objects.count() == 1


def test_households_of_other_organisations_are_out_of_reach(worker, other_organisation):
    elsewhere = HouseholdFactory(organisation=other_organisation)
    stranger = PersonFactory(organisation=other_organisation)
    HouseholdMemberFactory(household=elsewhere, person=stranger)
    mine = PersonFactory(organisation=worker.organisation)
    with pytest.raises(NotFound):
        services.household_member_add(
            actor=worker, household_id=elsewhere.pk, person_id=mine.pk, relationship="child"
        )
    with scopes_disabled():
        assert Household.objects.count() == 1 and HouseholdMember.objects.count() == 1


# --- consent -------------------------------------------------------------------------------


def consent(actor, person, **kwargs):
    values = {
        "given_as": "guardian",
        "given_by_name": "Chan Sreymom",
        "given_on": TODAY,
        "purpose": "services",
        "method": "verbal_witnessed",
        "witness_name": "Keo Sovann",
    } | kwargs
    return services.consent_create(actor=actor, person_id=person.pk, **values)


def test_it_records_a_consent(worker, child):
    partner = OrganisationFactory(name="Partner")
    recorded = consent(
        worker,
        child,
        purpose="share_organisation",
        organisations=[partner],
        shared_with_name="Calmette Hospital",
        for_referral=True,
        valid_until=TODAY + datetime.timedelta(days=365),
        method="signed_form",
        witness_name="",
        scan=upload(JPEG, name="form.jpg"),
    )
    assert list(recorded.organisations.all()) == [partner]
    assert (recorded.shared_with_name, recorded.for_referral, recorded.for_transfer) == (
        "Calmette Hospital",
        True,
        False,
    )
    event = AuditEvent.objects.get(action="people.consent.created")
    assert event.changes["organisations"] == [None, [str(partner.pk)]]
    assert recorded.scan.name.endswith(".jpg")
    assert actions() == ["people.consent.created"]


def test_named_partners_are_dropped_for_other_purposes(worker, child):
    recorded = consent(
        worker,
        child,
        organisations=[OrganisationFactory()],
        shared_with_name="Police",
        for_referral=True,
    )
    assert not recorded.organisations.exists()
    assert (recorded.shared_with_name, recorded.for_referral) == ("", False)


@pytest.mark.parametrize(
    "values, field",
    [
        ({"witness_name": ""}, "witness_name"),
        ({"purpose": "share_organisation", "for_referral": True}, "organisations"),
        ({"purpose": "share_organisation", "shared_with_name": "Police"}, "for_referral"),
        ({"valid_until": TODAY - datetime.timedelta(days=1)}, "valid_until"),
        ({"given_on": TODAY + datetime.timedelta(days=1)}, "given_on"),
        ({"given_by_name": " "}, "given_by_name"),
        ({"method": "telepathy"}, "method"),
    ],
)
def test_bad_consents_are_refused(worker, child, values, field):
    with pytest.raises(ServiceError) as raised:
        consent(worker, child, **values)
    assert raised.value.field == field
    assert not Consent.objects.exists()


def test_consent_for_sharing_cannot_name_the_own_or_an_inactive_organisation(worker, child):
    closed = OrganisationFactory(is_active=False)
    for organisation in (worker.organisation, closed):
        with pytest.raises(ServiceError):
            consent(
                worker,
                child,
                purpose="share_organisation",
                organisations=[organisation],
                for_referral=True,
            )


def test_consent_for_government_names_government_offices_only(worker, child):
    with pytest.raises(ServiceError) as raised:
        consent(worker, child, purpose="share_government", organisations=[OrganisationFactory()])
    assert raised.value.field == "organisations"
    dosvy = OrganisationFactory(kind=Organisation.Kind.PROVINCIAL_OFFICE)
    recorded = consent(worker, child, purpose="share_government", organisations=[dosvy])
    assert list(recorded.organisations.all()) == [dosvy]


def test_a_withdrawal_cannot_be_before_the_consent(worker, child):
    given = consent(worker, child, given_on=TODAY - datetime.timedelta(days=5))
    with pytest.raises(ServiceError):
        services.consent_withdraw(
            actor=worker,
            person_id=given.person_id,
            consent_id=given.pk,
            withdrawn_on=TODAY - datetime.timedelta(days=6),
        )
    with pytest.raises(ServiceError):
        services.consent_withdraw(
            actor=worker,
            person_id=given.person_id,
            consent_id=given.pk,
            withdrawn_on=TODAY + datetime.timedelta(days=1),
        )
    services.consent_withdraw(
        actor=worker,
        person_id=given.person_id,
        consent_id=given.pk,
        withdrawn_on=TODAY - datetime.timedelta(days=5),
    )
    given.refresh_from_db()
    assert given.withdrawn_on == TODAY - datetime.timedelta(days=5)
    with pytest.raises(ServiceError):
        services.consent_withdraw(
            actor=worker, person_id=given.person_id, consent_id=given.pk, withdrawn_on=TODAY
        )
    assert actions() == ["people.consent.created", "people.consent.withdrawn"]
