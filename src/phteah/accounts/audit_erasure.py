"""The page where an organisation's administrator erases values from one audit event: a
name typed on the wrong child, a value a retention limit or a court order says must go.

The page shows the event's values with a checkbox each and asks for the reason; posting
shows what will be erased and asks to confirm; confirming erases (``audit_values_erase``:
value and salt removed, digest kept, the erasure itself recorded). Only administrators
reach it, and only for their own organisation's events: anything else is 404."""

import hashlib

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phteah.core.access import require_capability
from phteah.core.audit.display import event_value_texts, events_shown
from phteah.core.audit.erasure import (
    REASON_MAX_LENGTH,
    audit_event_get_for_erasure,
    audit_values_erase,
    erasable_values,
)
from phteah.core.errors import ServiceError, add_to_form
from phteah.core.net import client_ip

from .roles import Capability


class AuditEraseForm(forms.Form):
    paths = forms.MultipleChoiceField(
        label=gettext_lazy("Values to erase"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose the values to erase.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy(
            "Why these values must go: a court order, a retention limit, a record entered "
            "on the wrong child. It is kept in the audit trail with the erasure."
        ),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # The page's own token, never an input to validate: whatever else comes back (edited,
    # or hostile) just leaves the erasure unconfirmed, so the page asks again.
    confirmed = forms.Field(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        values = erasable_values(event)
        texts = event_value_texts(event, list(values), organisation_id=event.organisation_id)
        self.fields["paths"].choices = [(path, texts[path]) for path in values]

    def confirmation(self) -> str:
        """What the user was asked to confirm, so a confirmation counts only for it."""
        reason = self.cleaned_data["reason"].replace("\r\n", "\n")
        text = "\x1f".join([*sorted(self.cleaned_data["paths"]), reason])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def is_confirmed(self) -> bool:
        return self.cleaned_data.get("confirmed") == self.confirmation()


@require_capability(Capability.ERASE_AUDIT_VALUES)
def audit_erase(request, event_id):
    event = audit_event_get_for_erasure(actor=request.membership, event_id=event_id)
    form = AuditEraseForm(request.POST or None, event=event)
    confirming = False
    if request.method == "POST" and form.is_valid():
        if not form.is_confirmed():
            # Show what will be erased; posting again with the same choice erases it.
            data = request.POST.copy()
            data["confirmed"] = form.confirmation()
            form = AuditEraseForm(data, event=event)
            form.is_valid()
            confirming = True
        else:
            try:
                audit_values_erase(
                    actor=request.membership,
                    event_ids=[event.pk],
                    paths=form.cleaned_data["paths"],
                    reason=form.cleaned_data["reason"],
                    ip=client_ip(request),
                )
            except ServiceError as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("The values were erased. The erasure is recorded."))
                return redirect("accounts:audit_erase", event_id=event.pk)
    chosen = set(form.cleaned_data.get("paths", [])) if confirming else set()
    shown = events_shown([event], organisation_id=event.organisation_id)[0]
    return render(
        request,
        "accounts/audit_erase.html",
        {
            "event": event,
            "shown": shown,
            "form": form,
            "confirming": confirming,
            "to_erase": [label for path, label in form.fields["paths"].choices if path in chosen],
        },
    )
