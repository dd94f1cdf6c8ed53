"""Reads of care data that a user triggers. Each takes the acting ``Membership`` and returns
only what it may see: records of a case are reached through a case the caller already got
from ``case_get_for_user``; providers and the service list belong to the actor's
organisation."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from phteah.accounts.models import Organisation
from phteah.accounts.roles import Capability
from phteah.cases.access import can_edit_case, cases_for
from phteah.cases.models import ServiceDelivery, ServiceType, Visit

from .models import (
    CareProvider,
    Carer,
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
    """Context for care/case_sections.html on the case page (*case* comes from
    ``case_get_for_user``), under the one key "care" so it never clashes with the case
    page's own context. A fixed number of queries, whatever the amount of data."""
    today = timezone.localdate()
    placements = list(
        Placement.objects.filter(case=case)
        .select_related("provider")
        .order_by("-started_on", "-created_at")
    )
    current = next((p for p in placements if p.ended_on is None), None)
    visits = list(
        Visit.objects.filter(case=case)
        .select_related("recorded_by")
        .order_by("-visited_on", "-created_at")[:LATEST]
    )
    visit_count = Visit.objects.filter(case=case).count()
    next_visit_due = visits[0].next_visit_due if visits else None
    services = list(
        ServiceDelivery.objects.filter(case=case)
        .select_related("service_type", "provider")
        .order_by("-delivered_on", "-created_at")[:LATEST]
    )
    service_totals = list(
        ServiceDelivery.objects.filter(case=case, cost__isnull=False)
        .values("currency")
        .annotate(total=Sum("cost"), count=Count("id"))
        .order_by("currency")
    )
    service_count = ServiceDelivery.objects.filter(case=case).count()
    care = {
        "can_edit": can_edit_case(actor, case),
        "today": today,
        "current_placement": current,
        "current_placement_days": (today - current.started_on).days if current else None,
        "placement_history": [p for p in placements if p.ended_on is not None],
        "visits": visits,
        "visit_count": visit_count,
        "more_visits": visit_count > len(visits),
        "next_visit_due": next_visit_due,
        "visit_overdue": next_visit_due is not None and next_visit_due < today,
        "services": services,
        "service_count": service_count,
        "more_services": service_count > len(services),
        "service_totals": [
            {
                "currency": row["currency"],
                "label": ServiceDelivery.Currency(row["currency"]).label,
                "total": row["total"],
                "count": row["count"],
            }
            for row in service_totals
        ],
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


def visit_list(*, actor, case) -> QuerySet:
    """Every visit of *case* (visible to *actor*), newest first."""
    return (
        Visit.objects.filter(case=case)
        .select_related("recorded_by")
        .order_by("-visited_on", "-created_at")
    )


def service_list(*, actor, case) -> QuerySet:
    return (
        ServiceDelivery.objects.filter(case=case)
        .select_related("service_type", "provider")
        .order_by("-delivered_on", "-created_at")
    )


def _get(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError) as error:
        raise Http404 from error


def visit_get(*, actor, case, visit_id) -> Visit:
    return _get(Visit.objects.filter(case=case), visit_id)


def service_get(*, actor, case, service_id) -> ServiceDelivery:
    return _get(ServiceDelivery.objects.filter(case=case).select_related("provider"), service_id)


def placement_get(*, actor, case, placement_id) -> Placement:
    return _get(Placement.objects.filter(case=case).select_related("provider"), placement_id)


def current_placement(*, actor, case) -> Placement | None:
    return (
        Placement.objects.filter(case=case, ended_on__isnull=True)
        .select_related("provider")
        .first()
    )


def relatives_of(*, actor, case) -> QuerySet:
    return Relative.objects.filter(case=case).order_by("name")


# --- the service catalogue -------------------------------------------------------------


def service_type_list(*, actor) -> QuerySet:
    if actor is None or not actor.can(Capability.MANAGE_SETTINGS):
        return ServiceType.objects.none()
    return ServiceType.objects.filter(organisation_id=actor.organisation_id).order_by(
        "-is_active", "name_en"
    )


def service_type_get(*, actor, service_type_id) -> ServiceType:
    return _get(service_type_list(actor=actor), service_type_id)


def service_type_choices(*, actor, include=None) -> QuerySet:
    """The services a case worker may record: the active ones (plus *include*, the one a
    record being edited already has)."""
    wanted = Q(is_active=True)
    if include is not None:
        wanted |= Q(pk=include)
    return ServiceType.objects.filter(wanted, organisation_id=actor.organisation_id)


def partner_organisations(*, actor) -> QuerySet:
    """Other active organisations that may have provided a service."""
    return Organisation.objects.filter(is_active=True).exclude(pk=actor.organisation_id)


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
        .annotate(occupied=Count("placements", filter=Q(placements__ended_on__isnull=True)))
        .order_by("-is_active", "name")
    )


def provider_get_for_user(*, actor, provider_id) -> CareProvider:
    return _get(provider_list(actor=actor), provider_id)


def providers_for_placement(*, actor) -> QuerySet:
    return provider_list(actor=actor, include_inactive=False).order_by("kind", "name")


def provider_detail(*, actor, provider) -> dict:
    """The carers and the children currently placed with *provider*: names only of the
    children whose case the actor may see; the others are counted."""
    carers = list(Carer.objects.filter(provider=provider).order_by("name"))
    visible = cases_for(actor).filter(pk=OuterRef("case_id"))
    placements = list(
        Placement.objects.filter(provider=provider, ended_on__isnull=True)
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
