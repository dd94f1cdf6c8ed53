"""The bell, the list, marking read and the preferences, as a member sees them."""

import pytest
from django.db import transaction
from django.urls import reverse
from django_scopes import scopes_disabled

from phteah.core.models import AuditEvent
from phteah.notifications.models import Kind, Notification, NotificationPreference
from phteah.notifications.selectors import UNREAD_SHOWN_MAX, unread_count
from phteah.notifications.services import notifications_fan_out

from .conftest import grant_event, publish

pytestmark = pytest.mark.django_db


def _tell(membership, n=1, *, kind=Kind.REFERRAL_ACCEPTED, sender=None):
    with transaction.atomic():
        return [
            notice
            for _ in range(n)
            for notice in notifications_fan_out(
                kind=kind,
                organisation_id=membership.organisation_id,
                recipients=[membership.user_id],
                data={
                    "organisation": str(sender.pk if sender else membership.organisation_id),
                    "reference": "FB-2026-0007",
                },
            )
        ]


def _read_at(notice):
    with scopes_disabled():
        notice.refresh_from_db()
    return notice.read_at


def test_the_list_speaks_the_readers_language(
    client, signed_in, case, grantee, officer, django_capture_on_commit_callbacks
):
    case.organisation.name_km = "ស្ពានគ្រួសារ"
    case.organisation.save(update_fields=["name_km"])
    publish(grant_event(case, grantee))
    signed_in(officer)
    page = client.get(reverse("notifications:list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "ស្ពានគ្រួសារ" in html and case.reference in html
    client.cookies["phteah_language"] = "en"
    officer.user.language = "en"
    officer.user.save(update_fields=["language"])
    html = client.get(reverse("notifications:list")).content.decode()
    assert f"Family Bridge shared case {case.reference} with your organisation." in html


def test_the_bell_shows_the_unread_count(client, signed_in, worker):
    signed_in(worker)
    html = client.get(reverse("accounts:home")).content.decode()
    assert 'class="bell"' in html and "bell-count" not in html
    _tell(worker, 3)
    html = client.get(reverse("accounts:home")).content.decode()
    assert '<span class="bell-count">3</span>' in html


def test_the_bell_stops_counting_at_99(worker):
    _tell(worker, UNREAD_SHOWN_MAX + 5)
    assert unread_count(user_id=worker.user_id, organisation_id=worker.organisation_id) == 100


def test_the_bell_shows_khmer_digits_to_a_khmer_reader(client, signed_in, worker):
    worker.user.language = "km"
    worker.user.save(update_fields=["language"])
    _tell(worker, 3)
    signed_in(worker)
    html = client.get(reverse("accounts:home")).content.decode()
    assert '<span class="bell-count">៣</span>' in html


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(
    client, signed_in, case, grantee, officer
):
    publish(grant_event(case, grantee))
    with scopes_disabled():
        notice = Notification.objects.get(recipient=officer.user)
    signed_in(officer)
    response = client.post(reverse("notifications:mark_read", args=[notice.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert _read_at(notice) is not None


def test_a_notification_without_a_page_opens_the_list(client, signed_in, worker):
    (notice,) = _tell(worker)
    signed_in(worker)
    response = client.post(reverse("notifications:mark_read", args=[notice.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_anothers_notification_is_not_found(client, signed_in, worker, member, other_organisation):
    (notice,) = _tell(worker)
    for intruder in (member(), member(org=other_organisation)):
        signed_in(intruder)
        response = client.post(reverse("notifications:mark_read", args=[notice.pk]))
        assert response.status_code == 404
    assert _read_at(notice) is None


def test_opening_needs_a_post(client, signed_in, worker):
    (notice,) = _tell(worker)
    signed_in(worker)
    assert client.get(reverse("notifications:mark_read", args=[notice.pk])).status_code == 405
    assert _read_at(notice) is None


def test_mark_all_read_marks_only_ones_own(client, signed_in, worker, member):
    mine = _tell(worker, 3)
    (theirs,) = _tell(member())
    signed_in(worker)
    response = client.post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    assert all(_read_at(notice) for notice in mine)
    assert _read_at(theirs) is None


def test_the_preferences_are_saved_and_audited(client, signed_in, worker, organisation):
    signed_in(worker)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    # By default: every kind in Phteah, the important ones by e-mail.
    form = page.context["form"]
    assert form["referral_received-email"].initial is True
    assert form["referral_completed-email"].initial is False
    data = {f"{kind}-in_app": "on" for kind in Kind.values}
    data["referral_completed-email"] = "on"
    del data["referral_feedback-in_app"]
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 302
    with scopes_disabled():
        rows = {
            row.kind: (row.in_app, row.email)
            for row in NotificationPreference.objects.filter(membership=worker)
        }
        event = AuditEvent.all_chains.get(action="notifications.preferences.changed")
    # Every kind that was on by e-mail and was left unticked is now off, and so on.
    assert rows["referral_completed"] == (True, True)
    assert rows["referral_feedback"] == (False, False)
    assert rows["referral_received"] == (True, False)
    assert "referral_feedback" in event.changes["in_app"][0]
    assert "referral_feedback" not in event.changes["in_app"][1]
    # The same again changes nothing and records nothing.
    client.post(reverse("notifications:preferences"), data)
    with scopes_disabled():
        assert AuditEvent.all_chains.filter(action__startswith="notifications.").count() == 1


def test_the_preferences_event_reads_as_a_sentence(client, signed_in, admin, worker):
    signed_in(worker)
    client.post(reverse("notifications:preferences"), {"referral_received-in_app": "on"})
    signed_in(admin)
    html = client.get(reverse("accounts:audit_list")).content.decode()
    assert "changed how they are told of events in Phteah" in html


@pytest.mark.parametrize(
    "choices",
    [
        {"party": {"in_app": True}},
        {"referral_received": {"in_app": "yes"}},
        {"referral_received": True},
        ["referral_received"],
    ],
)
def test_the_preferences_service_refuses_what_is_not_a_choice(worker, choices):
    from phteah.core.errors import ServiceError
    from phteah.notifications.services import notification_preferences_set

    with pytest.raises(ServiceError):
        notification_preferences_set(actor=worker, choices=choices)


def _queries(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_list_and_the_bell_cost_the_same_with_five_times_the_rows(
    client, signed_in, worker, other_organisation, django_assert_max_num_queries
):
    """One query for the bell, one for the page's organisation names, whatever the page
    holds."""
    signed_in(worker)
    _tell(worker, 4, sender=other_organisation)
    url = reverse("notifications:list")
    home = reverse("accounts:home")
    client.get(url)  # the first request of a session writes its own rows
    few = _queries(client, url, django_assert_max_num_queries, 20)
    few_home = _queries(client, home, django_assert_max_num_queries, 40)
    _tell(worker, 16, sender=other_organisation)
    assert _queries(client, url, django_assert_max_num_queries, 20) == few
    assert _queries(client, home, django_assert_max_num_queries, 40) == few_home
