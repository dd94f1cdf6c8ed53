"""The people views in the permission matrix (see tests/test_permissions.py)."""

from tests.factories import ConsentFactory, HouseholdFactory, HouseholdMemberFactory, PersonFactory
from tests.matrix_support import case_editors, case_readers, expect

# Register and search: any editor (supervisor, case worker) / reader of the organisation.
EDITORS_ANYWHERE = expect(404, supervisor=200, worker=200)
READERS_ANYWHERE = expect(404, supervisor=200, worker=200, viewer=200)

ROWS = [
    ("people:person_list", None, "get", {"q": "sok"}, READERS_ANYWHERE),
    ("people:register", None, "get", None, EDITORS_ANYWHERE),
    ("people:register", None, "post", {"sex": ""}, EDITORS_ANYWHERE),
    ("people:person_detail", "person", "get", None, case_readers()),
    ("people:person_edit", "person", "get", None, case_editors()),
    ("people:person_edit", "person", "post", {"version": "1"}, case_editors()),
    ("people:person_photo", "person_with_photo", "get", None, case_readers()),
    ("people:document_edit", "document", "get", None, case_editors()),
    ("people:document_edit", "document", "post", {"status": ""}, case_editors()),
    ("people:document_scan", "document_with_scan", "get", None, case_readers()),
    ("people:household_add", "person", "get", None, case_editors()),
    ("people:household_add", "person", "post", {"name": ""}, case_editors()),
    ("people:household_detail", "household", "get", None, case_readers()),
    ("people:household_member_add", "household", "get", {"q": "sok"}, case_editors()),
    ("people:household_member_add", "household", "post", {"person": ""}, case_editors()),
    ("people:household_member_remove", "household_member", "post", None, case_editors(302)),
    ("people:consent_add", "person", "get", None, case_editors()),
    ("people:consent_add", "person", "post", {"given_by_name": ""}, case_editors()),
    ("people:consent_withdraw", "consent", "get", None, case_editors()),
    ("people:consent_withdraw", "consent", "post", {"withdrawn_on": ""}, case_editors()),
    ("people:consent_scan", "consent_with_scan", "get", None, case_readers()),
]


def objects(world) -> dict[str, dict]:
    from django.core.files.base import ContentFile

    from phteah.people.models import IdentityDocument
    from tests.people.conftest import JPEG, PDF, PNG

    owner, person = world["owner"], world["person"]
    person.photo.save("photo.png", ContentFile(PNG), save=True)
    document = IdentityDocument.objects.create(
        organisation=owner, person=person, kind="birth_certificate", status="has"
    )
    document.scan.save("scan.pdf", ContentFile(PDF), save=True)
    household = HouseholdFactory(organisation=owner)
    HouseholdMemberFactory(household=household, person=person)
    sibling = PersonFactory(organisation=owner, given_name_latin="Sibling")
    removable = HouseholdMemberFactory(household=household, person=sibling, relationship="sibling")
    consent = ConsentFactory(person=person)
    consent.scan.save("consent.jpg", ContentFile(JPEG), save=True)
    return {
        "person_with_photo": {"person_id": person.pk},
        "document": {"person_id": person.pk, "kind": "national_id"},
        "document_with_scan": {"person_id": person.pk, "kind": "birth_certificate"},
        "household": {"household_id": household.pk},
        "household_member": {"household_id": household.pk, "member_id": removable.pk},
        "consent": {"person_id": person.pk, "consent_id": consent.pk},
        "consent_with_scan": {"person_id": person.pk, "consent_id": consent.pk},
    }
