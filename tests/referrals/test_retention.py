# ruff: noqa: F811 - the fixtures imported from the service tests are used by name
"""A referral that ended without a partner taking the child (declined by all, withdrawn)
keeps the child's details for REFERRAL_KEEP_ENDED_DAYS, then only a shell: the services,
dates, answers and history stay, the names, birth date, village, reason and documents go."""

import datetime
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from phteah.core.audit import audit_verify
from phteah.core.models import AuditEvent
from phteah.referrals import services
from phteah.referrals.models import Referral, ReferralAttachment, ReferralGroup, ReferralUpdate
from phteah.referrals.services.retention import referral_groups_erase
from phteah.referrals.tasks import referral_groups_erase_task
from tests.conftest import sign_in
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
PDF = b"%PDF-1.4\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def later(days):
    return timezone.now() + datetime.timedelta(days=days)


def declined_by_all(worker, case, partners, answerers, consent):
    consent.scan.save("consent.pdf", ContentFile(PDF), save=True)
    group = send(worker, case, partners, attach=[f"consent:{consent.pk}"])
    for partner, answerer in zip(partners, answerers, strict=True):
        as_(
            answerer,
            services.referral_decline,
            referral_id=referral_to(group, partner).pk,
            reason="no_place",
        )
    return group


def reload(group):
    with scopes_disabled():
        return ReferralGroup.objects.get(pk=group.pk)


def test_the_details_stay_for_the_kept_days_then_only_a_shell(
    worker, baby_case, partners, answerers, catalogue, consent, django_capture_on_commit_callbacks
):
    group = declined_by_all(worker, baby_case, partners, answerers, consent)
    with scopes_disabled():
        stored = ReferralAttachment.objects.get(group=group).file
        storage, name = stored.storage, stored.name
    assert referral_groups_erase(now=later(89)) == 0
    assert reload(group).given_name_latin == "Sreypov"
    with django_capture_on_commit_callbacks(execute=True):
        assert referral_groups_erase(now=later(91)) == 1
    shell = reload(group)
    assert shell.erased_at is not None
    assert (shell.family_name_latin, shell.given_name_latin, shell.family_name_km) == ("", "", "")
    assert shell.date_of_birth is None and shell.village_id is None and shell.reason == ""
    assert shell.global_id == "" and shell.worker_name == ""
    assert shell.display_name("en") == "A child (details removed)"
    with scopes_disabled():
        assert not ReferralAttachment.objects.filter(group=group).exists()
        # The shell keeps what the reports count: services, answers, their reasons, history.
        referrals = Referral.objects.filter(group=group)
        assert set(referrals.values_list("state", "decline_reason")) == {("declined", "no_place")}
        assert ReferralUpdate.objects.filter(referral__group=group).count() == 4
        event = AuditEvent.objects.get(action="referrals.referral.erased")
        assert event.organisation_id == baby_case.organisation_id and event.data == {"documents": 1}
    assert not storage.exists(name)
    assert referral_groups_erase(now=later(92)) == 0  # once
    assert audit_verify().problems == []


def test_a_referral_a_partner_took_keeps_its_details(
    worker, baby_case, partners, answerers, catalogue, consent
):
    group = send(worker, baby_case, partners)
    accept(answerers[0], referral_to(group, partners[0]))  # the other is withdrawn as taken
    assert referral_groups_erase(now=later(400)) == 0
    assert reload(group).given_name_latin == "Sreypov"


def test_a_referral_still_waiting_for_one_partner_keeps_its_details(
    worker, baby_case, partners, answerers, catalogue, consent
):
    group = send(worker, baby_case, partners)
    as_(
        answerers[0],
        services.referral_decline,
        referral_id=referral_to(group, partners[0]).pk,
        reason="no_place",
    )
    assert referral_groups_erase(now=later(400)) == 0


def test_a_withdrawn_referral_is_erased_too_and_by_the_task(
    worker, baby_case, partners, catalogue, consent, settings
):
    group = send(worker, baby_case, partners)
    for partner in partners:
        services.referral_withdraw(actor=worker, referral_id=referral_to(group, partner).pk)
    settings.REFERRAL_KEEP_ENDED_DAYS = 0
    assert referral_groups_erase_task.delay().get() == 1
    assert reload(group).erased_at is not None


def test_both_sides_see_the_shell(
    client, worker, baby_case, partners, answerers, catalogue, consent
):
    group = declined_by_all(worker, baby_case, partners, answerers, consent)
    referral_groups_erase(now=later(91))
    referral = referral_to(group, partners[0])
    for member in (worker, answerers[0]):
        sign_in(client, member.user)
        page = client.get(reverse("referrals:referral_detail", args=[referral.pk]))
        text = page.content.decode()
        assert page.status_code == 200
        assert "Sreypov" not in text and "A baby left at the hospital." not in text
        assert "details were removed on" in text
    inbox = client.get(reverse("referrals:received")).content.decode()
    assert "A child (details removed)" in inbox and "Sreypov" not in inbox


def test_the_command_runs_both_schedules(
    worker, baby_case, partners, answerers, catalogue, consent, settings
):
    from django.core.management import call_command

    group = declined_by_all(worker, baby_case, partners, answerers, consent)
    settings.REFERRAL_KEEP_ENDED_DAYS = 0
    out = StringIO()
    call_command("referrals", "erase", stdout=out)
    assert "from 1 ended referrals" in out.getvalue()
    assert reload(group).erased_at is not None
    call_command("referrals", "overdue", stdout=out)
    assert "Told the receivers of 0 overdue referrals." in out.getvalue()
