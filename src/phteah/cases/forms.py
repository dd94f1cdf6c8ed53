"""Forms of the cases area. They parse input only; rules live in the services."""

import datetime as dt
from datetime import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from phteah.accounts.models import User
from phteah.core import khmer
from phteah.core.forms import ShownChoiceField, TextArea
from phteah.core.limits import INTEGER_MAX, NOTE_LENGTH
from phteah.core.submissions import OnceFormMixin
from phteah.geography.models import Province

from .domain_guidance import GUIDANCE_LENGTH
from .due import CATEGORIES, CATEGORY_LABELS
from .models import (
    Action,
    Assessment,
    CareType,
    Case,
    Goal,
    PlacementOutcome,
    RiskLevel,
    ServiceDelivery,
    Visit,
)


def _today():
    return timezone.localdate()


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name(get_language())


class MembersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name(get_language())


def _users(memberships):
    return User.objects.filter(pk__in=[m.user_id for m in memberships]).order_by("full_name")


class CaseTeamMixin:
    """Supervisor, main case worker and other case workers, from the organisation's staff."""

    def setup_team(self, *, supervisors, workers):
        self.fields["supervisor"].queryset = _users(supervisors)
        self.fields["main_worker"].queryset = _users(workers)
        self.fields["other_workers"].queryset = _users(workers)

    def clean(self):
        data = super().clean()
        main = data.get("main_worker")
        others = [user for user in data.get("other_workers") or [] if user != main]
        data["workers"] = ([main] if main else []) + others
        return data


def _choose(choices):
    """A required choice that starts with nothing chosen: an empty "Choose…" option first,
    so that nobody saves the first option of the list without having read it."""
    return [("", _("Choose…")), *choices]


class CaseForm(OnceFormMixin, CaseTeamMixin, forms.Form):
    case_type = forms.ChoiceField(label=_("Programme"), choices=_choose(Case.Type.choices))
    referral_source = forms.ChoiceField(
        label=_("Referred by"), choices=_choose(Case.ReferralSource.choices)
    )
    referral_source_detail = forms.CharField(
        label=_("Referrer's name or agency"), required=False, max_length=200
    )
    referral_reason = forms.CharField(
        label=_("Reason for referral"), max_length=NOTE_LENGTH, widget=forms.Textarea
    )
    identified_on = khmer.DateField(label=_("Date identified"))
    identified_time = khmer.TimeField(label=_("Time identified"))
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=_choose(RiskLevel.choices))
    supervisor = MemberChoiceField(label=_("Supervisor"), queryset=User.objects.none())
    main_worker = MemberChoiceField(label=_("Main case worker"), queryset=User.objects.none())
    other_workers = MembersChoiceField(
        label=_("Other case workers"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, supervisors=(), workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_team(supervisors=supervisors, workers=workers)

    def clean(self):
        data = super().clean()
        day, time = data.get("identified_on"), data.get("identified_time")
        if day and time:
            data["identified_at"] = timezone.make_aware(datetime.combine(day, time))
        return data


class CaseEditForm(CaseTeamMixin, forms.Form):
    version = khmer.IntegerField(min_value=1, max_value=INTEGER_MAX, widget=forms.HiddenInput)
    case_type = CaseForm.base_fields["case_type"]
    referral_source = CaseForm.base_fields["referral_source"]
    referral_source_detail = CaseForm.base_fields["referral_source_detail"]
    referral_reason = CaseForm.base_fields["referral_reason"]
    risk_level = CaseForm.base_fields["risk_level"]
    supervisor = MemberChoiceField(
        label=_("Supervisor"), queryset=User.objects.none(), required=False
    )
    main_worker = CaseForm.base_fields["main_worker"]
    other_workers = CaseForm.base_fields["other_workers"]

    def __init__(self, *args, supervisors=(), workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_team(supervisors=supervisors, workers=workers)


def _blank(label):
    return [("", label)]


class CaseFilterForm(forms.Form):
    search = forms.CharField(label=_("Name or reference"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(_("Any")) + Case.Status.choices
    )
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=_blank(_("Any")) + Case.Stage.choices
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level"), required=False, choices=_blank(_("Any")) + RiskLevel.choices
    )
    worker = MemberChoiceField(
        label=_("Case worker"), required=False, queryset=User.objects.none(), empty_label=_("Any")
    )
    supervisor = MemberChoiceField(
        label=_("Supervisor"), required=False, queryset=User.objects.none(), empty_label=_("Any")
    )
    care_type = forms.ChoiceField(
        label=_("Care type"), required=False, choices=_blank(_("Any")) + CareType.choices
    )
    province = forms.ModelChoiceField(
        label=_("Province"),
        required=False,
        queryset=Province.objects.order_by("code"),
        empty_label=_("Any"),
    )
    due = forms.ChoiceField(label=_("Work due"), required=False)
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("-opened_on", _("Newest first")), ("opened_on", _("Oldest first"))],
    )

    def __init__(self, *args, workers=(), supervisors=(), can_approve=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = _users(workers)
        self.fields["supervisor"].queryset = _users(supervisors)
        self.fields["due"].choices = _blank(_("Any")) + [
            (key, CATEGORY_LABELS[key]) for key in CATEGORIES if key != "approvals" or can_approve
        ]
        language = get_language()
        self.fields["province"].label_from_instance = lambda p: p.display_name(language)


class AssessmentForm(OnceFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of assessment"), choices=Assessment.Kind.choices)
    assessed_on = khmer.DateField(label=_("Date"))
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=NOTE_LENGTH, widget=forms.Textarea
    )

    SCORE_CHOICES = [
        ("", "—"),
        (1, _("1 – very poor")),
        (2, _("2 – poor")),
        (3, _("3 – fair")),
        (4, _("4 – good")),
    ]

    def __init__(self, *args, domains=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.domains = list(domains)
        language = get_language()
        for domain in self.domains:
            self.fields[f"score_{domain.pk}"] = forms.TypedChoiceField(
                label=domain.display_name(language),
                choices=self.score_choices(domain, language),
                coerce=int,
                empty_value=None,
                widget=forms.RadioSelect(attrs={"class": "choices score-choices"}),
            )
            self.fields[f"reason_{domain.pk}"] = forms.CharField(
                label=_("Reason"), required=False, max_length=500
            )

    @classmethod
    def score_choices(cls, domain, language):
        """The scores 1–4, each with what it means in *domain* beneath it."""
        choices = []
        for value, label in cls.SCORE_CHOICES[1:]:
            guidance = domain.guidance(value, language)
            if guidance:
                label = format_html(
                    '<span class="score-text">{}<span class="score-guidance">{}</span></span>',
                    label,
                    guidance,
                )
            choices.append((value, label))
        return choices

    def main_fields(self):
        return [self[name] for name in ("kind", "assessed_on", "risk_level")]

    def domain_rows(self):
        return [
            (domain, self[f"score_{domain.pk}"], self[f"reason_{domain.pk}"])
            for domain in self.domains
        ]

    def scores(self) -> dict:
        return {
            domain.pk: (
                self.cleaned_data.get(f"score_{domain.pk}"),
                self.cleaned_data.get(f"reason_{domain.pk}", ""),
            )
            for domain in self.domains
        }


class DomainForm(OnceFormMixin, forms.Form):
    name_en = forms.CharField(label=_("Name in English"), max_length=100)
    name_km = forms.CharField(label=_("Name in Khmer"), max_length=100, required=False)
    position = khmer.IntegerField(
        label=_("Position in the list"),
        required=False,
        min_value=0,
        max_value=32000,
        help_text=_("Smaller numbers come first."),
    )


def _guidance_field(label):
    return forms.CharField(
        label=label,
        required=False,
        max_length=GUIDANCE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DomainEditForm(DomainForm):
    position = khmer.IntegerField(label=_("Position in the list"), min_value=0, max_value=32000)
    is_active = forms.BooleanField(label=_("In use"), required=False)
    # What each score means in the domain, shown beside the score in assessments.
    guidance_1 = _guidance_field(_("What 1 (very poor) means, in English"))
    guidance_1_km = _guidance_field(_("What 1 (very poor) means, in Khmer"))
    guidance_2 = _guidance_field(_("What 2 (poor) means, in English"))
    guidance_2_km = _guidance_field(_("What 2 (poor) means, in Khmer"))
    guidance_3 = _guidance_field(_("What 3 (fair) means, in English"))
    guidance_3_km = _guidance_field(_("What 3 (fair) means, in Khmer"))
    guidance_4 = _guidance_field(_("What 4 (good) means, in English"))
    guidance_4_km = _guidance_field(_("What 4 (good) means, in Khmer"))


class DomainChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name(get_language())


class GoalForm(OnceFormMixin, forms.Form):
    domain = DomainChoiceField(
        label=_("Domain"), required=False, queryset=None, empty_label=_("No domain")
    )
    description = forms.CharField(label=_("Goal"), max_length=NOTE_LENGTH, widget=forms.Textarea)

    def __init__(self, *args, domains=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = domains


class GoalUpdateForm(GoalForm):
    status = forms.ChoiceField(label=_("Status"), choices=Goal.Status.choices)


class ActionForm(OnceFormMixin, forms.Form):
    description = forms.CharField(label=_("Action"), max_length=500)
    owner = MemberChoiceField(
        label=_("Who will do it (staff)"),
        required=False,
        queryset=User.objects.none(),
        empty_label="—",
    )
    owner_text = forms.CharField(
        label=_("Or someone outside the organisation"), required=False, max_length=150
    )
    due_on = khmer.DateField(label=_("Due on"), required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _users(members)


class ActionUpdateForm(ActionForm):
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices)


class PlanReviewForm(OnceFormMixin, forms.Form):
    reviewed_on = khmer.DateField(label=_("Reviewed on"))
    notes = forms.CharField(
        label=_("What the review found"), max_length=NOTE_LENGTH, widget=forms.Textarea
    )


class ConferenceForm(OnceFormMixin, forms.Form):
    held_on = khmer.DateField(label=_("Date"))
    participants = forms.CharField(
        label=_("Participants"),
        max_length=NOTE_LENGTH,
        widget=forms.Textarea,
        help_text=_(
            "One per line: name, role and agency (staff, other agencies, authorities, family)."
        ),
    )
    child_views = forms.CharField(
        label=_("The child's views"),
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea,
    )
    family_views = forms.CharField(
        label=_("The family's views"),
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea,
    )
    decisions = forms.CharField(label=_("Decisions"), max_length=NOTE_LENGTH, widget=forms.Textarea)
    next_steps = forms.CharField(
        label=_("Next steps"), required=False, max_length=NOTE_LENGTH, widget=forms.Textarea
    )


class ClosureRequestForm(OnceFormMixin, forms.Form):
    field_order = ["reason", "placement_outcome", "notes"]
    reason = forms.ChoiceField(
        label=_("Reason for closing"), choices=_blank("—") + Case.ClosureReason.choices
    )
    notes = forms.CharField(
        label=_("Closing notes"), required=False, max_length=NOTE_LENGTH, widget=forms.Textarea
    )
    placement_outcome = forms.ChoiceField(
        label=_("How the current placement ends"),
        required=False,
        choices=_blank("—")
        + [(value, label) for value, label in PlacementOutcome.choices if value != "moved"],
        help_text=_("The child's current placement ends on the day the case is closed."),
    )

    def __init__(self, *args, has_placement: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_placement:  # nothing to end
            del self.fields["placement_outcome"]


class ClosureDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve: close the case")), ("send_back", _("Send back"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note to the case worker"),
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea,
        help_text=_("Needed when you send the request back."),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the case reopened?"), max_length=NOTE_LENGTH, widget=forms.Textarea
    )


class VoidForm(forms.Form):
    """Why a mistaken record is voided (visits, services, assessments, placements)."""

    reason = forms.CharField(
        label=_("Why is this record voided?"),
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The record stays in the case file, struck through, and no longer counts in due "
            "dates or figures. A supervisor can restore it."
        ),
    )


# --- visits ----------------------------------------------------------------------------


class VisitForm(OnceFormMixin, forms.Form):
    visited_on = khmer.DateField(label=_("Date"), initial=_today)
    kind = forms.ChoiceField(
        label=_("Kind of contact"),
        choices=Visit.Kind.choices,
        initial=Visit.Kind.HOME,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    people_seen = forms.CharField(
        label=_("Who was seen"),
        max_length=300,
        required=False,
        help_text=_("For example: the child, the grandmother, the teacher."),
    )
    schooling = forms.ChoiceField(
        label=_("Schooling"),
        choices=[*Visit.Schooling.choices, ("", _("Not asked"))],
        required=False,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    wellbeing_notes = forms.CharField(
        label=_("Wellbeing notes"), required=False, max_length=NOTE_LENGTH, widget=TextArea(rows=5)
    )
    next_visit_due = khmer.DateField(label=_("Next visit due"), required=False)

    def __init__(self, *args, visit_every: int | None = None, suggest_next=True, **kwargs):
        """*visit_every*: the days within which the case must be visited again by the
        organisation's rules (``cases.due.visit_interval``); the next visit is suggested that
        many days after this one, and not at all without a rule."""
        super().__init__(*args, **kwargs)
        field = self.fields["next_visit_due"]
        if not visit_every:
            return
        field.help_text = ngettext(
            "Your organisation's rules: visit this case at least every %(days)s day, so the "
            "next visit is due by then at the latest.",
            "Your organisation's rules: visit this case at least every %(days)s days, so the "
            "next visit is due by then at the latest.",
            visit_every,
        ) % {"days": visit_every}
        if suggest_next and "next_visit_due" not in self.initial:
            self.initial["next_visit_due"] = _today() + dt.timedelta(days=visit_every)
        field.widget.attrs.update(
            {"data-suggest-after": "id_visited_on", "data-suggest-days": visit_every}
        )


# --- services delivered ----------------------------------------------------------------


class ServiceForm(OnceFormMixin, forms.Form):
    US, PARTNER, OTHER = "us", "partner", "other"

    service_type = ShownChoiceField(label=_("Service"), queryset=None, empty_label="—")
    delivered_on = khmer.DateField(label=_("Date"), initial=_today)
    provided_by = forms.ChoiceField(
        label=_("Provided by"),
        choices=[
            (US, _("Our organisation")),
            (PARTNER, _("A partner organisation")),
            (OTHER, _("Someone else")),
        ],
        initial=US,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    partner = ShownChoiceField(
        label=_("Partner organisation"), queryset=None, required=False, empty_label="—"
    )
    provider_name = forms.CharField(
        label=_("Provider's name"),
        max_length=200,
        required=False,
        help_text=_("For a provider that is not in the list: a clinic, a school, a person."),
    )
    recipient = forms.ChoiceField(
        label=_("For"),
        choices=ServiceDelivery.Recipient.choices,
        initial=ServiceDelivery.Recipient.CHILD,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    quantity = khmer.DecimalField(
        label=_("Quantity"), max_digits=9, decimal_places=2, min_value=Decimal("0.01"), initial=1
    )
    cost = khmer.DecimalField(
        label=_("Cost"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    currency = forms.ChoiceField(
        label=_("Currency"),
        choices=ServiceDelivery.Currency.choices,
        initial=ServiceDelivery.Currency.USD,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
        help_text=_("Amounts in riel have no decimals."),
    )
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False, widget=TextArea())

    def __init__(self, *args, service_types, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_type"].queryset = service_types
        self.fields["partner"].queryset = partners
        self.fields["cost"].widget.attrs["inputmode"] = "decimal"
        self.fields["quantity"].widget.attrs["inputmode"] = "decimal"
        # The page's script shows these only when the matching "provided by" is chosen.
        self.fields["partner"].widget.attrs["data-shown-when"] = f"provided_by={self.PARTNER}"
        self.fields["provider_name"].widget.attrs["data-shown-when"] = f"provided_by={self.OTHER}"

    @classmethod
    def initial_for(cls, service, own_organisation_id) -> dict:
        if service.provider_id and service.provider_id != own_organisation_id:
            provided_by = cls.PARTNER
        elif service.provider_name:
            provided_by = cls.OTHER
        else:
            provided_by = cls.US
        return {
            "service_type": service.service_type_id,
            "delivered_on": service.delivered_on,
            "provided_by": provided_by,
            "partner": service.provider_id if provided_by == cls.PARTNER else None,
            "provider_name": service.provider_name,
            "recipient": service.recipient,
            "quantity": service.quantity,
            "cost": service.cost,
            "currency": service.currency,
            "notes": service.notes,
        }

    def clean(self):
        data = super().clean()
        provided_by = data.get("provided_by")
        if provided_by == self.PARTNER and not data.get("partner"):
            self.add_error("partner", _("Choose the partner organisation."))
        if provided_by == self.OTHER and not data.get("provider_name"):
            self.add_error("provider_name", _("Type the provider's name."))
        return data

    def service_values(self) -> dict:
        """The cleaned data as the service's keyword arguments."""
        data = self.cleaned_data
        provided_by = data["provided_by"]
        return {
            "service_type": data["service_type"],
            "delivered_on": data["delivered_on"],
            "provider": data["partner"] if provided_by == self.PARTNER else None,
            "provider_name": data["provider_name"] if provided_by == self.OTHER else "",
            "recipient": data["recipient"],
            "quantity": data["quantity"],
            "cost": data["cost"],
            "currency": data["currency"],
            "notes": data["notes"],
        } | self.submitted()


class ServiceTypeForm(OnceFormMixin, forms.Form):
    name_km = forms.CharField(label=_("Name in Khmer"), max_length=150)
    name_en = forms.CharField(label=_("Name in English"), max_length=150)


class ServiceTypeEditForm(ServiceTypeForm):
    is_active = forms.BooleanField(
        label=_("In use"),
        required=False,
        help_text=_("A service no longer in use stays on the records that have it."),
    )


# --- sharing a case with a government office ---------------------------------------------


class GovernmentShareForm(forms.Form):
    grantee = ShownChoiceField(
        label=_("Government office"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
        help_text=_(
            "The provincial social affairs office (DoSVY) of the child's province, the commune "
            "council (CCWC) of the child's commune, or the ministry."
        ),
    )
    valid_until = khmer.DateField(
        label=_("Shared until"),
        required=False,
        help_text=_("Leave empty for the longest the consent allows, at most 180 days."),
    )

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grantee"].queryset = offices


class GrantAssignForm(forms.Form):
    handled_by = MemberChoiceField(label=_("Officer"), queryset=None, empty_label=None)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handled_by"].queryset = members


class AuthorityVisitForm(OnceFormMixin, forms.Form):
    visited_on = khmer.DateField(label=_("Date of the visit"), initial=_today)
    people_seen = forms.CharField(
        label=_("Who was seen"),
        max_length=300,
        required=False,
        help_text=_("For example: the child, the grandmother, the village chief."),
    )
    schooling = forms.ChoiceField(
        label=_("Schooling"),
        choices=[*Visit.Schooling.choices, ("", _("Not asked"))],
        required=False,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    wellbeing_notes = forms.CharField(
        label=_("What you saw and heard"),
        required=False,
        max_length=NOTE_LENGTH,
        widget=TextArea(rows=5),
    )
