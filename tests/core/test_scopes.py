import pytest
from django_scopes import ScopeError, scope, scopes_disabled

from phteah.accounts.models import Membership, Office
from phteah.core.models import AuditEvent

from ..factories import OfficeFactory


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Office, Membership, AuditEvent])
def test_an_unscoped_query_on_organisation_data_fails_loudly(model):
    with scope():  # a scope without an organisation: the state every query starts in
        with pytest.raises(ScopeError):
            list(model.objects.all())


@pytest.mark.django_db
def test_a_scoped_query_only_sees_its_organisation(organisation, other_organisation):
    mine = OfficeFactory(organisation=organisation)
    OfficeFactory(organisation=other_organisation)
    with scope(organisation=organisation.pk):
        assert list(Office.objects.all()) == [mine]
        # even an explicit filter cannot reach the other organisation
        assert not Office.objects.filter(organisation=other_organisation).exists()
    with scopes_disabled():
        assert Office.objects.count() == 2
