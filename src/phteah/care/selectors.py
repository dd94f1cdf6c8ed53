"""Reads of care data that a user triggers. Each takes the acting ``Membership`` and returns
only what it may see: records of a case are reached through a case the caller already got
from ``case_get_for_user``; providers and the rule table belong to the actor's
organisation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from phteah.accounts.models import Membership
from phteah.accounts.roles import Capability
from phteah.cases.access import can_edit_case, cases_for
from phteah.core.access import access_denied, organisation_row_get_for_user
from phteah.core.errors import NotFound

from .models import (
    CareProvider,
    Carer,
    CareRule,
    Placement,
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
