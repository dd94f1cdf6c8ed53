import datetime

import pytest
from django.utils import timezone

from phteah.care import services
from phteah.care.models import ReunificationAssessment
from phteah.cases.models import Case
from phteah.core.errors import ServiceError
from phteah.core.models import AuditEvent
from tests.factories import (
    CaseFactory,
    RelativeFactory,
)

TODAY = timezone.localdate()


DAY = datetime.timedelta(days=1)


pytestmark = pytest.mark.django_db


def last_event():
    return AuditEvent.objects.order_by("-id").first()


class TestTracingAndReunification:
    def test_tracing_and_relatives(self, worker, case, events):
        services.tracing_record(
            actor=worker,
            case_id=case.pk,
            done_on=TODAY,
            where_searched="Phum Muoy market",
            done_by="Commune council",
            outcome="Neighbour knows the aunt.",
        )
        relative = services.relative_add(
            actor=worker,
            case_id=case.pk,
            name="Chan Srey",
            relationship="aunt",
            found_on=TODAY,
            willing_to_care=True,
        )
        assert relative.willing_to_care and relative.case == case
        assert events() == ["care.tracing.recorded", "care.relative.added"]

    def test_reunification_date_only_with_reunify(self, worker, case, events):
        relative = RelativeFactory(case=case)
        with pytest.raises(ServiceError) as error:
            services.reunification_record(
                actor=worker,
                case_id=case.pk,
                assessed_on=TODAY - DAY,
                recommendation=ReunificationAssessment.Recommendation.NOT_YET,
                notes="Needs income support first.",
                relative=relative,
                reunified_on=TODAY,
            )
        assert error.value.field == "reunified_on" and events() == []
        services.reunification_record(
            actor=worker,
            case_id=case.pk,
            assessed_on=TODAY - DAY,
            recommendation=ReunificationAssessment.Recommendation.REUNIFY,
            notes="Safe and willing.",
            relative=relative,
            reunified_on=TODAY,
        )
        case.refresh_from_db()
        assert case.stage == Case.Stage.FOLLOW_UP
        assert events() == ["care.reunification.recorded"]

    def test_a_relative_of_another_case_is_refused(self, worker, case, organisation):
        stranger = RelativeFactory(case=CaseFactory(organisation=organisation))
        with pytest.raises(ServiceError):
            services.reunification_record(
                actor=worker,
                case_id=case.pk,
                assessed_on=TODAY,
                recommendation="not_suitable",
                notes="-",
                relative=stranger,
            )
