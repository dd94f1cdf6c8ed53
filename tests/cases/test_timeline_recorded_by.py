"""The timeline says who recorded a goal, an action or a relative (recorded_by, set by the
services); an action also names who does it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from phteah.care import services as care
from phteah.cases import services
from phteah.cases.selectors import case_timeline
from tests.conftest import sign_in
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_goal_action_and_relative_say_who_recorded_them(client, organisation, worker, supervisor):
    case = CaseFactory(organisation=organisation, workers=[worker.user])
    goal = services.goal_add(actor=worker, case_id=case.pk, description="Back to school")
    action = services.action_add(
        actor=supervisor,
        case_id=case.pk,
        goal_id=goal.pk,
        description="Meet the director",
        owner_text="Commune council",
    )
    relative = care.relative_add(
        actor=worker,
        case_id=case.pk,
        name="Chan Srey",
        relationship="aunt",
        found_on=timezone.localdate(),
    )
    assert goal.recorded_by == worker.user
    assert action.recorded_by == supervisor.user
    assert relative.recorded_by == worker.user

    _page, entries = case_timeline(actor=worker, case=case, language="en")
    by = {entry.kind: entry for entry in entries}
    assert by["goal"].by == worker.user
    assert by["action"].by == supervisor.user
    assert "Commune council" in by["action"].summary
    assert by["relative"].by == worker.user

    sign_in(client, worker.user)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    timeline = page[page.index('id="timeline"') :]
    assert timeline.count(f"by {worker.user.full_name}") >= 2
    assert f"by {supervisor.user.full_name}" in timeline
