"""Every change to the care of children, one module per sub-domain: ``providers`` (care
providers and carers), ``placements``, ``tracing`` (family tracing, relatives,
reunification) and ``rules`` (the organisation's rule table). The service contract is the
cases app's (phteah.cases.services.records). The names are also importable from here."""

from .placements import (
    PLACEMENT_END_FIELDS,
    PLACEMENT_FIELDS,
    PROVIDER_KIND_FOR_CARE_TYPE,
    placement_end,
    placement_restore,
    placement_start,
    placement_void,
)
from .providers import (
    PROVIDER_FIELDS,
    carer_add,
    carer_remove,
    provider_create,
    provider_get_for_edit,
    provider_update,
)
from .rules import (
    DEFAULT_RULES,
    RULE_FIELDS,
    RULE_MAXIMA,
    care_rule_add,
    care_rule_remove,
    care_rule_update,
    care_rules_restore_defaults,
    care_rules_seed,
)
from .tracing import (
    RELATIVE_FIELDS,
    REUNIFICATION_FIELDS,
    TRACING_FIELDS,
    relative_add,
    reunification_record,
    tracing_record,
)

__all__ = [
    "DEFAULT_RULES",
    "PLACEMENT_END_FIELDS",
    "PLACEMENT_FIELDS",
    "PROVIDER_FIELDS",
    "PROVIDER_KIND_FOR_CARE_TYPE",
    "RELATIVE_FIELDS",
    "REUNIFICATION_FIELDS",
    "RULE_FIELDS",
    "RULE_MAXIMA",
    "TRACING_FIELDS",
    "care_rule_add",
    "care_rule_remove",
    "care_rule_update",
    "care_rules_restore_defaults",
    "care_rules_seed",
    "carer_add",
    "carer_remove",
    "placement_end",
    "placement_restore",
    "placement_start",
    "placement_void",
    "provider_create",
    "provider_get_for_edit",
    "provider_update",
    "relative_add",
    "reunification_record",
    "tracing_record",
]
