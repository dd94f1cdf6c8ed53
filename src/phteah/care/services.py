"""Every change to the records that hang off a case (visits, services delivered, placements,
family tracing and reunification) and to the organisation's care providers and service
catalogue.

Each service takes the acting ``Membership`` (``actor``), reaches the case through
``case_get_for_user(..., edit=True)`` (404 when missing or not allowed), validates before
writing anything, and writes the change, its audit event and the case's derived stage in one
transaction."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from phteah.accounts.models import Organisation
from phteah.accounts.roles import Capability
from phteah.cases.access import case_get_for_user
from phteah.cases.models import Case, ServiceDelivery, ServiceType, Visit
from phteah.cases.stage import case_refresh
from phteah.core.audit import audit_log, audited_create, audited_update
from phteah.core.errors import ServiceError

from .models import (
    CareProvider,
    Carer,
    CareType,
    Placement,
    Relative,
    ReunificationAssessment,
    TracingAction,
)

# Which kind of care provider may host each care type; care types absent here take none.
PROVIDER_KIND_FOR_CARE_TYPE = {
    CareType.EMERGENCY_FOSTER: CareProvider.Kind.FOSTER_FAMILY,
    CareType.LONG_TERM_FOSTER: CareProvider.Kind.FOSTER_FAMILY,
    CareType.FAMILY_HOUSE: CareProvider.Kind.FAMILY_HOUSE,
    CareType.TEMPORARY_CENTRE: CareProvider.Kind.TEMPORARY_CENTRE,
    CareType.RESIDENTIAL: CareProvider.Kind.RESIDENTIAL,
    CareType.PAGODA: CareProvider.Kind.PAGODA,
}

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


# --- shared checks ---------------------------------------------------------------------


def _require(actor, capability: Capability) -> None:
    if actor is None or not actor.can(capability):
        raise PermissionError(capability)


def _case_for_write(actor, case_id) -> Case:
    """The case, locked for this transaction, if *actor* may change it (else 404)."""
    case = case_get_for_user(actor=actor, case_id=case_id, edit=True)
    Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True).get()
    return case


def _case_record_create(
    actor, case: Case, model, *, values: dict, fields, action: str, ip, data=None
):
    """Create a record of *case* (a visit, service, placement, tracing action...), log it
    (with *data* besides the case's reference), and refresh what the case derives from its
    records (stage, due dates). Inside the caller's transaction."""
    record = audited_create(
        model,
        values={"organisation_id": case.organisation_id, "case": case, **values},
        fields=fields,
        actor=actor.user,
        organisation=actor.organisation_id,
        action=action,
        data={"case": case.reference, **(data or {})},
        ip=ip,
    )
    case_refresh(case)
    return record


def _not_future(value: datetime.date | None, field: str) -> None:
    if value is not None and value > timezone.localdate():
        raise ServiceError(_("This date is in the future."), field=field)


def _own(actor, obj, field: str) -> None:
    """*obj* (a catalogue row, provider, relative...) must belong to the actor's organisation."""
    if obj is not None and obj.organisation_id != actor.organisation_id:
        raise ServiceError(_("Choose one of the options in the list."), field=field)


# --- visits ----------------------------------------------------------------------------

VISIT_FIELDS = (
    "visited_on",
    "kind",
    "people_seen",
    "schooling",
    "wellbeing_notes",
    "next_visit_due",
)


def _check_visit(visited_on, next_visit_due) -> None:
    _not_future(visited_on, "visited_on")
    if next_visit_due is not None and next_visit_due <= visited_on:
        raise ServiceError(
            _("The next visit must be due after the date of this visit."), field="next_visit_due"
        )


def visit_record(
    *,
    actor,
    case_id,
    visited_on: datetime.date,
    kind: str,
    people_seen: str = "",
    schooling: str = "",
    wellbeing_notes: str = "",
    next_visit_due: datetime.date | None = None,
    ip: str | None = None,
) -> Visit:
    """Record a visit or call (a case note) on a case."""
    with transaction.atomic():
        case = _case_for_write(actor, case_id)
        _check_visit(visited_on, next_visit_due)
        visit = _case_record_create(
            actor,
            case,
            Visit,
            values=dict(
                visited_on=visited_on,
                kind=kind,
                people_seen=people_seen,
                schooling=schooling,
                wellbeing_notes=wellbeing_notes,
                next_visit_due=next_visit_due,
                recorded_by=actor.user,
            ),
            fields=VISIT_FIELDS,
            action="care.visit.recorded",
            ip=ip,
        )
    return visit


def visit_update(
    *,
    actor,
    case_id,
    visit_id,
    visited_on: datetime.date,
    kind: str,
    people_seen: str = "",
    schooling: str = "",
    wellbeing_notes: str = "",
    next_visit_due: datetime.date | None = None,
    ip: str | None = None,
) -> Visit:
    with transaction.atomic():
        case = _case_for_write(actor, case_id)
        try:
            visit = Visit.objects.select_for_update().get(pk=visit_id, case=case)
        except (Visit.DoesNotExist, ValueError) as error:
            raise Http404 from error
        _check_visit(visited_on, next_visit_due)
        audited_update(
            visit,
            values={
                "visited_on": visited_on,
                "kind": kind,
                "people_seen": people_seen,
                "schooling": schooling,
                "wellbeing_notes": wellbeing_notes,
                "next_visit_due": next_visit_due,
            },
            fields=VISIT_FIELDS,
            actor=actor.user,
            organisation=actor.organisation_id,
            action="care.visit.updated",
            data={"case": case.reference},
            ip=ip,
        )
        case_refresh(case)
    return visit


# --- the service catalogue -------------------------------------------------------------

SERVICE_TYPE_FIELDS = ("code", "name_en", "name_km", "is_active")


def service_types_seed(*, organisation, actor=None, ip: str | None = None) -> int:
    """Give *organisation* the standard catalogue if it has no service types yet. Returns the
    number created (0 when it already had some). *actor*: the Membership that triggered it,
    or None for set-up commands."""
    organisation_id = getattr(organisation, "pk", organisation)
    with transaction.atomic():
        # Lock the organisation so two first uses at once do not seed twice.
        Organisation.objects.select_for_update().filter(pk=organisation_id).values_list(
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


def service_type_create(*, actor, name_en: str, name_km: str, ip: str | None = None) -> ServiceType:
    _require(actor, Capability.MANAGE_SETTINGS)
    with transaction.atomic():
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
    _require(actor, Capability.MANAGE_SETTINGS)
    with transaction.atomic():
        try:
            service_type = ServiceType.objects.select_for_update().get(
                pk=service_type_id, organisation_id=actor.organisation_id
            )
        except (ServiceType.DoesNotExist, ValueError) as error:
            raise Http404 from error
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
    _own(actor, service_type, "service_type")
    if not service_type.is_active and service_type.pk != current_id:
        raise ServiceError(_("This service is no longer in use."), field="service_type")


def _check_service(actor, *, provider, provider_name, delivered_on, quantity, cost, currency):
    """Validate a service delivery; returns the provider organisation to store."""
    _not_future(delivered_on, "delivered_on")
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
    with transaction.atomic():
        case = _case_for_write(actor, case_id)
        _check_service_type(actor, service_type)
        provider = _check_service(
            actor,
            provider=provider,
            provider_name=provider_name,
            delivered_on=delivered_on,
            quantity=quantity,
            cost=cost,
            currency=currency,
        )
        return _case_record_create(
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
            data={"service": service_type.name_en},
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
    with transaction.atomic():
        case = _case_for_write(actor, case_id)
        try:
            service = ServiceDelivery.objects.select_for_update().get(pk=service_id, case=case)
        except (ServiceDelivery.DoesNotExist, ValueError) as error:
            raise Http404 from error
        _check_service_type(actor, service_type, current_id=service.service_type_id)
        provider = _check_service(
            actor,
            provider=provider,
            provider_name=provider_name,
            delivered_on=delivered_on,
            quantity=quantity,
            cost=cost,
            currency=currency,
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
            organisation=actor.organisation_id,
            action="care.service.updated",
            data={"case": case.reference, "service": service_type.name_en},
            ip=ip,
        )
        case_refresh(case)
    return service


# --- care providers and carers ---------------------------------------------------------

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


def _check_provider(actor, *, name, capacity, exclude=None) -> None:
    if _provider_name_taken(actor.organisation_id, name, exclude=exclude):
        raise ServiceError(
            _("Your organisation already has a care provider with this name."), field="name"
        )
    if capacity is None or capacity < 1:
        raise ServiceError(_("A care provider has at least one place."), field="capacity")


def provider_get_for_edit(actor, provider_id, *, lock=False) -> CareProvider:
    _require(actor, Capability.EDIT_CASES)
    providers = CareProvider.objects.filter(organisation_id=actor.organisation_id)
    if lock:
        providers = providers.select_for_update()
    try:
        return providers.get(pk=provider_id)
    except (CareProvider.DoesNotExist, ValueError) as error:
        raise Http404 from error


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
    _require(actor, Capability.EDIT_CASES)
    with transaction.atomic():
        _check_provider(actor, name=name, capacity=capacity)
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
    with transaction.atomic():
        provider = provider_get_for_edit(actor, provider_id, lock=True)
        _check_provider(actor, name=name, capacity=capacity, exclude=provider)
        if kind != provider.kind and provider.placements.filter(ended_on__isnull=True).exists():
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


def carer_add(*, actor, provider_id, name: str, phone: str = "", ip: str | None = None) -> Carer:
    with transaction.atomic():
        provider = provider_get_for_edit(actor, provider_id, lock=True)
        carer = audited_create(
            Carer,
            values=dict(
                organisation_id=actor.organisation_id, provider=provider, name=name, phone=phone
            ),
            fields=("name", "phone"),
            actor=actor.user,
            organisation=actor.organisation_id,
            action="care.carer.added",
            data={"provider": provider.name},
            ip=ip,
        )
    return carer


def carer_remove(*, actor, provider_id, carer_id, ip: str | None = None) -> None:
    with transaction.atomic():
        provider = provider_get_for_edit(actor, provider_id, lock=True)
        try:
            carer = Carer.objects.get(pk=carer_id, provider=provider)
        except (Carer.DoesNotExist, ValueError) as error:
            raise Http404 from error
        audit_log(
            actor=actor.user,
            organisation=actor.organisation_id,
            action="care.carer.removed",
            target=carer,
            changes={"name": [carer.name, None], "phone": [carer.phone, None]},
            data={"provider": provider.name},
            ip=ip,
        )
        carer.delete()


# --- placements ------------------------------------------------------------------------

PLACEMENT_FIELDS = ("care_type", "provider", "started_on", "reason")
PLACEMENT_END_FIELDS = ("ended_on", "outcome", "outcome_notes")


def placement_start(
    *,
    actor,
    case_id,
    care_type: str,
    started_on: datetime.date,
    reason: str,
    provider: CareProvider | None = None,
    over_capacity: bool = False,
    ip: str | None = None,
) -> Placement:
    """Place the child. A case has at most one current placement: a current one ends on the
    new start date (outcome "moved") in the same transaction. Placing into a full provider
    needs *over_capacity* (the user's explicit confirmation) and is recorded in the event."""
    with transaction.atomic():
        case = _case_for_write(actor, case_id)
        _not_future(started_on, "started_on")
        if care_type not in CareType.values:
            raise ServiceError(_("Choose one of the options in the list."), field="care_type")
        wanted_kind = PROVIDER_KIND_FOR_CARE_TYPE.get(care_type)
        if provider is not None:
            _own(actor, provider, "provider")
            if not provider.is_active:
                raise ServiceError(_("This care provider is no longer active."), field="provider")
            if wanted_kind is None:
                raise ServiceError(
                    _("This kind of care has no care provider: leave it empty."),
                    field="provider",
                )
            if provider.kind != wanted_kind:
                raise ServiceError(
                    _("This care provider does not offer this kind of care."), field="provider"
                )
            # Lock the provider so two placements at once cannot both take its last place.
            CareProvider.objects.select_for_update().filter(pk=provider.pk).values_list(
                "pk", flat=True
            ).get()
        current = (
            Placement.objects.select_for_update().filter(case=case, ended_on__isnull=True).first()
        )
        if current is not None and started_on < current.started_on:
            raise ServiceError(
                _(
                    "The current placement started on %(date)s: a new placement cannot start "
                    "before it."
                )
                % {"date": current.started_on.isoformat()},
                field="started_on",
            )
        overlapping = Placement.objects.filter(case=case, ended_on__gt=started_on).exists()
        if overlapping:
            raise ServiceError(
                _("An earlier placement of this child ended after this date."),
                field="started_on",
            )
        occupancy = {}
        if provider is not None:
            occupied = (
                Placement.objects.filter(provider=provider, ended_on__isnull=True)
                .exclude(pk=getattr(current, "pk", None))
                .count()
            )
            if occupied >= provider.capacity:
                if not over_capacity:
                    raise ServiceError(
                        _(
                            "%(provider)s is full (%(occupied)s children for %(capacity)s "
                            "places). Tick “over capacity” to place the child anyway."
                        )
                        % {
                            "provider": provider.name,
                            "occupied": occupied,
                            "capacity": provider.capacity,
                        },
                        field="over_capacity",
                    )
                occupancy = {
                    "over_capacity": True,
                    "occupied": occupied,
                    "capacity": provider.capacity,
                }
        if current is not None:
            _placement_close(
                actor,
                case,
                current,
                ended_on=started_on,
                outcome=Placement.Outcome.MOVED,
                outcome_notes="",
                ip=ip,
            )
        return _case_record_create(
            actor,
            case,
            Placement,
            values=dict(
                care_type=care_type,
                provider=provider,
                started_on=started_on,
                reason=reason,
                recorded_by=actor.user,
            ),
            fields=PLACEMENT_FIELDS,
            action="care.placement.started",
            data={"care_type": care_type, **occupancy},
            ip=ip,
        )


def _placement_close(actor, case, placement, *, ended_on, outcome, outcome_notes, ip) -> None:
    audited_update(
        placement,
        values={"ended_on": ended_on, "outcome": outcome, "outcome_notes": outcome_notes},
        fields=PLACEMENT_END_FIELDS,
        actor=actor.user,
        organisation=actor.organisation_id,
        action="care.placement.ended",
        data={"case": case.reference},
        ip=ip,
    )


def placement_end(
    *,
    actor,
    case_id,
    placement_id,
    ended_on: datetime.date,
    outcome: str,
    outcome_notes: str = "",
    ip: str | None = None,
) -> Placement:
    with transaction.atomic():
        case = _case_for_write(actor, case_id)
        try:
            placement = Placement.objects.select_for_update().get(pk=placement_id, case=case)
        except (Placement.DoesNotExist, ValueError) as error:
            raise Http404 from error
        if placement.ended_on is not None:
            raise ServiceError(_("This placement has already ended."))
        _not_future(ended_on, "ended_on")
        if ended_on < placement.started_on:
            raise ServiceError(
                _("The end date cannot be before the start of the placement."), field="ended_on"
            )
        _placement_close(
            actor,
            case,
            placement,
            ended_on=ended_on,
            outcome=outcome,
            outcome_notes=outcome_notes,
            ip=ip,
        )
        case_refresh(case)
    return placement


# --- family tracing and reunification --------------------------------------------------

TRACING_FIELDS = ("done_on", "where_searched", "done_by", "outcome")
RELATIVE_FIELDS = (
    "name",
    "relationship",
    "village",
    "phone",
    "willing_to_care",
    "found_on",
    "notes",
)
REUNIFICATION_FIELDS = ("assessed_on", "relative", "recommendation", "notes", "reunified_on")


def tracing_record(
    *,
    actor,
    case_id,
    done_on: datetime.date,
    where_searched: str,
    done_by: str,
    outcome: str,
    ip: str | None = None,
) -> TracingAction:
    with transaction.atomic():
        case = _case_for_write(actor, case_id)
        _not_future(done_on, "done_on")
        action = _case_record_create(
            actor,
            case,
            TracingAction,
            values=dict(
                done_on=done_on,
                where_searched=where_searched,
                done_by=done_by,
                outcome=outcome,
            ),
            fields=TRACING_FIELDS,
            action="care.tracing.recorded",
            ip=ip,
        )
    return action


def relative_add(
    *,
    actor,
    case_id,
    name: str,
    relationship: str,
    found_on: datetime.date,
    village=None,
    phone: str = "",
    willing_to_care: bool = False,
    notes: str = "",
    ip: str | None = None,
) -> Relative:
    with transaction.atomic():
        case = _case_for_write(actor, case_id)
        _not_future(found_on, "found_on")
        relative = _case_record_create(
            actor,
            case,
            Relative,
            values=dict(
                name=name,
                relationship=relationship,
                village=village,
                phone=phone,
                willing_to_care=willing_to_care,
                found_on=found_on,
                notes=notes,
            ),
            fields=RELATIVE_FIELDS,
            action="care.relative.added",
            ip=ip,
        )
    return relative


def reunification_record(
    *,
    actor,
    case_id,
    assessed_on: datetime.date,
    recommendation: str,
    notes: str,
    relative: Relative | None = None,
    reunified_on: datetime.date | None = None,
    ip: str | None = None,
) -> ReunificationAssessment:
    """Record a reunification assessment; a reunification date (only with the
    recommendation "reunify") moves the case to follow-up."""
    with transaction.atomic():
        case = _case_for_write(actor, case_id)
        _not_future(assessed_on, "assessed_on")
        if relative is not None and relative.case_id != case.pk:
            raise ServiceError(_("Choose one of the options in the list."), field="relative")
        if reunified_on is not None:
            if recommendation != ReunificationAssessment.Recommendation.REUNIFY:
                raise ServiceError(
                    _("A reunification date needs the recommendation “Reunify”."),
                    field="reunified_on",
                )
            _not_future(reunified_on, "reunified_on")
            if reunified_on < assessed_on:
                raise ServiceError(
                    _("The child cannot be reunified before the assessment."),
                    field="reunified_on",
                )
        assessment = _case_record_create(
            actor,
            case,
            ReunificationAssessment,
            values=dict(
                assessed_on=assessed_on,
                relative=relative,
                recommendation=recommendation,
                notes=notes,
                reunified_on=reunified_on,
                assessed_by=actor.user,
            ),
            fields=REUNIFICATION_FIELDS,
            action="care.reunification.recorded",
            ip=ip,
        )
    return assessment
