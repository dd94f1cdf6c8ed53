"""Grants: another organisation may see a case, because a consent lets it, until a date.

Every grant rests on a consent that covers the grantee and the purpose
(``people.selectors.consent_for_sharing``), ends on ``valid_until`` (never later than the
consent's own end) and can be revoked. Withdrawing the consent revokes the grants that rest on
it in the same transaction (``grants_revoke_for_consent``, subscribed to
``ConsentWithdrawn``); a grant past its end gives no access at once, and ``grants_expire``
(hourly) marks it revoked so that the grantee is told. See docs/design/network.md §3 and §5.

Lock order: the owner's case row, then the grant, the audit chains last."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from phteah.accounts.models import GOVERNMENT_KINDS, Membership, Organisation
from phteah.accounts.roles import Capability
from phteah.core import events
from phteah.core.access import access_denied
from phteah.core.audit import audit_log, audited_atomic
from phteah.core.errors import NotFound, ServiceError
from phteah.geography.models import Village
from phteah.people.models import Consent, SharingPurpose
from phteah.people.selectors import consent_for_sharing

from ..access import case_get_for_user, case_lock_for_grant, grant_get_for_grantee
from ..events import GrantCreated, GrantRevoked
from ..models import Case, CaseGrant
from .records import case_for_change, require

GRANT_FIELDS = ("grantee", "level", "purpose", "consent", "valid_until")


def grant_days(purpose: str) -> int:
    """How long a grant for *purpose* lasts by default (settings.GRANT_DAYS)."""
    return settings.GRANT_DAYS[purpose]


def _end_of(day: datetime.date) -> datetime.datetime:
    """The last moment of *day* in the local time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


def _checked_end(valid_until, *, purpose: str, consent: Consent, now) -> datetime.datetime:
    """The end of a new or renewed grant: *valid_until* (a date or None for the default),
    after today, no later than the consent's end nor the longest a grant may last."""
    longest = now + datetime.timedelta(days=grant_days(purpose))
    if valid_until is None:
        end = longest
    else:
        if isinstance(valid_until, datetime.datetime):
            valid_until = timezone.localtime(valid_until).date()
        if not isinstance(valid_until, datetime.date) or valid_until <= timezone.localdate(now):
            raise ServiceError(_("The end date must be after today."), field="valid_until")
        end = _end_of(valid_until)
        if end > _end_of(timezone.localdate(longest)):
            raise ServiceError(
                _("A share for this purpose lasts at most %(days)s days.")
                % {"days": formats.localize(grant_days(purpose))},
                field="valid_until",
            )
    if consent.valid_until is not None and end > _end_of(consent.valid_until):
        if valid_until is not None:
            raise ServiceError(
                _("The consent covers sharing only until %(date)s.")
                % {"date": formats.date_format(consent.valid_until, "DATE_FORMAT")},
                field="valid_until",
            )
        end = _end_of(consent.valid_until)
    return end


def _grantee(grantee_id, case: Case) -> Organisation:
    try:
        grantee = Organisation.objects.get(pk=grantee_id, is_active=True)
    except (Organisation.DoesNotExist, ValueError, TypeError, ValidationError) as error:
        raise ServiceError(_("Choose an organisation."), field="grantee") from error
    if grantee.pk == case.organisation_id:
        raise ServiceError(_("A case cannot be shared with its own organisation."), field="grantee")
    return grantee


def _covering_consent(case: Case, grantee: Organisation, purpose: str) -> Consent:
    consent = consent_for_sharing(person=case.person, organisation=grantee, purpose=purpose)
    if consent is None:
        raise ServiceError(
            _(
                "No consent on record lets this case be shared with %(organisation)s for this "
                "purpose. Record the consent of the child's parent or guardian first."
            )
            % {"organisation": grantee.display_name(get_language())},
            field="grantee",
        )
    return consent


def _revoke(grant: CaseGrant, *, reason: str, by_user, ip=None, mirror_to=None) -> None:
    """Mark *grant* ended for *reason*, audited, and tell the apps above (in the caller's
    transaction, the case and the grant locked)."""
    now = timezone.now()
    grant.revoked_at, grant.revoked_by, grant.revoke_reason = now, by_user, reason
    grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason", "updated_at"])
    audit_log(
        actor=by_user,
        organisation=grant.organisation_id,
        action="cases.grant.revoked",
        target=grant,
        case=grant.case_id,
        changes={"revoked_at": [None, now]},
        data={"grantee": str(grant.grantee_id), "reason": reason},
        ip=ip,
        mirror_to=mirror_to,
    )
    events.publish(
        GrantRevoked(
            organisation_id=grant.organisation_id,
            case_id=grant.case_id,
            grant_id=grant.pk,
            grantee_id=grant.grantee_id,
            level=grant.level,
            purpose=grant.purpose,
            reason=reason,
        )
    )


def case_grant_end(grant: CaseGrant, *, reason: str, by_user, ip=None, mirror_to=None) -> None:
    """End *grant* for *reason* (a ``CaseGrant.RevokeReason``), audited and told, inside the
    caller's transaction with the owner's case and the grant locked: for the services of the
    apps above (a referral answered or withdrawn). Ending an ended grant does nothing."""
    if grant.revoked_at is None:
        _revoke(grant, reason=reason, by_user=by_user, ip=ip, mirror_to=mirror_to)


def case_grant_issue(
    *,
    case: Case,
    by_user,
    grantee: Organisation,
    level: str,
    purpose: str,
    valid_until=None,
    linked_case_id=None,
    ip: str | None = None,
) -> CaseGrant:
    """Grant *grantee* access to *case* (already checked and locked by the caller, inside its
    ``audited_atomic()``): the covering consent is found here, and an earlier grant of the same
    level that ended by time but was never marked is marked expired first. For the services
    of cases and of the apps above it (a referral, a transfer) that have checked who acts."""
    if level not in CaseGrant.Level.values or purpose not in SharingPurpose.values:
        raise ServiceError(_("Choose what is shared and why."))
    consent = _covering_consent(case, grantee, purpose)
    now = timezone.now()
    end = _checked_end(valid_until, purpose=purpose, consent=consent, now=now)
    current = (
        CaseGrant.objects.select_for_update(no_key=True)
        .filter(case=case, grantee=grantee, level=level, revoked_at__isnull=True)
        .first()
    )
    if current is not None:
        if current.valid_until > now:
            raise ServiceError(
                _("This case is already shared with %(organisation)s. Renew that share instead.")
                % {"organisation": grantee.display_name(get_language())},
                field="grantee",
            )
        _revoke(current, reason=CaseGrant.RevokeReason.EXPIRED, by_user=None)
    grant = CaseGrant.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        grantee=grantee,
        level=level,
        purpose=purpose,
        consent=consent,
        granted_by=by_user,
        granted_at=now,
        valid_until=end,
        linked_case_id=linked_case_id,
    )
    audit_log(
        actor=by_user,
        organisation=case.organisation_id,
        action="cases.grant.created",
        target=grant,
        case=case,
        changes={
            "grantee": [None, str(grantee.pk)],
            "level": [None, level],
            "purpose": [None, purpose],
            "consent": [None, str(consent.pk)],
            "valid_until": [None, end],
        },
        data={"grantee": str(grantee.pk)},
        ip=ip,
    )
    events.publish(
        GrantCreated(
            organisation_id=case.organisation_id,
            case_id=case.pk,
            grant_id=grant.pk,
            grantee_id=grantee.pk,
            level=level,
            purpose=purpose,
        )
    )
    return grant


def _government_covers(grantee: Organisation, case: Case) -> bool:
    """Whether government office *grantee* serves the child's place: MoSVY every child, a
    provincial office (DoSVY) the provinces it covers, a commune council its communes."""
    if grantee.kind == Organisation.Kind.NATIONAL_GOVERNMENT:
        return True
    place = (
        Village.objects.filter(pk=case.person.village_id)
        .values("commune_id", "commune__district__province_id")
        .first()
    )
    if place is None:
        return False
    if grantee.kind == Organisation.Kind.PROVINCIAL_OFFICE:
        return grantee.provinces.filter(pk=place["commune__district__province_id"]).exists()
    if grantee.kind == Organisation.Kind.COMMUNE_COUNCIL:
        return grantee.communes.filter(pk=place["commune_id"]).exists()
    return False


def case_share_with_government(
    *, actor: Membership, case_id, grantee_id, valid_until=None, ip: str | None = None
) -> CaseGrant:
    """Share a case, read-only, with the government office that serves the child (the DoSVY
    of the child's province, the commune council of the child's commune, or MoSVY), on a
    consent to share with government social services. Its officer may then record a
    follow-up visit (``authority_visit_record``) and sees nothing else."""
    require(actor, Capability.REFER_CASES)
    with audited_atomic():
        case = case_for_change(actor, case_id)
        grantee = _grantee(grantee_id, case)
        if grantee.kind not in GOVERNMENT_KINDS:
            raise ServiceError(_("Choose a government office."), field="grantee")
        if not _government_covers(grantee, case):
            raise ServiceError(
                _("%(organisation)s does not serve the place where the child lives.")
                % {"organisation": grantee.display_name(get_language())},
                field="grantee",
            )
        return case_grant_issue(
            case=case,
            by_user=actor.user,
            grantee=grantee,
            level=CaseGrant.Level.VIEW,
            purpose=SharingPurpose.GOVERNMENT_SHARE,
            valid_until=valid_until,
            ip=ip,
        )


def _owned_grant(actor: Membership, case: Case, grant_id) -> CaseGrant:
    try:
        return CaseGrant.objects.select_for_update(no_key=True).get(pk=grant_id, case=case)
    except (CaseGrant.DoesNotExist, ValueError, TypeError, ValidationError) as error:
        access_denied(actor=actor, model=CaseGrant, record_id=grant_id)
        raise NotFound from error


def _still_active(grant: CaseGrant) -> None:
    if not grant.is_active():
        raise ServiceError(_("This share has already ended."))


def case_grant_revoke(*, actor: Membership, case_id, grant_id, ip: str | None = None) -> CaseGrant:
    """Stop sharing a case with the grantee now (the owner's side)."""
    require(actor, Capability.REFER_CASES)
    with audited_atomic():
        case = case_get_for_user(actor=actor, case_id=case_id, edit=True, lock=True)
        grant = _owned_grant(actor, case, grant_id)
        _still_active(grant)
        _revoke(grant, reason=CaseGrant.RevokeReason.REVOKED, by_user=actor.user, ip=ip)
    return grant


def case_grant_renew(
    *, actor: Membership, case_id, grant_id, valid_until=None, ip: str | None = None
) -> CaseGrant:
    """Extend an active share to *valid_until* (the purpose's default length from today when
    None), on a consent that still covers it."""
    require(actor, Capability.REFER_CASES)
    with audited_atomic():
        case = case_for_change(actor, case_id)
        grant = _owned_grant(actor, case, grant_id)
        _still_active(grant)
        consent = _covering_consent(case, grant.grantee, grant.purpose)
        end = _checked_end(valid_until, purpose=grant.purpose, consent=consent, now=timezone.now())
        if end <= grant.valid_until:
            raise ServiceError(
                _("The new end date must be after the current one."), field="valid_until"
            )
        changes = {"valid_until": [grant.valid_until, end]}
        if consent.pk != grant.consent_id:
            changes["consent"] = [str(grant.consent_id), str(consent.pk)]
        grant.valid_until, grant.consent = end, consent
        grant.save(update_fields=["valid_until", "consent", "updated_at"])
        audit_log(
            actor=actor.user,
            organisation=case.organisation_id,
            action="cases.grant.renewed",
            target=grant,
            case=case,
            changes=changes,
            ip=ip,
        )
    return grant


def case_grant_assign(
    *, actor: Membership, grant_id, handled_by_id, ip: str | None = None
) -> CaseGrant:
    """The grantee's supervisor gives a shared case to one of its officers (who then finds it
    under "Cases shared with us"). Audited in the owner's trail, mirrored in the grantee's."""
    require(actor, Capability.ANSWER_REFERRALS)
    with audited_atomic():
        grant = grant_get_for_grantee(actor=actor, grant_id=grant_id)
        case_lock_for_grant(grant)
        grant = grant_get_for_grantee(actor=actor, grant_id=grant_id, lock=True)
        _still_active(grant)
        officer = (
            Membership.objects.filter(
                organisation_id=actor.organisation_id, user_id=handled_by_id, is_active=True
            )
            .select_related("user")
            .first()
            if _is_id(handled_by_id)
            else None
        )
        if officer is None or not officer.can(Capability.VIEW_OWN_CASES):
            raise ServiceError(
                _("Choose a member of your organisation who works on cases."), field="handled_by"
            )
        before = grant.handled_by_id
        grant.handled_by = officer.user
        grant.save(update_fields=["handled_by", "updated_at"])
        audit_log(
            actor=actor.user,
            organisation=grant.organisation_id,
            action="cases.grant.assigned",
            target=grant,
            case=grant.case_id,
            changes={"handled_by": [str(before) if before else None, str(officer.user_id)]},
            ip=ip,
            mirror_to=actor.organisation_id,
        )
    return grant


def _is_id(value) -> bool:
    try:
        uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return False
    return True


def grants_revoke_for_consent(event) -> None:
    """``ConsentWithdrawn`` (in the withdrawing transaction): end every active grant resting
    on the consent, each case locked in id order (a withdrawal locks the person and the
    consent first; nothing locks a case before a person, so no cycle forms)."""
    grants = CaseGrant.objects.filter(consent_id=event.consent_id, revoked_at__isnull=True)
    case_ids = sorted(set(grants.values_list("case_id", flat=True)))
    if not case_ids:
        return
    list(
        Case.objects.filter(pk__in=case_ids)
        .order_by("pk")
        .select_for_update(no_key=True)
        .values_list("pk", flat=True)
    )
    by_user = get_user_model().objects.filter(pk=event.by_user_id).first()
    for grant in grants.select_for_update(no_key=True).order_by("case_id", "pk"):
        _revoke(grant, reason=CaseGrant.RevokeReason.CONSENT_WITHDRAWN, by_user=by_user)


def grants_expire(*, now=None) -> int:
    """Mark the grants past their end as revoked (expired), each in its own transaction with
    its case locked first, so the grantees are told. Access does not wait for this: an
    expired grant gives nothing from its end. Returns how many were marked."""
    now = now or timezone.now()
    marked = 0
    due = CaseGrant.objects.with_scopes_disabled().filter(
        revoked_at__isnull=True, valid_until__lte=now
    )
    for grant_id in due.order_by("valid_until").values_list("pk", flat=True).iterator():
        with audited_atomic():
            grant = CaseGrant.objects.with_scopes_disabled().filter(pk=grant_id).first()
            if grant is None:
                continue
            case_lock_for_grant(grant)
            grant = (
                CaseGrant.objects.with_scopes_disabled()
                .select_for_update(no_key=True)
                .filter(pk=grant_id, revoked_at__isnull=True, valid_until__lte=now)
                .first()
            )
            if grant is None:
                continue
            _revoke(grant, reason=CaseGrant.RevokeReason.EXPIRED, by_user=None)
            marked += 1
    return marked
