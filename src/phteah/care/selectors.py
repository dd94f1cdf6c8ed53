"""Reads of care data that a user triggers. Each takes the acting ``Membership`` and returns
only what it may see: records of a case are reached through a case the caller already got
from ``case_get_for_user``; providers and the rule table belong to the actor's
organisation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from phteah.accounts.models import Membership
from phteah.accounts.roles import Capability
from phteah.cases.access import can_edit_case, cases_for
from phteah.cases.models import Case
from phteah.core.access import access_denied, organisation_row_get_for_user
from phteah.core.errors import NotFound

from .models import (
    CareProvider,
    Carer,
    CareRule,
    Placement,
    ProviderCareType,
    Relative,
    ReunificationAssessment,
    TracingAction,
)

LATEST = 10
VILLAGE_CHAIN = "village__commune__district__province"


def _may_see_cases(actor) -> bool:
    return actor is not None and (
        actor.can(Capability.VIEW_ALL_CASES) or actor.can(Capability.VIEW_OWN_CASES)
    )


# --- the case page ---------------------------------------------------------------------


def care_case_context(*, actor, case) -> dict:
    """Context of the care sections of the case page (*case* comes from
    ``case_get_for_user``), under the one key "care" so it never clashes with the case
    page's own context. A fixed number of queries, whatever the amount of data."""
    today = timezone.localdate()
    placements = list(
        Placement.objects.filter(case=case)
        .select_related("provider", "voided_by")
        .order_by("-started_on", "-created_at")
    )
    # The current placement is the latest valid one not ended; voided ones stay in the
    # history, struck through.
    current = next((p for p in placements if p.ended_on is None and not p.is_voided), None)
    care = {
        "can_edit": can_edit_case(actor, case),
        "can_restore": actor is not None and actor.can(Capability.RESTORE_VOIDED),
        "today": today,
        "placements": placements,
        "current_placement": current,
        "current_placement_days": (today - current.started_on).days if current else None,
        "placement_history": [p for p in placements if p.ended_on is not None or p.is_voided],
        "tracing_actions": list(
            TracingAction.objects.filter(case=case).order_by("-done_on", "-created_at")
        ),
        "relatives": list(
            Relative.objects.filter(case=case)
            .select_related(VILLAGE_CHAIN)
            .order_by("-found_on", "name")
        ),
        "reunifications": list(
            ReunificationAssessment.objects.filter(case=case)
            .select_related("relative")
            .order_by("-assessed_on", "-created_at")
        ),
    }
    return {"care": care}


def current_placement(*, actor, case) -> Placement | None:
    return (
        Placement.objects.valid()
        .filter(case=case, ended_on__isnull=True)
        .select_related("provider")
        .first()
    )


def placement_history(case) -> list[Placement]:
    return list(
        Placement.objects.valid()
        .filter(case=case)
        .select_related("provider")
        .order_by("-started_on")
    )


def relatives_of(*, actor, case) -> QuerySet:
    return Relative.objects.filter(case=case).order_by("name")


def _get(queryset, pk, *, actor):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError) as error:
        access_denied(actor=actor, model=queryset.model, record_id=pk)
        raise NotFound from error


# --- care providers --------------------------------------------------------------------


def provider_list(*, actor, include_inactive: bool = True) -> QuerySet:
    """The organisation's care providers with their occupancy (``occupied``: current
    placements) computed in SQL."""
    if not _may_see_cases(actor):
        return CareProvider.objects.none()
    providers = CareProvider.objects.filter(organisation_id=actor.organisation_id)
    if not include_inactive:
        providers = providers.filter(is_active=True)
    return (
        providers.select_related(VILLAGE_CHAIN)
        .annotate(
            occupied=Count(
                "placements",
                filter=Q(placements__ended_on__isnull=True, placements__voided_at__isnull=True),
            )
        )
        .order_by("-is_active", "name")
    )


def provider_get_for_user(*, actor, provider_id) -> CareProvider:
    """The access function for reading a care provider: the organisation's own, for those
    who may see cases."""
    return _get(provider_list(actor=actor), provider_id, actor=actor)


def providers_for_placement(*, actor) -> QuerySet:
    return provider_list(actor=actor, include_inactive=False).order_by("kind", "name")


def provider_detail(*, actor, provider) -> dict:
    """The carers and the children currently placed with *provider*: names only of the
    children whose case the actor may see; the others are counted."""
    carers = list(Carer.objects.filter(provider=provider).order_by("name"))
    care_types = list(ProviderCareType.objects.filter(provider=provider).order_by("care_type"))
    visible = cases_for(actor).filter(pk=OuterRef("case_id"))
    placements = list(
        Placement.objects.valid()
        .filter(provider=provider, ended_on__isnull=True)
        .annotate(visible=Exists(visible))
        .select_related("case__person")
        .order_by("started_on")
    )
    shown = [p for p in placements if p.visible]
    return {
        "carers": carers,
        "care_types": care_types,
        "placed": shown,
        "hidden_count": len(placements) - len(shown),
    }


# --- the rule table --------------------------------------------------------------------


def care_rule_list(*, actor: Membership) -> QuerySet:
    """The organisation's rule table, for those who manage settings."""
    if actor is None or not actor.can(Capability.MANAGE_SETTINGS):
        raise NotFound
    return CareRule.objects.filter(organisation_id=actor.organisation_id).order_by(
        "kind", "care_type", "risk_level", "value"
    )


def care_rule_get(*, actor: Membership, rule_id, lock: bool = False) -> CareRule:
    """The access function for rule rows: NotFound for missing rows and other
    organisations'."""
    return organisation_row_get_for_user(
        CareRule.objects.all(),
        actor=actor,
        record_id=rule_id,
        capability=Capability.MANAGE_SETTINGS,
        lock=lock,
    )


def care_rule_table(*, actor: Membership) -> list[dict]:
    """The rule table grouped by kind, in the order of ``CareRule.Kind`` (one query)."""
    rows = list(care_rule_list(actor=actor))
    hours = {CareRule.Kind.INITIAL_ASSESSMENT_TARGET, CareRule.Kind.INITIAL_ASSESSMENT_LIMIT}
    return [
        {
            "kind": kind,
            "label": label,
            "in_hours": kind in hours,
            "rules": [rule for rule in rows if rule.kind == kind],
        }
        for kind, label in CareRule.Kind.choices
    ]


# --- confirming changes to the rule table ------------------------------------------------

HOURS_KINDS = {CareRule.Kind.INITIAL_ASSESSMENT_TARGET, CareRule.Kind.INITIAL_ASSESSMENT_LIMIT}


def _shown_rule(rule: CareRule, new_value: int | None = None) -> dict:
    return {"rule": rule, "in_hours": rule.kind in HOURS_KINDS, "new_value": new_value}


def care_rule_removal(*, actor: Membership, rule_id) -> dict:
    """What removing a rule changes, for the page that asks to confirm it: the rule, whether
    it is the last of its kind (then nothing of that kind is due any more), and how many of
    the organisation's open cases it applies to (their due dates are computed again)."""
    rule = care_rule_get(actor=actor, rule_id=rule_id)
    siblings = CareRule.objects.filter(organisation_id=actor.organisation_id, kind=rule.kind)
    open_cases = Case.objects.filter(organisation_id=actor.organisation_id, status=Case.Status.OPEN)
    if rule.care_type:
        open_cases = open_cases.filter(current_care_type=rule.care_type)
    elif rule.risk_level:
        open_cases = open_cases.filter(risk_level=rule.risk_level)
    return {
        **_shown_rule(rule),
        "last_of_kind": not siblings.exclude(pk=rule.pk).exists(),
        "open_cases": open_cases.count(),
    }


def care_rules_restore_preview(*, actor: Membership) -> dict:
    """What restoring the default rule table changes, for the page that asks to confirm it:
    the rules removed (not among the defaults), those whose value changes, and the default
    rules added; follow-up rules (several per table) are told apart by their value."""
    from .services.rules import DEFAULT_RULES

    def key(kind, care_type, risk_level, value):
        return (kind, care_type, risk_level, value if kind == CareRule.Kind.FOLLOW_UP_AFTER else 0)

    current = {
        key(r.kind, r.care_type, r.risk_level, r.value): r for r in care_rule_list(actor=actor)
    }
    defaults = {key(*row): row for row in DEFAULT_RULES}
    removed = [_shown_rule(rule) for k, rule in current.items() if k not in defaults]
    changed = [
        _shown_rule(rule, defaults[k][3])
        for k, rule in current.items()
        if k in defaults and rule.value != defaults[k][3]
    ]
    added = [
        _shown_rule(CareRule(kind=kind, care_type=care_type, risk_level=risk_level, value=value))
        for k, (kind, care_type, risk_level, value) in defaults.items()
        if k not in current
    ]
    order = {kind: index for index, kind in enumerate(CareRule.Kind.values)}
    for rows in (removed, changed, added):
        rows.sort(
            key=lambda row: (
                order[row["rule"].kind],
                row["rule"].care_type,
                row["rule"].risk_level,
                row["rule"].value,
            )
        )
    return {
        "removed": removed,
        "changed": changed,
        "added": added,
        "unchanged": len(current) - len(removed) - len(changed),
        "total": len(DEFAULT_RULES),
    }


# --- closing a case ---------------------------------------------------------------------


def placement_closure_preview(*, case, reason: str, placement_outcome: str, closed_on) -> list:
    """A closure step's preview (phteah.cases.closing): what closing *case* does to the
    child's placement, in sentences for the approval page."""
    current = (
        Placement.objects.valid()
        .filter(case=case, ended_on__isnull=True)
        .select_related("provider")
        .first()
    )
    if current is None:
        return [_("The child has no current placement: nothing to end.")]
    values = {
        "care": current.get_care_type_display(),
        "start": formats.date_format(current.started_on),
        "end": formats.date_format(closed_on),
        "outcome": Placement.Outcome(placement_outcome).label if placement_outcome else "—",
    }
    if current.provider is not None:
        sentence = _(
            "The current placement, %(care)s with %(provider)s since %(start)s, ends on "
            "%(end)s with the outcome “%(outcome)s”."
        )
        values["provider"] = current.provider.name
    else:
        sentence = _(
            "The current placement, %(care)s since %(start)s, ends on %(end)s with the "
            "outcome “%(outcome)s”."
        )
    return [sentence % values]
