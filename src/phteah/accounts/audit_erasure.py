"""The page where an organisation's administrator erases values from one audit event: a
name typed on the wrong child, a value a retention limit or a court order says must go.

The page shows the event's values with a checkbox each and asks for the reason; posting
shows what will be erased and asks to confirm; confirming erases (``audit_values_erase``:
value and salt removed, digest kept, the erasure itself recorded). Only administrators
reach it, and only for their own organisation's events: anything else is 404."""

import hashlib
import uuid
from datetime import datetime

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from phteah.core.access import require_capability
from phteah.core.audit.erasure import (
    REASON_MAX_LENGTH,
    audit_event_get_for_erasure,
    audit_values_erase,
    erasable_values,
)
from phteah.core.audit_actions import FIELD_LABELS, describe, display_value
from phteah.core.errors import ServiceError, add_to_form
from phteah.core.net import client_ip

from .models import User
from .roles import Capability


def _value_text(event, path: str, value) -> str:
    """One value of the event as the viewer reads it: its label, then the value."""
    if path == "ip":
        return _("IP address: %(value)s") % {"value": value}
    if path == "actor_label":
        return _("Recorded as: %(value)s") % {"value": value}
    section, _dot, name = path.partition(".")
    label = FIELD_LABELS.get(name, name)
    if section == "changes" and isinstance(value, list) and len(value) == 2:
        return _("%(field)s: %(old)s → %(new)s") % {
            "field": label,
            "old": display_value(name, value[0], event.action),
            "new": display_value(name, value[1], event.action),
        }
    return _("%(field)s: %(value)s") % {
        "field": label,
        "value": display_value(name, value, event.action),
    }


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
    confirmed = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paths"].choices = [
            (path, _value_text(event, path, value))
            for path, value in erasable_values(event).items()
        ]

    def confirmation(self) -> str:
        """What the user was asked to confirm, so a confirmation counts only for it."""
        reason = self.cleaned_data["reason"].replace("\r\n", "\n")
        text = "\x1f".join([*sorted(self.cleaned_data["paths"]), reason])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def is_confirmed(self) -> bool:
        return self.cleaned_data.get("confirmed") == self.confirmation()


def _moment(text):
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _erased_rows(event) -> list[dict]:
    """What was already erased from the event: which value, when and by whom."""
    markers = event.erased or {}
    ids = set()
    for marker in markers.values():
        try:
            ids.add(uuid.UUID(str(marker.get("by"))))
        except (AttributeError, ValueError):
            continue  # the operator's command line (no author), or not a marker Phteah wrote
    authors = {str(user.pk): user for user in User.objects.filter(pk__in=ids)}
    rows = []
    for path, marker in sorted(markers.items()):
        marker = marker if isinstance(marker, dict) else {}
        author = authors.get(str(marker.get("by")))
        section, _dot, name = path.partition(".")
        rows.append(
            {
                "label": FIELD_LABELS.get(name, name)
                if section in ("changes", "data")
                else {"ip": _("IP address"), "actor_label": _("Recorded as")}.get(path, path),
                "at": _moment(marker.get("at")),
                "by": author.display_name(get_language()) if author else _("the platform operator"),
            }
        )
    return rows


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
    return render(
        request,
        "accounts/audit_erase.html",
        {
            "event": event,
            "text": describe(event),
            "form": form,
            "confirming": confirming,
            "to_erase": [label for path, label in form.fields["paths"].choices if path in chosen],
            "erased": _erased_rows(event),
        },
    )
