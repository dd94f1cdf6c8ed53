"""Reading never waits for writing: the pages that show a child's record take no lock — no
query on the audit chain's head, no SELECT … FOR UPDATE — and record the view as a pending
access event, sealed into the chain later (phteah.core.audit.writing)."""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from phteah.accounts.roles import Role
from phteah.accounts.services import organisation_update
from phteah.cases.models import Case
from phteah.core.audit import audit_seal, audit_verify, chain_key_for, writing
from phteah.core.models import AuditChain, AuditEvent
from tests import factories as case_rows
from tests.conftest import sign_in
from tests.factories import CaseFactory, HouseholdFactory, HouseholdMemberFactory

# A bound for the page served while another transaction holds the locks (server-side, so a
# wait for a lock fails the request instead of hanging it; not a timing assertion).
LOCK_TIMEOUT = "2s"
STEP = 30.0


@pytest.fixture
def record(organisation, member):
    """A case with an assessment, a conference and a visit, its child in a household; and
    the supervisor who reads them."""
    supervisor = member(Role.SUPERVISOR)
    case = CaseFactory(organisation=organisation, workers=[supervisor.user])
    household = HouseholdFactory(organisation=organisation)
    HouseholdMemberFactory(household=household, person=case.person)
    return {
        "supervisor": supervisor,
        "case": case,
        "assessment": case_rows.assessment(case, supervisor.user),
        "conference": case_rows.conference(case, supervisor.user),
        "visit": case_rows.visit(case, supervisor.user, datetime.date.today()),
        "household": household,
    }


def _pages(record):
    case = record["case"]
    return {
        "cases.case.viewed": reverse("cases:case_detail", args=[case.pk]),
        "people.person.viewed": reverse("people:person_detail", args=[case.person_id]),
        "care.visit.list_viewed": reverse("cases:visit_list", args=[case.pk]),
        "cases.assessment.viewed": reverse(
            "cases:assessment_detail", args=[case.pk, record["assessment"].pk]
        ),
        "cases.conference.viewed": reverse(
            "cases:conference_detail", args=[case.pk, record["conference"].pk]
        ),
        "people.household.viewed": reverse(
            "people:household_detail", args=[record["household"].pk]
        ),
    }


def _pending(organisation, action):
    return AuditEvent.all_chains.filter(
        chain_key=chain_key_for(organisation.pk), action=action, sequence__isnull=True
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "action",
    [
        "cases.case.viewed",
        "people.person.viewed",
        "care.visit.list_viewed",
        "cases.assessment.viewed",
        "cases.conference.viewed",
        "people.household.viewed",
    ],
)
def test_a_page_of_a_childs_record_takes_no_lock_and_records_a_pending_view(
    client, organisation, record, action
):
    sign_in(client, record["supervisor"].user)
    url = _pages(record)[action]

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    statements = [query["sql"] for query in queries.captured_queries]
    assert not [sql for sql in statements if "core_auditchain" in sql.lower()]
    assert not [sql for sql in statements if "for update" in sql.lower()]
    assert _pending(organisation, action).count() == 1


def _case_page_reader(record, served: dict) -> threading.Thread:
    """A thread, with its own connection, that opens the case page as the supervisor; puts
    the status (or the error) in *served*. Its waits for a lock end at LOCK_TIMEOUT."""
    client = sign_in(Client(), record["supervisor"].user)
    url = reverse("cases:case_detail", args=[record["case"].pk])

    def read():
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
                cursor.execute(f"SET statement_timeout = '{LOCK_TIMEOUT}'")
            served["status"] = client.get(url).status_code
        except Exception as error:  # noqa: BLE001 - reported by the test
            served["error"] = error
        finally:
            connection.close()

    return threading.Thread(target=read, name="reader")


@pytest.mark.django_db(transaction=True)
def test_the_case_page_is_served_while_a_writer_holds_the_chain_and_the_case(organisation, record):
    """One transaction holds the organisation's chain head and the case row (as a service
    does in the last moment before its commit); meanwhile another connection serves the case
    page and records the view. The page must not wait: it is served while the locks are
    still held (a wait would hit the lock timeout, or outlast the holder's patience)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writing transaction at a time: no row locks to hold")
    case = record["case"]
    served = {}
    reader = _case_page_reader(record, served)

    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).get()
        writing._lock_chain(chain_key_for(organisation.pk))
        reader.start()
        reader.join(STEP)
        still_waiting = reader.is_alive()
        pending_while_held = _pending(organisation, "cases.case.viewed").count()
    reader.join(STEP)

    assert not still_waiting, "the page waited for the writer's locks"
    assert served == {"status": 200}
    assert pending_while_held == 1  # written (and visible) while the writer held its locks
    assert audit_seal() >= 1
    assert not _pending(organisation, "cases.case.viewed").exists()
    with scopes_disabled():
        event = AuditEvent.all_chains.get(action="cases.case.viewed", target_id=str(case.pk))
    assert event.sequence is not None and event.hash
    report = audit_verify()
    assert report.problems == [] and report.pending == 0
    assert AuditChain.objects.get(key=chain_key_for(organisation.pk)).length >= event.sequence


@pytest.mark.django_db(transaction=True)
def test_the_case_page_is_served_while_the_organisations_settings_are_being_saved(
    organisation, record, member, monkeypatch
):
    """An administrator's change to the organisation holds its row until commit; the view
    event a page inserts refers to that row (a foreign key, checked with KEY SHARE), so the
    change must lock it FOR NO KEY UPDATE, never FOR UPDATE, or every page would wait."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writing transaction at a time: no row locks to hold")
    admin = member(Role.ORG_ADMIN)
    held, release = threading.Event(), threading.Event()
    append = writing._append

    def held_append(events):  # the settings change, all its rows locked, about to commit
        if threading.current_thread().name == "settings":
            held.set()
            release.wait(STEP)
        return append(events)

    monkeypatch.setattr(writing, "_append", held_append)
    saved = {}

    def save():
        try:
            with scope(organisation=organisation.pk):
                organisation_update(
                    actor=admin, name_km="ស្ពាន", provinces=[], require_two_factor_for_all=True
                )
            saved["ok"] = True
        finally:
            connection.close()

    writer = threading.Thread(target=save, name="settings")
    served = {}
    reader = _case_page_reader(record, served)
    writer.start()
    assert held.wait(STEP)
    reader.start()
    reader.join(STEP)
    still_waiting = reader.is_alive()
    release.set()
    writer.join(STEP)
    reader.join(STEP)

    assert not still_waiting, "the page waited for the settings change"
    assert served == {"status": 200} and saved == {"ok": True}
    # The view was recorded pending; the settings change, committing after it, sealed it.
    viewed = AuditEvent.all_chains.get(action="cases.case.viewed", target_id=str(record["case"].pk))
    assert viewed.sequence is not None
    assert audit_verify().problems == []
