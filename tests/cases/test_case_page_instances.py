"""The case page makes a bounded number of Python model instances, whatever the number of
visits: the lists and the timeline are cut in the database, never in Python (issue 10)."""

import datetime
from collections import Counter

import pytest
from django.db.models.signals import post_init
from django.urls import reverse
from django_scopes import scopes_disabled

from phteah.cases.models import Visit
from tests.conftest import sign_in
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

BOUND = 150  # instances made by one case page (92 with the visits of this test)


def _visits(case, user, count, start):
    with scopes_disabled():
        Visit.objects.bulk_create(
            Visit(
                organisation=case.organisation,
                case=case,
                visited_on=start - datetime.timedelta(days=index),
                kind=Visit.Kind.HOME,
                people_seen="the child",
                recorded_by=user,
            )
            for index in range(count)
        )


def _instances(client, case) -> Counter:
    made = Counter()

    def count(sender, **kwargs):
        made[sender.__name__] += 1

    post_init.connect(count)
    try:
        response = client.get(reverse("cases:case_detail", args=[case.pk]))
    finally:
        post_init.disconnect(count)
    assert response.status_code == 200
    return made


def test_the_case_page_makes_as_many_instances_with_250_visits_as_with_40(
    client, organisation, worker
):
    case = CaseFactory(organisation=organisation, workers=[worker.user])
    today = datetime.date.today()
    _visits(case, worker.user, 40, today)
    sign_in(client, worker.user)
    client.get(reverse("cases:case_detail", args=[case.pk]))  # the session settles
    with_40 = _instances(client, case)
    _visits(case, worker.user, 210, today - datetime.timedelta(days=40))
    with_250 = _instances(client, case)
    assert with_250 == with_40
    assert with_40["Visit"] >= 10  # the page does show visits
    assert sum(with_250.values()) <= BOUND, with_250.most_common(8)
