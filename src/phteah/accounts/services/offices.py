"""The organisation's offices."""

from __future__ import annotations

from django.utils.translation import gettext as _

from phteah.core.audit import audited_atomic, audited_create, audited_update
from phteah.core.errors import ServiceError
from phteah.core.limits import check_values
from phteah.core.submissions import once

from ..models import Membership, Office
from ..roles import Capability
from ..selectors import office_get_for_user
from .common import clean_name, require

OFFICE_FIELDS = ("name", "village", "address_detail", "phone", "is_active")


def _check_name(organisation_id, name: str, *, exclude_id=None) -> str:
    name = clean_name(name, field="name")
    offices = Office.objects.filter(organisation_id=organisation_id, name__iexact=name)
    if exclude_id is not None:
        offices = offices.exclude(pk=exclude_id)
    if offices.exists():
        raise ServiceError(
            _("Your organisation already has an office with this name."), field="name"
        )
    return name


@once
def office_create(
    *,
    actor: Membership,
    name: str,
    village=None,
    address_detail: str = "",
    phone: str = "",
    ip: str | None = None,
) -> Office:
    require(actor, Capability.MANAGE_OFFICES)
    check_values(Office, {"address_detail": address_detail, "phone": phone})
    with audited_atomic():
        name = _check_name(actor.organisation_id, name)
        return audited_create(
            Office,
            values={
                "organisation_id": actor.organisation_id,
                "name": name,
                "village": village,
                "address_detail": address_detail,
                "phone": phone,
            },
            fields=OFFICE_FIELDS,
            actor=actor.user,
            organisation=actor.organisation_id,
            action="accounts.office.created",
            ip=ip,
        )


def office_update(
    *,
    actor: Membership,
    office_id,
    name: str,
    village=None,
    address_detail: str = "",
    phone: str = "",
    is_active: bool = True,
    ip: str | None = None,
) -> Office:
    with audited_atomic():
        office = office_get_for_user(actor=actor, office_id=office_id)
        office = Office.objects.select_for_update(no_key=True).get(pk=office.pk)
        check_values(Office, {"address_detail": address_detail, "phone": phone})
        name = _check_name(actor.organisation_id, name, exclude_id=office.pk)
        audited_update(
            office,
            values={
                "name": name,
                "village": village,
                "address_detail": address_detail,
                "phone": phone,
                "is_active": is_active,
            },
            fields=OFFICE_FIELDS,
            actor=actor.user,
            organisation=actor.organisation_id,
            action="accounts.office.updated",
            ip=ip,
        )
    return office
