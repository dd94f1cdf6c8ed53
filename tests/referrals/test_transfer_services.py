"""A transfer of a case: the receiver's supervisor accepts and owns the child's care in a case
of its own, reading the sender's closed case; the sender keeps it closed and read-only.
Declining, withdrawing, consent missing or withdrawn, one transfer waiting at a time, and
"the transfer moves ownership and nothing else"."""

import datetime

import pytest
from django.apps import apps
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from phteah.accounts.roles import Role
from phteah.cases.access import Shared, case_get_for_user
from phteah.cases.models import Case, CaseGrant
from phteah.cases.services import case_reopen
from phteah.core.audit import audit_verify
from phteah.core.errors import NotFound, ServiceError
from phteah.core.models import AuditEvent, OrganisationOwned
from phteah.people.models import Consent, Person
from phteah.people.services import consent_withdraw
from phteah.referrals import services
from phteah.referrals.models import Referral, Transfer
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    MembershipFactory,
    PersonFactory,
    PlacementFactory,
    ServiceTypeFactory,
    UserFactory,
)
from tests.referrals.support import published_organisation

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def receiver():
    return published_organisation("Bridge of Hope")


@pytest.fixture
def stranger():
    return published_organisation("Kumar Care")


@pytest.fixture
def answerer(receiver):
    return MembershipFactory(organisation=receiver, role=Role.SUPERVISOR)


@pytest.fixture
def child_case(organisation, worker, supervisor):
    person = PersonFactory(
        organisation=organisation,
        family_name_latin="Chan",
        given_name_latin="Sreypov",
        date_of_birth=TODAY - datetime.timedelta(days=3000),
    )
    return CaseFactory(
        organisation=organisation, person=person, workers=[worker.user], supervisor=supervisor.user
    )


def transfer_consent(case, *organisations, **values):
    values = {"for_transfer": True, "method": Consent.Method.SIGNED_FORM} | values
    return ConsentFactory(
        person=case.person,
        purpose=Consent.Purpose.SHARE_ORGANISATION,
        organisations=list(organisations),
        **values,
    )


@pytest.fixture
def consent(child_case, receiver):
    return transfer_consent(child_case, receiver)


def send(supervisor, case, receiver, reason="The family moved to Battambang."):
    return services.transfer_send(
        actor=supervisor, case_id=case.pk, receiver_id=receiver.pk, reason=reason
    )


def as_(member, call, **kwargs):
    with scope(organisation=member.organisation_id):
        return call(actor=member, **kwargs)


def accept(member, transfer):
    worker = MembershipFactory(organisation=member.organisation, role=Role.CASE_WORKER)
    return as_(member, services.transfer_accept, transfer_id=transfer.pk, workers=[worker.user])


def fresh(row):
    with scopes_disabled():
        return type(row).objects.get(pk=row.pk)


def test_sending_freezes_the_details_on_a_minimal_grant(supervisor, child_case, receiver, consent):
    transfer = send(supervisor, child_case, receiver)
    assert transfer.state == "pending" and transfer.consent == consent
    assert transfer.given_name_latin == "Sreypov"
    assert transfer.global_id == child_case.person.global_id
    assert transfer.case_type == child_case.case_type
    with scopes_disabled():
        grant = CaseGrant.objects.get(case=child_case)
    assert (grant.grantee, grant.level, grant.purpose) == (receiver, "minimal", "transfer")
    assert grant.valid_until.date() <= TODAY + datetime.timedelta(days=31)
    assert transfer.grant == grant
    # The receiver reads the transfer, never the case, while it waits.
    answerer = MembershipFactory(organisation=receiver, role=Role.SUPERVISOR)
    with scope(organisation=receiver.pk), pytest.raises(NotFound):
        case_get_for_user(actor=answerer, case_id=child_case.pk, shared=Shared.READ)


def test_a_case_worker_cannot_transfer(worker, child_case, receiver, consent):
    with pytest.raises(PermissionError):
        send(worker, child_case, receiver)


@pytest.mark.parametrize(
    "values",
    [
        {"for_transfer": False, "for_referral": True},
        {"withdrawn_on": TODAY - datetime.timedelta(days=1)},
        {"valid_until": TODAY - datetime.timedelta(days=1)},
        {"given_as": Consent.GivenAs.CHILD_ASSENT},
    ],
    ids=["referral-only", "withdrawn", "expired", "child-assent"],
)
def test_nothing_is_sent_without_a_consent_covering_the_transfer(
    supervisor, child_case, receiver, values
):
    transfer_consent(child_case, receiver, **values)
    with pytest.raises(ServiceError, match="No consent on record"):
        send(supervisor, child_case, receiver)
    with scopes_disabled():
        assert not Transfer.objects.exists() and not CaseGrant.objects.exists()


def test_a_consent_naming_another_organisation_does_not_cover(
    supervisor, child_case, receiver, stranger
):
    transfer_consent(child_case, stranger)
    with pytest.raises(ServiceError, match="Bridge of Hope"):
        send(supervisor, child_case, receiver)


def test_refusals_unlisted_own_closed_and_a_second_transfer(
    supervisor, child_case, receiver, stranger, consent, organisation
):
    hidden = published_organisation("Hidden NGO", published=False)
    transfer_consent(child_case, hidden, stranger)
    with pytest.raises(ServiceError, match="accepts referrals"):
        send(supervisor, child_case, hidden)
    with pytest.raises(ServiceError, match="accepts referrals"):
        send(supervisor, child_case, organisation)
    with pytest.raises(ServiceError, match="accepts referrals"):
        send(supervisor, child_case, type("X", (), {"pk": "not-an-id"}))
    with pytest.raises(ServiceError, match="why"):
        send(supervisor, child_case, receiver, reason="   ")
    send(supervisor, child_case, receiver)
    with pytest.raises(ServiceError, match="already waiting"):
        send(supervisor, child_case, stranger)
    closed = CaseFactory(organisation=organisation, status=Case.Status.CLOSED)
    transfer_consent(closed, receiver)
    with pytest.raises(ServiceError, match="closed"):
        send(supervisor, closed, receiver)


def test_accepting_opens_the_receivers_case_and_closes_the_senders(
    supervisor, child_case, receiver, consent, answerer, organisation
):
    transfer = send(supervisor, child_case, receiver)
    accepted = accept(answerer, transfer)
    transfer = fresh(transfer)
    assert transfer.state == "accepted" and transfer.answered_by == answerer.user
    with scopes_disabled():
        own = Case.objects.select_related("person").get(pk=transfer.receiver_case_id)
        sent = Case.objects.get(pk=child_case.pk)
        grants = {g.level: g for g in CaseGrant.objects.filter(case=child_case)}
    assert accepted.receiver_case_id == own.pk
    assert own.organisation == receiver and own.status == "open"
    assert own.person.organisation == receiver
    assert own.person.global_id == child_case.person.global_id
    assert own.person.given_name_latin == "Sreypov" and own.supervisor == answerer.user
    assert own.referral_source == "ngo" and own.case_type == child_case.case_type
    # The sender's case: closed as transferred, still the sender's.
    assert sent.organisation == organisation and sent.person_id == child_case.person_id
    assert (sent.status, sent.closure_reason, sent.closed_on) == ("closed", "transferred", TODAY)
    assert sent.closure_approved_by == supervisor.user  # who sent it, not the receiver
    # The minimal grant ended; the history is read under a view grant linked to the new case.
    assert grants["minimal"].revoke_reason == "answered"
    history = grants["view"]
    assert (history.purpose, history.linked_case_id, history.revoked_at) == (
        "transfer",
        own.pk,
        None,
    )
    assert history.valid_until.date() >= TODAY + datetime.timedelta(days=5 * 365 - 1)
    assert transfer.history_grant == history
    # The receiver's worker on the new case reads the sender's closed case, read-only.
    new_worker = own.assignments.with_scopes_disabled().first()
    reader = MembershipFactory(organisation=receiver, role=Role.CASE_WORKER)
    with scope(organisation=receiver.pk):
        assert (
            case_get_for_user(actor=answerer, case_id=child_case.pk, shared=Shared.READ).grant
            == history
        )
        with pytest.raises(NotFound):
            case_get_for_user(actor=answerer, case_id=child_case.pk, edit=True)
        with pytest.raises(NotFound):  # not on the new case: no reading
            case_get_for_user(actor=reader, case_id=child_case.pk, shared=Shared.READ)
    assert new_worker is not None
    with scopes_disabled():
        receiver_actions = set(
            AuditEvent.all_chains.filter(organisation=receiver).values_list("action", flat=True)
        )
        sender_actions = set(
            AuditEvent.all_chains.filter(organisation=organisation).values_list("action", flat=True)
        )
    assert {"referrals.transfer.accepted", "cases.case.opened"} <= receiver_actions
    assert {
        "referrals.transfer.sent",
        "referrals.transfer.accepted",
        "cases.closure.transferred",
        "cases.grant.created",
    } <= sender_actions
    assert audit_verify().ok


def test_the_consent_end_bounds_the_history_grant(supervisor, child_case, receiver, answerer):
    ends = TODAY + datetime.timedelta(days=400)
    transfer_consent(child_case, receiver, valid_until=ends)
    accept(answerer, send(supervisor, child_case, receiver))
    with scopes_disabled():
        history = CaseGrant.objects.get(case=child_case, level="view")
    assert timezone.localtime(history.valid_until).date() == ends


def test_the_receivers_own_person_is_reused_by_global_id(
    supervisor, child_case, receiver, consent, answerer
):
    known = PersonFactory(organisation=receiver, global_id=child_case.person.global_id)
    accept(answerer, send(supervisor, child_case, receiver))
    with scopes_disabled():
        assert Person.objects.filter(organisation=receiver).count() == 1
        assert Case.objects.get(organisation=receiver).person == known


def test_the_sender_cannot_reopen_while_the_receiver_reads(
    supervisor, child_case, receiver, consent, answerer, organisation
):
    transfer = accept(answerer, send(supervisor, child_case, receiver))
    with pytest.raises(ServiceError, match="transferred"):
        case_reopen(actor=supervisor, case_id=child_case.pk, reason="The child came back.")
    # Once the receiver no longer reads it (the consent withdrawn), it can be reopened.
    consent_withdraw(
        actor=supervisor, person_id=child_case.person_id, consent_id=consent.pk, withdrawn_on=TODAY
    )
    with scopes_disabled():
        assert CaseGrant.objects.get(pk=transfer.history_grant_id).revoke_reason == (
            "consent_withdrawn"
        )
    case_reopen(actor=supervisor, case_id=child_case.pk, reason="The child came back.")


def test_accepting_ends_the_senders_placement_and_withdraws_its_waiting_referrals(
    supervisor, worker, child_case, receiver, stranger, consent, answerer, organisation
):
    placement = PlacementFactory(case=child_case, recorded_by=UserFactory())
    ServiceTypeFactory(organisation=organisation, code="food", name_en="Food")
    ConsentFactory(
        person=child_case.person,
        purpose=Consent.Purpose.SHARE_ORGANISATION,
        for_referral=True,
        organisations=[stranger],
    )
    transfer = send(supervisor, child_case, receiver)
    services.referral_send(
        actor=worker,
        case_id=child_case.pk,
        receiver_ids=[stranger.pk],
        service_codes=["food"],
        urgency="routine",
        reason="Food",
    )
    accept(answerer, transfer)
    with scopes_disabled():
        referral = Referral.objects.get(receiver=stranger)
        placement.refresh_from_db()
    assert (referral.state, referral.withdraw_reason) == ("withdrawn", "case_closed")
    assert placement.ended_on == TODAY and placement.outcome == "other"


def test_declining_leaves_the_case_with_the_sender(
    supervisor, child_case, receiver, consent, answerer
):
    transfer = send(supervisor, child_case, receiver)
    with pytest.raises(ServiceError, match="why"):
        as_(answerer, services.transfer_decline, transfer_id=transfer.pk, reason="nonsense")
    with pytest.raises(ServiceError, match="Say why"):
        as_(answerer, services.transfer_decline, transfer_id=transfer.pk, reason="other")
    as_(answerer, services.transfer_decline, transfer_id=transfer.pk, reason="no_place")
    transfer = fresh(transfer)
    assert (transfer.state, transfer.decline_reason) == ("declined", "no_place")
    with scopes_disabled():
        assert Case.objects.get(pk=child_case.pk).status == "open"
        assert CaseGrant.objects.get(case=child_case).revoke_reason == "answered"
        assert not Case.objects.filter(organisation=answerer.organisation).exists()
    with pytest.raises(ServiceError, match="already declined"):
        accept(answerer, transfer)
    # A new transfer may be sent once the first is answered.
    assert send(supervisor, child_case, receiver).state == "pending"


def test_the_sender_withdraws_and_the_receiver_can_no_longer_accept(
    supervisor, child_case, receiver, consent, answerer
):
    transfer = send(supervisor, child_case, receiver)
    services.transfer_withdraw(actor=supervisor, transfer_id=transfer.pk)
    transfer = fresh(transfer)
    assert (transfer.state, transfer.withdraw_reason) == ("withdrawn", "sender")
    with scopes_disabled():
        assert CaseGrant.objects.get(case=child_case).revoke_reason == "withdrawn"
    with pytest.raises(ServiceError, match="This transfer is already withdrawn."):
        accept(answerer, transfer)
    with pytest.raises(ServiceError, match="already withdrawn"):
        services.transfer_withdraw(actor=supervisor, transfer_id=transfer.pk)


def test_withdrawing_the_consent_withdraws_the_waiting_transfer(
    supervisor, child_case, receiver, consent, answerer
):
    transfer = send(supervisor, child_case, receiver)
    consent_withdraw(
        actor=supervisor, person_id=child_case.person_id, consent_id=consent.pk, withdrawn_on=TODAY
    )
    transfer = fresh(transfer)
    assert (transfer.state, transfer.withdraw_reason) == ("withdrawn", "consent_withdrawn")
    with scopes_disabled():
        assert CaseGrant.objects.get(case=child_case).revoke_reason == "consent_withdrawn"
    with pytest.raises(ServiceError, match="already withdrawn"):
        accept(answerer, transfer)


def test_closing_the_case_withdraws_the_waiting_transfer(supervisor, child_case, receiver, consent):
    from phteah.cases.closing import closure_steps
    from phteah.core.audit import audited_atomic

    transfer = send(supervisor, child_case, receiver)
    (step,) = [step for step in closure_steps() if step.name == "transfers"]
    assert step.preview(case=child_case, reason="", placement_outcome="", closed_on=TODAY)
    with audited_atomic():
        step.close(
            actor=supervisor, case=child_case, placement_outcome="", closed_on=TODAY, ip=None
        )
    transfer = fresh(transfer)
    assert (transfer.state, transfer.withdraw_reason) == ("withdrawn", "case_closed")


def test_only_the_receivers_supervisors_answer(supervisor, child_case, receiver, stranger, consent):
    transfer = send(supervisor, child_case, receiver)
    receiving_worker = MembershipFactory(organisation=receiver, role=Role.CASE_WORKER)
    outsider = MembershipFactory(organisation=stranger, role=Role.SUPERVISOR)
    for member in (receiving_worker, outsider):
        with pytest.raises(NotFound):
            accept(member, transfer)
        with pytest.raises(NotFound):
            as_(member, services.transfer_decline, transfer_id=transfer.pk, reason="no_place")
    # The receiver cannot withdraw; the sender cannot answer.
    answerer = MembershipFactory(organisation=receiver, role=Role.SUPERVISOR)
    with pytest.raises(NotFound):
        as_(answerer, services.transfer_withdraw, transfer_id=transfer.pk)
    with pytest.raises(NotFound):
        accept(supervisor, transfer)
    assert fresh(transfer).state == "pending"


def _owned_rows() -> dict:
    """Every organisation-owned row: {(model label, pk): organisation id}."""
    rows = {}
    with scopes_disabled():
        for model in apps.get_models():
            if not issubclass(model, OrganisationOwned):
                continue
            manager = model._base_manager
            for pk, org in manager.values_list("pk", "organisation_id"):
                rows[(model._meta.label, pk)] = org
    return rows


def test_the_transfer_moves_ownership_and_nothing_else(
    supervisor, worker, child_case, receiver, stranger, consent, answerer, organisation
):
    PlacementFactory(case=child_case, recorded_by=UserFactory())
    CaseFactory(organisation=organisation)  # another child of the sender
    CaseFactory(organisation=stranger)  # a third organisation's child
    before = _owned_rows()
    accept(answerer, send(supervisor, child_case, receiver))
    after = _owned_rows()
    # No row changes organisation, and none goes away.
    assert {key: after.get(key) for key in before} == before
    new = {key: org for key, org in after.items() if key not in before}
    # The sender gains only the transfer and its two grants (its case closes, it stays),
    # and the notices telling its members of the answer.
    sender_new = sorted(
        label
        for (label, _pk), org in new.items()
        if org == organisation.pk and not label.startswith("notifications.")
    )
    assert sender_new == ["cases.CaseGrant", "cases.CaseGrant", "referrals.Transfer"]
    # The third organisation gains nothing; the receiver's new rows are its own case's.
    assert not [key for key, org in new.items() if org == stranger.pk]
    receiver_new = {label for (label, _pk), org in new.items() if org == receiver.pk}
    assert {"people.Person", "cases.Case"} <= receiver_new
    assert "referrals.Transfer" not in receiver_new and "cases.CaseGrant" not in receiver_new
    with scopes_disabled():
        sent = Case.objects.get(pk=child_case.pk)
        assert sent.organisation == organisation and sent.status == "closed"
        assert sent.person.organisation == organisation


def test_each_side_is_told(supervisor, worker, child_case, receiver, consent, answerer):
    from phteah.notifications.models import Notification

    def told(org, kind):
        with scopes_disabled():
            return set(
                Notification.objects.filter(organisation=org, kind=kind).values_list(
                    "recipient_id", flat=True
                )
            )

    transfer = send(supervisor, child_case, receiver)
    assert answerer.user_id in told(receiver, "transfer_received")
    accept(answerer, transfer)
    assert {supervisor.user_id, worker.user_id} <= told(
        child_case.organisation, "transfer_answered"
    )
    with scopes_disabled():
        notice = Notification.objects.get(recipient=supervisor.user, kind="transfer_answered")
    assert notice.data["answer"] == "accepted" and notice.target_name == "referrals:transfer_detail"
    second = CaseFactory(organisation=child_case.organisation, workers=[worker.user])
    transfer_consent(second, receiver)
    services.transfer_withdraw(actor=supervisor, transfer_id=send(supervisor, second, receiver).pk)
    assert answerer.user_id in told(receiver, "transfer_withdrawn")


def test_no_referral_to_the_receiver_while_its_transfer_waits(
    supervisor, worker, child_case, receiver, consent, answerer, organisation
):
    ServiceTypeFactory(organisation=organisation, code="food", name_en="Food")
    ConsentFactory(
        person=child_case.person,
        purpose=Consent.Purpose.SHARE_ORGANISATION,
        for_referral=True,
        organisations=[receiver],
    )
    transfer = send(supervisor, child_case, receiver)
    with pytest.raises(ServiceError, match="transfer of this case waiting"):
        services.referral_send(
            actor=worker,
            case_id=child_case.pk,
            receiver_ids=[receiver.pk],
            service_codes=["food"],
            urgency="routine",
            reason="Food",
        )
    assert fresh(transfer.grant).is_active()


def test_a_transfer_unanswered_when_its_grant_runs_out_is_withdrawn_as_expired(
    supervisor, child_case, receiver, consent, answerer
):
    from phteah.cases.services.grants import grants_expire
    from tests.conftest import no_scope

    transfer = send(supervisor, child_case, receiver)
    with no_scope():  # as the hourly task runs
        assert grants_expire(now=fresh(transfer).grant.valid_until + datetime.timedelta(0, 1)) == 1
    transfer = fresh(transfer)
    assert (transfer.state, transfer.withdraw_reason) == ("withdrawn", "expired")
    with pytest.raises(ServiceError, match="already withdrawn"):
        accept(answerer, transfer)
    # The sender may send it again.
    assert send(supervisor, child_case, receiver).state == "pending"
