from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from phteah.core import khmer
from phteah.core.audit_actions import action_group_choices
from phteah.core.submissions import OnceFormMixin
from phteah.geography.forms import VillageField
from phteah.geography.models import Province

from .models import User
from .roles import Role

PASSWORD_MAX_LENGTH = 128
EMAIL_MAX_LENGTH = 254


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"),
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _("The email address or password is not correct."),
        "inactive": _("This account is not active."),
    }


class TokenForm(forms.Form):
    token = khmer.CharField(
        label=_("Six-digit code"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError(_("Enter the six digits shown in your authenticator app."))
        return token


class NumeralsForm(forms.Form):
    """The digits of one's pages, chosen on one's account page."""

    numerals = forms.ChoiceField(
        label=_("Digits"),
        choices=User._meta.get_field("numerals").choices,
        required=False,
        widget=forms.RadioSelect,
    )


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        label=_("Current password"),
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        help_text=_("At least 10 characters; not only numbers, and not a common password."),
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords are different."))
        return data


class OrganisationSettingsForm(forms.Form):
    name_km = forms.CharField(label=_("Name in Khmer"), max_length=200, required=False)
    provinces = forms.ModelMultipleChoiceField(
        label=_("Provinces covered"),
        queryset=Province.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    require_two_factor_for_all = forms.BooleanField(
        label=_("Require two-factor authentication for every member"),
        required=False,
        help_text=_("Administrators and supervisors always need it."),
    )

    def __init__(self, *args, language="km", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provinces"].label_from_instance = lambda p: p.display_name(language)


def _office_field(offices):
    return forms.ModelChoiceField(
        label=_("Office"), queryset=offices, required=False, empty_label=_("No office")
    )


class InvitationForm(OnceFormMixin, forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=EMAIL_MAX_LENGTH)
    full_name = forms.CharField(
        label=_("Name in Latin letters"),
        max_length=150,
        help_text=_("A person who already has a Phteah account keeps the name they use."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"] = _office_field(offices)


class InvitationAccountForm(forms.Form):
    """A person without an account accepting an invitation: their name and password."""

    full_name = forms.CharField(label=_("Your name in Latin letters"), max_length=150)
    full_name_km = forms.CharField(label=_("Your name in Khmer"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="km")
    password = forms.CharField(
        label=_("Choose a password"),
        help_text=_("At least 10 characters; not only numbers, and not a common password."),
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("The password again"),
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords are different."))
        return data


class MemberEditForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    is_active = forms.BooleanField(
        label=_("Active: may sign in and work for the organisation"), required=False
    )

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"] = _office_field(offices)
        self.order_fields(["role", "office", "is_active"])


class OfficeForm(OnceFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    village = VillageField(label=_("Address"), required=False)
    address_detail = forms.CharField(
        label=_("House, street and other details"), max_length=300, required=False
    )
    phone = khmer.CharField(label=_("Phone"), max_length=30, required=False)


class OfficeEditForm(OfficeForm):
    is_active = forms.BooleanField(
        label=_("Open: staff can be placed in this office"), required=False
    )


class AuditFilterForm(forms.Form):
    """The audit trail's filters. Dates may be typed with Khmer digits; a date outside
    1900–2100 is refused with a message (khmer.DateField: it cannot be a date of the trail)."""

    action = forms.ChoiceField(
        label=_("Type of event"),
        required=False,
        choices=action_group_choices,
    )
    person = forms.CharField(
        label=_("Member of staff"),
        required=False,
        max_length=100,
        help_text=_("Part of their name or email address."),
    )
    case = forms.UUIDField(required=False, widget=forms.HiddenInput)
    date_from = khmer.DateField(label=_("From"), required=False)
    date_to = khmer.DateField(label=_("To"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date must be before the end date."))
        return data
