"""Dates and texts beyond their bounds in the accounts services and the audit filter."""

import datetime

import pytest
from django.urls import reverse

from phteah.accounts import selectors, services
from phteah.accounts.models import Invitation
from phteah.core.errors import ServiceError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_audit_filter_refuses_dates_beyond_the_bounds(client, signed_in, admin, day):
    signed_in(admin)
    response = client.get(reverse("accounts:audit_list"), {"date_to": day})
    assert response.status_code == 200
    assert "Enter a date between 1900 and 2100." in response.content.decode()


def test_the_audit_selector_refuses_them_too(admin):
    with pytest.raises(ServiceError, match="between 1900 and 2100"):
        selectors.audit_event_list(actor=admin, date_to=datetime.date(9999, 12, 31))


def test_names_with_nul_characters_or_too_long_are_refused(admin):
    for name, message in (("Sok\x00Dara", "Null characters"), ("x" * 151, "at most 150")):
        with pytest.raises(ServiceError, match=message) as error:
            services.invitation_create(
                actor=admin,
                email="a@example.test",
                full_name=name,
                role="viewer",
                site_url="http://testserver",
            )
        assert error.value.field == "full_name"
    with pytest.raises(ServiceError, match="Null characters"):
        services.office_create(actor=admin, name="Office", address_detail="a\x00b")
    assert not Invitation.objects.exists()
