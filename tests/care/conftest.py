import pytest

from phteah.accounts.roles import Role
from phteah.core.models import AuditEvent

from ..factories import CaseFactory


@pytest.fixture
def worker(member):
    return member(Role.CASE_WORKER)


@pytest.fixture
def case(organisation, worker):
    return CaseFactory(organisation=organisation, workers=[worker.user])


@pytest.fixture
def events(organisation):
    """events() → the actions written for the organisation so far, oldest first."""

    def read():
        return list(
            AuditEvent.objects.filter(organisation=organisation)
            .order_by("id")
            .values_list("action", flat=True)
        )

    return read
