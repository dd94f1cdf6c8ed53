import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from phteah.core.access import require_capability
from phteah.core.errors import NotFound, ServiceError, form_saved
from phteah.core.net import client_ip
from phteah.core.submissions import saved_message

from . import selectors, services
from .forms import (
    EmailAuthenticationForm,
    InvitationAccountForm,
    InvitationForm,
    MemberEditForm,
    NumeralsForm,
    OfficeEditForm,
    OfficeForm,
    OrganisationSettingsForm,
    PasswordChangeForm,
    TokenForm,
)
from .middleware import SESSION_ORGANISATION
from .models import Organisation
from .roles import CAPABILITY_LABELS, ROLE_CAPABILITIES, Capability, Role
from .tasks import invitation_link

SESSION_PENDING_DEVICE = "phteah_pending_totp"
# The token of the invitation link this browser opened: the link's page moves it here and
# redirects to an address without it (so it is not left in the history or sent as Referer).
SESSION_INVITATION_TOKEN = "phteah_invitation_token"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        """People who work with cases start from their work list; others from the home page."""
        for membership in selectors.membership_list_for_user(user=self.request.user)[:1]:
            if membership.can(Capability.VIEW_OWN_CASES) or membership.can(
                Capability.VIEW_ALL_CASES
            ):
                return reverse("work:my_work")
        return super().get_default_redirect_url()

    def form_valid(self, form):
        """After sign-in the account's language wins over the one chosen on the login page,
        and the cookie remembers it for the next login page on this device."""
        response = super().form_valid(form)
        language = form.get_user().language
        if language in dict(settings.LANGUAGES):
            translation.activate(language)
            remember_language(response, language)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lock_failures"] = settings.AXES_FAILURE_LIMIT
        context["lock_minutes"] = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        return context


class LogoutView(auth_views.LogoutView):
    pass


def locked_out(request, credentials, *args, **kwargs):
    """Called by django-axes when an account or address is locked."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked.html", {"minutes": minutes}, status=429)


def _next_url(request, default="accounts:home"):
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return default


@login_required
def profile(request):
    """One's account; the choice of digits is sent here."""
    form = NumeralsForm(request.POST or None, initial={"numerals": request.user.numerals})
    if form_saved(
        request,
        form,
        lambda: services.user_set_numerals(
            actor=request.user,
            numerals=form.cleaned_data["numerals"],
            ip=client_ip(request),
        ),
    ):
        messages.success(request, _("Your choice of digits is saved."))
        return redirect("accounts:profile")
    has_device = selectors.user_has_authenticator(user=request.user)
    return render(
        request, "accounts/profile.html", {"has_device": has_device, "numerals_form": form}
    )


@login_required
def password_change(request):
    """Change one's password: after the second factor when the account has one."""
    verified = request.user.is_verified()
    if not verified and selectors.user_has_authenticator(user=request.user):
        return redirect(f"{reverse('accounts:two_factor_verify')}?next={request.path}")
    form = PasswordChangeForm(request.POST or None)
    if form_saved(
        request,
        form,
        lambda: services.user_change_password(
            actor=request.user,
            current_password=form.cleaned_data["current_password"],
            new_password=form.cleaned_data["new_password"],
            second_factor_verified=verified,
            ip=client_ip(request),
        ),
    ):
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect("accounts:home")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def two_factor_setup(request):
    has_confirmed = selectors.user_has_authenticator(user=request.user)
    if has_confirmed and not request.user.is_verified():
        # Replacing an authenticator needs the current one: a password alone is not enough.
        return redirect(f"{reverse('accounts:two_factor_verify')}?next={request.path}")
    device = None
    pending_id = request.session.get(SESSION_PENDING_DEVICE)
    if pending_id:
        device = TOTPDevice.objects.filter(
            pk=pending_id, user=request.user, confirmed=False
        ).first()
    if device is None:
        device = services.two_factor_device_begin(actor=request.user)
        request.session[SESSION_PENDING_DEVICE] = device.pk
    form = TokenForm(request.POST or None)
    if form_saved(
        request,
        form,
        lambda: services.two_factor_device_confirm(
            actor=request.user,
            device_id=device.pk,
            token=form.cleaned_data["token"],
            ip=client_ip(request),
        ),
    ):
        request.session.pop(SESSION_PENDING_DEVICE, None)
        otp_login(request, device)
        messages.success(request, _("Two-factor authentication is set up."))
        return redirect(_next_url(request))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, omitsize=True)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr": qr,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _next_url(request, ""),
        },
    )


@login_required
def two_factor_verify(request):
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect("accounts:two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _detail = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(_next_url(request))
        services.session_record(
            action="accounts.two_factor.failed", actor=request.user, ip=client_ip(request)
        )
        form.add_error(
            "token",
            _("That code is not correct. Wait for a new code and try again.")
            if allowed
            else _("Too many wrong codes. Wait a minute and try again."),
        )
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request, "")}
    )


@login_required
@require_POST
def organisation_switch(request):
    wanted = request.POST.get("organisation", "")
    if any(str(m.organisation_id) == wanted for m in request.memberships):
        request.session[SESSION_ORGANISATION] = wanted
    return redirect("accounts:home")


@require_capability(Capability.MANAGE_SETTINGS)
def organisation_settings(request):
    organisation = Organisation.objects.prefetch_related("provinces").get(
        pk=request.membership.organisation_id
    )
    initial = {
        "name_km": organisation.name_km,
        "provinces": list(organisation.provinces.all()),
        "require_two_factor_for_all": organisation.require_two_factor_for_all,
    }
    form = OrganisationSettingsForm(request.POST or None, initial=initial, language=get_language())
    if request.method == "POST" and form.is_valid():
        services.organisation_update(
            actor=request.membership, ip=client_ip(request), **form.cleaned_data
        )
        messages.success(request, _("The organisation's settings were saved."))
        return redirect("accounts:organisation_settings")
    return render(
        request,
        "accounts/organisation_settings.html",
        {"form": form, "the_organisation": organisation},
    )


@require_capability(Capability.MANAGE_USERS)
def member_list(request):
    search = request.GET.get("q", "").strip()[:100]
    role = request.GET.get("role", "")
    members = selectors.member_list(
        actor=request.membership, search=search, role=role if role in Role.values else ""
    )
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    now = timezone.now()
    return render(
        request,
        "accounts/member_list.html",
        {
            "page": page,
            "q": search,
            "role": role,
            "roles": Role.choices,
            "query": query.urlencode(),
            "invitations": [
                (invitation, invitation.status_at(now))
                for invitation in selectors.invitation_list(actor=request.membership)
            ],
            "role_capabilities": [
                (label, [CAPABILITY_LABELS[c] for c in Capability if c in ROLE_CAPABILITIES[value]])
                for value, label in Role.choices
            ],
        },
    )


def _site_url(request) -> str:
    """Where the links in e-mails point: this site, as the request reached it (the host is
    one of ALLOWED_HOSTS)."""
    return request.build_absolute_uri("/")


@require_capability(Capability.MANAGE_USERS)
def member_add(request):
    """Invite someone to the organisation. The answer is the same whatever the address:
    whether it has an account, here or anywhere, is never shown."""
    offices = selectors.office_list(actor=request.membership)
    form = InvitationForm(request.POST or None, offices=offices, submitter=request.user)
    sent = {}

    def save():
        sent["invitation"], token = services.invitation_create(
            actor=request.membership,
            site_url=_site_url(request),
            ip=client_ip(request),
            **form.cleaned_data,
        )
        if token is not None:  # None: this form was sent before (the invitation is out)
            sent["link"] = invitation_link(_site_url(request), token)

    if form_saved(request, form, save):
        if form.replayed:
            saved_message(request, form, "")
            return redirect("accounts:member_list")
        return render(request, "accounts/invitation_sent.html", sent)
    return render(
        request,
        "accounts/member_add.html",
        {"form": form, "valid_days": services.INVITATION_VALID_FOR.days},
    )


@require_capability(Capability.MANAGE_USERS)
@require_POST
def invitation_resend(request, invitation_id):
    try:
        invitation, token = services.invitation_resend(
            actor=request.membership,
            invitation_id=invitation_id,
            site_url=_site_url(request),
            ip=client_ip(request),
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("accounts:member_list")
    return render(
        request,
        "accounts/invitation_sent.html",
        {"invitation": invitation, "link": invitation_link(_site_url(request), token)},
    )


@require_capability(Capability.MANAGE_USERS)
@require_POST
def invitation_cancel(request, invitation_id):
    try:
        services.invitation_cancel(
            actor=request.membership, invitation_id=invitation_id, ip=client_ip(request)
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The invitation was cancelled. Its link no longer works."))
    return redirect("accounts:member_list")


@require_capability(Capability.MANAGE_USERS)
def member_edit(request, membership_id):
    member = selectors.member_get_for_user(actor=request.membership, membership_id=membership_id)
    offices = selectors.office_list(actor=request.membership)
    initial = {"role": member.role, "office": member.office, "is_active": member.is_active}
    form = MemberEditForm(request.POST or None, initial=initial, offices=offices)
    if form_saved(
        request,
        form,
        lambda: services.member_update(
            actor=request.membership,
            membership_id=member.pk,
            ip=client_ip(request),
            **form.cleaned_data,
        ),
    ):
        messages.success(request, _("The changes were saved."))
        return redirect("accounts:member_list")
    has_device = selectors.user_has_authenticator(user=member.user)
    return render(
        request,
        "accounts/member_edit.html",
        {"form": form, "member": member, "has_device": has_device},
    )


@require_capability(Capability.MANAGE_USERS)
@require_POST
def member_reset_password(request, membership_id):
    member = selectors.member_get_for_user(actor=request.membership, membership_id=membership_id)
    try:
        password = services.member_reset_password(
            actor=request.membership, membership_id=member.pk, ip=client_ip(request)
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("accounts:member_edit", membership_id=member.pk)
    return render(
        request,
        "accounts/member_password_reset.html",
        {"member": member, "password": password},
    )


@require_capability(Capability.MANAGE_USERS)
@require_POST
def member_reset_two_factor(request, membership_id):
    member = selectors.member_get_for_user(actor=request.membership, membership_id=membership_id)
    try:
        services.member_reset_two_factor(
            actor=request.membership, membership_id=member.pk, ip=client_ip(request)
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("accounts:member_edit", membership_id=member.pk)
    messages.success(
        request,
        _("%(name)s will set up two-factor authentication again at their next sign-in.")
        % {"name": member.user.display_name(get_language())},
    )
    return redirect("accounts:member_edit", membership_id=member.pk)


# --- answering an invitation -----------------------------------------------------------


def _invitation_invalid(request):
    return render(request, "accounts/invitation_invalid.html", status=404)


def invitation_open(request, token):
    """The link in an invitation: remembered for this browser, then the invitation's page."""
    try:
        selectors.invitation_opened(token=token, user=request.user)
    except NotFound:
        return _invitation_invalid(request)
    request.session[SESSION_INVITATION_TOKEN] = token
    return redirect("accounts:invitation_respond")


def invitation_respond(request):
    """The invitation whose link this browser opened. Signed in with the invited address:
    accept or decline. Not signed in: sign in to accept, or choose a name and password."""
    token = request.session.get(SESSION_INVITATION_TOKEN, "")
    try:
        invitation = selectors.invitation_get_by_token(token=token, user=request.user)
    except NotFound:
        request.session.pop(SESSION_INVITATION_TOKEN, None)
        return _invitation_invalid(request)
    context = {"invitation": invitation}
    if request.user.is_authenticated:
        context["for_this_account"] = invitation.email == request.user.email.lower()
        return render(request, "accounts/invitation_respond.html", context)
    form = InvitationAccountForm(
        request.POST or None, initial={"full_name": invitation.full_name, "language": "km"}
    )
    created = {}

    def save():
        created["membership"] = services.invitation_accept_with_new_account(
            token=token, ip=client_ip(request), **_account_values(form.cleaned_data)
        )

    if form_saved(request, form, save):
        membership = created["membership"]
        request.session.pop(SESSION_INVITATION_TOKEN, None)
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[SESSION_ORGANISATION] = str(membership.organisation_id)
        messages.success(
            request,
            _("Welcome. Your account was created and you are now a member of %(organisation)s.")
            % {"organisation": invitation.organisation.display_name(get_language())},
        )
        return redirect("accounts:home")
    context["form"] = form
    respond = reverse("accounts:invitation_respond")
    context["login_url"] = f"{reverse('accounts:login')}?next={respond}"
    return render(request, "accounts/invitation_respond.html", context)


def _account_values(data: dict) -> dict:
    return {
        "full_name": data["full_name"],
        "full_name_km": data["full_name_km"],
        "language": data["language"],
        "password": data["password"],
    }


@login_required
@require_POST
def invitation_accept(request, invitation_id):
    try:
        membership = services.invitation_accept(
            actor=request.user, invitation_id=invitation_id, ip=client_ip(request)
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("accounts:home")
    request.session.pop(SESSION_INVITATION_TOKEN, None)
    request.session[SESSION_ORGANISATION] = str(membership.organisation_id)
    messages.success(
        request,
        _("You are now a member of %(organisation)s.")
        % {"organisation": membership.organisation.display_name(get_language())},
    )
    return redirect("accounts:home")


@login_required
@require_POST
def invitation_decline(request, invitation_id):
    services.invitation_decline(
        actor=request.user, invitation_id=invitation_id, ip=client_ip(request)
    )
    request.session.pop(SESSION_INVITATION_TOKEN, None)
    messages.success(request, _("You declined the invitation."))
    return redirect("accounts:home")


@require_capability(Capability.MANAGE_OFFICES)
def office_list(request):
    offices = selectors.office_list(actor=request.membership, include_inactive=True)
    return render(request, "accounts/office_list.html", {"offices": offices})


@require_capability(Capability.MANAGE_OFFICES)
def office_add(request):
    form = OfficeForm(request.POST or None, submitter=request.user)
    if form_saved(
        request,
        form,
        lambda: services.office_create(
            actor=request.membership, ip=client_ip(request), **form.cleaned_data
        ),
    ):
        saved_message(request, form, _("The office was added."))
        return redirect("accounts:office_list")
    return render(request, "accounts/office_form.html", {"form": form})


@require_capability(Capability.MANAGE_OFFICES)
def office_edit(request, office_id):
    office = selectors.office_get_for_user(actor=request.membership, office_id=office_id)
    initial = {
        "name": office.name,
        "village": office.village,
        "address_detail": office.address_detail,
        "phone": office.phone,
        "is_active": office.is_active,
    }
    form = OfficeEditForm(request.POST or None, initial=initial)
    if form_saved(
        request,
        form,
        lambda: services.office_update(
            actor=request.membership,
            office_id=office.pk,
            ip=client_ip(request),
            **form.cleaned_data,
        ),
    ):
        messages.success(request, _("The office was saved."))
        return redirect("accounts:office_list")
    return render(request, "accounts/office_form.html", {"form": form, "office": office})


# --- home and language ---------------------------------------------------------------


@login_required
def home(request):
    membership = request.membership
    capabilities = [CAPABILITY_LABELS[c] for c in Capability if membership and membership.can(c)]
    return render(
        request,
        "accounts/home.html",
        {
            "capability_labels": capabilities,
            "invitations": selectors.invitation_list_for_invitee(user=request.user),
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
        services.user_set_language(actor=request.user, language=language, ip=client_ip(request))
    remember_language(response, language)
    return response


def remember_language(response, language):
    """The language cookie, which chooses the language of pages before sign-in."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
    )
