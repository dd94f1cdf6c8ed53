"""Request set-up for signed-in users: idle timeout, their language, their organisation
(and the ORM scope that goes with it), and the two-factor / new-password gates."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope, scopes_disabled

from phteah.core.net import client_ip

from .selectors import membership_list_for_user
from .services import session_record

SESSION_ORGANISATION = "phteah_organisation"
SESSION_LAST_SEEN = "phteah_last_seen"
SESSION_NO_DEVICE = "phteah_no_totp_device"
TOUCH_EVERY_SECONDS = 60


class IdleTimeoutMiddleware:
    """Signs a user out after PHTEAH_IDLE_TIMEOUT without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(SESSION_LAST_SEEN)
            if last_seen and now - last_seen > settings.PHTEAH_IDLE_TIMEOUT.total_seconds():
                user = request.user
                request.phteah_logout_reason = "idle"
                logout(request)
                session_record(action="accounts.session.expired", actor=user, ip=client_ip(request))
                messages.info(request, _("You were signed out after a period of inactivity."))
                return redirect_to_login(request.get_full_path())
            if not last_seen or now - last_seen > TOUCH_EVERY_SECONDS:
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in user's saved language wins over the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class MembershipMiddleware:
    """Chooses the organisation the user is working in and runs the request inside its
    ORM scope, so a query on organisation-owned data can never leave it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.memberships = membership_list_for_user(user=request.user)
        request.membership = None
        if request.memberships:
            wanted = request.session.get(SESSION_ORGANISATION)
            request.membership = next(
                (m for m in request.memberships if str(m.organisation_id) == wanted),
                request.memberships[0],
            )
            with scope(organisation=request.membership.organisation_id):
                return self.get_response(request)
        if request.user.is_superuser and request.path.startswith(reverse("admin:index")):
            with scopes_disabled():
                return self.get_response(request)
        with scope(organisation=[]):
            return self.get_response(request)


GATE_EXEMPT_URL_NAMES = (
    "accounts:logout",
    "accounts:two_factor_setup",
    "accounts:two_factor_verify",
    "accounts:set_language",
)
# Open before the second factor only to an account that has no authenticator (a temporary
# password to replace before setting one up): with one, its code comes first.
WITHOUT_DEVICE_URL_NAMES = ("accounts:password_change",)


class TwoFactorRequiredMiddleware:
    """Members whose role (or organisation) requires two-factor authentication must verify a
    code before anything else, and so must anyone who set up an authenticator; users with a
    temporary password must first choose their own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt = None
        self._without_device = None

    def exempt_paths(self):
        if self._exempt is None:
            self._exempt = {reverse(name) for name in GATE_EXEMPT_URL_NAMES}
            self._without_device = {reverse(name) for name in WITHOUT_DEVICE_URL_NAMES}
        return self._exempt

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated or request.path in self.exempt_paths():
            return self.get_response(request)
        if request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        if not user.is_verified():
            membership = request.membership
            required = user.is_superuser or (membership and membership.requires_two_factor)
            # "No authenticator" is remembered for the session (only this session's own
            # set-up, which verifies it, can add one), so most requests make no query for it.
            has_device = False
            if request.session.get(SESSION_NO_DEVICE) != str(user.pk):
                has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
                if not has_device:
                    request.session[SESSION_NO_DEVICE] = str(user.pk)
            if has_device:
                target = reverse("accounts:two_factor_verify")
                return redirect(f"{target}?next={request.get_full_path()}")
            if required and request.path not in self._without_device:
                target = reverse("accounts:two_factor_setup")
                return redirect(f"{target}?next={request.get_full_path()}")
        if user.must_change_password and request.path not in self._without_device:
            return redirect("accounts:password_change")
        return self.get_response(request)
