"""The demo's contact requests: Family Bridge registers two children Hope for Mothers holds,
the check reports the match, one request is answered and one waits; running it again changes
nothing."""

import pytest

from phteah.core.audit import audit_verify
from phteah.demo.cases import demo_cases_create
from phteah.demo.contacts import demo_contacts_create
from phteah.demo.network import demo_network_create
from phteah.geography.services import geography_load
from phteah.people.models import NetworkMatch
from phteah.referrals.models import ContactRequest


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from django_scopes import scopes_disabled

    with django_db_blocker.unblock(), scopes_disabled():
        try:
            geography_load()
            demo_network_create()
            demo_cases_create(seed=7)
            yield demo_contacts_create()
        finally:
            from django.core.management import call_command

            call_command("flush", "--no-input", verbosity=0)


@pytest.mark.django_db
def test_one_request_answered_and_one_waiting(demo):
    assert (demo.sent, demo.answered) == (2, 1)
    states = sorted(ContactRequest.objects.values_list("state", flat=True))
    assert states == ["answered", "pending"]
    assert NetworkMatch.objects.filter(candidate_organisation__short_code="HFM").count() == 2
    assert demo_contacts_create().sent == 0
    assert ContactRequest.objects.count() == 2
    assert audit_verify().problems == []
