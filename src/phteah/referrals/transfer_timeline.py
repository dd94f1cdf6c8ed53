"""The transfers' contributions to the case timeline (phteah.cases.page): on the sender's
case its transfer sent, then accepted, declined or withdrawn; on the receiver's case the
transfer it was opened from. Each side reads the transfer through its own manager
(``objects`` for the sender, ``received`` for the receiver), so each stays in its scope."""

from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from phteah.cases.page import TimelineEntry, TimelineSource, short, timeline_rows, timeline_source

from .models import Transfer

LABELS = {
    "transfer_sent": _("Transfer sent"),
    "transfer_accepted": _("Transfer accepted: the case was closed"),
    "transfer_declined": _("Transfer declined"),
    "transfer_withdrawn": _("Transfer withdrawn"),
    "transfer_received": _("Case transferred from another organisation"),
}
State = Transfer.State


def _rows(case) -> list:
    sent = Transfer.objects.filter(case=case)
    answered = sent.filter(answered_at__isnull=False)
    received = Transfer.received.filter(receiver_case=case, state=State.ACCEPTED)
    return [
        timeline_rows(sent, day=TruncDate("sent_at"), kind="transfer_sent", stamp="sent_at"),
        timeline_rows(
            answered.filter(state=State.ACCEPTED),
            day=TruncDate("answered_at"),
            kind="transfer_accepted",
            stamp="answered_at",
        ),
        timeline_rows(
            answered.filter(state=State.DECLINED),
            day=TruncDate("answered_at"),
            kind="transfer_declined",
            stamp="answered_at",
        ),
        timeline_rows(
            sent.filter(state=State.WITHDRAWN),
            day=TruncDate("state_on"),
            kind="transfer_withdrawn",
            stamp="state_on",
        ),
        timeline_rows(
            received, day=TruncDate("answered_at"), kind="transfer_received", stamp="answered_at"
        ),
    ]


FETCH = {
    "sent": lambda: Transfer.objects.select_related("receiver", "sent_by"),
    "received": lambda: Transfer.received.select_related("organisation", "answered_by"),
}


def _entry(case, kind: str, day, obj, language) -> TimelineEntry:
    if kind == "transfer_received":
        parts, by = [obj.organisation.name, short(obj.reason)], obj.answered_by
    elif kind == "transfer_sent":
        parts, by = [obj.receiver.name, short(obj.reason)], obj.sent_by
    elif kind == "transfer_declined":
        parts = [obj.receiver.name, obj.get_decline_reason_display(), short(obj.answer_note)]
        by = obj.receiver.name
    elif kind == "transfer_accepted":
        parts, by = [obj.receiver.name], obj.receiver.name
    else:
        parts, by = [obj.receiver.name, obj.get_withdraw_reason_display()], None
    return TimelineEntry(
        day=day,
        kind=kind,
        label=str(LABELS[kind]),
        summary=" · ".join(str(part) for part in parts if part),
        by=by,
        url=reverse("referrals:transfer_detail", args=[obj.pk]),
    )


def register() -> None:
    timeline_source(
        TimelineSource(
            name="transfers",
            labels=LABELS,
            rows=_rows,
            fetch=FETCH,
            entry=_entry,
            fetch_of={
                **dict.fromkeys(LABELS, "sent"),
                "transfer_received": "received",
            },
        )
    )
