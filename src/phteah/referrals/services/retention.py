"""How long a referral's details stay after it ended without a partner taking the child.

A referral that every partner declined, or that was withdrawn, keeps its details (the
child's names, date of birth, village, the reason, the documents sent along) for
``REFERRAL_KEEP_ENDED_DAYS`` days (90 by default, docs/design/network.md §13.4), so that the
sender can refer again and the receivers can answer questions about it. After that only a
shell stays: the services asked for, the dates, the answers and their reasons, the history
— the figures of the reports — and no detail of the child. The sender keeps its own case.

A referral a partner accepted keeps its details: the partner holds a case of the child."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from phteah.core.audit import audit_log, audited_atomic

from ..models import Referral, ReferralAttachment, ReferralGroup

# The states a referral ends in without a partner taking the child.
UNTAKEN = (Referral.State.DECLINED, Referral.State.WITHDRAWN)
BLANK = {
    "family_name_km": "",
    "given_name_km": "",
    "family_name_latin": "",
    "given_name_latin": "",
    "date_of_birth": None,
    "date_of_birth_estimated": False,
    "village": None,
    "has_disability": False,
    "global_id": "",
    "reason": "",
    "worker_name": "",
    "worker_phone": "",
}


def _ended_before(cutoff: datetime.datetime):
    """The groups not yet erased whose every referral ended untaken before *cutoff*."""
    return (
        ReferralGroup.objects.filter(erased_at__isnull=True)
        .annotate(
            last_change=Max("referrals__state_on"),
            open_or_taken=Count("referrals", filter=~Q(referrals__state__in=UNTAKEN)),
        )
        .filter(last_change__lt=cutoff, open_or_taken=0)
    )


def _delete_files(names: list[str]) -> None:
    storage = ReferralAttachment._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


def referral_groups_erase(*, now: datetime.datetime | None = None) -> int:
    """Blank the details of the referrals that ended untaken more than the kept days ago (a
    task, daily, over every organisation; each group in its own transaction, with an audit
    event in the sender's chain). Returns how many groups were erased."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.REFERRAL_KEEP_ENDED_DAYS)
    with scopes_disabled():
        due = list(_ended_before(cutoff).values_list("pk", "organisation_id"))
    erased = 0
    for group_id, sender_id in due:
        with scope(organisation=sender_id), audited_atomic():
            # Declined and withdrawn are final states: checked again under the row's lock,
            # the group cannot have changed (PostgreSQL locks no row of an aggregate).
            group = (
                ReferralGroup.objects.select_for_update(no_key=True)
                .filter(pk=group_id, erased_at__isnull=True)
                .first()
            )
            if group is None or not _ended_before(cutoff).filter(pk=group_id).exists():
                continue
            for name, value in BLANK.items():
                setattr(group, name, value)
            group.erased_at = now
            group.save(update_fields=[*BLANK, "erased_at", "updated_at"])
            attachments = list(ReferralAttachment.objects.filter(group=group))
            names = [a.file.name for a in attachments if a.file]
            ReferralAttachment.objects.filter(group=group).delete()
            transaction.on_commit(lambda names=names: _delete_files(names))
            audit_log(
                actor=None,
                organisation=sender_id,
                action="referrals.referral.erased",
                target=group,
                case=group.case_id,
                data={"documents": len(attachments)},
            )
            erased += 1
    return erased
