"""Places: the search page and the JSON endpoint behind the address picker."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from phteah.core.access import membership_required
from phteah.core.khmer import to_ascii_digits

from .forms import PlaceSearchForm
from .selectors import LEVELS, place_children, place_search, province_matches

SEARCH_LIMIT = 30
# Geography changes only when it is reloaded; let the browser keep the lists for a while.
CHILDREN_MAX_AGE = 60 * 60


@membership_required
@require_GET
def children(request: HttpRequest) -> JsonResponse:
    """``?level=district&parent=02`` → ``{"results": [{"key", "code", "name_km", "name_en"}]}``.

    ``level=province`` needs no parent. Khmer digits are accepted in the parent code."""
    level = request.GET.get("level", "")
    parent = to_ascii_digits(request.GET.get("parent", "")).strip()
    if level not in LEVELS:
        return JsonResponse({"error": _("Unknown level.")}, status=400)
    if level != "province" and not parent.isdigit():
        return JsonResponse({"error": _("Choose the place above first.")}, status=400)
    rows = place_children(level=level, parent_code=parent)
    response = JsonResponse({"results": [row._asdict() for row in rows]})
    patch_cache_control(response, private=True, max_age=CHILDREN_MAX_AGE)
    return response


@membership_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Find a province, district, commune or village by name (Khmer or English) or code."""
    form = PlaceSearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    matches = place_search(query=query, limit=SEARCH_LIMIT) if query else province_matches()
    context = {
        "form": form,
        "query": query,
        "matches": matches,
        "limited": bool(query) and len(matches) >= SEARCH_LIMIT,
        "limit": SEARCH_LIMIT,
    }
    return render(request, "geography/search.html", context)
