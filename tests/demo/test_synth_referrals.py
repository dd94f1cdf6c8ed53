"""The referrals `phteah synth` generates: every state, with the rows the referral services
would have left (grants, history, consents, the receiver's case), and inboxes that count them."""

import itertools
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone
from django_scopes import scope

from phteah.accounts.models import Membership
from phteah.accounts.roles import Role
from phteah.cases.models import Case, CaseGrant
from phteah.demo.synth import synth_create, synth_organisations
from phteah.geography.services import geography_load
from phteah.people.models import Person, SharingPurpose
from phteah.people.selectors import consent_for_sharing
from phteah.referrals.models import Referral, ReferralGroup, ReferralUpdate
from phteah.referrals.selectors import referrals as selectors
from phteah.referrals.services import referrals as services

CHILDREN = 1500  # five organisations: groups of several receivers
STATES = set(Referral.State.values)
# The last step of a referral's history in each state.
LAST_STEP = {
    "pending": {"sent"},
    "accepted": {"accepted", "feedback"},
    "declined": {"declined"},
    "withdrawn": {"withdrawn"},
    "completed": {"completed"},
    "closed": {"closed"},
}


@pytest.fixture(scope="module")
def synth(django_db_setup, django_db_blocker):
    from django_scopes import scopes_disabled

    with django_db_blocker.unblock(), scopes_disabled():
        try:
            geography_load()
            yield synth_create(children=CHILDREN, seed=5)
        finally:
            call_command("flush", "--no-input", verbosity=0)


def _referrals():
    return Referral.objects.select_related("group", "grant", "receiver_case__person")


@pytest.mark.django_db
def test_about_one_referral_for_every_two_children_in_every_state(synth):
    count = Referral.objects.count()
    assert 0.4 * CHILDREN <= count <= 0.55 * CHILDREN
    states = Counter(Referral.objects.values_list("state", flat=True))
    assert set(states) == STATES
    assert states == synth.referral_states
    assert 0.05 * count <= states["pending"] <= 0.25 * count
    assert synth.counts["Referral"] == count
    assert synth.counts["ReferralGroup"] == ReferralGroup.objects.count()
    # Groups of several receivers and several services, never to the sender.
    per_group = Counter(Referral.objects.values_list("group_id", flat=True))
    assert max(per_group.values()) >= 3
    assert (
        Referral.objects.values("group")
        .annotate(n=Count("receiver", distinct=True))
        .filter(n__gte=2)
    )
    assert not [r for r in _referrals() if r.receiver_id == r.organisation_id]
    assert Referral.objects.filter(answer_due_on__lt=timezone.localdate(), state="pending")


@pytest.mark.django_db
def test_each_state_has_what_its_step_wrote(synth):
    taken = Counter()
    for referral in _referrals():
        state = referral.state
        group = referral.group
        assert group.organisation_id == referral.organisation_id
        assert referral.grant.case_id == group.case_id
        assert referral.grant.grantee_id == referral.receiver_id
        assert bool(referral.decline_reason) == (state == "declined")
        assert bool(referral.withdraw_reason) == (state == "withdrawn")
        assert (referral.answered_by_id is not None) == (
            state in ("accepted", "declined", "completed", "closed")
        )
        assert bool(referral.outcome) == (state == "completed")
        if state in Referral.TAKEN_STATES:
            taken[(referral.group_id, referral.service_code)] += 1
            case = referral.receiver_case
            assert case.organisation_id == referral.receiver_id
            assert case.person.global_id == group.global_id
            assert case.person.organisation_id == referral.receiver_id
            assert case.supervisor_id == referral.answered_by_id
            assert case.identified_at == group.sent_at
        else:
            assert referral.receiver_case_id is None
        if state == "pending":
            sender_case = Case.objects.get(pk=group.case_id)
            assert sender_case.status == "open"
            assert referral.state_on == group.sent_at
        sent_on = timezone.localtime(group.sent_at).date()
        assert (referral.answer_due_on - sent_on).days in (2, 3, 5)
    assert taken and max(taken.values()) == 1  # one taker per service


@pytest.mark.django_db
def test_grants_agree_with_the_states(synth):
    now = timezone.now()
    states = {}
    for grant_id, state in Referral.objects.values_list("grant_id", "state"):
        states.setdefault(grant_id, set()).add(state)
    grants = CaseGrant.objects.filter(level="minimal", purpose="referral")
    assert grants.count() == len(states)
    reasons = Counter()
    for grant in grants:
        waiting = "pending" in states[grant.pk]
        assert (grant.revoked_at is None) == waiting
        assert grant.is_active() == waiting
        assert grant.valid_until > grant.granted_at
        if waiting:
            assert grant.valid_until > now
        else:
            assert grant.revoke_reason and grant.revoked_by_id
            assert grant.revoked_at >= grant.granted_at
            reasons[grant.revoke_reason] += 1
    assert {"answered", "withdrawn"} <= set(reasons)
    # One active grant per case and receiver (the database's own rule, checked again).
    active = Counter(grants.filter(revoked_at=None).values_list("case_id", "grantee_id"))
    assert active and max(active.values()) == 1


@pytest.mark.django_db
def test_the_history_tells_each_referral_in_order(synth):
    steps = {}
    for update in ReferralUpdate.objects.order_by("on", "created_at"):
        steps.setdefault(update.referral_id, []).append(update)
    for referral in _referrals():
        history = steps[referral.pk]
        assert history[0].kind == "sent"
        assert history[0].by_organisation_id == referral.organisation_id
        assert history[0].by_id == referral.group.sent_by_id
        assert history[-1].kind in LAST_STEP[referral.state]
        assert [h.on for h in history] == sorted(h.on for h in history)
        assert history[-1].on == referral.state_on or referral.state == "accepted"
        kinds = [h.kind for h in history]
        assert kinds.count("sent") == 1
        if referral.state == "withdrawn" and referral.withdraw_reason == "taken":
            taker = history[-1].by_organisation_id
            assert Referral.objects.filter(
                group=referral.group,
                service_code=referral.service_code,
                receiver_id=taker,
                state__in=Referral.TAKEN_STATES,
            ).exists()
    assert ReferralUpdate.objects.filter(kind="feedback").exists()


@pytest.mark.django_db
def test_consents_cover_every_receiver(synth):
    checked = 0
    for referral in _referrals().filter(state="pending"):
        person = Person.objects.get(pk=Case.objects.get(pk=referral.group.case_id).person_id)
        consent = consent_for_sharing(
            person=person, organisation=referral.receiver, purpose=SharingPurpose.REFERRAL
        )
        assert consent is not None
        checked += 1
    assert checked
    for group in ReferralGroup.objects.select_related("consent")[:200]:
        assert group.consent.person_id == Case.objects.get(pk=group.case_id).person_id
        assert group.consent.for_referral and group.consent.withdrawn_on is None


def _supervisor(organisation_id):
    return (
        Membership.objects.filter(
            organisation_id=organisation_id, role=Role.SUPERVISOR, is_active=True
        )
        .select_related("user", "organisation")
        .first()
    )


@pytest.mark.django_db
def test_the_inboxes_count_the_rows(synth):
    today = timezone.localdate()
    for organisation in synth_organisations():
        supervisor = _supervisor(organisation.pk)
        with scope(organisation=organisation.pk):
            received = selectors.referrals_received(actor=supervisor)
            sent = selectors.referrals_sent(actor=supervisor)
            counts = selectors.referral_counts(actor=supervisor)
            rows_in = Referral.received.filter(receiver=organisation)
            rows_out = Referral.objects.filter(organisation=organisation)
            assert received.count() == rows_in.count() > 0
            assert sent.count() == rows_out.count() > 0
            assert counts.waiting == rows_in.filter(state="pending").count()
            overdue = rows_in.filter(state="pending", answer_due_on__lt=today)
            assert counts.overdue == overdue.count()
            assert counts.sent_waiting == rows_out.filter(state="pending").count()


@pytest.mark.django_db
def test_the_received_inbox_shows_the_waiting_referrals_first(synth):
    for organisation in synth_organisations():
        supervisor = _supervisor(organisation.pk)
        with scope(organisation=organisation.pk):
            rows_in = Referral.received.filter(receiver=organisation)
            if not rows_in.filter(state="pending").exists():
                continue
            first = selectors.referrals_received(actor=supervisor).first()
            assert first.state == "pending"


@pytest.mark.django_db
def test_the_services_take_a_generated_referral_further(synth):
    """Accepting and declining generated referrals through the services works: their
    grants, consents and locks are what the services expect."""
    pending = list(Referral.objects.filter(state="pending").order_by("group__sent_at", "pk")[:40])
    by_receiver = {
        key: list(group) for key, group in itertools.groupby(pending, key=lambda r: r.receiver_id)
    }
    accepted = declined = 0
    for receiver_id, referrals in by_receiver.items():
        supervisor = _supervisor(receiver_id)
        worker = Membership.objects.filter(
            organisation_id=receiver_id, role=Role.CASE_WORKER, is_active=True
        ).first()
        for referral in referrals[:2]:
            with scope(organisation=receiver_id):
                if not accepted or declined >= accepted:
                    done = services.referral_accept(
                        actor=supervisor,
                        referral_id=referral.pk,
                        case_type="emergency",
                        workers=[worker.user],
                    )
                    accepted += 1
                    assert done.state == "accepted" and done.receiver_case_id
                else:
                    done = services.referral_decline(
                        actor=supervisor, referral_id=referral.pk, reason="no_place"
                    )
                    declined += 1
                    assert done.state == "declined"
            grant = CaseGrant.objects.get(pk=referral.grant_id)
            still = Referral.objects.filter(grant=grant, state="pending").exists()
            assert (grant.revoked_at is None) == still
    assert accepted and declined


@pytest.mark.django_db
@pytest.mark.parametrize("referrals", [-1, 10**6])
def test_a_number_of_referrals_out_of_range_is_refused_before_anything_is_written(synth, referrals):
    from phteah.core.errors import ServiceError

    before = Referral.objects.count(), Case.objects.count()
    with pytest.raises(ServiceError, match="number of referrals"):
        synth_create(children=100, seed=5, add=True, referrals=referrals)
    command = ("synth", "--children", "100", "--add", "--quiet", "--referrals", str(referrals))
    with pytest.raises(CommandError, match="number of referrals"):
        call_command(*command)
    assert (Referral.objects.count(), Case.objects.count()) == before
