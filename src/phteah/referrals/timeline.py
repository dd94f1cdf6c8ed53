"""The referrals' contributions to the case timeline (phteah.cases.page): every step of a
referral, on the sender's case (the referrals sent from it) and on the receiver's case (the
referral it came from). Both read the referral's shared history, ``ReferralUpdate``."""

from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from phteah.cases.page import TimelineEntry, TimelineSource, short, timeline_rows, timeline_source

from .models import ReferralLetter, ReferralUpdate

KIND = {
    ReferralUpdate.Kind.SENT: "referral_sent",
    ReferralUpdate.Kind.ACCEPTED: "referral_accepted",
    ReferralUpdate.Kind.DECLINED: "referral_declined",
    ReferralUpdate.Kind.WITHDRAWN: "referral_withdrawn",
    ReferralUpdate.Kind.FEEDBACK: "referral_feedback",
    ReferralUpdate.Kind.COMPLETED: "referral_completed",
    ReferralUpdate.Kind.CLOSED: "referral_closed",
}

LABELS = {
    "referral_sent": _("Referral sent"),
    "referral_accepted": _("Referral accepted"),
    "referral_declined": _("Referral declined"),
    "referral_withdrawn": _("Referral withdrawn"),
    "referral_feedback": _("News from the partner"),
    "referral_completed": _("Referral completed"),
    "referral_closed": _("Referral closed"),
}


def _updates(case) -> list:
    # The sender's case (the referrals sent from it) or the case a receiver opened from one:
    # both are the caller's own case, which the timeline's caller may read. One query for
    # each side (a referral is never both): an OR across the two joined tables read every
    # update of the network (SQLite and PostgreSQL alike; 0.6 s a case page at 112,000).
    return [
        ReferralUpdate.objects.filter(referral__group__case=case),
        ReferralUpdate.objects.filter(referral__receiver_case=case),
    ]


def _rows(case) -> list:
    return [
        timeline_rows(updates.filter(kind=code), day=TruncDate("on"), kind=kind, stamp="on")
        for updates in _updates(case)
        for code, kind in KIND.items()
    ]


FETCH = {
    "update": lambda: ReferralUpdate.objects.select_related(
        "referral__organisation", "referral__receiver", "by", "by_organisation"
    ),
}


def _entry(case, kind: str, day, obj, language) -> TimelineEntry:
    referral = obj.referral
    # The other side of the referral, seen from this case.
    partner = (
        referral.receiver
        if referral.organisation_id == case.organisation_id
        else referral.organisation
    )
    parts = [referral.service_name(language), partner.name]
    if obj.note:
        parts.append(short(obj.note))
    by = obj.by
    if obj.by_organisation_id != case.organisation_id:
        # Someone of the partner organisation: its name says who.
        by = obj.by_organisation.name
    return TimelineEntry(
        day=day,
        kind=kind,
        label=str(LABELS[kind]),
        summary=" · ".join(part for part in parts if part),
        by=by,
        url=reverse("referrals:referral_detail", args=[referral.pk]),
    )


def register() -> None:
    timeline_source(
        TimelineSource(
            name="referrals",
            labels=LABELS,
            rows=_rows,
            fetch=FETCH,
            entry=_entry,
            fetch_of=dict.fromkeys(LABELS, "update"),
        )
    )


# --- letters to partners not on Phteah ------------------------------------------------------

LETTER_LABELS = {
    "letter_written": _("Referral letter written"),
    "letter_answered": _("Answer to a referral letter"),
}


def _letter_rows(case) -> list:
    # The case's own letters (the timeline's caller may read the case).
    letters = ReferralLetter.objects.filter(case=case)
    return [
        timeline_rows(letters, day=TruncDate("sent_at"), kind="letter_written", stamp="sent_at"),
        timeline_rows(
            letters.filter(answered_on__isnull=False),
            day="answered_on",
            kind="letter_answered",
            stamp="answer_recorded_at",
        ),
    ]


LETTER_FETCH = {
    "letter": lambda: ReferralLetter.objects.select_related("sent_by", "answer_recorded_by"),
}


def _letter_entry(case, kind: str, day, letter, language) -> TimelineEntry:
    if kind == "letter_written":
        parts, by = [letter.partner_name, *letter.service_names(language)], letter.sent_by
    else:
        parts = [letter.partner_name, str(letter.get_state_display()), short(letter.answer_note)]
        by = letter.answer_recorded_by
    return TimelineEntry(
        day=day,
        kind=kind,
        label=str(LETTER_LABELS[kind]),
        summary=" · ".join(part for part in parts if part),
        by=by,
        url=reverse(
            "referrals:letter_detail", kwargs={"case_id": letter.case_id, "letter_id": letter.pk}
        ),
    )


def register_letters() -> None:
    timeline_source(
        TimelineSource(
            name="referral_letters",
            labels=LETTER_LABELS,
            rows=_letter_rows,
            fetch=LETTER_FETCH,
            entry=_letter_entry,
            fetch_of=dict.fromkeys(LETTER_LABELS, "letter"),
        )
    )
