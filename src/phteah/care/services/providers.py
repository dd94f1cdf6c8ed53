"""Care providers (foster families, family houses, centres, institutions, pagodas) and their
carers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from phteah.accounts.roles import Capability
from phteah.cases.services.records import require
from phteah.core.access import access_denied, organisation_row_get_for_user
from phteah.core.audit import audit_log, audited_atomic, audited_create, audited_update
from phteah.core.errors import NotFound, ServiceError
from phteah.core.limits import check_values
from phteah.core.submissions import once

from ..models import CareProvider, Carer

PROVIDER_FIELDS = (
    "kind",
    "name",
    "village",
    "address_detail",
    "capacity",
    "phone",
    "is_active",
    "notes",
)


def _provider_name_taken(organisation_id, name, exclude=None) -> bool:
    providers = CareProvider.objects.filter(organisation_id=organisation_id, name__iexact=name)
    if exclude is not None:
        providers = providers.exclude(pk=exclude.pk)
    return providers.exists()


def _check_provider(actor, *, name, capacity, exclude=None, **values) -> None:
    check_values(CareProvider, {"name": name, "capacity": capacity, **values})
    if _provider_name_taken(actor.organisation_id, name, exclude=exclude):
        raise ServiceError(
            _("Your organisation already has a care provider with this name."), field="name"
        )
    if capacity is None or capacity < 1:
        raise ServiceError(_("A care provider has at least one place."), field="capacity")


def provider_get_for_edit(actor, provider_id, *, lock=False) -> CareProvider:
    """The access function for changing a care provider: the organisation's own, for those
    who edit cases; NotFound otherwise."""
    require(actor, Capability.EDIT_CASES)
    return organisation_row_get_for_user(
        CareProvider.objects.all(), actor=actor, record_id=provider_id, lock=lock
    )


@once
def provider_create(
    *,
    actor,
    kind: str,
    name: str,
    capacity: int,
    village=None,
    address_detail: str = "",
    phone: str = "",
    notes: str = "",
    ip: str | None = None,
) -> CareProvider:
    require(actor, Capability.EDIT_CASES)
    with audited_atomic():
        _check_provider(
            actor,
            name=name,
            capacity=capacity,
            kind=kind,
            address_detail=address_detail,
            phone=phone,
            notes=notes,
        )
        provider = audited_create(
            CareProvider,
            values=dict(
                organisation_id=actor.organisation_id,
                kind=kind,
                name=name,
                capacity=capacity,
                village=village,
                address_detail=address_detail,
                phone=phone,
                notes=notes,
            ),
            fields=PROVIDER_FIELDS,
            actor=actor.user,
            organisation=actor.organisation_id,
            action="care.provider.created",
            ip=ip,
        )
    return provider


def provider_update(
    *,
    actor,
    provider_id,
    kind: str,
    name: str,
    capacity: int,
    village=None,
    address_detail: str = "",
    phone: str = "",
    notes: str = "",
    is_active: bool = True,
    ip: str | None = None,
) -> CareProvider:
    with audited_atomic():
        provider = provider_get_for_edit(actor, provider_id, lock=True)
        _check_provider(
            actor,
            name=name,
            capacity=capacity,
            exclude=provider,
            kind=kind,
            address_detail=address_detail,
            phone=phone,
            notes=notes,
        )
        if (
            kind != provider.kind
            and provider.placements.valid().filter(ended_on__isnull=True).exists()
        ):
            raise ServiceError(
                _("Children are placed here: end their placements before changing the kind."),
                field="kind",
            )
        audited_update(
            provider,
            values={
                "kind": kind,
                "name": name,
                "capacity": capacity,
                "village": village,
                "address_detail": address_detail,
                "phone": phone,
                "notes": notes,
                "is_active": is_active,
            },
            fields=PROVIDER_FIELDS,
            actor=actor.user,
            organisation=actor.organisation_id,
            action="care.provider.updated",
            ip=ip,
        )
    return provider


@once
def carer_add(*, actor, provider_id, name: str, phone: str = "", ip: str | None = None) -> Carer:
    with audited_atomic():
        provider = provider_get_for_edit(actor, provider_id, lock=True)
        check_values(Carer, {"name": name, "phone": phone})
        if not (name or "").strip():
            raise ServiceError(_("Enter a name."), field="name")
        carer = audited_create(
            Carer,
            values=dict(
                organisation_id=actor.organisation_id, provider=provider, name=name, phone=phone
            ),
            fields=("name", "phone"),
            actor=actor.user,
            organisation=actor.organisation_id,
            action="care.carer.added",
            data={"provider": str(provider.pk)},
            ip=ip,
        )
    return carer


def carer_remove(*, actor, provider_id, carer_id, ip: str | None = None) -> None:
    with audited_atomic():
        provider = provider_get_for_edit(actor, provider_id, lock=True)
        try:
            carer = Carer.objects.get(pk=carer_id, provider=provider)
        except (Carer.DoesNotExist, ValueError, TypeError, ValidationError) as error:
            access_denied(actor=actor, model=Carer, record_id=carer_id)
            raise NotFound from error
        audit_log(
            actor=actor.user,
            organisation=actor.organisation_id,
            action="care.carer.removed",
            target=carer,
            changes={"name": [carer.name, None], "phone": [carer.phone, None]},
            data={"provider": str(provider.pk)},
            ip=ip,
        )
        carer.delete()
