"""The organisation's service catalogue, and the services delivered to a child or a family.
(Their audit codes keep the ``care.service`` prefixes they were first recorded with.)"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.text import slugify
from django.utils.translation import gettext as _

from phteah.accounts.models import Organisation
from phteah.accounts.roles import Capability
from phteah.core.access import organisation_row_get_for_user
from phteah.core.audit import audit_log, audited_atomic, audited_create, audited_update
from phteah.core.errors import ServiceError
from phteah.core.limits import check_values
from phteah.core.submissions import once

from ..access import service_delivery_get_for_user
from ..models import ServiceDelivery, ServiceType
from .records import (
    case_changed,
    case_date,
    case_for_change,
    case_record_create,
    not_voided,
    own,
    require,
)

# The services seen in real NGO reports (DOMAIN.md): code, English name, Khmer name.
STANDARD_SERVICE_TYPES = (
    (
        "emergency_support",
        "Emergency support package (food, hygiene)",
        "កញ្ចប់ជំនួយបន្ទាន់ (ស្បៀងអាហារ និងសម្ភារៈអនាម័យ)",
    ),
    ("birth_certificate", "Birth certificate support", "ជំនួយការធ្វើសំបុត្រកំណើត"),
    ("id_card", "ID card support", "ជំនួយការធ្វើអត្តសញ្ញាណប័ណ្ណ"),
    ("family_book", "Family book support", "ជំនួយការធ្វើសៀវភៅគ្រួសារ"),
    (
        "school_registration",
        "School registration and follow-up",
        "ការចុះឈ្មោះចូលរៀន និងការតាមដានការសិក្សា",
    ),
    ("physiotherapy", "Physiotherapy", "ការព្យាបាលដោយចលនា"),
    ("antenatal_care", "Antenatal check-up and scan", "ការពិនិត្យផ្ទៃពោះ និងការថតអេកូ"),
    ("counselling", "Counselling", "ការប្រឹក្សាផ្លូវចិត្ត"),
    ("family_mediation", "Family mediation", "ការសម្រុះសម្រួលក្នុងគ្រួសារ"),
    ("legal_support", "Legal support for victims", "ជំនួយផ្នែកច្បាប់សម្រាប់ជនរងគ្រោះ"),
    ("safe_shelter", "Safe temporary shelter", "ទីជម្រកបណ្ដោះអាសន្នប្រកបដោយសុវត្ថិភាព"),
    ("rescue", "Rescue with authorities", "ការជួយសង្គ្រោះរួមជាមួយអាជ្ញាធរ"),
    (
        "emergency_foster_care",
        "Emergency foster care",
        "ការថែទាំបណ្ដោះអាសន្នក្នុងគ្រួសារអុបត្ថម្ភ",
    ),
    ("reintegration_support", "Reintegration support", "ជំនួយសមាហរណកម្មទៅក្នុងគ្រួសារវិញ"),
    (
        "vocational_support",
        "Vocational training and job support",
        "ការបណ្តុះបណ្តាលវិជ្ជាជីវៈ និងជំនួយស្វែងរកការងារ",
    ),
    ("english_classes", "English classes", "ថ្នាក់ភាសាអង់គ្លេស"),
    ("outreach", "Outreach to poor families", "ការចុះជួយគ្រួសារក្រីក្រ"),
)


SERVICE_TYPE_FIELDS = ("code", "name_en", "name_km", "is_active")


def service_types_seed(*, organisation, actor=None, ip: str | None = None) -> int:
    """Give *organisation* the standard catalogue if it has no service types yet. Returns the
    number created (0 when it already had some). *actor*: the Membership that triggered it,
    or None for set-up commands."""
    organisation_id = getattr(organisation, "pk", organisation)
    with audited_atomic():
        # Lock the organisation so two first uses at once do not seed twice.
        Organisation.objects.select_for_update(no_key=True).filter(pk=organisation_id).values_list(
            "pk", flat=True
        ).get()
        if ServiceType.objects.filter(organisation_id=organisation_id).exists():
            return 0
        ServiceType.objects.bulk_create(
            [
                ServiceType(organisation_id=organisation_id, code=code, name_en=en, name_km=km)
                for code, en, km in STANDARD_SERVICE_TYPES
            ]
        )
        audit_log(
            actor=actor.user if actor is not None else None,
            organisation=organisation_id,
            action="care.service_type.seeded",
            data={"count": len(STANDARD_SERVICE_TYPES)},
            ip=ip,
        )
    return len(STANDARD_SERVICE_TYPES)


def service_type_get_for_edit(actor, service_type_id, *, lock: bool = False) -> ServiceType:
    """The access function for the service catalogue's rows: the organisation's own, for those
    who manage its settings; NotFound otherwise."""
    return organisation_row_get_for_user(
        ServiceType.objects.all(),
        actor=actor,
        record_id=service_type_id,
        capability=Capability.MANAGE_SETTINGS,
        lock=lock,
    )


def _service_type_name_taken(organisation_id, name_en, exclude=None) -> bool:
    types = ServiceType.objects.filter(organisation_id=organisation_id, name_en__iexact=name_en)
    if exclude is not None:
        types = types.exclude(pk=exclude.pk)
    return types.exists()


def _free_code(organisation_id, name_en: str) -> str:
    base = (slugify(name_en).replace("-", "_") or "service")[:40]
    taken = set(
        ServiceType.objects.filter(
            organisation_id=organisation_id, code__startswith=base
        ).values_list("code", flat=True)
    )
    code, number = base, 2
    while code in taken:
        code, number = f"{base}_{number}", number + 1
    return code


@once
def service_type_create(*, actor, name_en: str, name_km: str, ip: str | None = None) -> ServiceType:
    require(actor, Capability.MANAGE_SETTINGS)
    check_values(ServiceType, {"name_en": name_en, "name_km": name_km})
    with audited_atomic():
        if _service_type_name_taken(actor.organisation_id, name_en):
            raise ServiceError(
                _("Your organisation already has a service with this name."), field="name_en"
            )
        service_type = audited_create(
            ServiceType,
            values=dict(
                organisation_id=actor.organisation_id,
                code=_free_code(actor.organisation_id, name_en),
                name_en=name_en,
                name_km=name_km,
            ),
            fields=SERVICE_TYPE_FIELDS,
            actor=actor.user,
            organisation=actor.organisation_id,
            action="care.service_type.created",
            ip=ip,
        )
    return service_type


def service_type_update(
    *,
    actor,
    service_type_id,
    name_en: str,
    name_km: str,
    is_active: bool,
    ip: str | None = None,
) -> ServiceType:
    require(actor, Capability.MANAGE_SETTINGS)
    check_values(ServiceType, {"name_en": name_en, "name_km": name_km})
    with audited_atomic():
        service_type = service_type_get_for_edit(actor, service_type_id, lock=True)
        if _service_type_name_taken(actor.organisation_id, name_en, exclude=service_type):
            raise ServiceError(
                _("Your organisation already has a service with this name."), field="name_en"
            )
        audited_update(
            service_type,
            values={"name_en": name_en, "name_km": name_km, "is_active": is_active},
            fields=SERVICE_TYPE_FIELDS,
            actor=actor.user,
            organisation=actor.organisation_id,
            action="care.service_type.updated",
            ip=ip,
        )
    return service_type


# --- services delivered ----------------------------------------------------------------

SERVICE_FIELDS = (
    "service_type",
    "provider",
    "provider_name",
    "delivered_on",
    "quantity",
    "cost",
    "currency",
    "recipient",
    "notes",
)


def _check_service_type(actor, service_type, *, current_id=None) -> None:
    """The service must be one of the organisation's; an inactive one only if unchanged."""
    own(actor, service_type, "service_type")
    if not service_type.is_active and service_type.pk != current_id:
        raise ServiceError(_("This service is no longer in use."), field="service_type")


def _check_service(
    actor,
    case,
    *,
    provider,
    provider_name,
    delivered_on,
    quantity,
    cost,
    currency,
    recipient,
    notes,
):
    """Validate a service delivery; returns the provider organisation to store."""
    check_values(
        ServiceDelivery,
        {
            "provider_name": provider_name,
            "delivered_on": delivered_on,
            "quantity": quantity,
            "cost": cost,
            "currency": currency,
            "recipient": recipient,
            "notes": notes,
        },
    )
    case_date(case, delivered_on, "delivered_on")
    quantity = Decimal(str(quantity)) if quantity is not None else None
    cost = Decimal(str(cost)) if cost is not None else None
    if quantity is None or quantity <= 0:
        raise ServiceError(_("The quantity must be more than zero."), field="quantity")
    if cost is not None:
        if cost < 0:
            raise ServiceError(_("The cost cannot be negative."), field="cost")
        if currency == ServiceDelivery.Currency.KHR and cost != cost.to_integral_value():
            raise ServiceError(_("Amounts in riel have no decimals."), field="cost")
    if provider is not None and provider_name:
        raise ServiceError(
            _("Choose a partner organisation or type a provider's name, not both."),
            field="provider_name",
        )
    if provider is not None and not provider.is_active:
        raise ServiceError(_("This organisation is no longer active."), field="partner")
    if provider is None and not provider_name:
        # Provided by the organisation itself.
        return Organisation.objects.get(pk=actor.organisation_id)
    return provider


@once
def service_record(
    *,
    actor,
    case_id,
    service_type: ServiceType,
    delivered_on: datetime.date,
    provider: Organisation | None = None,
    provider_name: str = "",
    quantity: Decimal = Decimal(1),
    cost: Decimal | None = None,
    currency: str = ServiceDelivery.Currency.USD,
    recipient: str = ServiceDelivery.Recipient.CHILD,
    notes: str = "",
    ip: str | None = None,
) -> ServiceDelivery:
    """Record a service delivered to the child or the family. *provider*: a partner
    organisation; *provider_name*: a provider that is not in Phteah; neither: the actor's
    own organisation."""
    with audited_atomic():
        case = case_for_change(actor, case_id)
        _check_service_type(actor, service_type)
        provider = _check_service(
            actor,
            case,
            provider=provider,
            provider_name=provider_name,
            delivered_on=delivered_on,
            quantity=quantity,
            cost=cost,
            currency=currency,
            recipient=recipient,
            notes=notes,
        )
        return case_record_create(
            actor,
            case,
            ServiceDelivery,
            values=dict(
                service_type=service_type,
                provider=provider,
                provider_name=provider_name,
                delivered_on=delivered_on,
                quantity=quantity,
                cost=cost,
                currency=currency,
                recipient=recipient,
                notes=notes,
                recorded_by=actor.user,
            ),
            fields=SERVICE_FIELDS,
            action="care.service.recorded",
            data={"service_type": str(service_type.pk)},
            ip=ip,
        )


def service_update(
    *,
    actor,
    case_id,
    service_id,
    service_type: ServiceType,
    delivered_on: datetime.date,
    provider: Organisation | None = None,
    provider_name: str = "",
    quantity: Decimal = Decimal(1),
    cost: Decimal | None = None,
    currency: str = ServiceDelivery.Currency.USD,
    recipient: str = ServiceDelivery.Recipient.CHILD,
    notes: str = "",
    ip: str | None = None,
) -> ServiceDelivery:
    with audited_atomic():
        case = case_for_change(actor, case_id)
        service = service_delivery_get_for_user(
            actor=actor, checked_case=case, service_id=service_id, lock=True
        )
        not_voided(service)
        _check_service_type(actor, service_type, current_id=service.service_type_id)
        provider = _check_service(
            actor,
            case,
            provider=provider,
            provider_name=provider_name,
            delivered_on=delivered_on,
            quantity=quantity,
            cost=cost,
            currency=currency,
            recipient=recipient,
            notes=notes,
        )
        audited_update(
            service,
            values={
                "service_type": service_type,
                "provider": provider,
                "provider_name": provider_name,
                "delivered_on": delivered_on,
                "quantity": quantity,
                "cost": cost,
                "currency": currency,
                "recipient": recipient,
                "notes": notes,
            },
            fields=SERVICE_FIELDS,
            actor=actor.user,
            organisation=case.organisation_id,
            action="care.service.updated",
            case=case,
            data={"service_type": str(service_type.pk)},
            ip=ip,
        )
        case_changed(case)
    return service
