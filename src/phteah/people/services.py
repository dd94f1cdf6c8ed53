"""Every change to people, their identity documents, households and consent.

Each service takes the acting Membership (``actor``), checks access through
``phteah.people.access``, validates everything before writing, and writes the change and its
audit event in one transaction."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from ulid import ULID

from phteah.accounts.models import GOVERNMENT_KINDS, Membership
from phteah.accounts.roles import Capability
from phteah.core import events
from phteah.core.access import access_denied
from phteah.core.audit import audit_log, audited_atomic, diff, snapshot
from phteah.core.concurrency import EditConflict, save_versioned
from phteah.core.errors import NotFound, ServiceError
from phteah.core.limits import check_date, check_values
from phteah.core.submissions import once

from . import files
from .access import household_get_for_user, person_get_for_user
from .events import ConsentWithdrawn
from .linkage import linkage_record_refresh, participates
from .models import Consent, Household, HouseholdMember, IdentityDocument, Person
from .names import person_search_fields

PERSON_FIELDS = (
    "family_name_km",
    "given_name_km",
    "family_name_latin",
    "given_name_latin",
    "nickname",
    "sex",
    "date_of_birth",
    "date_of_birth_estimated",
    "village",
    "address_detail",
    "birth_province",
    "has_disability",
    "disability_notes",
    "phone",
)
NAME_FIELDS = ("family_name_km", "given_name_km", "family_name_latin", "given_name_latin")
SEARCH_FIELDS = ("search_latin", "search_km", "name_key", "name_key_km")
DOCUMENT_FIELDS = ("kind", "status", "number", "obtained_on")
HOUSEHOLD_FIELDS = ("name", "village", "address_detail", "notes")
MEMBER_FIELDS = ("person", "relationship", "is_primary_carer")
CONSENT_FIELDS = (
    "given_as",
    "given_by_name",
    "given_on",
    "purpose",
    "shared_with_name",
    "for_referral",
    "for_transfer",
    "valid_until",
    "method",
    "witness_name",
    "notes",
)
MAX_AGE = 120


def _today() -> datetime.date:
    return timezone.localdate()


def _require_editor(actor: Membership) -> None:
    if actor is None or not actor.is_active or not actor.can(Capability.EDIT_CASES):
        raise PermissionError(Capability.EDIT_CASES)


def _editable(actor: Membership, person_id) -> Person:
    """The person, locked for this transaction, through the access function (NotFound when
    not visible or editable)."""
    person = person_get_for_user(actor=actor, person_id=person_id, edit=True)
    return Person.objects.select_for_update(no_key=True).get(pk=person.pk)


def _delete_file_after_commit(name: str | None, storage) -> None:
    """Remove a replaced photo or scan from storage once the change is committed (never
    when it rolls back, so a failed save loses nothing)."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _created(obj, fields) -> dict:
    return {name: [None, value] for name, value in snapshot(obj, fields).items()}


def date_of_birth_from_age(age_years: int, today: datetime.date | None = None) -> datetime.date:
    """Today's day and month, *age_years* years ago (28 February for 29 February)."""
    today = today or _today()
    try:
        return today.replace(year=today.year - age_years)
    except ValueError:
        return today.replace(year=today.year - age_years, day=28)


def _clean_person_values(values: dict, age_years: int | None) -> dict:
    """Checks shared by create and update; returns the values to store."""
    values = {name: values.get(name) for name in PERSON_FIELDS}
    for name in PERSON_FIELDS:
        if isinstance(values[name], str):
            values[name] = values[name].strip()
        elif values[name] is None and name not in (
            "date_of_birth",
            "village",
            "birth_province",
        ):
            values[name] = False if name in ("date_of_birth_estimated", "has_disability") else ""
    check_values(Person, values)
    if not any(values[name] for name in NAME_FIELDS):
        raise ServiceError(
            _("Give the person's name in Khmer or in Latin letters (or both)."),
            field="family_name_km",
        )
    if values["sex"] not in ("female", "male"):
        raise ServiceError(_("Choose the person's sex."), field="sex")
    if age_years is not None:
        if isinstance(age_years, bool) or not isinstance(age_years, int):
            raise ServiceError(_("Enter a whole number."), field="age_years")
        if values["date_of_birth"]:
            raise ServiceError(
                _("Give either a date of birth or an age, not both."), field="age_years"
            )
        if not 0 <= age_years <= MAX_AGE:
            raise ServiceError(
                _("The age must be between 0 and %(max)s years.") % {"max": MAX_AGE},
                field="age_years",
            )
        values["date_of_birth"] = date_of_birth_from_age(age_years)
        values["date_of_birth_estimated"] = True
    dob = values["date_of_birth"]
    if dob is not None and dob > _today():
        raise ServiceError(_("The date of birth cannot be in the future."), field="date_of_birth")
    if dob is None:
        values["date_of_birth_estimated"] = False
    if not values["has_disability"]:
        values["disability_notes"] = ""
    return values


def _search_values(values: dict) -> dict:
    return person_search_fields(
        family_name_latin=values["family_name_latin"],
        given_name_latin=values["given_name_latin"],
        family_name_km=values["family_name_km"],
        given_name_km=values["given_name_km"],
        nickname=values["nickname"],
    )


@once
def person_create(
    *,
    actor: Membership,
    sex: str,
    family_name_km: str = "",
    given_name_km: str = "",
    family_name_latin: str = "",
    given_name_latin: str = "",
    nickname: str = "",
    date_of_birth: datetime.date | None = None,
    date_of_birth_estimated: bool = False,
    age_years: int | None = None,
    village=None,
    address_detail: str = "",
    birth_province=None,
    has_disability: bool = False,
    disability_notes: str = "",
    phone: str = "",
    photo=None,
    global_id: str | None = None,
    ip: str | None = None,
) -> Person:
    """Register a person in the actor's organisation. The duplicate check is the caller's
    step before this one (``selectors.person_duplicates``). *global_id* is given when the
    person comes from another organisation (an accepted referral): the child keeps theirs."""
    _require_editor(actor)
    if global_id is not None:
        global_id = _checked_global_id(global_id)
    values = _clean_person_values(
        {
            "family_name_km": family_name_km,
            "given_name_km": given_name_km,
            "family_name_latin": family_name_latin,
            "given_name_latin": given_name_latin,
            "nickname": nickname,
            "sex": sex,
            "date_of_birth": date_of_birth,
            "date_of_birth_estimated": date_of_birth_estimated,
            "village": village,
            "address_detail": address_detail,
            "birth_province": birth_province,
            "has_disability": has_disability,
            "disability_notes": disability_notes,
            "phone": phone,
        },
        age_years,
    )
    if photo:
        photo = files.checked_upload(
            photo, kinds=files.IMAGE_KINDS, max_size=files.PHOTO_MAX, field="photo"
        )
    with audited_atomic():
        person = Person(
            organisation_id=actor.organisation_id,
            created_by_id=actor.user_id,
            **values,
            **_search_values(values),
        )
        if global_id:
            if Person.objects.filter(
                organisation_id=actor.organisation_id, global_id=global_id
            ).exists():
                raise ServiceError(_("This person is already registered here."))
            person.global_id = global_id
        if photo:
            person.photo = photo
        person.save()
        linkage_record_refresh(person, participates=participates(person.organisation_id))
        changes = _created(person, PERSON_FIELDS)
        if photo:
            changes["photo"] = [None, person.photo.name]
        audit_log(
            actor=actor.user,
            organisation=actor.organisation_id,
            action="people.person.created",
            target=person,
            changes=changes,
            ip=ip,
        )
    return person


def _checked_global_id(value) -> str:
    try:
        return str(ULID.from_str(str(value).strip().upper()))
    except ValueError as error:
        raise ServiceError(_("This is not a person's global id.")) from error


def person_update(
    *,
    actor: Membership,
    person_id,
    expected_version: int,
    photo=None,
    remove_photo: bool = False,
    age_years: int | None = None,
    ip: str | None = None,
    **values,
) -> Person:
    """Change a person's details if nobody saved them since *expected_version* was read;
    raises EditConflict (with the current row) otherwise."""
    _require_editor(actor)
    unknown = set(values) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"unknown person fields: {sorted(unknown)}")
    if photo:
        photo = files.checked_upload(
            photo, kinds=files.IMAGE_KINDS, max_size=files.PHOTO_MAX, field="photo"
        )
    with audited_atomic():
        current = _editable(actor, person_id)
        if current.version != expected_version:
            raise EditConflict(current)
        merged = {name: getattr(current, name) for name in PERSON_FIELDS} | values
        cleaned = _clean_person_values(merged, age_years)
        before = snapshot(current, PERSON_FIELDS)
        old_photo = current.photo.name or None
        for name, value in (cleaned | _search_values(cleaned)).items():
            setattr(current, name, value)
        if photo:
            current.photo.save(photo.name, photo, save=False)
        elif remove_photo:
            current.photo = ""
        save_versioned(
            current,
            expected_version=expected_version,
            fields=[*PERSON_FIELDS, *SEARCH_FIELDS, "photo"],
        )
        linkage_record_refresh(current, participates=participates(current.organisation_id))
        changes = diff(before, snapshot(current, PERSON_FIELDS))
        new_photo = current.photo.name or None
        if new_photo != old_photo:
            changes["photo"] = [old_photo, new_photo]
        if changes:
            audit_log(
                actor=actor.user,
                organisation=current.organisation_id,
                action="people.person.updated",
                target=current,
                changes=changes,
                ip=ip,
            )
        if old_photo and new_photo != old_photo:
            _delete_file_after_commit(old_photo, current.photo.storage)
    return current


# --- identity documents ------------------------------------------------------------------


def identity_document_save(
    *,
    actor: Membership,
    person_id,
    kind: str,
    status: str,
    number: str = "",
    obtained_on: datetime.date | None = None,
    scan=None,
    ip: str | None = None,
) -> IdentityDocument:
    """Record the state of one kind of document (one row per kind: updated if it exists)."""
    _require_editor(actor)
    if kind not in IdentityDocument.Kind.values:
        raise ServiceError(_("Choose a kind of document."), field="kind")
    if status not in IdentityDocument.Status.values:
        raise ServiceError(_("Choose the document's status."), field="status")
    number = (number or "").strip()
    check_values(IdentityDocument, {"number": number, "obtained_on": obtained_on})
    if obtained_on and status != IdentityDocument.Status.HAS:
        raise ServiceError(
            _("A date obtained can only be given when the person has the document."),
            field="obtained_on",
        )
    if obtained_on and obtained_on > _today():
        raise ServiceError(_("The date obtained cannot be in the future."), field="obtained_on")
    if scan:
        scan = files.checked_upload(
            scan, kinds=files.SCAN_KINDS, max_size=files.SCAN_MAX, field="scan"
        )
    with audited_atomic():
        person = _editable(actor, person_id)
        document = (
            IdentityDocument.objects.select_for_update(no_key=True)
            .filter(person=person, kind=kind)
            .first()
        )
        values = {"status": status, "number": number, "obtained_on": obtained_on}
        if document is None:
            document = IdentityDocument(
                organisation_id=person.organisation_id, person=person, kind=kind, **values
            )
            if scan:
                document.scan = scan
            document.save()
            changes = _created(document, DOCUMENT_FIELDS)
            action = "people.document.created"
        else:
            before = snapshot(document, DOCUMENT_FIELDS)
            old_scan = document.scan.name or None
            for name, value in values.items():
                setattr(document, name, value)
            if scan:
                document.scan = scan
            document.save()
            changes = diff(before, snapshot(document, DOCUMENT_FIELDS))
            if scan:
                changes["scan"] = [old_scan, document.scan.name]
                if old_scan != document.scan.name:
                    _delete_file_after_commit(old_scan, document.scan.storage)
            action = "people.document.updated"
        if changes:
            audit_log(
                actor=actor.user,
                organisation=person.organisation_id,
                action=action,
                target=document,
                changes=changes,
                data={"person": str(person.pk)},
                ip=ip,
            )
    return document


# --- households --------------------------------------------------------------------------


def _member_add(*, actor, household, person, relationship, is_primary_carer, ip) -> HouseholdMember:
    if relationship not in HouseholdMember.Relationship.values:
        raise ServiceError(_("Choose the relationship."), field="relationship")
    if HouseholdMember.objects.filter(household=household, person=person).exists():
        raise ServiceError(_("This person is already a member of the household."), field="person")
    member = HouseholdMember.objects.create(
        organisation_id=household.organisation_id,
        household=household,
        person=person,
        relationship=relationship,
        is_primary_carer=bool(is_primary_carer),
    )
    audit_log(
        actor=actor.user,
        organisation=household.organisation_id,
        action="people.household_member.added",
        target=household,
        changes=_created(member, MEMBER_FIELDS),
        data={"person": str(person.pk)},
        ip=ip,
    )
    return member


@once
def household_create(
    *,
    actor: Membership,
    person_id,
    name: str,
    relationship: str,
    is_primary_carer: bool = False,
    village=None,
    address_detail: str = "",
    notes: str = "",
    ip: str | None = None,
) -> Household:
    """A new household, with *person* as its first member (so it is visible at once)."""
    _require_editor(actor)
    check_values(Household, {"name": name, "address_detail": address_detail, "notes": notes})
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("Give the household a name."), field="name")
    with audited_atomic():
        person = _editable(actor, person_id)
        household = Household.objects.create(
            organisation_id=actor.organisation_id,
            name=name,
            village=village,
            address_detail=(address_detail or "").strip(),
            notes=(notes or "").strip(),
        )
        audit_log(
            actor=actor.user,
            organisation=actor.organisation_id,
            action="people.household.created",
            target=household,
            changes=_created(household, HOUSEHOLD_FIELDS),
            ip=ip,
        )
        _member_add(
            actor=actor,
            household=household,
            person=person,
            relationship=relationship,
            is_primary_carer=is_primary_carer,
            ip=ip,
        )
    return household


@once
def household_member_add(
    *,
    actor: Membership,
    household_id,
    person_id,
    relationship: str,
    is_primary_carer: bool = False,
    ip: str | None = None,
) -> HouseholdMember:
    """Add a person the actor may see to a household the actor may see."""
    _require_editor(actor)
    with audited_atomic():
        household = household_get_for_user(actor=actor, household_id=household_id, edit=True)
        household = Household.objects.select_for_update(no_key=True).get(pk=household.pk)
        visible = _editable(actor, person_id)
        return _member_add(
            actor=actor,
            household=household,
            person=visible,
            relationship=relationship,
            is_primary_carer=is_primary_carer,
            ip=ip,
        )


def household_member_remove(
    *, actor: Membership, household_id, member_id, ip: str | None = None
) -> None:
    _require_editor(actor)
    with audited_atomic():
        household = household_get_for_user(actor=actor, household_id=household_id, edit=True)
        household = Household.objects.select_for_update(no_key=True).get(pk=household.pk)
        try:
            member = HouseholdMember.objects.get(pk=member_id, household=household)
        except (HouseholdMember.DoesNotExist, ValueError, TypeError, ValidationError) as error:
            access_denied(actor=actor, model=HouseholdMember, record_id=member_id)
            raise NotFound from error
        before = snapshot(member, MEMBER_FIELDS)
        person_id = member.person_id
        member.delete()
        audit_log(
            actor=actor.user,
            organisation=household.organisation_id,
            action="people.household_member.removed",
            target=household,
            changes={name: [value, None] for name, value in before.items()},
            data={"person": str(person_id)},
            ip=ip,
        )


# --- consent -----------------------------------------------------------------------------


@once
def consent_create(
    *,
    actor: Membership,
    person_id,
    given_as: str,
    given_by_name: str,
    given_on: datetime.date,
    purpose: str,
    method: str,
    organisations=(),
    shared_with_name: str = "",
    for_referral: bool = False,
    for_transfer: bool = False,
    valid_until: datetime.date | None = None,
    witness_name: str = "",
    scan=None,
    notes: str = "",
    ip: str | None = None,
) -> Consent:
    _require_editor(actor)
    check_values(
        Consent,
        {
            "given_by_name": given_by_name,
            "given_on": given_on,
            "shared_with_name": shared_with_name,
            "valid_until": valid_until,
            "witness_name": witness_name,
            "notes": notes,
        },
    )
    given_by_name = (given_by_name or "").strip()
    witness_name = (witness_name or "").strip()
    shared_with_name = (shared_with_name or "").strip()
    organisations = list(organisations or ())
    if given_as not in Consent.GivenAs.values:
        raise ServiceError(_("Choose who gave the consent."), field="given_as")
    if not given_by_name:
        raise ServiceError(_("Give the name of the person who consented."), field="given_by_name")
    if given_on is None or given_on > _today():
        raise ServiceError(_("The date given cannot be in the future."), field="given_on")
    if purpose not in Consent.Purpose.values:
        raise ServiceError(_("Choose what the consent is for."), field="purpose")
    if valid_until is not None and valid_until < given_on:
        raise ServiceError(
            _("A consent cannot end before the date it was given."), field="valid_until"
        )
    organisations = _consent_organisations(actor, purpose, organisations, shared_with_name)
    if purpose == Consent.Purpose.SHARE_ORGANISATION:
        if not (for_referral or for_transfer):
            raise ServiceError(
                _("Say what the sharing covers: referrals, a transfer of the case, or both."),
                field="for_referral",
            )
    else:
        shared_with_name, for_referral, for_transfer = "", False, False
    if method not in Consent.Method.values:
        raise ServiceError(_("Choose how the consent was given."), field="method")
    if method == Consent.Method.VERBAL_WITNESSED and not witness_name:
        raise ServiceError(_("Give the witness's name for a verbal consent."), field="witness_name")
    if scan:
        scan = files.checked_upload(
            scan, kinds=files.SCAN_KINDS, max_size=files.SCAN_MAX, field="scan"
        )
    with audited_atomic():
        person = _editable(actor, person_id)
        consent = Consent(
            organisation_id=person.organisation_id,
            person=person,
            given_as=given_as,
            given_by_name=given_by_name,
            given_on=given_on,
            purpose=purpose,
            shared_with_name=shared_with_name,
            for_referral=bool(for_referral),
            for_transfer=bool(for_transfer),
            valid_until=valid_until,
            method=method,
            witness_name=witness_name,
            notes=(notes or "").strip(),
        )
        if scan:
            consent.scan = scan
        consent.save()
        consent.organisations.set(organisations)
        changes = _created(consent, CONSENT_FIELDS)
        if organisations:
            changes["organisations"] = [None, sorted(str(o.pk) for o in organisations)]
        if scan:
            changes["scan"] = [None, consent.scan.name]
        audit_log(
            actor=actor.user,
            organisation=person.organisation_id,
            action="people.consent.created",
            target=consent,
            changes=changes,
            data={"person": str(person.pk)},
            ip=ip,
        )
    return consent


def _consent_organisations(actor, purpose, organisations, shared_with_name) -> list:
    """The organisations a consent for *purpose* names, checked: active, not the actor's own,
    and government offices for a consent to share with government."""
    if purpose == Consent.Purpose.SHARE_ORGANISATION:
        if not organisations and not shared_with_name:
            raise ServiceError(
                _(
                    "Choose the organisations the information may be shared with, or name the "
                    "partner that is not on Phteah."
                ),
                field="organisations",
            )
    elif purpose == Consent.Purpose.SHARE_GOVERNMENT:
        if any(o.kind not in GOVERNMENT_KINDS for o in organisations):
            raise ServiceError(
                _("A consent to share with government names government offices only."),
                field="organisations",
            )
    else:
        return []
    if any(not o.is_active or o.pk == actor.organisation_id for o in organisations):
        raise ServiceError(
            _("Choose the organisations the information may be shared with."),
            field="organisations",
        )
    return organisations


def consent_withdraw(
    *,
    actor: Membership,
    person_id,
    consent_id,
    withdrawn_on: datetime.date,
    ip: str | None = None,
) -> Consent:
    _require_editor(actor)
    check_date(withdrawn_on, field="withdrawn_on")
    with audited_atomic():
        person = _editable(actor, person_id)
        try:
            consent = Consent.objects.select_for_update(no_key=True).get(
                pk=consent_id, person=person
            )
        except (Consent.DoesNotExist, ValueError, TypeError, ValidationError) as error:
            access_denied(actor=actor, model=Consent, record_id=consent_id)
            raise NotFound from error
        if consent.withdrawn_on:
            raise ServiceError(_("This consent was already withdrawn."), field="withdrawn_on")
        if withdrawn_on is None or withdrawn_on < consent.given_on:
            raise ServiceError(
                _("A consent cannot be withdrawn before the date it was given."),
                field="withdrawn_on",
            )
        if withdrawn_on > _today():
            raise ServiceError(
                _("The date of withdrawal cannot be in the future."), field="withdrawn_on"
            )
        consent.withdrawn_on = withdrawn_on
        consent.save(update_fields=["withdrawn_on", "updated_at"])
        audit_log(
            actor=actor.user,
            organisation=person.organisation_id,
            action="people.consent.withdrawn",
            target=consent,
            changes={"withdrawn_on": [None, withdrawn_on]},
            data={"person": str(person.pk)},
            ip=ip,
        )
        events.publish(
            ConsentWithdrawn(
                organisation_id=person.organisation_id,
                person_id=person.pk,
                consent_id=consent.pk,
                by_user_id=actor.user_id,
            )
        )
    return consent
