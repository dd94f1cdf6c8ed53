"""The referral's state machine: send to several partners for several services, the first to
accept a service gets it and the others are withdrawn, decline, withdraw, report back,
complete, close; consent refusal and withdrawal; nothing of the case opens to a receiver."""

import datetime

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from phteah.accounts.roles import Role
from phteah.cases.access import Shared, case_get_for_user
from phteah.cases.models import Case, CaseGrant
from phteah.core.audit import audit_verify
from phteah.core.errors import NotFound, ServiceError
from phteah.core.models import AuditEvent
from phteah.people.models import Consent, Person
from phteah.people.services import consent_withdraw
from phteah.referrals import services
from phteah.referrals.models import Referral, ReferralUpdate
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    MembershipFactory,
    PersonFactory,
    ServiceTypeFactory,
)
from tests.referrals.support import published_organisation

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def partners():
    bridge = published_organisation("Bridge of Hope", answer_days=2)
    kumar = published_organisation("Kumar Care")
    return bridge, kumar


@pytest.fixture
def answerers(partners):
    return [MembershipFactory(organisation=org, role=Role.SUPERVISOR) for org in partners]


@pytest.fixture
def catalogue(organisation):
    foster = ServiceTypeFactory(
        organisation=organisation, code="emergency_foster", name_en="Foster"
    )
    food = ServiceTypeFactory(organisation=organisation, code="food", name_en="Food support")
    return foster, food


@pytest.fixture
def baby_case(organisation, worker, supervisor):
    person = PersonFactory(
        organisation=organisation,
        family_name_latin="Chan",
        given_name_latin="Sreypov",
        date_of_birth=TODAY - datetime.timedelta(days=100),
    )
    return CaseFactory(
        organisation=organisation, person=person, workers=[worker.user], supervisor=supervisor.user
    )


@pytest.fixture
def consent(baby_case, partners):
    return ConsentFactory(
        person=baby_case.person,
        purpose=Consent.Purpose.SHARE_ORGANISATION,
        for_referral=True,
        method=Consent.Method.SIGNED_FORM,
        organisations=list(partners),
    )


def send(worker, case, partners, codes=("emergency_foster",), **kwargs):
    values = {"urgency": "urgent", "reason": "A baby left at the hospital."} | kwargs
    return services.referral_send(
        actor=worker,
        case_id=case.pk,
        receiver_ids=[p.pk for p in partners],
        service_codes=list(codes),
        **values,
    )


def as_(member, call, **kwargs):
    with scope(organisation=member.organisation_id):
        return call(actor=member, **kwargs)


def accept(member, referral):
    worker = MembershipFactory(organisation=member.organisation, role=Role.CASE_WORKER)
    return as_(
        member,
        services.referral_accept,
        referral_id=referral.pk,
        case_type="foster_care",
        workers=[worker.user],
    )


def referral_to(group, org, code="emergency_foster"):
    with scopes_disabled():
        return Referral.objects.get(group=group, receiver=org, service_code=code)


def test_one_referral_per_partner_and_service_each_on_a_minimal_grant(
    worker, baby_case, partners, catalogue, consent
):
    group = send(worker, baby_case, partners, codes=("emergency_foster", "food"))
    with scopes_disabled():
        referrals = Referral.objects.filter(group=group)
        assert referrals.count() == 4
        assert set(referrals.values_list("state", flat=True)) == {"pending"}
        grants = CaseGrant.objects.filter(case=baby_case)
        assert grants.count() == 2 and set(grants.values_list("level", flat=True)) == {"minimal"}
    assert group.given_name_latin == "Sreypov" and group.global_id == baby_case.person.global_id
    assert referral_to(group, partners[0]).answer_due_on == TODAY + datetime.timedelta(days=2)


def test_nothing_is_sent_without_a_consent_naming_every_partner(
    worker, baby_case, partners, catalogue
):
    ConsentFactory(
        person=baby_case.person,
        purpose=Consent.Purpose.SHARE_ORGANISATION,
        for_referral=True,
        organisations=[partners[0]],
    )
    with pytest.raises(ServiceError, match="Kumar Care"):
        send(worker, baby_case, partners)
    with scopes_disabled():
        assert not Referral.objects.exists() and not CaseGrant.objects.exists()


def test_a_consent_for_a_transfer_only_does_not_cover_a_referral(
    worker, baby_case, partners, catalogue
):
    ConsentFactory(
        person=baby_case.person,
        purpose=Consent.Purpose.SHARE_ORGANISATION,
        for_transfer=True,
        organisations=list(partners),
    )
    with pytest.raises(ServiceError, match="No consent on record"):
        send(worker, baby_case, partners)


def test_unpublished_partners_and_foreign_services_are_refused(
    worker, baby_case, partners, catalogue, consent, other_organisation
):
    hidden = published_organisation("Hidden NGO", published=False)
    with pytest.raises(ServiceError, match="accept referrals"):
        send(worker, baby_case, [hidden])
    with pytest.raises(ServiceError, match="accept referrals"):
        send(worker, baby_case, [baby_case.organisation])
    with pytest.raises(ServiceError, match="your organisation's list"):
        send(worker, baby_case, partners, codes=("astrology",))
    with pytest.raises(ServiceError, match="why"):
        send(worker, baby_case, partners, reason="  ")


def test_the_first_to_accept_gets_it_and_the_other_is_withdrawn(
    worker, baby_case, partners, catalogue, consent, answerers, organisation
):
    group = send(worker, baby_case, partners)
    first, second = referral_to(group, partners[0]), referral_to(group, partners[1])
    accept(answerers[0], first)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == "accepted" and second.state == "withdrawn"
    assert second.withdraw_reason == "taken"
    with pytest.raises(ServiceError, match="already withdrawn"):
        accept(answerers[1], second)
    # The receiver's own case and person, linked by the global id.
    with scopes_disabled():
        own = Case.objects.get(pk=first.receiver_case_id)
        assert own.organisation == partners[0] and own.referral_source == "ngo"
        assert own.person.global_id == baby_case.person.global_id
        assert not CaseGrant.objects.filter(case=baby_case, revoked_at=None).exists()
        kinds = list(first.updates.values_list("kind", flat=True))
    assert kinds == ["sent", "accepted"]
    with scopes_disabled():
        sender_events = set(
            AuditEvent.all_chains.filter(organisation=organisation).values_list("action", flat=True)
        )
        receiver = AuditEvent.all_chains.get(
            organisation=partners[0], action="referrals.referral.accepted"
        )
    assert {"referrals.referral.sent", "referrals.referral.accepted"} <= sender_events
    assert "referrals.referral.withdrawn" in sender_events
    assert receiver.changes == {} and receiver.data["recorded_in"] == str(organisation.pk)
    assert audit_verify().ok


def test_the_second_service_stays_open_when_the_first_is_taken(
    worker, baby_case, partners, catalogue, consent, answerers
):
    group = send(worker, baby_case, partners, codes=("emergency_foster", "food"))
    accept(answerers[0], referral_to(group, partners[0], "emergency_foster"))
    assert referral_to(group, partners[1], "food").state == "pending"
    with scopes_disabled():  # Kumar still waits on the food referral: its grant stays
        assert CaseGrant.objects.filter(grantee=partners[1], revoked_at=None).exists()


def test_a_person_already_known_to_the_receiver_is_reused(
    worker, baby_case, partners, catalogue, consent, answerers
):
    known = PersonFactory(organisation=partners[0], global_id=baby_case.person.global_id)
    referral = referral_to(send(worker, baby_case, partners), partners[0])
    accept(answerers[0], referral)
    referral.refresh_from_db()
    with scopes_disabled():
        assert Case.objects.get(pk=referral.receiver_case_id).person == known
        assert Person.objects.filter(organisation=partners[0]).count() == 1


def test_decline_needs_a_reason_and_keeps_only_the_referral(
    worker, baby_case, partners, catalogue, consent, answerers
):
    referral = referral_to(send(worker, baby_case, partners), partners[0])
    with pytest.raises(ServiceError):
        as_(answerers[0], services.referral_decline, referral_id=referral.pk, reason="")
    with pytest.raises(ServiceError, match="why you decline"):
        as_(answerers[0], services.referral_decline, referral_id=referral.pk, reason="other")
    as_(answerers[0], services.referral_decline, referral_id=referral.pk, reason="no_place")
    referral.refresh_from_db()
    assert referral.state == "declined" and referral.decline_reason == "no_place"
    with scopes_disabled():
        grant = CaseGrant.objects.get(grantee=partners[0])
    assert grant.revoke_reason == "answered"
    with pytest.raises(ServiceError, match="already declined"):
        accept(answerers[0], referral)


def test_the_sender_withdraws_while_pending_only(
    worker, baby_case, partners, catalogue, consent, answerers
):
    group = send(worker, baby_case, partners)
    first = referral_to(group, partners[0])
    as_(worker, services.referral_withdraw, referral_id=first.pk)
    first.refresh_from_db()
    assert first.state == "withdrawn" and first.withdraw_reason == "sender"
    with pytest.raises(ServiceError, match="already withdrawn"):
        as_(worker, services.referral_withdraw, referral_id=first.pk)
    second = referral_to(group, partners[1])
    accept(answerers[1], second)
    with pytest.raises(ServiceError, match="already accepted"):
        as_(worker, services.referral_withdraw, referral_id=second.pk)


def test_reporting_back_then_completing(worker, baby_case, partners, catalogue, consent, answerers):
    referral = referral_to(send(worker, baby_case, partners), partners[0])
    with pytest.raises(ServiceError, match="already waiting"):
        as_(answerers[0], services.referral_feedback, referral_id=referral.pk, note="Hello")
    accept(answerers[0], referral)
    as_(
        answerers[0],
        services.referral_feedback,
        referral_id=referral.pk,
        note="Placed with a foster family in Toul Kork.",
    )
    as_(
        answerers[0],
        services.referral_complete,
        referral_id=referral.pk,
        outcome="Living with a foster family; healthy.",
    )
    referral.refresh_from_db()
    assert referral.state == "completed" and referral.outcome.startswith("Living")
    with scopes_disabled():
        kinds = list(referral.updates.values_list("kind", flat=True))
    assert kinds == ["sent", "accepted", "feedback", "completed"]
    with pytest.raises(ServiceError, match="already completed"):
        as_(worker, services.referral_close, referral_id=referral.pk)


def test_either_side_closes_an_accepted_referral(
    worker, baby_case, partners, catalogue, consent, answerers
):
    group = send(worker, baby_case, partners, codes=("emergency_foster", "food"))
    one, two = referral_to(group, partners[0]), referral_to(group, partners[0], "food")
    accept(answerers[0], one)
    accept(answerers[0], two)
    as_(worker, services.referral_close, referral_id=one.pk, note="The family moved away.")
    as_(answerers[0], services.referral_close, referral_id=two.pk)
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.state == two.state == "closed"


def test_another_organisation_cannot_answer_or_withdraw(
    worker, baby_case, partners, catalogue, consent, other_organisation
):
    referral = referral_to(send(worker, baby_case, partners), partners[0])
    stranger = MembershipFactory(organisation=other_organisation, role=Role.SUPERVISOR)
    with pytest.raises(NotFound):
        accept(stranger, referral)
    with pytest.raises(NotFound):
        as_(stranger, services.referral_withdraw, referral_id=referral.pk)
    partner_worker = MembershipFactory(organisation=partners[0], role=Role.CASE_WORKER)
    with pytest.raises(NotFound):  # answering takes ANSWER_REFERRALS
        as_(partner_worker, services.referral_decline, referral_id=referral.pk, reason="no_place")


def test_a_minimal_grant_opens_nothing_of_the_case(
    worker, baby_case, partners, catalogue, consent, answerers
):
    send(worker, baby_case, partners)
    with pytest.raises(NotFound):
        with scope(organisation=partners[0].pk):
            case_get_for_user(actor=answerers[0], case_id=baby_case.pk, shared=Shared.READ)


def test_withdrawing_the_consent_withdraws_the_waiting_referrals(
    worker, baby_case, partners, catalogue, consent, answerers
):
    group = send(worker, baby_case, partners)
    consent_withdraw(
        actor=worker, person_id=baby_case.person_id, consent_id=consent.pk, withdrawn_on=TODAY
    )
    for partner in partners:
        referral = referral_to(group, partner)
        assert referral.state == "withdrawn" and referral.withdraw_reason == "consent_withdrawn"
    with pytest.raises(ServiceError):
        accept(answerers[0], referral_to(group, partners[0]))


def test_an_expired_grant_cannot_be_answered(
    worker, baby_case, partners, catalogue, consent, answerers
):
    referral = referral_to(send(worker, baby_case, partners), partners[0])
    with scopes_disabled():
        CaseGrant.objects.filter(pk=referral.grant_id).update(
            granted_at=timezone.now() - datetime.timedelta(days=40),
            valid_until=timezone.now() - datetime.timedelta(minutes=1),
        )
    with pytest.raises(ServiceError, match="expired"):
        accept(answerers[0], referral)


def test_a_second_referral_of_the_same_service_while_one_waits_is_refused(
    worker, baby_case, partners, catalogue, consent
):
    send(worker, baby_case, partners)
    with pytest.raises(ServiceError, match="already"):
        send(worker, baby_case, partners[:1])
    with scopes_disabled():
        assert ReferralUpdate.objects.count() == 2


def test_closing_the_case_withdraws_its_waiting_referrals(
    worker, supervisor, baby_case, partners, catalogue, consent, answerers
):
    from phteah.cases import services as case_services
    from tests import factories

    group = send(worker, baby_case, partners, codes=("emergency_foster", "food"))
    accept(answerers[0], referral_to(group, partners[0], "food"))
    factories.assessment(baby_case, worker.user, kind="closure", risk="low")
    case_services.closure_request(actor=worker, case_id=baby_case.pk, reason="other", notes="x")
    case_services.closure_approve(actor=supervisor, case_id=baby_case.pk, approve=True)
    assert referral_to(group, partners[0], "food").state == "accepted"  # taken: stays
    for partner in partners:
        waiting = referral_to(group, partner)
        assert waiting.state == "withdrawn" and waiting.withdraw_reason == "case_closed"
    with scopes_disabled():
        assert not CaseGrant.objects.filter(case=baby_case, revoked_at=None).exists()


def test_a_referral_unanswered_when_its_grant_runs_out_is_withdrawn_as_expired(
    worker, baby_case, partners, answerers, catalogue, consent
):
    from phteah.cases.services.grants import grants_expire
    from phteah.notifications.models import Notification
    from tests.conftest import no_scope

    group = send(worker, baby_case, partners)
    referral = referral_to(group, partners[0])
    with no_scope():  # as the hourly task runs
        assert grants_expire(now=referral.grant.valid_until + datetime.timedelta(seconds=1)) == 2
    with scopes_disabled():
        withdrawn = Referral.objects.filter(group=group)
        assert set(withdrawn.values_list("state", "withdraw_reason")) == {("withdrawn", "expired")}
        # Each receiver is told its request is no longer waiting.
        told = Notification.objects.filter(kind="referral_withdrawn")
        assert set(told.values_list("organisation_id", flat=True)) == {p.pk for p in partners}
    with pytest.raises(ServiceError):
        accept(answerers[0], referral)
    # The sender may refer again.
    assert send(worker, baby_case, partners).referrals.count() == 2
