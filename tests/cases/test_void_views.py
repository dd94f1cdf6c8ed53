"""The Void… pages and Restore buttons: voiding from the case page with a reason, the
record struck through with who voided it and why, read-only afterwards, and Restore shown to
supervisors only."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from phteah.cases.models import Visit
from tests.factories import (
    PlacementFactory,
    ServiceDeliveryFactory,
    assessment,
    dated_visit,
)

from ..conftest import sign_in

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)

pytestmark = pytest.mark.django_db


def case_page(case):
    return reverse("cases:case_detail", args=[case.pk])


def test_a_worker_voids_a_visit_from_the_case_page(client, worker, case):
    visit = dated_visit(case, TODAY - 3 * DAY, by=worker.user)
    sign_in(client, worker.user)
    page = client.get(case_page(case)).content.decode()
    void_url = reverse("cases:visit_void", args=[case.pk, visit.pk])
    assert f'href="{void_url}"' in page

    form = client.get(void_url).content.decode()
    assert 'name="reason"' in form and "A supervisor can restore it." in form
    refused = client.post(void_url, {"reason": " "})
    assert refused.status_code == 200
    visit.refresh_from_db()
    assert not visit.is_voided

    response = client.post(void_url, {"reason": "Recorded in the wrong case."})
    assert response.status_code == 302 and response.url == case_page(case) + "#care-visits"
    visit.refresh_from_db()
    assert visit.is_voided and visit.void_reason == "Recorded in the wrong case."

    page = client.get(case_page(case)).content.decode()
    assert '<tr class="voided">' in page
    assert 'class="tl-visit voided"' in page  # the timeline
    assert "Recorded in the wrong case." in page and "Voided by" in page
    assert f'href="{void_url}"' not in page
    restore_url = reverse("cases:visit_restore", args=[case.pk, visit.pk])
    assert restore_url not in page  # a case worker cannot restore

    # Read-only: its edit page leads to the void page, which says it was voided.
    edit = client.get(reverse("cases:visit_edit", args=[case.pk, visit.pk]))
    assert edit.status_code == 302 and edit.url == void_url
    shown = client.get(void_url).content.decode()
    assert "Only a supervisor can restore a voided record." in shown
    assert 'name="reason"' not in shown


def test_a_supervisor_restores_a_visit(client, supervisor, worker, case):
    visit = dated_visit(case, TODAY - 3 * DAY, by=worker.user)
    visit.voided_at, visit.voided_by, visit.void_reason = timezone.now(), worker.user, "Oops"
    visit.save()
    sign_in(client, supervisor.user)
    restore_url = reverse("cases:visit_restore", args=[case.pk, visit.pk])
    assert restore_url in client.get(case_page(case)).content.decode()
    assert client.get(restore_url).status_code == 405  # POST only
    response = client.post(restore_url)
    assert response.status_code == 302
    visit.refresh_from_db()
    assert not visit.is_voided
    assert Visit.objects.valid().filter(pk=visit.pk).exists()


def test_services_assessments_and_placements_have_void_pages(client, worker, case):
    service = ServiceDeliveryFactory(case=case, recorded_by=worker.user)
    done = assessment(case, worker.user)
    placement = PlacementFactory(case=case, recorded_by=worker.user)
    sign_in(client, worker.user)
    page = client.get(case_page(case)).content.decode()
    for url in (
        reverse("cases:service_void", args=[case.pk, service.pk]),
        reverse("care:placement_void", args=[case.pk, placement.pk]),
    ):
        assert f'href="{url}"' in page
    detail = client.get(reverse("cases:assessment_detail", args=[case.pk, done.pk]))
    assessment_void = reverse("cases:assessment_void", args=[case.pk, done.pk])
    assert f'href="{assessment_void}"' in detail.content.decode()

    client.post(reverse("care:placement_void", args=[case.pk, placement.pk]), {"reason": "Wrong"})
    client.post(assessment_void, {"reason": "Another child's"})
    client.post(reverse("cases:service_void", args=[case.pk, service.pk]), {"reason": "Twice"})
    for record in (service, done, placement):
        record.refresh_from_db()
        assert record.is_voided
    page = client.get(case_page(case)).content.decode()
    assert "No current placement." in page
    assert page.count('class="voided"') >= 2  # the service and the placement rows
    assert 'class="tl-assessment voided"' in page
    edit = client.get(reverse("cases:service_edit", args=[case.pk, service.pk]))
    assert edit.status_code == 302
