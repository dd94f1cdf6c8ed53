"""Referrals between organisations: send, withdraw, decline, accept, report back, complete,
close (the state table: phteah.referrals.states).

- **Sending** freezes the referral's details on a ``ReferralGroup`` and gives each receiver a
  minimal grant on the case (30 days), on a consent that names it and covers referrals; the
  receiver never reads the sender's case or person.
- **Accepting** gives the receiver a case of its own, opened from those details, for its own
  record of the child (matched by the global id the child keeps across organisations, or
  registered with it). The minimal grant ends; the other organisations asked for the same
  service see their request withdrawn ("another organisation accepted first").
- **Declining** keeps only the declined referral's details; the grant ends.

Every step writes a ``ReferralUpdate`` (the history both sides read), an audit event in the
sender's chain (mirrored in the receiver's when the receiver acts: docs/architecture.md) and
an id-only event for notifications. Lock order: the sender's case, then the grant, then the
referrals, the receiver's own rows, the audit chains last; a step taken on an accepted
referral locks the acting side's own case first."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from phteah.accounts.models import GOVERNMENT_KINDS, Membership, Organisation
from phteah.accounts.roles import Capability
from phteah.cases.access import case_get_for_user, case_lock_for_grant
from phteah.cases.models import Case, CaseGrant, ServiceType
from phteah.cases.services import case_open
from phteah.cases.services.grants import case_grant_end, case_grant_issue
from phteah.cases.services.records import case_for_change, require
from phteah.core import events
from phteah.core.access import access_denied
from phteah.core.audit import audit_log, audited_atomic
from phteah.core.errors import NotFound, ServiceError
from phteah.core.limits import NOTE_LENGTH, check_text
from phteah.core.submissions import once
from phteah.people import files
from phteah.people.models import Person, SharingPurpose
from phteah.people.selectors import consent_for_sharing
from phteah.people.services import person_create

from .. import states
from ..events import (
    ReferralAccepted,
    ReferralClosed,
    ReferralCompleted,
    ReferralDeclined,
    ReferralFeedback,
    ReferralOverdue,
    ReferralSent,
    ReferralWithdrawn,
)
from ..models import Referral, ReferralAttachment, ReferralGroup, ReferralUpdate, Urgency
from ..selectors.referrals import attachable_documents

# The audit action of each step (written out, so the trail's sentences can be checked).
ACTIONS = {
    ReferralUpdate.Kind.SENT: "referrals.referral.sent",
    ReferralUpdate.Kind.ACCEPTED: "referrals.referral.accepted",
    ReferralUpdate.Kind.DECLINED: "referrals.referral.declined",
    ReferralUpdate.Kind.WITHDRAWN: "referrals.referral.withdrawn",
    ReferralUpdate.Kind.FEEDBACK: "referrals.referral.feedback",
    ReferralUpdate.Kind.COMPLETED: "referrals.referral.completed",
    ReferralUpdate.Kind.CLOSED: "referrals.referral.closed",
}
MAX_RECEIVERS = 10
MAX_SERVICES = 5
MAX_ATTACHMENTS = 5
DEFAULT_ANSWER_DAYS = 3


def _event(cls, referral: Referral, by_user, **extra):
    events.publish(
        cls(
            referral_id=referral.pk,
            organisation_id=referral.organisation_id,
            receiver_id=referral.receiver_id,
            case_id=referral.group.case_id,
            by_user_id=getattr(by_user, "pk", None),
            **extra,
        )
    )


def _step(referral: Referral, *, kind, by_user, by_organisation_id, note="", ip=None, data=None):
    """The history row and the audit event of one step (the sender's chain; mirrored in the
    actor's organisation's when it is the receiver)."""
    now = timezone.now()
    ReferralUpdate.objects.create(
        referral=referral,
        kind=kind,
        by=by_user,
        by_organisation_id=by_organisation_id,
        on=now,
        note=note,
    )
    audit_log(
        actor=by_user,
        organisation=referral.organisation_id,
        action=ACTIONS[kind],
        target=referral,
        case=referral.group.case_id,
        data={"receiver": str(referral.receiver_id), "service": referral.service_code}
        | (data or {}),
        ip=ip,
        mirror_to=by_organisation_id,
    )


def _move(referral: Referral, transition: str, **values) -> None:
    referral.state = states.transition_to(referral, transition)
    referral.state_on = timezone.now()
    for name, value in values.items():
        setattr(referral, name, value)
    referral.save()


def _end_grant_if_unused(grant: CaseGrant | None, *, reason, by_user, mirror_to=None) -> None:
    """End a referral's minimal grant once no pending referral rests on it any more."""
    if grant is None or grant.revoked_at is not None:
        return
    with scope(organisation=grant.organisation_id):  # the sender's rows, pinned to the grant
        if Referral.objects.filter(grant=grant, state=Referral.State.PENDING).exists():
            return
    case_grant_end(grant, reason=reason, by_user=by_user, mirror_to=mirror_to)


def _withdraw(
    referral: Referral,
    *,
    transition: str,
    reason: str,
    by_user,
    by_organisation_id,
    grant_reason: str | None = CaseGrant.RevokeReason.WITHDRAWN,
    ip=None,
) -> None:
    """Withdraw *referral* for *reason* (a ``Referral.WithdrawReason``): its state, history,
    audit event, the grant it rested on ended when unused (unless *grant_reason* is None: the
    grant has ended already), and its receiver told."""
    _move(referral, transition, withdraw_reason=reason)
    _step(
        referral,
        kind=ReferralUpdate.Kind.WITHDRAWN,
        by_user=by_user,
        by_organisation_id=by_organisation_id,
        ip=ip,
        data={"reason": reason},
    )
    if grant_reason is not None:
        _end_grant_if_unused(referral.grant, reason=grant_reason, by_user=by_user)
    _event(ReferralWithdrawn, referral, by_user, reason=reason)


# --- the sender ------------------------------------------------------------------------------


def _receivers(case: Case, receiver_ids) -> list[Organisation]:
    ids = list(dict.fromkeys(str(pk) for pk in receiver_ids or ()))
    if not ids:
        raise ServiceError(_("Choose at least one organisation."), field="receivers")
    if len(ids) > MAX_RECEIVERS:
        raise ServiceError(
            _("Choose at most %(count)s organisations.") % {"count": MAX_RECEIVERS},
            field="receivers",
        )
    try:
        found = list(
            Organisation.objects.filter(
                pk__in=ids,
                is_active=True,
                partner_profile__published=True,
                partner_profile__accepts_referrals=True,
            )
            .exclude(pk=case.organisation_id)
            .select_related("partner_profile")
            .order_by("name")
        )
    except (ValueError, ValidationError) as error:
        raise ServiceError(
            _("Choose organisations that accept referrals."), field="receivers"
        ) from error
    if len(found) != len(ids):
        raise ServiceError(_("Choose organisations that accept referrals."), field="receivers")
    return found


def chosen_services(case: Case, service_codes) -> list[ServiceType]:
    """The services of the case's organisation *service_codes* name (one to MAX_SERVICES,
    each once, active), else a ServiceError on the services field."""
    codes = list(dict.fromkeys(str(code) for code in service_codes or ()))
    if not codes:
        raise ServiceError(_("Choose at least one service."), field="services")
    if len(codes) > MAX_SERVICES:
        raise ServiceError(
            _("Choose at most %(count)s services.") % {"count": MAX_SERVICES}, field="services"
        )
    found = list(
        ServiceType.objects.filter(
            organisation_id=case.organisation_id, is_active=True, code__in=codes
        ).order_by("name_en")
    )
    if len(found) != len(codes):
        raise ServiceError(_("Choose services from your organisation's list."), field="services")
    return found


def frozen_details(case: Case, actor: Membership) -> dict:
    """The child's details a referral, a transfer or a letter carries (``ChildDetails``),
    read from the case when it is sent: the partner reads these, never the case."""
    person = case.person
    return {
        "family_name_km": person.family_name_km,
        "given_name_km": person.given_name_km,
        "family_name_latin": person.family_name_latin,
        "given_name_latin": person.given_name_latin,
        "sex": person.sex,
        "date_of_birth": person.date_of_birth,
        "date_of_birth_estimated": person.date_of_birth_estimated,
        "village_id": person.village_id,
        "has_disability": person.has_disability,
        "risk_level": case.risk_level,
        "worker_name": actor.user.full_name,
        "worker_phone": getattr(actor.user, "phone", "") or "",
    }


def uncovered_receivers(case: Case, receivers) -> list[Organisation]:
    """The organisations among *receivers* no consent on record lets *case* be referred to."""
    return [
        receiver
        for receiver in receivers
        if consent_for_sharing(
            person=case.person, organisation=receiver, purpose=SharingPurpose.REFERRAL
        )
        is None
    ]


def _copy(stored) -> ContentFile:
    with stored.open("rb") as handle:
        content = handle.read()
    kind = files.sniff(content[:16])
    if kind is None:
        raise ServiceError(
            _("A document chosen could not be read: upload it again on the child's record."),
            field="attach",
        )
    return ContentFile(content, name=f"{uuid.uuid4().hex}.{files.EXTENSIONS[kind]}")


def _attach(group: ReferralGroup, person: Person, keys, upload, upload_title: str) -> int:
    """Copy the chosen documents and the upload onto the referral (the receivers read the
    copies, never the sender's records); how many there are."""
    keys = list(dict.fromkeys(keys or ()))
    if len(keys) + (upload is not None) > MAX_ATTACHMENTS:
        raise ServiceError(
            _("Send at most %(count)s documents with a referral.") % {"count": MAX_ATTACHMENTS},
            field="attach",
        )
    available = {key: stored for key, _label, stored in attachable_documents(person)}
    for key in keys:
        if key not in available:
            raise ServiceError(_("Choose among the child's documents listed."), field="attach")
        source, _sep, document_kind = key.partition(":")
        ReferralAttachment.objects.create(
            organisation_id=group.organisation_id,
            group=group,
            kind=(
                ReferralAttachment.Kind.CONSENT
                if source == "consent"
                else ReferralAttachment.Kind.DOCUMENT
            ),
            document_kind=document_kind if source == "document" else "",
            file=_copy(available[key]),
        )
    if upload is not None:
        ReferralAttachment.objects.create(
            organisation_id=group.organisation_id,
            group=group,
            kind=ReferralAttachment.Kind.OTHER,
            title=upload_title,
            file=upload,
        )
    return len(keys) + (upload is not None)


def _grant_for(case: Case, receiver: Organisation, by_user, ip) -> CaseGrant:
    """The receiver's active minimal grant on the case (one rests under every pending referral
    to it), made now if there is none."""
    current = (
        CaseGrant.objects.select_for_update(no_key=True)
        .filter(
            case=case,
            grantee=receiver,
            level=CaseGrant.Level.MINIMAL,
            revoked_at__isnull=True,
            valid_until__gt=timezone.now(),
        )
        .first()
    )
    if current is not None and current.purpose == SharingPurpose.TRANSFER:
        # A transfer to it waits on that grant; a referral's answer must not end it.
        raise ServiceError(
            _(
                "%(organisation)s has a transfer of this case waiting for an answer. Wait for "
                "its answer or withdraw it before referring the child there."
            )
            % {"organisation": receiver.display_name(get_language())},
            field="receivers",
        )
    if current is not None:
        return current
    return case_grant_issue(
        case=case,
        by_user=by_user,
        grantee=receiver,
        level=CaseGrant.Level.MINIMAL,
        purpose=SharingPurpose.REFERRAL,
        ip=ip,
    )


def _due_on(receiver: Organisation) -> datetime.date:
    days = getattr(getattr(receiver, "partner_profile", None), "answer_days", None)
    return timezone.localdate() + datetime.timedelta(days=days or DEFAULT_ANSWER_DAYS)


@once
def referral_send(
    *,
    actor: Membership,
    case_id,
    receiver_ids,
    service_codes,
    urgency: str,
    reason: str,
    attach=(),
    upload=None,
    upload_title: str = "",
    ip: str | None = None,
) -> ReferralGroup:
    """Refer a case to one or several organisations for one or more services at once ("who
    can take this child?"): one referral per organisation and service. *attach* names the
    child's stored documents that go along (``attachable_documents``), *upload* one more file
    (a report, a letter) with its *upload_title*; each is copied onto the referral."""
    require(actor, Capability.REFER_CASES)
    upload_title = (upload_title or "").strip()
    if upload is not None:
        if not upload_title:
            raise ServiceError(_("Give the document a title."), field="upload_title")
        check_text(upload_title, field="upload_title", max_length=150)
        files.checked_upload(
            upload, kinds=files.SCAN_KINDS, max_size=files.SCAN_MAX, field="upload"
        )
    if urgency not in Urgency.values:
        raise ServiceError(_("Choose how urgent it is."), field="urgency")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the child is referred."), field="reason")
    check_text(reason, field="reason", max_length=NOTE_LENGTH)
    with audited_atomic():
        case = case_for_change(actor, case_id)
        person = case.person
        receivers = _receivers(case, receiver_ids)
        services = chosen_services(case, service_codes)
        uncovered = uncovered_receivers(case, receivers)
        if uncovered:
            raise ServiceError(
                _(
                    "No consent on record lets this child be referred to %(organisations)s. "
                    "Record the consent of the child's parent or guardian first."
                )
                % {"organisations": ", ".join(r.display_name(get_language()) for r in uncovered)},
                field="receivers",
            )
        waiting = Referral.objects.filter(
            group__case=case,
            receiver__in=receivers,
            service_code__in=[s.code for s in services],
            state=Referral.State.PENDING,
        ).select_related("receiver")
        first = waiting.first()
        if first is not None:
            raise ServiceError(
                _("%(organisation)s has this child's referral for %(service)s already.")
                % {
                    "organisation": first.receiver.display_name(get_language()),
                    "service": first.service_name(get_language()),
                },
                field="services",
            )
        now = timezone.now()
        group = ReferralGroup.objects.create(
            organisation_id=case.organisation_id,
            case=case,
            consent=consent_for_sharing(
                person=person, organisation=receivers[0], purpose=SharingPurpose.REFERRAL
            ),
            sent_by=actor.user,
            sent_at=now,
            urgency=urgency,
            reason=reason,
            global_id=person.global_id,
            **frozen_details(case, actor),
        )
        attached = _attach(group, person, attach, upload, upload_title)
        for receiver in receivers:
            grant = _grant_for(case, receiver, actor.user, ip)
            for service in services:
                referral = Referral.objects.create(
                    organisation_id=case.organisation_id,
                    group=group,
                    receiver=receiver,
                    service_code=service.code,
                    service_name_en=service.name_en,
                    service_name_km=service.name_km,
                    state=Referral.State.PENDING,
                    state_on=now,
                    answer_due_on=_due_on(receiver),
                    grant=grant,
                )
                _step(
                    referral,
                    kind=ReferralUpdate.Kind.SENT,
                    by_user=actor.user,
                    by_organisation_id=actor.organisation_id,
                    ip=ip,
                    data={"attachments": attached} if attached else None,
                )
                _event(ReferralSent, referral, actor.user)
    return group


def _sent(actor: Membership, referral_id, *, open_only=True) -> tuple[Case, Referral]:
    """The sender's side of a referral: its case locked (the actor must be able to change
    it), then the referral."""
    try:
        case_id = (
            Referral.objects.filter(pk=referral_id, organisation_id=actor.organisation_id)
            .values_list("group__case_id", flat=True)
            .first()
        )
    except (ValueError, TypeError, ValidationError):
        case_id = None
    if case_id is None:
        access_denied(actor=actor, model=Referral, record_id=referral_id)
        raise NotFound
    case = case_for_change(actor, case_id, open_only=open_only)
    referral = (
        Referral.objects.select_for_update(of=("self",), no_key=True)
        .select_related("group", "grant")
        .get(pk=referral_id, group__case=case)
    )
    return case, referral


def referral_withdraw(*, actor: Membership, referral_id, ip: str | None = None) -> Referral:
    """The sender withdraws a referral that is waiting for an answer."""
    require(actor, Capability.REFER_CASES)
    with audited_atomic():
        _case, referral = _sent(actor, referral_id)
        _withdraw(
            referral,
            transition="withdraw",
            reason=Referral.WithdrawReason.SENDER,
            by_user=actor.user,
            by_organisation_id=actor.organisation_id,
            ip=ip,
        )
    return referral


# --- the receiver ----------------------------------------------------------------------------


def _received(actor: Membership, referral_id, *, lock: bool = False) -> Referral:
    """The receiver's side of a referral, for its members who answer referrals."""
    if actor is None or not actor.can(Capability.ANSWER_REFERRALS):
        access_denied(actor=actor, model=Referral, record_id=referral_id)
        raise NotFound
    referrals = Referral.received.filter(receiver_id=actor.organisation_id).select_related(
        "group", "grant"
    )
    if lock:
        referrals = referrals.select_for_update(of=("self",), no_key=True)
    try:
        return referrals.get(pk=referral_id)
    except (Referral.DoesNotExist, ValueError, TypeError, ValidationError) as error:
        access_denied(actor=actor, model=Referral, record_id=referral_id)
        raise NotFound from error


def _answering(actor: Membership, referral_id) -> Referral:
    """A pending referral, for an answer: the sender's case locked first (through the
    grant), then the grant, then the referral, checked again under the locks."""
    referral = _received(actor, referral_id)
    if referral.grant_id is not None:
        case_lock_for_grant(referral.grant)
        list(
            CaseGrant.received.select_for_update(no_key=True)
            .filter(pk=referral.grant_id)
            .values_list("pk", flat=True)
        )
    referral = _received(actor, referral_id, lock=True)
    if referral.state == Referral.State.PENDING and not (
        referral.grant is not None and referral.grant.is_active()
    ):
        raise ServiceError(_("This referral has expired: ask the sender to refer again."))
    return referral


def referral_decline(
    *, actor: Membership, referral_id, reason: str, note: str = "", ip: str | None = None
) -> Referral:
    """The receiver declines, with a reason. It keeps only the declined referral's details;
    its access to the case ends."""
    if reason not in Referral.DeclineReason.values:
        raise ServiceError(_("Choose why you decline."), field="reason")
    note = (note or "").strip()
    check_text(note, field="note", max_length=NOTE_LENGTH)
    if reason == Referral.DeclineReason.OTHER and not note:
        raise ServiceError(_("Say why you decline."), field="note")
    with audited_atomic():
        referral = _answering(actor, referral_id)
        _move(referral, "decline", decline_reason=reason, answered_by=actor.user)
        _step(
            referral,
            kind=ReferralUpdate.Kind.DECLINED,
            by_user=actor.user,
            by_organisation_id=actor.organisation_id,
            note=note,
            ip=ip,
            data={"reason": reason},
        )
        _end_grant_if_unused(
            referral.grant,
            reason=CaseGrant.RevokeReason.ANSWERED,
            by_user=actor.user,
            mirror_to=actor.organisation_id,
        )
        _event(ReferralDeclined, referral, actor.user)
    return referral


def receiver_person(actor: Membership, group: ReferralGroup) -> Person:
    """The receiver's own record of the child: the person with the child's global id, or a
    new one registered from the referral's details with it."""
    person = Person.objects.filter(
        organisation_id=actor.organisation_id, global_id=group.global_id
    ).first()
    if person is not None:
        return person
    return person_create(
        actor=actor,
        sex=group.sex,
        family_name_km=group.family_name_km,
        given_name_km=group.given_name_km,
        family_name_latin=group.family_name_latin,
        given_name_latin=group.given_name_latin,
        date_of_birth=group.date_of_birth,
        date_of_birth_estimated=group.date_of_birth_estimated,
        village=group.village,
        has_disability=group.has_disability,
        global_id=group.global_id,
    )


def referral_accept(
    *,
    actor: Membership,
    referral_id,
    case_type: str,
    workers,
    ip: str | None = None,
) -> Referral:
    """The receiver accepts: the first to accept a service gets it. The receiver's case of
    the child is opened from the referral (or its open case reused), with *workers* (the
    first is the main one) and the accepting supervisor."""
    with audited_atomic():
        referral = _answering(actor, referral_id)
        states.transition_to(referral, "accept")
        group = referral.group
        sender = Organisation.objects.get(pk=referral.organisation_id)
        person = receiver_person(actor, group)
        case = Case.objects.filter(person=person, status=Case.Status.OPEN).first()
        if case is None:
            case = case_open(
                actor=actor,
                person_id=person.pk,
                case_type=case_type,
                referral_source=(
                    Case.ReferralSource.GOVERNMENT
                    if sender.kind in GOVERNMENT_KINDS
                    else Case.ReferralSource.NGO
                ),
                referral_source_detail=sender.display_name()[:200],
                referral_reason=group.reason,
                identified_at=group.sent_at,
                risk_level=group.risk_level,
                workers=list(workers or ()),
                supervisor=actor.user,
                ip=ip,
            )
        _move(referral, "accept", receiver_case=case, answered_by=actor.user)
        _step(
            referral,
            kind=ReferralUpdate.Kind.ACCEPTED,
            by_user=actor.user,
            by_organisation_id=actor.organisation_id,
            ip=ip,
            data={"receiver_case": str(case.pk)},
        )
        _end_grant_if_unused(
            referral.grant,
            reason=CaseGrant.RevokeReason.ANSWERED,
            by_user=actor.user,
            mirror_to=actor.organisation_id,
        )
        _event(ReferralAccepted, referral, actor.user)
        _withdraw_the_others(actor, referral)
    return referral


def _withdraw_the_others(actor: Membership, taken: Referral) -> None:
    """The other organisations asked for the same service of the same group: their requests
    are withdrawn ("another organisation accepted first"). They are the sender's rows, read
    in its scope pinned to the group (the sender's case is locked by the caller)."""
    with scope(organisation=taken.organisation_id):
        others = list(
            Referral.objects.select_for_update(of=("self",), no_key=True)
            .select_related("group", "grant")
            .filter(
                group_id=taken.group_id,
                service_code=taken.service_code,
                state=Referral.State.PENDING,
            )
            .exclude(pk=taken.pk)
            .order_by("pk")
        )
        for other in others:
            _withdraw(
                other,
                transition="withdraw_auto",
                reason=Referral.WithdrawReason.TAKEN,
                by_user=actor.user,
                by_organisation_id=actor.organisation_id,
            )


def _accepted(actor: Membership, referral_id) -> Referral:
    """An accepted referral, for the receiver's report: its own case locked first."""
    referral = _received(actor, referral_id)
    if referral.receiver_case_id is not None:
        case_get_for_user(actor=actor, case_id=referral.receiver_case_id, lock=True, edit=True)
    return _received(actor, referral_id, lock=True)


def referral_feedback(
    *, actor: Membership, referral_id, note: str, ip: str | None = None
) -> Referral:
    """The receiver reports back on an accepted referral (what was done, how the child is)."""
    note = (note or "").strip()
    if not note:
        raise ServiceError(
            _("Write what you want to tell the referring organisation."), field="note"
        )
    check_text(note, field="note", max_length=NOTE_LENGTH)
    with audited_atomic():
        referral = _accepted(actor, referral_id)
        states.transition_to(referral, "feedback")
        _step(
            referral,
            kind=ReferralUpdate.Kind.FEEDBACK,
            by_user=actor.user,
            by_organisation_id=actor.organisation_id,
            note=note,
            ip=ip,
        )
        _event(ReferralFeedback, referral, actor.user)
    return referral


def referral_complete(
    *, actor: Membership, referral_id, outcome: str, ip: str | None = None
) -> Referral:
    """The receiver delivered the service: the referral is completed, with its outcome."""
    outcome = (outcome or "").strip()
    if not outcome:
        raise ServiceError(_("Say what came of the referral."), field="outcome")
    check_text(outcome, field="outcome", max_length=NOTE_LENGTH)
    with audited_atomic():
        referral = _accepted(actor, referral_id)
        _move(referral, "complete", outcome=outcome)
        _step(
            referral,
            kind=ReferralUpdate.Kind.COMPLETED,
            by_user=actor.user,
            by_organisation_id=actor.organisation_id,
            note=outcome,
            ip=ip,
        )
        _event(ReferralCompleted, referral, actor.user)
    return referral


def referral_close(
    *, actor: Membership, referral_id, note: str = "", ip: str | None = None
) -> Referral:
    """Either side closes an accepted referral that will not be completed."""
    note = (note or "").strip()
    check_text(note, field="note", max_length=NOTE_LENGTH)
    with audited_atomic():
        if actor.can(Capability.ANSWER_REFERRALS) and _is_receiver(actor, referral_id):
            referral = _accepted(actor, referral_id)
        else:
            require(actor, Capability.REFER_CASES)
            _case, referral = _sent(actor, referral_id, open_only=False)
        _move(referral, "close")
        _step(
            referral,
            kind=ReferralUpdate.Kind.CLOSED,
            by_user=actor.user,
            by_organisation_id=actor.organisation_id,
            note=note,
            ip=ip,
        )
        _event(ReferralClosed, referral, actor.user)
    return referral


def _is_receiver(actor: Membership, referral_id) -> bool:
    try:
        return Referral.received.filter(pk=referral_id, receiver_id=actor.organisation_id).exists()
    except (ValueError, TypeError, ValidationError):
        return False


# Why a grant ended → why the pending referrals resting on it are withdrawn.
WITHDRAWN_WITH_GRANT = {
    CaseGrant.RevokeReason.CONSENT_WITHDRAWN: Referral.WithdrawReason.CONSENT_WITHDRAWN,
    CaseGrant.RevokeReason.EXPIRED: Referral.WithdrawReason.EXPIRED,
}


def referrals_withdraw_for_grant(event) -> None:
    """``GrantRevoked`` because the consent was withdrawn or the grant's time ran out (in
    that transaction): the pending referrals resting on the grant are withdrawn with that
    reason, and their receivers told."""
    reason = WITHDRAWN_WITH_GRANT.get(event.reason)
    if reason is None:
        return
    # The sender's rows, in its scope (the hourly expiry runs outside any).
    with scope(organisation=event.organisation_id):
        pending = (
            Referral.objects.select_for_update(of=("self",), no_key=True)
            .select_related("group")
            .filter(grant_id=event.grant_id, state=Referral.State.PENDING)
            .order_by("pk")
        )
        for referral in pending:
            _withdraw(
                referral,
                transition="withdraw_auto",
                reason=reason,
                by_user=None,
                by_organisation_id=referral.organisation_id,
                grant_reason=None,
            )


def referrals_overdue_notify(*, today=None) -> int:
    """Tell each receiver, once per referral, that a referral waits past its answer date (a
    task, hourly: across every organisation, each referral marked in its own transaction).
    Marking a referral told is bookkeeping of the notice, like the notice itself: not an
    audited change. Returns how many were told."""
    today = today or timezone.localdate()
    with scopes_disabled():
        due = list(
            Referral.objects.filter(
                state=Referral.State.PENDING,
                answer_due_on__lt=today,
                overdue_notified_at__isnull=True,
            )
            .order_by("answer_due_on", "pk")
            .values_list("pk", "organisation_id")
        )
    told = 0
    for referral_id, sender_id in due:
        with scope(organisation=sender_id), audited_atomic():
            referral = (
                Referral.objects.select_for_update(of=("self",), no_key=True)
                .select_related("group")
                .filter(
                    pk=referral_id,
                    state=Referral.State.PENDING,
                    overdue_notified_at__isnull=True,
                )
                .first()
            )
            if referral is None:
                continue
            referral.overdue_notified_at = timezone.now()
            referral.save(update_fields=["overdue_notified_at", "updated_at"])
            _event(ReferralOverdue, referral, None)
            told += 1
    return told


# --- closing the sender's case (a closure step: phteah.cases.closing) -----------------------


def _waiting(case):
    return Referral.objects.filter(group__case=case, state=Referral.State.PENDING)


def referrals_closure_check(*, case, reason: str, placement_outcome: str) -> None:
    """Nothing to refuse: a case closes with its referrals waiting; they are withdrawn."""


def referrals_closure_preview(*, case, reason: str, placement_outcome: str, closed_on) -> list:
    count = _waiting(case).count()
    if not count:
        return []
    return [
        ngettext(
            "The referral waiting for a partner's answer will be withdrawn.",
            "The %(count)s referrals waiting for a partner's answer will be withdrawn.",
            count,
        )
        % {"count": count}
    ]


def referrals_closure_close(*, actor, case, placement_outcome: str, closed_on, ip) -> None:
    """Closing the case withdraws its referrals still waiting (the partners are told), in
    the approving transaction, the case locked."""
    waiting = (
        _waiting(case)
        .select_for_update(of=("self",), no_key=True)
        .select_related("group", "grant")
        .order_by("pk")
    )
    for referral in waiting:
        _withdraw(
            referral,
            transition="withdraw_auto",
            reason=Referral.WithdrawReason.CASE_CLOSED,
            by_user=actor.user,
            by_organisation_id=actor.organisation_id,
            grant_reason=CaseGrant.RevokeReason.CASE_CLOSED,
            ip=ip,
        )
