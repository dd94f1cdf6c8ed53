"""Permission rows for the care views (see tests/test_permissions.py)."""

from phteah.care.models import ProviderCareType
from tests.factories import (
    CareProviderFactory,
    CarerFactory,
    PlacementFactory,
    ServiceDeliveryFactory,
    ServiceTypeFactory,
    VisitFactory,
)
from tests.matrix_support import case_editors, case_readers, expect, only_admin

# Members who see cases (VIEW_OWN_CASES or VIEW_ALL_CASES): supervisor, case worker, viewer.
case_staff = expect(404, supervisor=200, worker=200, viewer=200)
provider_editors = expect(404, supervisor=200, worker=200)

ROWS = [
    ("cases:visit_list", "case", "get", None, case_readers()),
    ("cases:visit_add", "case", "get", None, case_editors()),
    ("cases:visit_add", "case", "post", {"visited_on": ""}, case_editors()),
    ("cases:visit_edit", "visit", "get", None, case_editors()),
    ("cases:service_add", "case", "get", None, case_editors()),
    ("cases:service_edit", "service", "get", None, case_editors()),
    ("care:placement_add", "case", "get", None, case_editors()),
    ("care:placement_end", "placement", "get", None, case_editors()),
    # Voiding (with a reason) by those who may change the case; restoring by its supervisor.
    ("cases:visit_void", "visit", "get", None, case_editors()),
    ("cases:visit_void", "visit", "post", {"reason": ""}, case_editors()),
    ("cases:visit_restore", "visit", "post", None, expect(404, supervisor=302)),
    ("cases:service_void", "service", "get", None, case_editors()),
    ("cases:service_restore", "service", "post", None, expect(404, supervisor=302)),
    ("care:placement_void", "placement", "get", None, case_editors()),
    ("care:placement_void", "placement", "post", {"reason": ""}, case_editors()),
    ("care:placement_restore", "placement", "post", None, expect(404, supervisor=302)),
    ("care:tracing_add", "case", "get", None, case_editors()),
    ("care:relative_add", "case", "get", None, case_editors()),
    ("care:reunification_add", "case", "get", None, case_editors()),
    ("care:provider_list", None, "get", None, case_staff),
    ("care:provider_detail", "provider", "get", None, case_staff),
    ("care:provider_add", None, "get", None, provider_editors),
    ("care:provider_edit", "provider", "get", None, expect(404, supervisor=200, worker=200)),
    ("care:carer_add", "provider", "get", None, provider_editors),
    ("care:provider_care_type_set", "provider", "get", None, provider_editors),
    (
        "care:provider_care_type_remove",
        "provider_care_type",
        "post",
        None,
        expect(404, supervisor=302, worker=302),
    ),
    ("care:carer_remove", "carer", "post", None, expect(404, supervisor=302, worker=302)),
    ("cases:service_type_list", None, "get", None, only_admin()),
    ("cases:service_type_add", None, "get", None, only_admin()),
    ("cases:service_type_edit", "service_type", "get", None, only_admin()),
]


def objects(world) -> dict[str, dict]:
    owner, case = world["owner"], world["case"]
    worker = case.assignments.first().user
    provider = CareProviderFactory(organisation=owner)
    carer = CarerFactory(provider=provider)
    care_type = ProviderCareType.objects.create(
        organisation=owner, provider=provider, care_type="long_term_foster"
    )
    visit = VisitFactory(case=case, recorded_by=worker)
    service = ServiceDeliveryFactory(case=case, recorded_by=worker)
    placement = PlacementFactory(case=case, provider=provider, recorded_by=worker)
    service_type = ServiceTypeFactory(organisation=owner)
    return {
        "visit": {"case_id": case.pk, "visit_id": visit.pk},
        "service": {"case_id": case.pk, "service_id": service.pk},
        "placement": {"case_id": case.pk, "placement_id": placement.pk},
        "provider": {"provider_id": provider.pk},
        "carer": {"provider_id": provider.pk, "carer_id": carer.pk},
        "provider_care_type": {"provider_id": provider.pk, "care_type_id": care_type.pk},
        "service_type": {"service_type_id": service_type.pk},
    }
