"""Permission matrix rows for the referrals app (tests/test_permissions.py)."""

from phteah.care.models import ProviderCareType
from phteah.referrals.models import PartnerProfile
from tests.factories import CareProviderFactory, ServiceTypeFactory
from tests.matrix_support import case_editors, case_readers, expect, only_admin

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
    return (
        {"partner": {"organisation_id": owner.pk}}
        | referral_objects(world)
        | letter_objects(world)
        | transfer_objects(world)
        | contact_objects(world)
    )


# Referrals: the owner's case is referred to the other organisation (a pending referral on a
# minimal grant). The sender's side is the case's readers; the receiver's side its members
# who answer referrals (the other organisation's supervisor); a minimal grant opens nothing
# of the case (every case row of the matrix stays 404 for the other organisation).
REFERRAL_ROWS = [
    ("referrals:referral_new", "case", "get", None, case_editors()),
    ("referrals:sent", None, "get", None, expect(404, supervisor=200, worker=200)),
    ("referrals:received", None, "get", None, case_readers()),
    (
        "referrals:referral_detail",
        "referral",
        "get",
        None,
        expect(404, supervisor=200, worker=200, viewer=200, other_supervisor=200),
    ),
    ("referrals:referral_accept", "referral", "get", None, expect(404, other_supervisor=200)),
    ("referrals:referral_decline", "referral", "get", None, expect(404, other_supervisor=200)),
    ("referrals:referral_withdraw", "referral", "post", None, case_editors(302)),
    (
        "referrals:referral_detail",
        "accepted_referral",
        "get",
        None,
        # Accepted: the receiver's case worker of the child's new case reads it too.
        expect(404, supervisor=200, worker=200, viewer=200, other_supervisor=200, other_worker=200),
    ),
    ("referrals:referral_feedback", "referral", "post", None, expect(404, other_supervisor=302)),
    ("referrals:referral_complete", "referral", "post", None, expect(404, other_supervisor=302)),
    (
        "referrals:referral_close",
        "referral",
        "post",
        None,
        expect(404, supervisor=302, worker=302, other_supervisor=302),
    ),
    # A document sent with the pending referral: the sender's readers, and the receiver's
    # members who answer referrals while it waits.
    (
        "referrals:referral_attachment",
        "attachment",
        "get",
        None,
        expect(404, supervisor=200, worker=200, viewer=200, other_supervisor=200),
    ),
]
ROWS += REFERRAL_ROWS

# Letters to partners not on Phteah: records of the owner's case, read by its readers (the
# download too) and written by its editors; 404 for every other organisation, the government
# office holding a view grant included (a letter is not part of the shared case page).
LETTER_ROWS = [
    ("referrals:letter_new", "case", "get", None, case_editors()),
    ("referrals:letter_detail", "letter", "get", None, case_readers()),
    ("referrals:letter_download", "letter", "get", None, case_readers()),
    ("referrals:letter_answer", "letter", "get", None, case_editors()),
    ("referrals:letter_answer", "letter", "post", {"state": ""}, case_editors()),
]
ROWS += LETTER_ROWS


def letter_objects(world) -> dict[str, dict]:
    from tests.factories import ReferralLetterFactory

    case = world["case"]
    ServiceTypeFactory(organisation=world["owner"], code="health", name_en="Health care")
    letter = ReferralLetterFactory(case=case, sent_by=world["actors"]["case_worker"].user)
    return {"letter": {"case_id": case.pk, "letter_id": letter.pk}}


def referral_objects(world) -> dict[str, dict]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_scopes import scope

    from phteah.people.models import Consent
    from phteah.referrals.services import referral_accept, referral_send
    from tests.factories import ConsentFactory, ServiceTypeFactory
    from tests.matrix_support import WORKER

    owner, other, case = world["owner"], world["other"], world["case"]
    PartnerProfile.objects.filter(organisation=other).update(published=True, accepts_referrals=True)
    ServiceTypeFactory(organisation=owner, code="emergency_foster", name_en="Foster care")
    ServiceTypeFactory(organisation=owner, code="food", name_en="Food support")
    ConsentFactory(
        person=case.person,
        purpose=Consent.Purpose.SHARE_ORGANISATION,
        for_referral=True,
        organisations=[other],
    )
    with scope(organisation=owner.pk):
        group = referral_send(
            actor=world["actors"][WORKER],
            case_id=case.pk,
            receiver_ids=[other.pk],
            service_codes=["emergency_foster", "food"],
            urgency="urgent",
            reason="A baby left at the hospital.",
            upload=SimpleUploadedFile("report.pdf", b"%PDF-1.4\n" + b"\x00" * 32),
            upload_title="Hospital report",
        )
        attachment = group.attachments.get()
        referral = group.referrals.get(service_code="emergency_foster")
        taken = group.referrals.get(service_code="food")
    # The food support was accepted: its page shows the receiver's report forms.
    answerer = world["actors"]["other_supervisor"]
    with scope(organisation=other.pk):
        referral_accept(
            actor=answerer,
            referral_id=taken.pk,
            case_type="community_support",
            workers=[world["actors"]["other_worker"].user],
        )
    return {
        "referral": {"referral_id": referral.pk},
        "accepted_referral": {"referral_id": taken.pk},
        "attachment": {"referral_id": referral.pk, "attachment_id": attachment.pk},
    }


# Transfers: another case of the owner waits for the other organisation's answer to its
# transfer, and a third was transferred to it (accepted: closed at the owner, read by the
# other organisation under a view grant linked to its new case, given to its case worker).
# Sending is for the owner's supervisor (TRANSFER_CASES); answering for the other
# organisation's supervisor (ANSWER_REFERRALS).
TRANSFER_ROWS = [
    ("referrals:transfer_new", "case", "get", None, expect(404, supervisor=200)),
    ("referrals:transfer_new", "case", "post", {"reason": ""}, expect(404, supervisor=200)),
    ("referrals:transfers", None, "get", None, case_readers()),
    (
        "referrals:transfer_detail",
        "transfer",
        "get",
        None,
        expect(404, supervisor=200, worker=200, viewer=200, other_supervisor=200),
    ),
    ("referrals:transfer_accept", "transfer", "get", None, expect(404, other_supervisor=200)),
    ("referrals:transfer_decline", "transfer", "get", None, expect(404, other_supervisor=200)),
    ("referrals:transfer_withdraw", "transfer", "post", None, expect(404, supervisor=302)),
    (
        "referrals:transfer_detail",
        "accepted_transfer",
        "get",
        None,
        # Accepted: the receiver's case worker of the child's new case reads it too.
        expect(404, supervisor=200, worker=200, viewer=200, other_supervisor=200, other_worker=200),
    ),
    # The sender's case, closed by the transfer: read-only for its own readers, and for the
    # receiver's supervisor and the case worker of its new case (the history).
    (
        "cases:case_detail",
        "transferred_case",
        "get",
        None,
        expect(404, supervisor=200, worker=200, viewer=200, other_supervisor=200, other_worker=200),
    ),
    (
        "cases:case_reopen",
        "transferred_case",
        "post",
        {"reason": "Back."},
        expect(404, supervisor=200, worker=200),
    ),
]
ROWS += TRANSFER_ROWS


def transfer_objects(world) -> dict[str, dict]:
    from django_scopes import scope

    from phteah.people.models import Consent
    from phteah.referrals.services import transfer_accept, transfer_send
    from tests.factories import CaseFactory, ConsentFactory
    from tests.matrix_support import SUPERVISOR, WORKER

    owner, other, actors = world["owner"], world["other"], world["actors"]
    cases = [
        CaseFactory(
            organisation=owner,
            workers=[actors[WORKER].user],
            supervisor=actors[SUPERVISOR].user,
        )
        for _ in range(2)
    ]
    transfers = []
    for case in cases:
        ConsentFactory(
            person=case.person,
            purpose=Consent.Purpose.SHARE_ORGANISATION,
            for_transfer=True,
            organisations=[other],
        )
        with scope(organisation=owner.pk):
            transfers.append(
                transfer_send(
                    actor=actors[SUPERVISOR],
                    case_id=case.pk,
                    receiver_id=other.pk,
                    reason="The family moved to Battambang.",
                )
            )
    with scope(organisation=other.pk):
        transfer_accept(
            actor=actors["other_supervisor"],
            transfer_id=transfers[1].pk,
            workers=[actors["other_worker"].user],
        )
    return {
        "transfer": {"transfer_id": transfers[0].pk},
        "accepted_transfer": {"transfer_id": transfers[1].pk},
        "transferred_case": {"case_id": cases[1].pk},
    }


# Duplicates across organisations: the owner registered the case's child, the check found a
# possible match in the other organisation, and the owner asked it (a pending contact
# request). A match is the owner's members' who register people (EDIT_CASES) and see the
# person; a contact request is theirs and the other organisation's supervisors'.
ROWS += [
    ("referrals:contact_new", "match", "get", None, case_editors()),
    ("referrals:contact_new", "match", "post", {"message": ""}, case_editors()),
    ("referrals:contacts", None, "get", None, expect(404, supervisor=200, worker=200)),
    (
        "referrals:contact_detail",
        "contact_request",
        "get",
        None,
        expect(404, supervisor=200, worker=200, other_supervisor=200),
    ),
    (
        "referrals:contact_detail",
        "contact_request",
        "post",
        {"decision": ""},
        expect(404, other_supervisor=200),
    ),
]


def contact_objects(world) -> dict[str, dict]:
    import datetime

    from django.utils import timezone

    from phteah.people.models import NetworkCheck, NetworkMatch
    from phteah.referrals.models import ContactRequest
    from tests.factories import PersonFactory
    from tests.matrix_support import WORKER

    owner, other, person = world["owner"], world["other"], world["case"].person
    theirs = PersonFactory(organisation=other)
    worker = world["actors"][WORKER]
    check = NetworkCheck.objects.create(organisation=owner, person=person, by=worker.user)
    match = NetworkMatch.objects.create(
        organisation=owner,
        network_check=check,
        person=person,
        candidate_organisation=other,
        candidate_person_id=theirs.pk,
        band=90,
        kinds=["name", "date_of_birth", "sex"],
        expires_at=timezone.now() + datetime.timedelta(hours=24),
    )
    request = ContactRequest.objects.create(
        organisation=owner,
        receiver=other,
        person=person,
        receiver_person_id=theirs.pk,
        band=90,
        kinds=match.kinds,
        message="Do you know this child?",
        contact="Sok Dara, 012 345 678",
        sent_by=worker.user,
    )
    return {"match": {"match_id": match.pk}, "contact_request": {"contact_request_id": request.pk}}
