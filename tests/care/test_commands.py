import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from phteah.care.services import care_rules_seed
from phteah.cases.models import Case
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.unscoped
def test_refresh_repairs_due_dates_changed_outside_the_services(organisation, other_organisation):
    care_rules_seed(organisation=organisation)
    care_rules_seed(organisation=other_organisation)
    case = CaseFactory(organisation=organisation, risk_level="no_action")
    elsewhere = CaseFactory(organisation=other_organisation, risk_level="no_action")
    Case.objects.filter(pk__in=[case.pk, elsewhere.pk]).update(visit_due_on=None)
    out = io.StringIO()
    call_command("due", "refresh", "--organisation", organisation.short_code.lower(), stdout=out)
    assert out.getvalue().strip() == "1 cases checked, 1 updated."
    assert Case.objects.get(pk=case.pk).visit_due_on == case.opened_on + timedelta(days=30)
    assert Case.objects.get(pk=elsewhere.pk).visit_due_on is None  # not this organisation
    call_command("due", "refresh", stdout=out)
    assert "2 cases checked, 1 updated." in out.getvalue()
    assert Case.objects.get(pk=elsewhere.pk).visit_due_on == elsewhere.opened_on + timedelta(
        days=30
    )


def test_refresh_refuses_an_unknown_organisation():
    with pytest.raises(CommandError, match="No organisation"):
        call_command("due", "refresh", "--organisation", "NOPE", stdout=io.StringIO())
