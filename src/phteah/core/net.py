import ipaddress
from contextvars import ContextVar

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address in canonical form: REMOTE_ADDR, or, behind
    PHTEAH_PROXY_COUNT trusted proxies, the address the outermost of them saw. Anything
    that is not an IP address gives None."""
    if request is None:
        return None
    proxies = getattr(settings, "PHTEAH_PROXY_COUNT", 0)
    if proxies:
        hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop]
        if len(hops) >= proxies:
            return _valid(hops[-proxies])
    return _valid(request.META.get("REMOTE_ADDR") or "")


# The client address of the request being served (set by RequestIPMiddleware), so that what
# records an access deep inside an access function knows where it came from.
current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)


class RequestIPMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
