"""Helpers for django-axes (sign-in lockout).

Axes locks an account after repeated failures for its email (from any address), and
separately an IP address after repeated failures from it (for any email); see
``AXES_LOCKOUT_PARAMETERS``. A sign-in refused because the *address* is locked is refused
before its password is even checked, yet axes would count it against the email typed as
well: the account of a colleague signing in correctly from the same office network would
collect failures and end up locked everywhere. So an attempt refused only because of its
address is attributed to the address alone (the empty username below): it still counts for
the address's lock, as before, and never for the account's. An account that is itself
locked is counted as before."""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

# Set on the request when its attempt is refused only because its address is locked.
ADDRESS_ONLY = "phteah_lock_address_only"


def _email(request, credentials) -> str:
    email = (credentials or {}).get("username")
    if not email and request is not None:
        email = request.POST.get("username", "")
    return str(email or "").strip().lower()


def _failures(request, **where) -> int:
    attempts = AccessAttempt.objects.filter(**where)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def address_only_lock(request, credentials) -> bool:
    """True when the sign-in is refused because its IP address is locked while the account
    typed is not. Decided once per request, before the attempt is recorded."""
    decided = getattr(request, ADDRESS_ONLY, None)
    if decided is None:
        ip = getattr(request, "axes_ip_address", None)
        email = _email(request, credentials)
        limit = get_failure_limit(request, credentials)
        decided = bool(
            ip
            and email
            and _failures(request, ip_address=ip) >= limit
            and _failures(request, username=email) < limit
        )
        setattr(request, ADDRESS_ONLY, decided)
    return decided


def axes_username(request, credentials) -> str:
    """The email typed, normalised as sign-in matches it, so case variants count together;
    empty for an attempt refused only because its address is locked (see above)."""
    email = _email(request, credentials)
    if request is None or getattr(request, "axes_ip_address", None) is None:
        return email
    if request.method == "POST" and address_only_lock(request, credentials):
        return ""
    return email
