"""The world of the notification tests: a case of the organisation (the owner) shared with a
government office (the grantee), whose supervisors answer referrals."""

import uuid

import pytest
from django.db import transaction
from django_scopes import scope

from phteah.accounts.roles import Role
from phteah.cases.events import GrantCreated, GrantRevoked
from phteah.core import events
from tests.factories import MembershipFactory, OrganisationFactory


@pytest.fixture
def grantee(db):
    return OrganisationFactory(
        name="Battambang DoSVY", name_km="មន្ទីរសង្គមកិច្ចបាត់ដំបង", short_code="DSV"
    )


@pytest.fixture
def officer(grantee):
    """The grantee's supervisor (ANSWER_REFERRALS), reading in Khmer."""
    membership = MembershipFactory(organisation=grantee, role=Role.SUPERVISOR)
    membership.user.language = "km"
    membership.user.save(update_fields=["language"])
    return membership


@pytest.fixture
def officer_worker(grantee):
    """The grantee's case worker: not told of shares (no ANSWER_REFERRALS)."""
    return MembershipFactory(organisation=grantee, role=Role.CASE_WORKER)


def grant_event(case, grantee, *, revoked=False, purpose="government_share", reason="revoked"):
    fields = dict(
        organisation_id=case.organisation_id,
        case_id=case.pk,
        grant_id=uuid.uuid4(),
        grantee_id=grantee.pk,
        level="view",
        purpose=purpose,
    )
    return GrantRevoked(**fields, reason=reason) if revoked else GrantCreated(**fields)


def publish(event, *, fail=False):
    """Publish *event* in a transaction of the case owner's scope, as a grant service does;
    *fail*: the transaction then rolls back."""

    class Rollback(Exception):
        pass

    try:
        with scope(organisation=event.organisation_id), transaction.atomic():
            events.publish(event)
            if fail:
                raise Rollback
    except Rollback:
        pass
