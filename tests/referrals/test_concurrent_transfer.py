# ruff: noqa: F811 - the fixtures imported from the service tests are used by name
"""The receiver accepts a transfer while the sender withdraws it, at the same moment
(PostgreSQL; SQLite runs one writing transaction at a time): whichever holds the sender's
case first wins, the other waits for that lock, then finds the transfer answered and is
refused. Nothing is half done: an accepted transfer has its receiver's case and the sender's
case closed; a withdrawn one neither."""

from dataclasses import dataclass

import pytest
from django_scopes import scopes_disabled

from phteah.cases.models import Case
from phteah.referrals import services
from phteah.referrals.models import Transfer
from tests.case_services import Spec
from tests.referrals.test_transfer_services import (  # noqa: F401 - the fixtures
    accept,
    answerer,
    as_,
    child_case,
    consent,
    receiver,
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
    transfer: Transfer
    supervisor: object
    answerer: object


def _accept(world, side):
    return accept(world.answerer, world.transfer)


def _withdraw(world, side):
    return as_(world.supervisor, services.transfer_withdraw, transfer_id=world.transfer.pk)


@pytest.fixture
def world(supervisor, child_case, receiver, consent, answerer):
    return World(
        organisation=child_case.organisation,
        transfer=send(supervisor, child_case, receiver),
        supervisor=supervisor,
        answerer=answerer,
    )


def _state(world):
    with scopes_disabled():
        transfer = Transfer.objects.get(pk=world.transfer.pk)
        closed = Case.objects.get(pk=transfer.case_id).status == "closed"
        opened = Case.objects.filter(organisation=transfer.receiver_id).count()
    return transfer.state, closed, opened


@pytest.mark.parametrize(
    "first, second, state, refused",
    [
        (
            Spec("transfer_accept", _accept),
            Spec("transfer_withdraw", _withdraw),
            "accepted",
            "already accepted",
        ),
        (
            Spec("transfer_withdraw", _withdraw),
            Spec("transfer_accept", _accept),
            "withdrawn",
            "already withdrawn",
        ),
    ],
    ids=["accept-then-withdraw", "withdraw-then-accept"],
)
def test_accept_and_withdraw_at_once(workers, world, first, second, state, refused):
    result = run_concurrently(workers, first, second, world)
    assert result.first.kind == "ok", result.first
    assert result.first_held and result.second_waited
    assert result.second.kind == "refused" and refused in result.second.detail, result.second
    accepted = state == "accepted"
    assert _state(world) == (state, accepted, 1 if accepted else 0)
