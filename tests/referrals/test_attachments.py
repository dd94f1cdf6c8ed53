# ruff: noqa: F811 - the fixtures imported from the service tests are used by name
"""Documents sent with a referral (the signed consent form, identity document scans, a
report): copied onto the referral when it is sent, readable by the receiver while the
referral waits under its grant and once it took the child, never after a decline; each
download recorded in both organisations' trails."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from phteah.core.errors import ServiceError
from phteah.core.models import AuditEvent
from phteah.people.models import IdentityDocument
from phteah.referrals import services
from phteah.referrals.models import ReferralAttachment, ReferralGroup
from tests.conftest import sign_in
from tests.factories import (
    IdentityDocumentFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)
from tests.referrals.test_referral_services import (  # noqa: F401 - the fixtures
    accept,
    answerers,
    as_,
    baby_case,
    catalogue,
    consent,
    partners,
    referral_to,
    send,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n" + b"consent form of the mother" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"birth certificate" + b"\x00" * 32
REPORT = b"%PDF-1.4\n" + b"hospital report" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def documents(baby_case, consent):
    consent.scan.save("consent.pdf", ContentFile(PDF), save=True)
    birth = IdentityDocumentFactory(person=baby_case.person)
    birth.scan.save("birth.png", ContentFile(PNG), save=True)
    return consent, birth


def report():
    return SimpleUploadedFile("report.pdf", REPORT, content_type="application/pdf")


def all_three(worker, case, partners, consent):
    return send(
        worker,
        case,
        partners,
        attach=[f"consent:{consent.pk}", "document:birth_certificate"],
        upload=report(),
        upload_title="Hospital report",
    )


def form_data(partners, **extra) -> dict:
    return {
        "receivers": [str(partners[0].pk)],
        "services": ["emergency_foster"],
        "urgency": "urgent",
        "reason": "A baby left at the hospital.",
    } | extra


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_chosen_documents_are_copied_onto_the_referral(
    worker, baby_case, partners, catalogue, documents
):
    consent, birth = documents
    group = all_three(worker, baby_case, partners, consent)
    with scopes_disabled():
        attachments = list(ReferralAttachment.objects.filter(group=group))
    assert [a.kind for a in attachments] == ["consent", "document", "other"]
    assert [a.display_title() for a in attachments] == [
        "Signed consent form",
        "Birth certificate",
        "Hospital report",
    ]
    copies = {a.kind: a.file.read() for a in attachments}
    assert copies == {"consent": PDF, "document": PNG, "other": REPORT}
    # Copies, not the sender's own files: replacing the scan later does not change them.
    assert attachments[0].file.name != consent.scan.name
    assert attachments[1].file.name != birth.scan.name
    with scopes_disabled():
        sent = AuditEvent.objects.filter(action="referrals.referral.sent")
        assert {event.data["attachments"] for event in sent} == {3}


def test_a_document_not_among_the_childs_is_refused_and_nothing_is_sent(
    worker, baby_case, partners, catalogue, documents, other_organisation
):
    stranger = IdentityDocumentFactory(
        person=PersonFactory(organisation=other_organisation),
        kind=IdentityDocument.Kind.NATIONAL_ID,
    )
    stranger.scan.save("id.png", ContentFile(PNG), save=True)
    for key in ("document:national_id", "consent:" + str(stranger.pk), "../../etc/passwd"):
        with pytest.raises(ServiceError) as error:
            send(worker, baby_case, partners, attach=[key])
        assert error.value.field == "attach"
    with scopes_disabled():
        assert not ReferralGroup.objects.exists()
        assert not ReferralAttachment.objects.exists()


def test_a_withdrawn_consents_form_cannot_go_along(
    worker, baby_case, partners, catalogue, documents
):
    consent, _birth = documents
    other = type(consent).objects.get(pk=consent.pk)
    other.pk = None
    other.id = None
    other.withdrawn_on = other.given_on
    other.save()
    other.organisations.set(partners)
    with pytest.raises(ServiceError):
        send(worker, baby_case, partners, attach=[f"consent:{other.pk}"])


@pytest.mark.parametrize(
    ("upload", "title", "field"),
    [
        (SimpleUploadedFile("x.pdf", b"#!/bin/sh\nrm -rf /"), "Script", "upload"),
        (SimpleUploadedFile("big.pdf", b"%PDF-" + b"\x00" * (5 * 1024 * 1024)), "Big", "upload"),
        (SimpleUploadedFile("r.pdf", REPORT), "   ", "upload_title"),
    ],
)
def test_an_upload_of_the_wrong_kind_or_without_a_title_is_refused(
    worker, baby_case, partners, catalogue, consent, upload, title, field
):
    with pytest.raises(ServiceError) as error:
        send(worker, baby_case, partners, upload=upload, upload_title=title)
    assert error.value.field == field
    with scopes_disabled():
        assert not ReferralGroup.objects.exists()


def test_at_most_five_documents(worker, baby_case, partners, catalogue, documents, monkeypatch):
    monkeypatch.setattr(services.referrals, "MAX_ATTACHMENTS", 2)
    consent, _birth = documents
    with pytest.raises(ServiceError) as error:
        all_three(worker, baby_case, partners, consent)
    assert error.value.field == "attach"


def test_the_receiver_reads_them_while_pending_and_the_reading_is_recorded_in_both_trails(
    client, worker, baby_case, partners, answerers, catalogue, documents
):
    consent, _birth = documents
    group = all_three(worker, baby_case, partners, consent)
    referral = referral_to(group, partners[0])
    sign_in(client, answerers[0].user)
    page = client.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert "Documents sent along" in page and "Hospital report" in page
    with scopes_disabled():
        attachments = list(ReferralAttachment.objects.filter(group=group))
    for attachment, expected in zip(attachments, (PDF, PNG, REPORT), strict=True):
        url = reverse("referrals:referral_attachment", args=[referral.pk, attachment.pk])
        assert url in page
        response = client.get(url)
        assert response.status_code == 200 and content(response) == expected
        assert response["Cache-Control"] == "private, no-store"
    with scopes_disabled():
        downloads = AuditEvent.objects.filter(action="referrals.attachment.downloaded")
        assert downloads.filter(organisation=baby_case.organisation).count() == 3
        assert downloads.filter(organisation=partners[0]).count() == 3


def test_after_a_decline_the_receiver_cannot_read_them(
    client, worker, baby_case, partners, answerers, catalogue, documents
):
    consent, _birth = documents
    group = all_three(worker, baby_case, partners, consent)
    referral = referral_to(group, partners[0])
    as_(answerers[0], services.referral_decline, referral_id=referral.pk, reason="no_place")
    with scopes_disabled():
        attachment = ReferralAttachment.objects.filter(group=group).first()
    sign_in(client, answerers[0].user)
    page = client.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert "Hospital report" not in page
    url = reverse("referrals:referral_attachment", args=[referral.pk, attachment.pk])
    assert client.get(url).status_code == 404
    # The sender still reads its own referral's documents.
    sign_in(client, worker.user)
    assert client.get(url).status_code == 200


def test_the_receiver_that_took_the_child_keeps_them(
    client, worker, baby_case, partners, answerers, catalogue, documents
):
    consent, _birth = documents
    group = all_three(worker, baby_case, partners, consent)
    taken = referral_to(group, partners[0])
    accept(answerers[0], taken)
    withdrawn = referral_to(group, partners[1])
    with scopes_disabled():
        attachment = ReferralAttachment.objects.filter(group=group).first()
    sign_in(client, answerers[0].user)
    url = reverse("referrals:referral_attachment", args=[taken.pk, attachment.pk])
    assert client.get(url).status_code == 200
    # The other partner, whose request was withdrawn when the first accepted, no longer can.
    sign_in(client, answerers[1].user)
    url = reverse("referrals:referral_attachment", args=[withdrawn.pk, attachment.pk])
    assert client.get(url).status_code == 404


def test_an_organisation_not_asked_and_anonymous_get_nothing(
    client, worker, baby_case, partners, catalogue, documents
):
    consent, _birth = documents
    group = all_three(worker, baby_case, partners, consent)
    referral = referral_to(group, partners[0])
    with scopes_disabled():
        attachment = ReferralAttachment.objects.filter(group=group).first()
    url = reverse("referrals:referral_attachment", args=[referral.pk, attachment.pk])
    assert client.get(url).status_code == 302  # to the sign-in page
    stranger = MembershipFactory(organisation=OrganisationFactory(), role="supervisor")
    sign_in(client, stranger.user)
    assert client.get(url).status_code == 404
    # A document of another referral, under a referral the reader may see, is 404 too.
    sign_in(client, worker.user)
    other_url = reverse(
        "referrals:referral_attachment", args=[referral.pk, "00000000-0000-0000-0000-000000000000"]
    )
    assert client.get(other_url).status_code == 404
    with scopes_disabled():
        # The stranger's attempt is in the sender's trail; the worker's in its own.
        outside = AuditEvent.objects.filter(action="core.access.denied_outside")
        assert outside.filter(organisation=baby_case.organisation).exists()
        refused = AuditEvent.objects.filter(action="core.access.refused", actor=stranger.user)
        assert refused.filter(organisation=stranger.organisation).exists()


def test_the_referral_form_sends_documents_along(
    client, worker, baby_case, partners, catalogue, documents
):
    consent, _birth = documents
    sign_in(client, worker.user)
    url = reverse("referrals:referral_new", args=[baby_case.pk])
    form = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in form
    assert "Birth certificate" in form and "Signed consent form of" in form
    response = client.post(
        url,
        form_data(
            partners,
            attach=["document:birth_certificate"],
            upload=report(),
            upload_title="Hospital report",
        ),
    )
    assert response.status_code == 302
    with scope(organisation=baby_case.organisation):
        titles = [a.display_title() for a in ReferralAttachment.objects.all()]
    assert titles == ["Birth certificate", "Hospital report"]


def test_the_form_asks_for_a_title_for_an_upload(client, worker, baby_case, partners, catalogue):
    sign_in(client, worker.user)
    url = reverse("referrals:referral_new", args=[baby_case.pk])
    response = client.post(url, form_data(partners, upload=report()))
    assert response.status_code == 200
    assert "Give the document a title." in response.content.decode()
