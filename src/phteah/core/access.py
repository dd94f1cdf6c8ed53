"""The access layer's shared pieces.

Every record type has one access function (``office_get_for_user``, later
``case_get_for_user``...) that returns the object or raises ``Http404`` — the same answer
for "does not exist" and "not yours". Views only reach objects through them.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from phteah.accounts.roles import Capability


def require_capability(capability: Capability):
    """View decorator: the current membership must grant *capability*, else 404."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = getattr(request, "membership", None)
            if membership is None or not membership.can(capability):
                raise Http404
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability
        return wrapped

    return decorator


def membership_required(view):
    """View decorator: the user must belong to an organisation, else 404."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "membership", None) is None:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped
