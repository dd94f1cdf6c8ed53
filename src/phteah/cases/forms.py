"""Forms of the cases area. They parse input only; rules live in the services."""

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from phteah.accounts.models import User
from phteah.care.models import CareType
from phteah.core import khmer
from phteah.geography.models import Province
from phteah.work.selectors import CATEGORIES, CATEGORY_LABELS

from .models import Action, Assessment, Case, Goal, RiskLevel


class TimeField(khmer.KhmerDigitsMixin, forms.TimeField):
    widget = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


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


class CaseForm(CaseTeamMixin, forms.Form):
    case_type = forms.ChoiceField(label=_("Programme"), choices=Case.Type.choices)
    referral_source = forms.ChoiceField(label=_("Referred by"), choices=Case.ReferralSource.choices)
    referral_source_detail = forms.CharField(
        label=_("Referrer's name or agency"), required=False, max_length=200
    )
    referral_reason = forms.CharField(label=_("Reason for referral"), widget=forms.Textarea)
    identified_on = khmer.DateField(label=_("Date identified"))
    identified_time = TimeField(label=_("Time identified"))
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
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
    version = forms.IntegerField(widget=forms.HiddenInput)
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


class AssessmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of assessment"), choices=Assessment.Kind.choices)
    assessed_on = khmer.DateField(label=_("Date"))
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea)

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
                choices=self.SCORE_CHOICES,
                coerce=int,
                empty_value=None,
            )
            self.fields[f"reason_{domain.pk}"] = forms.CharField(
                label=_("Reason"), required=False, max_length=500
            )

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


class DomainForm(forms.Form):
    name_en = forms.CharField(label=_("Name in English"), max_length=100)
    name_km = forms.CharField(label=_("Name in Khmer"), max_length=100, required=False)
    position = khmer.IntegerField(
        label=_("Position in the list"),
        required=False,
        min_value=0,
        max_value=32000,
        help_text=_("Smaller numbers come first."),
    )


class DomainEditForm(DomainForm):
    position = khmer.IntegerField(label=_("Position in the list"), min_value=0, max_value=32000)
    is_active = forms.BooleanField(label=_("In use"), required=False)


class DomainChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name(get_language())


class GoalForm(forms.Form):
    domain = DomainChoiceField(
        label=_("Domain"), required=False, queryset=None, empty_label=_("No domain")
    )
    description = forms.CharField(label=_("Goal"), widget=forms.Textarea)

    def __init__(self, *args, domains=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = domains


class GoalUpdateForm(GoalForm):
    status = forms.ChoiceField(label=_("Status"), choices=Goal.Status.choices)


class ActionForm(forms.Form):
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


class PlanReviewForm(forms.Form):
    reviewed_on = khmer.DateField(label=_("Reviewed on"))
    notes = forms.CharField(label=_("What the review found"), widget=forms.Textarea)


class ConferenceForm(forms.Form):
    held_on = khmer.DateField(label=_("Date"))
    participants = forms.CharField(
        label=_("Participants"),
        widget=forms.Textarea,
        help_text=_(
            "One per line: name, role and agency (staff, other agencies, authorities, family)."
        ),
    )
    child_views = forms.CharField(
        label=_("The child's views"), required=False, widget=forms.Textarea
    )
    family_views = forms.CharField(
        label=_("The family's views"), required=False, widget=forms.Textarea
    )
    decisions = forms.CharField(label=_("Decisions"), widget=forms.Textarea)
    next_steps = forms.CharField(label=_("Next steps"), required=False, widget=forms.Textarea)


class ClosureRequestForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason for closing"), choices=_blank("—") + Case.ClosureReason.choices
    )
    notes = forms.CharField(label=_("Closing notes"), required=False, widget=forms.Textarea)


class ClosureDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve: close the case")), ("send_back", _("Send back"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note to the case worker"),
        required=False,
        widget=forms.Textarea,
        help_text=_("Needed when you send the request back."),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why is the case reopened?"), widget=forms.Textarea)
