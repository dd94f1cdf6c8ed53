"""Fixtures of the cases tests: a Battambang village and its provincial social affairs office
(DoSVY), for sharing a case with government."""

import pytest

from phteah.accounts.models import Organisation
from tests.cases.test_list import village
from tests.factories import OrganisationFactory


@pytest.fixture
def place():
    return village("02")  # Battambang


@pytest.fixture
def dosvy(place):
    office = OrganisationFactory(
        name="Battambang DoSVY", short_code="BTB", kind=Organisation.Kind.PROVINCIAL_OFFICE
    )
    office.provinces.add(place.commune.district.province)
    return office
