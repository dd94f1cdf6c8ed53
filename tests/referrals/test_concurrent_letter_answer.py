# ruff: noqa: F811 - the fixtures imported from the letter tests are used by name
"""Two workers record the hospital's answer to one letter at the same moment (PostgreSQL;
SQLite runs one writing transaction at a time): the first is held just before it commits,
with the case and the letter locked; the second waits for the lock, then finds an answer
recorded and is refused — it never overwrites the first silently."""

from dataclasses import dataclass

from django_scopes import scopes_disabled

from phteah.accounts.roles import Role
from phteah.referrals.models import ReferralLetter
from tests.case_services import Spec
from tests.referrals.test_letters import (  # noqa: F401 - the fixtures
    answer,
    child_case,
    health,
    hospital_consent,
    worker,
    write,
)
from tests.test_concurrency import (  # noqa: F401 - the fixtures
    held_before_commit,
    run_concurrently,
    workers,
)


@dataclass
class World:
    organisation: object
    letter: object
    members: list


ANSWERS = (("accepted", "Seen on Monday."), ("declined", "No surgeon this week."))


def _answer(world, side):
    state, note = ANSWERS[side]
    return answer(world.members[side], world.letter, state=state, note=note)


def test_two_answers_at_once_the_second_is_refused(
    workers, member, worker, child_case, health, hospital_consent
):
    letter = write(worker, child_case, hospital_consent)
    world = World(
        organisation=child_case.organisation,
        letter=letter,
        members=[worker, member(Role.SUPERVISOR)],
    )
    spec = Spec("referral_letter_answer_record", _answer)
    result = run_concurrently(workers, spec, spec, world)
    assert result.first.kind == "ok", result.first
    assert result.first_held and result.second_waited
    assert result.second.kind == "refused" and "recorded already" in result.second.detail
    with scopes_disabled():
        letter = ReferralLetter.objects.get(pk=letter.pk)
    assert (letter.state, letter.answer_note) == ("accepted", "Seen on Monday.")
