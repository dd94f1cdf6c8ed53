"""Sign-ins, failed sign-ins, lock-outs and sign-outs go to the audit trail. A sign-in
refused only because its IP address is locked (see ``auth``) is recorded as that refusal,
never as a failure or lock-out of the account typed."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from phteah.core.net import client_ip

from .auth import ADDRESS_ONLY
from .services import session_record


def _account(email: str):
    if not email:
        return None
    return get_user_model().objects.filter(email__iexact=email.strip()).first()


@receiver(user_logged_in)
def on_logged_in(sender, request, user, **kwargs):
    session_record(action="accounts.login.succeeded", actor=user, ip=client_ip(request))


@receiver(user_logged_out)
def on_logged_out(sender, request, user, **kwargs):
    if user is None or getattr(request, "phteah_logout_reason", "") == "idle":
        return
    session_record(action="accounts.logout", actor=user, ip=client_ip(request))


def _address_only(request) -> bool:
    return bool(getattr(request, ADDRESS_ONLY, False))


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    email = str(credentials.get("username") or credentials.get("email") or "")
    refused = _address_only(request)
    session_record(
        action="accounts.login.refused" if refused else "accounts.login.failed",
        subject=_account(email),
        email=email,
        ip=client_ip(request) if request is not None else None,
        data={"locked": "ip_address"} if refused else None,
    )


@receiver(user_locked_out)
def on_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    if _address_only(request):
        return  # recorded as a refused sign-in: the account typed is not locked
    email = str(username or "")
    session_record(
        action="accounts.login.locked_out",
        subject=_account(email),
        email=email,
        ip=ip_address or (client_ip(request) if request is not None else None),
    )
