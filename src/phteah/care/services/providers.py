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

from ..models import CareProvider, Carer, ProviderCareType
from .placements import PROVIDER_KIND_FOR_CARE_TYPE

PROVIDER_FIELDS = (
    "kind",
    "name",
    "village",
    "address_detail",
    "capacity",
    "phone",
    "is_active",
    "notes",
    "network_published",
)
CARE_TYPE_FIELDS = ("care_type", "age_min", "age_max", "accepts_disability")
# Ages a provider's care type is for, in whole years: children, and young people leaving care.
AGE_LIMIT = 24


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
    network_published: bool | None = None,
    ip: str | None = None,
) -> CareProvider:
    """Change a provider; *network_published* None leaves whether the directory shows it as
    it is."""
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
        if (
            kind != provider.kind
            and provider.care_types.exclude(care_type__in=care_types_for_kind(kind)).exists()
        ):
            raise ServiceError(
                _("Remove the care types this kind of provider does not offer first."),
                field="kind",
            )
        if network_published is None:
            network_published = provider.network_published
        audited_update(
            provider,
            values={
                "network_published": bool(network_published),
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


def _provider_row_remove(actor, provider_id, model, row_id, *, action, fields, ip) -> None:
    """Remove a row that belongs to a provider (a carer, a care type it offers), audited with
    its last values, the provider locked first."""
    with audited_atomic():
        provider = provider_get_for_edit(actor, provider_id, lock=True)
        try:
            row = model.objects.get(pk=row_id, provider=provider)
        except (model.DoesNotExist, ValueError, TypeError, ValidationError) as error:
            access_denied(actor=actor, model=model, record_id=row_id)
            raise NotFound from error
        audit_log(
            actor=actor.user,
            organisation=actor.organisation_id,
            action=action,
            target=row,
            changes={name: [getattr(row, name), None] for name in fields},
            data={"provider": str(provider.pk)},
            ip=ip,
        )
        row.delete()


def carer_remove(*, actor, provider_id, carer_id, ip: str | None = None) -> None:
    _provider_row_remove(
        actor,
        provider_id,
        Carer,
        carer_id,
        action="care.carer.removed",
        fields=("name", "phone"),
        ip=ip,
    )


# --- what a provider offers the network ------------------------------------------------


def care_types_for_kind(kind: str) -> list[str]:
    """The care types a provider of *kind* can offer: those whose placements it may take."""
    return [
        care_type for care_type, wanted in PROVIDER_KIND_FOR_CARE_TYPE.items() if wanted == kind
    ]


def provider_care_type_set(
    *,
    actor,
    provider_id,
    care_type: str,
    age_min: int,
    age_max: int,
    accepts_disability: bool = False,
    ip: str | None = None,
) -> ProviderCareType:
    """Say that the provider offers *care_type* to children aged *age_min* to *age_max*
    (whole years), with or without a disability; changes the row if it offers it already."""
    with audited_atomic():
        provider = provider_get_for_edit(actor, provider_id, lock=True)
        check_values(ProviderCareType, {"care_type": care_type})
        if care_type not in care_types_for_kind(provider.kind):
            raise ServiceError(
                _("This care provider does not offer this kind of care."), field="care_type"
            )
        for name, age in (("age_min", age_min), ("age_max", age_max)):
            if not isinstance(age, int) or isinstance(age, bool) or not 0 <= age <= AGE_LIMIT:
                raise ServiceError(
                    _("Enter an age from 0 to %(limit)s years.") % {"limit": AGE_LIMIT},
                    field=name,
                )
        if age_max < age_min:
            raise ServiceError(_("The oldest age cannot be below the youngest."), field="age_max")
        values = {
            "age_min": age_min,
            "age_max": age_max,
            "accepts_disability": bool(accepts_disability),
        }
        existing = ProviderCareType.objects.filter(provider=provider, care_type=care_type).first()
        if existing is None:
            return audited_create(
                ProviderCareType,
                values=dict(
                    organisation_id=actor.organisation_id,
                    provider=provider,
                    care_type=care_type,
                    **values,
                ),
                fields=CARE_TYPE_FIELDS,
                actor=actor.user,
                organisation=actor.organisation_id,
                action="care.provider.care_type_set",
                data={"provider": str(provider.pk)},
                ip=ip,
            )
        audited_update(
            existing,
            values=values,
            fields=CARE_TYPE_FIELDS,
            actor=actor.user,
            organisation=actor.organisation_id,
            action="care.provider.care_type_set",
            data={"provider": str(provider.pk)},
            ip=ip,
        )
        return existing


def provider_care_type_remove(*, actor, provider_id, care_type_id, ip: str | None = None) -> None:
    _provider_row_remove(
        actor,
        provider_id,
        ProviderCareType,
        care_type_id,
        action="care.provider.care_type_removed",
        fields=CARE_TYPE_FIELDS,
        ip=ip,
    )


def providers_network_publish(*, actor, provider_ids, ip: str | None = None) -> int:
    """Show in the partner directory exactly the organisation's providers in *provider_ids*
    (the others are withdrawn from it), for those who manage the network profile. Returns
    how many providers changed."""
    require(actor, Capability.MANAGE_NETWORK_PROFILE)
    wanted = {str(pk) for pk in provider_ids}
    with audited_atomic():
        providers = list(
            CareProvider.objects.filter(organisation_id=actor.organisation_id)
            .select_for_update(no_key=True)
            .order_by("pk")
        )
        known = {str(provider.pk) for provider in providers}
        if wanted - known:
            raise ServiceError(_("Choose one of the options in the list."), field="providers")
        changed = 0
        for provider in providers:
            publish = str(provider.pk) in wanted
            if publish != provider.network_published:
                audited_update(
                    provider,
                    values={"network_published": publish},
                    fields=("network_published",),
                    actor=actor.user,
                    organisation=actor.organisation_id,
                    action="care.provider.updated",
                    ip=ip,
                )
                changed += 1
    return changed
