"""A minimal grant exposes the referral's details and nothing else, by URL enumeration.

In the permission matrix's world the owner's case is referred to the other organisation: it
holds a minimal grant on the case (a pending referral). These tests walk every named route
with an object of the owner (the case, its person, records, household, consent...) as the
other organisation's supervisor — who answers referrals — with GET and POST, and expect 404
everywhere except the referral's own pages and the network's public pages. The walk runs
while the referral waits, and again after it was declined (the grant has ended)."""

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from phteah.cases.models import CaseGrant
from phteah.referrals.services import referral_decline
from tests.conftest import Client, sign_in
from tests.matrix_support import OTHER_SUPERVISOR, resolved
from tests.test_permissions import MATRIX, build_world

# The routes the receiver may open: its referral's and transfer's pages, the published
# partner page, and a contact request sent to it (which shows it its own person only).
ALLOWED = {
    "referral",
    "accepted_referral",
    "partner",
    "transfer",
    "accepted_transfer",
    "contact_request",
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        scopes_disabled(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)


def _routes():
    """Every route of the matrix with an object of the owner that another organisation's
    supervisor gets 404 for (leaving out the few open to anyone by design: an invitation's
    link, which its token guards, and the ALLOWED pages)."""
    seen = set()
    for name, builder, _method, _data, expected in MATRIX:
        if builder is None or builder in ALLOWED or (name, builder) in seen:
            continue
        if resolved(expected, has_object=True)[OTHER_SUPERVISOR] != 404:
            continue
        seen.add((name, builder))
        yield name, builder


ROUTES = sorted(_routes())


def test_the_receiver_holds_a_minimal_grant_on_the_case(world):
    grant = CaseGrant.objects.get(case=world["case"], grantee=world["other"])
    assert grant.level == "minimal" and grant.is_active()
    assert len(ROUTES) > 40


def _walk(world) -> list[str]:
    client = Client()
    sign_in(client, world["actors"]["other_supervisor"].user)
    opened = []
    for name, builder in ROUTES:
        url = reverse(name, kwargs=world["objects"][builder])
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            if status not in (404, 405):
                opened.append(f"{method.upper()} {name} → {status}")
    return opened


@pytest.mark.django_db
def test_every_route_of_the_case_is_404_while_the_referral_waits(world):
    assert _walk(world) == []


@pytest.mark.django_db
def test_and_after_it_was_declined(world):
    referral_id = world["objects"]["referral"]["referral_id"]
    with scope(organisation=world["other"].pk):
        referral_decline(
            actor=world["actors"]["other_supervisor"], referral_id=referral_id, reason="no_place"
        )
    assert not CaseGrant.objects.filter(
        case=world["case"], grantee=world["other"], revoked_at=None
    ).exists()
    assert _walk(world) == []
    page = Client()
    sign_in(page, world["actors"]["other_supervisor"].user)
    detail = page.get(reverse("referrals:referral_detail", kwargs={"referral_id": referral_id}))
    assert detail.status_code == 200  # the declined referral's details, nothing more


def _transfer_case_id(world):
    from phteah.referrals.models import Transfer

    return Transfer.objects.get(pk=world["objects"]["transfer"]["transfer_id"]).case_id


@pytest.mark.django_db
def test_a_pending_transfer_opens_nothing_of_its_case(world):
    """The owner's second case waits for the other organisation's answer to its transfer (a
    minimal grant): every route of a case, on that case, is 404 for the receiver's supervisor,
    who reads the transfer's page only."""
    case_id = _transfer_case_id(world)
    grant = CaseGrant.objects.get(case_id=case_id, grantee=world["other"], revoked_at=None)
    assert (grant.level, grant.purpose) == ("minimal", "transfer")
    client = Client()
    sign_in(client, world["actors"]["other_supervisor"].user)
    opened, walked = [], 0
    for name, builder in ROUTES:
        if set(world["objects"][builder]) != {"case_id"}:
            continue
        url = reverse(name, kwargs={"case_id": case_id})
        walked += 1
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            if status not in (404, 405):
                opened.append(f"{method.upper()} {name} → {status}")
    assert walked > 20 and opened == []
    transfer_id = world["objects"]["transfer"]["transfer_id"]
    page = client.get(reverse("referrals:transfer_detail", kwargs={"transfer_id": transfer_id}))
    assert page.status_code == 200
