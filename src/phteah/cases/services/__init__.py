"""Every change to a case and what is recorded in it, one module per sub-domain:

- ``records``: what the services share (the service contract is described there);
- ``lifecycle``: opening a case and changing it;
- ``domains``: the organisation's assessment domains;
- ``assessments``, ``plans`` (goals, actions, reviews), ``conferences``;
- ``visits``, ``deliveries`` (the service catalogue and services delivered);
- ``closure``: closing, sending back, reopening;
- ``voiding``: voiding a mistaken visit, service or assessment, and restoring it.

The names are also importable from this package."""

from .assessments import ASSESSMENT_FIELDS, assessment_add
from .closure import (
    CLOSURE_FIELDS,
    case_close_transferred,
    case_reopen,
    closure_approve,
    closure_pending,
    closure_request,
    closure_sent_back_done,
    transfer_grant_active,
)
from .conferences import CONFERENCE_FIELDS, conference_add
from .deliveries import (
    SERVICE_FIELDS,
    SERVICE_TYPE_FIELDS,
    STANDARD_SERVICE_TYPES,
    service_record,
    service_type_create,
    service_type_get_for_edit,
    service_type_update,
    service_types_seed,
    service_update,
)
from .domains import (
    DEFAULT_DOMAINS,
    DOMAIN_FIELDS,
    assessment_domains_seed,
    domain_create,
    domain_get_for_edit,
    domain_seed,
    domain_update,
)
from .grants import (
    case_grant_assign,
    case_grant_renew,
    case_grant_revoke,
    case_share_with_government,
)
from .lifecycle import (
    CASE_EDIT_FIELDS,
    CASE_FIELDS,
    CaseExists,
    case_open,
    case_reference_next,
    case_update,
    case_worker_members,
    roles_with,
    supervisor_members,
)
from .plans import (
    ACTION_FIELDS,
    GOAL_FIELDS,
    action_add,
    action_update,
    goal_add,
    goal_update,
    plan_review_add,
)
from .records import may_restore
from .visits import VISIT_FIELDS, authority_visit_record, visit_record, visit_update
from .voiding import (
    assessment_restore,
    assessment_void,
    service_restore,
    service_void,
    visit_restore,
    visit_void,
)

__all__ = [
    "authority_visit_record",
    "case_grant_assign",
    "case_grant_renew",
    "case_grant_revoke",
    "case_share_with_government",
    "ACTION_FIELDS",
    "ASSESSMENT_FIELDS",
    "CASE_EDIT_FIELDS",
    "CASE_FIELDS",
    "CLOSURE_FIELDS",
    "CONFERENCE_FIELDS",
    "DEFAULT_DOMAINS",
    "DOMAIN_FIELDS",
    "GOAL_FIELDS",
    "SERVICE_FIELDS",
    "SERVICE_TYPE_FIELDS",
    "STANDARD_SERVICE_TYPES",
    "VISIT_FIELDS",
    "CaseExists",
    "action_add",
    "action_update",
    "assessment_add",
    "assessment_domains_seed",
    "assessment_restore",
    "assessment_void",
    "case_open",
    "case_reference_next",
    "case_close_transferred",
    "case_reopen",
    "case_update",
    "case_worker_members",
    "closure_approve",
    "closure_pending",
    "closure_request",
    "closure_sent_back_done",
    "transfer_grant_active",
    "conference_add",
    "domain_create",
    "domain_get_for_edit",
    "domain_seed",
    "domain_update",
    "goal_add",
    "goal_update",
    "may_restore",
    "plan_review_add",
    "roles_with",
    "service_record",
    "service_restore",
    "service_type_create",
    "service_type_get_for_edit",
    "service_type_update",
    "service_types_seed",
    "service_update",
    "service_void",
    "supervisor_members",
    "visit_record",
    "visit_restore",
    "visit_update",
    "visit_void",
]
