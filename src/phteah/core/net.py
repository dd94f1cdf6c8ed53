from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the proxy-supplied one behind PHTEAH_PROXY_COUNT
    trusted proxies."""
    if getattr(settings, "AXES_IPWARE_PROXY_COUNT", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(hops) >= settings.AXES_IPWARE_PROXY_COUNT:
            return hops[-settings.AXES_IPWARE_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR") or None
