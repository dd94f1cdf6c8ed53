"""A request to close that a supervisor sent back reaches the case worker's My work, with
the note and where to act, until they ask again or mark it done."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from phteah.accounts.roles import Role
from phteah.cases import services
from phteah.cases.models import Case
from phteah.core.models import AuditEvent
from phteah.work.selectors import my_work
from tests import factories
from tests.factories import CaseFactory

from ..conftest import sign_in

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def sent_back(organisation, worker, supervisor):
    case = CaseFactory(
        organisation=organisation,
        workers=[worker.user],
        supervisor=supervisor.user,
        opened_on=TODAY - timedelta(days=60),
    )
    factories.assessment(case, worker.user, kind="closure")
    services.closure_request(actor=worker, case_id=case.pk, reason="moved_away")
    services.closure_approve(
        actor=supervisor, case_id=case.pk, approve=False, note="Visit the new address first."
    )
    return Case.objects.get(pk=case.pk)


def test_the_note_is_in_the_case_workers_my_work(client, sent_back, worker, member):
    sign_in(client, worker.user)
    text = client.get(reverse("work:my_work")).content.decode()
    section = text[text.index('id="sent_back"') :]
    section = section[: section.index("</section>")]
    assert "Closures sent back" in section
    assert sent_back.reference in section
    assert "Visit the new address first." in section
    assert reverse("cases:closure_request", args=[sent_back.pk]) in section
    assert reverse("cases:closure_sent_back_done", args=[sent_back.pk]) in section
    # Not in someone else's.
    other = member(Role.CASE_WORKER)
    assert my_work(actor=other)["sent_back"].count == 0


def test_asking_again_takes_it_out(sent_back, worker):
    assert my_work(actor=worker)["sent_back"].count == 1
    services.closure_request(actor=worker, case_id=sent_back.pk, reason="moved_away")
    assert my_work(actor=worker)["sent_back"].count == 0


def test_marking_it_done_takes_it_out(client, sent_back, worker):
    sign_in(client, worker.user)
    url = reverse("cases:closure_sent_back_done", args=[sent_back.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"next": "work"})
    assert response.status_code == 302 and response.url == reverse("work:my_work")
    assert my_work(actor=worker)["sent_back"].count == 0
    case = Case.objects.get(pk=sent_back.pk)
    assert case.closure_sent_back_note == "" and case.status == Case.Status.OPEN
    assert AuditEvent.objects.filter(action="cases.closure.sent_back_done").count() == 1
    # Again: nothing to do, nothing logged.
    client.post(url)
    assert AuditEvent.objects.filter(action="cases.closure.sent_back_done").count() == 1


def test_reopening_does_not_bring_an_old_note_back(sent_back, worker, supervisor):
    services.closure_request(actor=worker, case_id=sent_back.pk, reason="moved_away")
    Case.objects.filter(pk=sent_back.pk).update(
        closure_sent_back_note="Old", closure_sent_back_on=TODAY
    )
    services.closure_approve(actor=supervisor, case_id=sent_back.pk, approve=True)
    services.case_reopen(actor=supervisor, case_id=sent_back.pk, reason="New report.")
    assert my_work(actor=worker)["sent_back"].count == 0


def test_the_case_page_offers_both(client, sent_back, worker):
    sign_in(client, worker.user)
    page = client.get(reverse("cases:case_detail", args=[sent_back.pk])).content.decode()
    assert "Closing was sent back" in page
    assert reverse("cases:closure_sent_back_done", args=[sent_back.pk]) in page
