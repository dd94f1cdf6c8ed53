# ruff: noqa: F811 - the fixtures imported from the service tests are used by name
"""Two partners accept the same referral's service at the same moment: exactly one wins
(PostgreSQL; SQLite runs one writing transaction at a time). The first is held just before
it commits, with the sender's case locked; the second waits for that lock, then finds its
request withdrawn and is refused; the database's ``referral_one_taker`` would refuse a second
taker even if a service skipped the lock."""

from dataclasses import dataclass

import pytest
from django.db import IntegrityError, transaction
from django_scopes import scope, scopes_disabled

from phteah.referrals.models import Referral
from tests.case_services import Spec
from tests.referrals.test_referral_services import (  # noqa: F401 - the fixtures
    accept,
    answerers,
    baby_case,
    catalogue,
    consent,
    partners,
    referral_to,
    send,
)
from tests.test_concurrency import (  # noqa: F401 - the fixtures
    held_before_commit,
    run_concurrently,
    workers,
)


@dataclass
class World:
    organisation: object
    referrals: list
    answerers: list


def _accept(world, side):
    return accept(world.answerers[side], world.referrals[side])


def test_two_partners_accept_at_once_and_one_wins(
    workers, worker, baby_case, partners, catalogue, consent, answerers
):
    group = send(worker, baby_case, partners)
    world = World(
        organisation=baby_case.organisation,
        referrals=[referral_to(group, partner) for partner in partners],
        answerers=answerers,
    )
    spec = Spec("referral_accept", _accept)
    result = run_concurrently(workers, spec, spec, world)
    assert result.first.kind == "ok", result.first
    assert result.first_held and result.second_waited
    assert result.second.kind == "refused" and "already withdrawn" in result.second.detail
    with scopes_disabled():
        states = dict(Referral.objects.filter(group=group).values_list("receiver_id", "state"))
    assert states == {partners[0].pk: "accepted", partners[1].pk: "withdrawn"}


def test_the_database_refuses_a_second_taker(
    transactional_db, worker, baby_case, partners, catalogue, consent
):
    group = send(worker, baby_case, partners)
    first, second = (referral_to(group, partner) for partner in partners)
    with scopes_disabled():
        Referral.objects.filter(pk=first.pk).update(state="accepted")
        with pytest.raises(IntegrityError), transaction.atomic():
            Referral.objects.filter(pk=second.pk).update(state="accepted")
    with scope(organisation=baby_case.organisation_id):
        assert Referral.objects.filter(group=group, state="accepted").count() == 1
