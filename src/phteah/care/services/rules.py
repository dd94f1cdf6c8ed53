"""Writes to an organisation's rule table (CareRule). The defaults are practitioner defaults
from DOMAIN.md, not law: every organisation can change them. A change refreshes the due dates
of the organisation's open cases. (Their audit codes keep the ``work.rule`` prefix they were
first recorded with.)

Every change first locks the organisation's row FOR NO KEY UPDATE (``_lock_rule_table``),
then the rule row it changes, then the open cases (the refresh), the audit chain last. So
changes to one organisation's table run one at a time (each validates against the others'
rows: no rule added twice), and a case being opened or reopened meanwhile — which shares
that lock before computing its due dates (``case_joins_open_cases``) — is either computed
from the new table or refreshed by the change. NO KEY: inserting rows that refer to the
organisation (an access event, a visit) takes KEY SHARE on it and never waits for this."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from phteah.accounts.models import Membership, Organisation
from phteah.accounts.roles import Capability
from phteah.cases.models import CareType, RiskLevel
from phteah.core.audit import audit_log, audited_atomic, audited_update
from phteah.core.errors import ServiceError
from phteah.core.submissions import once

from ..models import CareRule
from ..progress import organisation_due_refresh
from ..selectors import care_rule_get

Kind = CareRule.Kind

# (kind, care type, risk level, value). Defaults, not law: organisations edit them.
DEFAULT_RULES: tuple[tuple[str, str, str, int], ...] = (
    (Kind.MAX_STAY, CareType.TEMPORARY_CENTRE, "", 180),
    (Kind.MAX_STAY, CareType.EMERGENCY_FOSTER, "", 90),
    (Kind.MAX_STAY, CareType.FAMILY_HOUSE, "", 365),
    (Kind.MAX_STAY, CareType.RESIDENTIAL, "", 365),
    (Kind.VISIT_EVERY, "", "", 30),
    (Kind.VISIT_EVERY, CareType.EMERGENCY_FOSTER, "", 30),
    (Kind.VISIT_EVERY, CareType.TEMPORARY_CENTRE, "", 30),
    (Kind.VISIT_EVERY, CareType.BIRTH_FAMILY, "", 30),
    (Kind.VISIT_EVERY, CareType.KINSHIP, "", 30),
    (Kind.VISIT_EVERY, CareType.LONG_TERM_FOSTER, "", 60),
    (Kind.VISIT_EVERY, CareType.RESIDENTIAL, "", 90),
    (Kind.VISIT_EVERY, "", RiskLevel.HIGH, 7),
    (Kind.VISIT_EVERY, "", RiskLevel.MEDIUM, 14),
    (Kind.VISIT_EVERY, "", RiskLevel.LOW, 30),
    (Kind.FOLLOW_UP_AFTER, "", "", 30),
    (Kind.FOLLOW_UP_AFTER, "", "", 90),
    (Kind.FOLLOW_UP_AFTER, "", "", 180),
    (Kind.FOLLOW_UP_AFTER, "", "", 365),
    (Kind.REVIEW_EVERY, "", "", 180),
    (Kind.INITIAL_ASSESSMENT_TARGET, "", "", 24),
    (Kind.INITIAL_ASSESSMENT_LIMIT, "", "", 48),
)

# Kinds that only make sense for one care type, and kinds that apply to every case alike.
NEEDS_CARE_TYPE = {Kind.MAX_STAY}
APPLIES_TO_ALL = {
    Kind.FOLLOW_UP_AFTER,
    Kind.INITIAL_ASSESSMENT_TARGET,
    Kind.INITIAL_ASSESSMENT_LIMIT,
}
RULE_FIELDS = ("kind", "care_type", "risk_level", "value")

# The largest value of each kind of rule: ten years for the rules in days, a year for those
# in hours. Beyond them a rule means nothing in practice, and due dates computed from it
# would leave the calendar.
DAYS_MAX, HOURS_MAX = 3650, 8760
RULE_MAXIMA = {
    Kind.MAX_STAY: DAYS_MAX,
    Kind.VISIT_EVERY: DAYS_MAX,
    Kind.FOLLOW_UP_AFTER: DAYS_MAX,
    Kind.REVIEW_EVERY: DAYS_MAX,
    Kind.INITIAL_ASSESSMENT_TARGET: HOURS_MAX,
    Kind.INITIAL_ASSESSMENT_LIMIT: HOURS_MAX,
}


def _check_value(kind: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ServiceError(_("The value must be 1 or more."), field="value")
    if RULE_MAXIMA[kind] == HOURS_MAX and value > HOURS_MAX:
        raise ServiceError(
            _(
                "This rule is in hours: at most %(max)s (a year). A longer time means no "
                "deadline at all."
            )
            % {"max": HOURS_MAX},
            field="value",
        )
    if value > RULE_MAXIMA[kind]:
        raise ServiceError(
            _(
                "This rule is in days: at most %(max)s (ten years). A longer time means no "
                "deadline at all."
            )
            % {"max": RULE_MAXIMA[kind]},
            field="value",
        )


def _default_rows(organisation) -> list[CareRule]:
    organisation_id = getattr(organisation, "pk", organisation)
    return [
        CareRule(
            organisation_id=organisation_id,
            kind=kind,
            care_type=care_type,
            risk_level=risk_level,
            value=value,
        )
        for kind, care_type, risk_level, value in DEFAULT_RULES
    ]


def care_rules_seed(*, organisation) -> int:
    """Create the default rule table if the organisation has no rules yet (set-up and demo
    data, not a user action: no audit event). Returns the number of rows created."""
    organisation_id = getattr(organisation, "pk", organisation)
    with audited_atomic():
        if CareRule.objects.filter(organisation_id=organisation_id).exists():
            return 0
        created = len(CareRule.objects.bulk_create(_default_rows(organisation_id)))
        organisation_due_refresh(organisation_id)
    return created


def _lock_rule_table(organisation_id) -> None:
    """The first lock of every change to the rule table (see the module's docstring)."""
    Organisation.objects.select_for_update(no_key=True).filter(pk=organisation_id).values_list(
        "pk", flat=True
    ).get()


def _check_manage(actor: Membership) -> None:
    if actor is None or not actor.can(Capability.MANAGE_SETTINGS):
        raise PermissionError("Changing the rule table needs MANAGE_SETTINGS.")


def _validate(*, organisation_id, kind, care_type, risk_level, value, exclude=None) -> None:
    if kind not in Kind.values:
        raise ServiceError(_("Choose a rule."), field="kind")
    if care_type and care_type not in CareType.values:
        raise ServiceError(_("Choose a care type from the list."), field="care_type")
    if risk_level and risk_level not in RiskLevel.values:
        raise ServiceError(_("Choose a risk level from the list."), field="risk_level")
    _check_value(kind, value)
    if kind in NEEDS_CARE_TYPE and not care_type:
        raise ServiceError(_("This rule needs a care type."), field="care_type")
    if kind in NEEDS_CARE_TYPE and risk_level:
        raise ServiceError(_("This rule depends on the care type only."), field="risk_level")
    if kind in APPLIES_TO_ALL and (care_type or risk_level):
        raise ServiceError(
            _("This rule applies to every case: leave the care type and risk level empty."),
            field="care_type",
        )
    if care_type and risk_level:
        raise ServiceError(
            _("A rule applies to a care type or to a risk level, not to both."),
            field="risk_level",
        )
    same = CareRule.objects.filter(
        organisation_id=organisation_id, kind=kind, care_type=care_type, risk_level=risk_level
    )
    if kind == Kind.FOLLOW_UP_AFTER:
        same = same.filter(value=value)
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    if same.exists():
        raise ServiceError(
            _("The table already has this rule: change its value instead."), field="kind"
        )


@once
def care_rule_add(
    *,
    actor: Membership,
    kind: str,
    value: int,
    care_type: str = "",
    risk_level: str = "",
    ip: str | None = None,
) -> CareRule:
    _check_manage(actor)
    care_type, risk_level = care_type or "", risk_level or ""
    with audited_atomic():
        _lock_rule_table(actor.organisation_id)
        _validate(
            organisation_id=actor.organisation_id,
            kind=kind,
            care_type=care_type,
            risk_level=risk_level,
            value=value,
        )
        rule = CareRule.objects.create(
            organisation_id=actor.organisation_id,
            kind=kind,
            care_type=care_type,
            risk_level=risk_level,
            value=value,
        )
        audit_log(
            actor=actor.user,
            organisation=actor.organisation_id,
            action="work.rule.created",
            target=rule,
            changes={name: [None, getattr(rule, name)] for name in RULE_FIELDS},
            ip=ip,
        )
        organisation_due_refresh(actor.organisation_id)
    return rule


def care_rule_update(*, actor: Membership, rule_id, value: int, ip: str | None = None) -> CareRule:
    """Change a rule's value (its kind, care type and risk level identify it)."""
    _check_manage(actor)
    with audited_atomic():
        _lock_rule_table(actor.organisation_id)
        rule = care_rule_get(actor=actor, rule_id=rule_id, lock=True)
        _validate(
            organisation_id=actor.organisation_id,
            kind=rule.kind,
            care_type=rule.care_type,
            risk_level=rule.risk_level,
            value=value,
            exclude=rule,
        )
        audited_update(
            rule,
            values={"value": value},
            fields=["value"],
            actor=actor.user,
            organisation=actor.organisation_id,
            action="work.rule.updated",
            ip=ip,
        )
        organisation_due_refresh(actor.organisation_id)
    return rule


def care_rule_remove(*, actor: Membership, rule_id, ip: str | None = None) -> None:
    _check_manage(actor)
    with audited_atomic():
        _lock_rule_table(actor.organisation_id)
        rule = care_rule_get(actor=actor, rule_id=rule_id, lock=True)
        audit_log(
            actor=actor.user,
            organisation=actor.organisation_id,
            action="work.rule.deleted",
            target=rule,
            changes={name: [getattr(rule, name), None] for name in RULE_FIELDS},
            ip=ip,
        )
        rule.delete()
        organisation_due_refresh(actor.organisation_id)


def care_rules_restore_defaults(*, actor: Membership, ip: str | None = None) -> int:
    """Replace the organisation's whole rule table by the defaults (one audit event with the
    number of rows removed and created)."""
    _check_manage(actor)
    with audited_atomic():
        _lock_rule_table(actor.organisation_id)
        existing = CareRule.objects.filter(organisation_id=actor.organisation_id)
        removed = existing.count()
        existing.delete()
        created = len(CareRule.objects.bulk_create(_default_rows(actor.organisation_id)))
        audit_log(
            actor=actor.user,
            organisation=actor.organisation_id,
            action="work.rules.restored",
            data={"removed": removed, "created": created},
            ip=ip,
        )
        organisation_due_refresh(actor.organisation_id)
    return created
