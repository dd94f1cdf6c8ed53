from django.conf import settings

import phteah


def phteah_context(request):
    membership = getattr(request, "membership", None)
    return {
        "membership": membership,
        "organisation": membership.organisation if membership else None,
        "capabilities": membership.capabilities if membership else frozenset(),
        "memberships": getattr(request, "memberships", ()),
        "phteah_version": phteah.__version__,
        "idle_minutes": int(settings.PHTEAH_IDLE_TIMEOUT.total_seconds() // 60),
    }
