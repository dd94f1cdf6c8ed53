"""Duplicates across organisations without disclosure (network.md §7): the check the register
form runs, what the person page shows of a match, the limits, the audit events on both sides,
the expiry and the opt-out; contact requests sent, answered and declined, with what each side
sees."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from phteah.accounts.roles import Role
from phteah.core.errors import NotFound, ServiceError
from phteah.core.models import AuditEvent
from phteah.core.submissions import submission_issue
from phteah.notifications.models import Notification
from phteah.people import network
from phteah.people.linkage import KEYS, linkage_record_refresh
from phteah.people.models import NetworkCheck, NetworkMatch, Person
from phteah.people.names import person_search_fields
from phteah.referrals import services
from phteah.referrals.models import ContactRequest, PartnerProfile
from tests.conftest import as_member, sign_in
from tests.factories import MembershipFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db

NAMES = {
    "family_name_latin": "Sok",
    "given_name_latin": "Sophea",
    "family_name_km": "សុខ",
    "given_name_km": "សុភា",
}
# What the other organisation holds of its child, none of which may reach the checker.
SECRET_NAMES = {
    "family_name_latin": "Sok",
    "given_name_latin": "Sopheap",
    "family_name_km": "សុខ",
    "given_name_km": "សុភាព",
}
SECRET_PHONE = "097 111 2233"
SECRET_ADDRESS = "House 17, behind the pagoda"


@pytest.fixture(autouse=True)
def linkage_key(settings):
    settings.LINKAGE_KEYS = "test-a:" + "ab" * 32
    KEYS.reload()
    yield
    KEYS.reload()


@pytest.fixture
def hope(db):
    """Hope for Mothers, which holds Sok Sopheap, born 15 June 2014."""
    organisation = OrganisationFactory(name="Hope for Mothers", short_code="HFM")
    PartnerProfile.objects.get_or_create(organisation=organisation)
    return organisation


@pytest.fixture
def their_child(hope):
    person = PersonFactory(
        organisation=hope,
        sex="female",
        date_of_birth=datetime.date(2014, 6, 15),
        nickname="Pov",
        phone=SECRET_PHONE,
        address_detail=SECRET_ADDRESS,
        **SECRET_NAMES,
        **person_search_fields(**SECRET_NAMES),
    )
    linkage_record_refresh(person)
    return person


@pytest.fixture
def hope_chief(hope):
    return MembershipFactory(organisation=hope, role=Role.SUPERVISOR)


def form_data(**kwargs):
    data = {
        **NAMES,
        "nickname": "",
        "sex": "female",
        "date_of_birth": "2014-06-15",
        "age_years": "",
        "address_detail": "",
        "birth_province": "",
        "disability_notes": "",
        "phone": "",
        "province": "",
        "district": "",
        "commune": "",
        "village": "",
    }
    return data | kwargs


def register(client, membership, **kwargs):
    sign_in(client, membership.user)
    response = client.post(reverse("people:register"), form_data(**kwargs))
    assert response.status_code == 302, response.content.decode()[:3000]
    with scopes_disabled():
        return Person.objects.filter(organisation=membership.organisation).latest("created_at")


def chain(organisation):
    with scopes_disabled():
        return list(
            AuditEvent.all_chains.filter(organisation=organisation)
            .order_by("id")
            .values_list("action", "target_id", "data", "actor_id")
        )


# --- the check and what the person page shows ----------------------------------------------


def test_registering_reports_a_match_elsewhere_and_nothing_of_its_person(
    client, organisation, worker, their_child
):
    person = register(client, worker)
    with scopes_disabled():
        match = NetworkMatch.objects.get(person=person)
    assert match.candidate_organisation.name == "Hope for Mothers"
    assert match.band in (80, 90, 100) and {"name", "date_of_birth", "sex"} <= set(match.kinds)
    page = client.get(reverse("people:person_detail", args=[person.pk])).content.decode()
    assert "A possible match exists at Hope for Mothers — about" in page
    assert "name, date of birth, sex" in page
    assert reverse("referrals:contact_new", args=[match.pk]) in page
    for secret in (
        str(their_child.pk),
        their_child.global_id,
        "Sopheap",
        "សុភាព",
        SECRET_PHONE,
        SECRET_ADDRESS,
        "Pov",
    ):
        assert secret not in page


def test_the_checked_event_counts_only_and_the_match_goes_to_the_other_chain(
    client, organisation, worker, hope, their_child
):
    person = register(client, worker)
    checked = [e for e in chain(organisation) if e[0] == "people.linkage.checked"]
    assert checked == [("people.linkage.checked", str(person.pk), checked[0][2], worker.user_id)]
    assert checked[0][2] == {"candidates": 1, "matches": 1}
    outside = [e for e in chain(hope) if e[0] == "people.linkage.matched_outside"]
    assert len(outside) == 1
    action, target, data, actor = outside[0]
    assert target == str(their_child.pk) and actor is None
    assert str(organisation.pk) not in str(data) and str(person.pk) not in str(data)


def test_no_match_for_another_child(client, organisation, worker, their_child):
    person = register(client, worker, given_name_latin="Dara", given_name_km="ដារ៉ា", sex="male")
    with scopes_disabled():
        assert not NetworkMatch.objects.filter(person=person).exists()
        assert NetworkCheck.objects.get(person=person).matches == 0


def test_a_form_sent_twice_checks_once(client, organisation, worker, their_child):
    sign_in(client, worker.user)
    data = form_data(submission=submission_issue(worker.user))
    client.post(reverse("people:register"), data)
    client.post(reverse("people:register"), data)
    with scopes_disabled():
        assert Person.objects.filter(organisation=organisation).count() == 1
        assert NetworkCheck.objects.count() == 1 and NetworkMatch.objects.count() == 1


def test_a_match_expires_after_a_day(client, organisation, worker, their_child):
    person = register(client, worker)
    with scopes_disabled():
        match = NetworkMatch.objects.get(person=person)
        NetworkMatch.objects.filter(pk=match.pk).update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
    page = client.get(reverse("people:person_detail", args=[person.pk])).content.decode()
    assert "Hope for Mothers" not in page
    assert client.get(reverse("referrals:contact_new", args=[match.pk])).status_code == 404


def test_the_purge_removes_the_expired_matches(client, organisation, worker, their_child):
    person = register(client, worker)
    with scopes_disabled():
        match = NetworkMatch.objects.get(person=person)
    assert network.network_matches_purge(now=match.expires_at - datetime.timedelta(hours=1)) == 0
    assert network.network_matches_purge(now=match.expires_at) == 1
    with scopes_disabled():
        assert not NetworkMatch.objects.exists()
        assert NetworkCheck.objects.count() == 1  # kept for the limits


@pytest.mark.parametrize("side", ["checker", "holder"])
def test_an_organisation_that_opts_out_is_left_out_on_both_sides(
    client, organisation, worker, hope, their_child, side
):
    opted = hope if side == "holder" else organisation
    PartnerProfile.objects.update_or_create(
        organisation=opted, defaults={"linkage_participates": False}
    )
    person = register(client, worker)
    with scopes_disabled():
        assert not NetworkMatch.objects.filter(person=person).exists()
    assert not [e for e in chain(hope) if e[0] == "people.linkage.matched_outside"]


def test_leaving_the_check_removes_the_records_and_coming_back_makes_them(
    organisation, hope, their_child, django_capture_on_commit_callbacks
):
    from phteah.accounts.roles import Role as R
    from phteah.people.models import LinkageRecord
    from phteah.referrals.services import partner_profile_update

    admin = MembershipFactory(organisation=hope, role=R.ORG_ADMIN)
    values = {"published": False, "accepts_referrals": True}

    def update(participates):
        with (
            as_member(admin),
            django_capture_on_commit_callbacks(execute=True),
        ):
            partner_profile_update(actor=admin, linkage_participates=participates, **values)
        with scopes_disabled():
            return LinkageRecord.objects.filter(person_id=their_child.pk).exists()

    assert update(False) is False
    with scopes_disabled():
        newcomer = PersonFactory(organisation=hope, created_by=admin.user)
    with as_member(admin):
        from phteah.people.linkage import linkage_record_refresh, participates

        assert participates(hope.pk) is False
        linkage_record_refresh(newcomer, participates=participates(hope.pk))
    with scopes_disabled():
        assert not LinkageRecord.objects.filter(person_id=newcomer.pk).exists()
    assert update(True) is True


def test_over_the_member_limit_the_check_is_refused_and_recorded(
    client, organisation, worker, their_child
):
    with scopes_disabled():
        other = PersonFactory(organisation=organisation)
        NetworkCheck.objects.bulk_create(
            NetworkCheck(organisation=organisation, person=other, by=worker.user)
            for _ in range(network.CHECKS_PER_MEMBER_HOUR)
        )
    sign_in(client, worker.user)
    response = client.post(reverse("people:register"), form_data(), follow=True)
    page = response.content.decode()
    assert "you made 30 checks in the last hour" in page
    with scopes_disabled():
        assert Person.objects.filter(organisation=organisation).count() == 2
        assert not NetworkMatch.objects.exists()
    limited = [e for e in chain(organisation) if e[0] == "people.linkage.limited"]
    assert [e[2] for e in limited] == [{"limit": "checks_member"}]


def test_over_the_organisation_limit_the_check_is_refused(organisation, worker, their_child):
    with scopes_disabled():
        other = PersonFactory(organisation=organisation)
        NetworkCheck.objects.bulk_create(
            NetworkCheck(organisation=organisation, person=other)
            for _ in range(network.CHECKS_PER_ORGANISATION_DAY)
        )
        person = PersonFactory(organisation=organisation, created_by=worker.user, **NAMES)
    with pytest.raises(network.LinkageLimited, match="your organisation made 300 checks"):
        network.network_check(actor=worker, person_id=person.pk)


def test_a_viewer_may_not_check(organisation, member, their_child):
    viewer = member(Role.VIEWER)
    with scopes_disabled():
        person = PersonFactory(organisation=organisation, **NAMES)
    with pytest.raises(ServiceError):
        network.network_check(actor=viewer, person_id=person.pk)


# --- contact requests ----------------------------------------------------------------------


@pytest.fixture
def match(client, organisation, worker, their_child):
    person = register(client, worker)
    with scopes_disabled():
        return NetworkMatch.objects.get(person=person)


def ask(worker, match, **kwargs):
    values = {"message": "We registered a girl of 12 from Banan. Do you know her?"}
    values |= {"contact": "Chan Thy, 012 999 888"} | kwargs
    return services.contact_request_send(actor=worker, match_id=match.pk, **values)


def test_a_contact_request_reaches_the_supervisors_with_their_own_person(
    client, organisation, worker, hope, hope_chief, their_child, match
):
    contact = ask(worker, match)
    with scopes_disabled():
        told = Notification.objects.filter(recipient=hope_chief.user, kind="contact_request")
        assert told.count() == 1
    sign_in(client, hope_chief.user)
    inbox = client.get(reverse("referrals:contacts")).content.decode()
    assert "Family Bridge" in inbox
    page = client.get(reverse("referrals:contact_detail", args=[contact.pk])).content.decode()
    assert reverse("people:person_detail", args=[their_child.pk]) in page
    assert "Do you know her?" in page and "Chan Thy, 012 999 888" in page
    assert str(match.person_id) not in page  # the requester's person stays theirs
    received = [e for e in chain(hope) if e[0] == "referrals.contact.received"]
    assert received and received[0][1] == str(their_child.pk)


def test_the_requester_sees_only_the_answer(
    client, organisation, worker, hope, hope_chief, their_child, match
):
    contact = ask(worker, match)
    sign_in(client, hope_chief.user)
    response = client.post(
        reverse("referrals:contact_detail", args=[contact.pk]),
        {
            "decision": "answer",
            "holds_child": "on",
            "answer_contact": "Srey Neang, 011 222 333",
            "answer": "Yes, we know her.",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        contact.refresh_from_db()
        assert contact.state == "answered" and contact.holds_child
        assert Notification.objects.filter(recipient=worker.user, kind="contact_answered").exists()
    sign_in(client, worker.user)
    page = client.get(reverse("referrals:contact_detail", args=[contact.pk])).content.decode()
    assert "Yes, we hold this child." in page and "Srey Neang, 011 222 333" in page
    for secret in (str(their_child.pk), "Sopheap", "សុភាព", SECRET_PHONE, SECRET_ADDRESS):
        assert secret not in page
    person_page = client.get(reverse("people:person_detail", args=[match.person_id]))
    assert "Answered" in person_page.content.decode()
    assert [e[0] for e in chain(hope) if e[0].startswith("referrals.contact.answered")]
    assert [e[0] for e in chain(organisation) if e[0] == "referrals.contact.answered"]


def test_a_decline_and_no_second_answer(worker, hope_chief, match):
    contact = ask(worker, match)
    with as_member(hope_chief):
        services.contact_request_decline(actor=hope_chief, contact_request_id=contact.pk)
    with scopes_disabled():
        contact.refresh_from_db()
    assert contact.state == "declined"
    with as_member(hope_chief), pytest.raises(ServiceError, match="already answered"):
        services.contact_request_answer(
            actor=hope_chief, contact_request_id=contact.pk, answer="Yes"
        )


def test_the_requester_may_not_answer_and_a_stranger_gets_404(
    client, organisation, worker, supervisor, match
):
    contact = ask(worker, match)
    with pytest.raises(ServiceError):
        services.contact_request_answer(
            actor=supervisor, contact_request_id=contact.pk, answer="Yes"
        )
    stranger = MembershipFactory(organisation=OrganisationFactory(), role=Role.SUPERVISOR)
    sign_in(client, stranger.user)
    assert client.get(reverse("referrals:contact_detail", args=[contact.pk])).status_code == 404
    assert client.get(reverse("referrals:contact_new", args=[match.pk])).status_code == 404


def test_a_match_of_another_organisation_is_not_found(organisation, match, hope_chief):
    with as_member(hope_chief), pytest.raises(NotFound):
        network.network_match_get(actor=hope_chief, match_id=match.pk)


def test_ten_requests_a_day(organisation, worker, match):
    with scopes_disabled():
        ContactRequest.objects.bulk_create(
            ContactRequest(
                organisation=organisation,
                receiver=match.candidate_organisation,
                person_id=match.person_id,
                receiver_person_id=match.candidate_person_id,
                band=90,
                message="x",
                contact="y",
                sent_by=worker.user,
            )
            for _ in range(services.contacts.REQUESTS_PER_MEMBER_DAY)
        )
    with pytest.raises(network.LinkageLimited, match="You sent 10 contact requests today"):
        ask(worker, match)
    limited = [e for e in chain(organisation) if e[0] == "people.linkage.limited"]
    assert [e[2] for e in limited] == [{"limit": "contact_requests"}]


@pytest.mark.parametrize(
    "values, message",
    [
        ({"message": "  "}, "Write a message."),
        ({"contact": ""}, "Say how the other organisation can reach you."),
        ({"message": "a\x00b"}, "Null characters are not allowed."),
        ({"contact": "x" * 201}, "Use at most 200 characters."),
        ({"message": ["a list"]}, "Enter a text."),
    ],
)
def test_hostile_requests_save_nothing(worker, match, values, message):
    with pytest.raises(ServiceError, match=message):
        ask(worker, match, **values)
    with scopes_disabled():
        assert not ContactRequest.objects.exists()


def test_the_request_form_posts_once_and_shows_errors(client, worker, match):
    sign_in(client, worker.user)
    url = reverse("referrals:contact_new", args=[match.pk])
    form = client.get(url).content.decode()
    assert "A possible match exists at Hope for Mothers" in form
    refused = client.post(url, {"message": "", "contact": ""})
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    token = submission_issue(worker.user)
    data = {"message": "Hello", "contact": "Thy", "submission": token}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    with scopes_disabled():
        assert ContactRequest.objects.count() == 1


def test_the_answer_form_refuses_a_missing_contact(client, worker, hope_chief, match):
    contact = ask(worker, match)
    sign_in(client, hope_chief.user)
    response = client.post(
        reverse("referrals:contact_detail", args=[contact.pk]),
        {"decision": "answer", "holds_child": "on", "answer_contact": "", "answer": "Yes"},
    )
    assert response.status_code == 200
    assert "Say who the other organisation should contact." in response.content.decode()
    with scopes_disabled():
        contact.refresh_from_db()
    assert contact.state == "pending"


def test_my_work_counts_waiting_requests_in_one_query(client, worker, hope_chief, match):
    from phteah.referrals.selectors import contact_counts

    ask(worker, match)
    with as_member(hope_chief), CaptureQueriesContext(connection) as queries:
        counts = contact_counts(actor=hope_chief)
    assert counts.waiting == 1 and len(queries) == 1
    sign_in(client, hope_chief.user)
    work = client.get(reverse("work:my_work")).content.decode()
    assert "1 contact request waits for your organisation's answer" in work


def test_the_inbox_queries_do_not_grow(client, worker, hope_chief, match):
    sign_in(client, hope_chief.user)
    ask(worker, match)
    url = reverse("referrals:contacts")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(3):
        with scopes_disabled():
            ContactRequest.objects.create(
                organisation=worker.organisation,
                receiver=match.candidate_organisation,
                person_id=match.person_id,
                receiver_person_id=match.candidate_person_id,
                band=90,
                message="x",
                contact="y",
                sent_by=worker.user,
            )
    with CaptureQueriesContext(connection) as four:
        client.get(url)
    assert len(four) == len(one)
