"""Helpers for django-axes (sign-in lockout)."""


def axes_username(request, credentials) -> str:
    """The email typed, normalised as sign-in matches it, so case variants count together."""
    email = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(email).strip().lower()
