"""Permission matrix rows of the cases area (see tests/matrix_support.py)."""

from tests import factories
from tests.matrix_support import (
    case_editors,
    case_readers,
    expect,
    only_admin,
    shared_readers,
)

ROWS = [
    ("cases:case_list", None, "get", None, expect(404, supervisor=200, worker=200, viewer=200)),
    ("cases:case_add", None, "get", None, expect(404, supervisor=200, worker=200)),
    ("cases:case_detail", "case", "get", None, shared_readers()),
    ("cases:case_print", "case", "get", None, case_readers()),
    ("cases:case_edit", "case", "get", None, case_editors()),
    ("cases:assessment_add", "case", "get", None, case_editors()),
    ("cases:assessment_detail", "case_assessment", "get", None, case_readers()),
    ("cases:assessment_void", "case_assessment", "get", None, case_editors()),
    (
        "cases:assessment_restore",
        "case_assessment",
        "post",
        None,
        expect(404, supervisor=302),
    ),
    ("cases:goal_add", "case", "get", None, case_editors()),
    ("cases:goal_add", "case", "post", {"description": "Back to school"}, case_editors(302)),
    ("cases:goal_update", "case_goal", "get", None, case_editors()),
    ("cases:action_add", "case_goal", "get", None, case_editors()),
    ("cases:action_update", "case_action", "get", None, case_editors()),
    ("cases:plan_review_add", "case", "get", None, case_editors()),
    ("cases:conference_add", "case", "get", None, case_editors()),
    ("cases:conference_detail", "case_conference", "get", None, case_readers()),
    ("cases:closure_request", "case", "get", None, case_editors()),
    ("cases:closure_approve", "case", "get", None, expect(404, supervisor=200)),
    ("cases:case_reopen", "case", "get", None, case_editors()),
    ("cases:closure_sent_back_done", "case", "post", None, case_editors(302)),
    # Sharing with a government office: the case's editors who may refer (not the viewer).
    ("cases:share_new", "case", "get", None, case_editors()),
    ("cases:share_revoke", "case_grant", "post", None, case_editors(302)),
    ("cases:share_renew", "case_grant", "post", None, case_editors(302)),
    # The office it is shared with: a visit of its own; the owner uses the ordinary form.
    ("cases:authority_visit_add", "case", "get", None, expect(404, gov=200)),
    (
        "cases:shared_with_us",
        None,
        "get",
        None,
        expect(404, supervisor=200, worker=200, viewer=200),
    ),
    ("cases:grant_assign", "granted", "post", None, expect(404, gov_supervisor=302)),
    ("cases:domain_list", None, "get", None, only_admin()),
    ("cases:domain_edit", "assessment_domain", "get", None, only_admin()),
]


def objects(world) -> dict[str, dict]:
    case = world["case"]
    worker = case.assignments.get().user
    assessment = factories.assessment(case, worker)
    goal = factories.goal(case)
    action = factories.action(goal, worker)
    conference = factories.conference(case, worker)
    domain = factories.domains(world["owner"])[0]
    grant = case.grants.get()
    return {
        "case_grant": {"case_id": case.pk, "grant_id": grant.pk},
        "granted": {"grant_id": grant.pk},
        "case_assessment": {"case_id": case.pk, "assessment_id": assessment.pk},
        "case_goal": {"case_id": case.pk, "goal_id": goal.pk},
        "case_action": {"case_id": case.pk, "action_id": action.pk},
        "case_conference": {"case_id": case.pk, "conference_id": conference.pk},
        "assessment_domain": {"domain_id": domain.pk},
    }
