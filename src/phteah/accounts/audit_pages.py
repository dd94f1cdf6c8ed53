"""The organisation's audit trail: the list of events (filtered, newest first) and one
event with every value it records. For members who may read the trail (``view_audit``);
everyone else gets 404. Every sentence and value is made in the reader's language from the
language-neutral events (phteah.core.audit.display)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import get_language

from phteah.core.access import require_capability
from phteah.core.audit.display import case_shown, events_shown

from . import selectors
from .forms import AuditFilterForm
from .roles import Capability

EVENTS_PER_PAGE = 50
# Granted to organisation administrators by the erasure feature (accounts/audit_erasure.py).
ERASE_AUDIT_VALUES = "erase_audit_values"


@require_capability(Capability.VIEW_AUDIT)
def audit_list(request):
    actor = request.membership
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        events = selectors.audit_event_list(actor=actor).none()
        filters = {}
    else:
        filters = form.cleaned_data if form.is_bound else {}
        events = selectors.audit_event_list(
            actor=actor,
            action_prefix=filters.get("action") or "",
            person=filters.get("person") or "",
            case_id=filters.get("case"),
            date_from=filters.get("date_from"),
            date_to=filters.get("date_to"),
        )
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    language = get_language()
    case_id = filters.get("case")
    query = request.GET.copy()
    query.pop("page", None)
    without_case = request.GET.copy()
    without_case.pop("page", None)
    without_case.pop("case", None)
    return render(
        request,
        "accounts/audit_list.html",
        {
            "form": form,
            "page": page,
            "events": events_shown(page, organisation_id=actor.organisation_id, language=language),
            "case_filter": case_id is not None,
            "case_reference": (
                case_shown(case_id, organisation_id=actor.organisation_id, language=language)
                if case_id
                else None
            ),
            "query": query.urlencode(),
            "without_case": without_case.urlencode(),
        },
    )


@require_capability(Capability.VIEW_AUDIT)
def audit_event(request, event_id: int):
    actor = request.membership
    event = selectors.audit_event_get_for_user(actor=actor, event_id=event_id)
    (shown,) = events_shown([event], organisation_id=actor.organisation_id, language=get_language())
    return render(
        request,
        "accounts/audit_event.html",
        {"shown": shown, "can_erase": actor.can(ERASE_AUDIT_VALUES)},
    )
