"""Who may see which person. Supervisors see every person of their organisation. Others see
a person through the records of the apps above this one — the cases app registers "through
a case the member may see (the person's own, or a household member's)" — and the member who
registered a person sees them until such a record claims them. Missing and forbidden both
raise NotFound, and every refusal is recorded."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from phteah.accounts.models import Membership
from phteah.accounts.roles import Capability
from phteah.core.access import access_denied
from phteah.core.errors import NotFound

from .models import Household, HouseholdMember, Person


@dataclass(frozen=True)
class PersonVisibility:
    """A way for a member to see people: *visible(actor)* is a Q on Person of those they see
    this way; *claimed()* a Q on Person of those it concerns at all (once claimed, the member
    who registered a person no longer sees them just for having registered them)."""

    visible: Callable[[Membership], Q]
    claimed: Callable[[], Q]


_visibility: list[PersonVisibility] = []


def person_visibility(source: PersonVisibility) -> None:
    """Register a way to see people (from an app's ``AppConfig.ready()``)."""
    if source not in _visibility:
        _visibility.append(source)


def persons_for(actor: Membership) -> QuerySet:
    if actor is None or not actor.is_active:
        return Person.objects.none()
    if actor.can(Capability.VIEW_ALL_CASES):
        return Person.objects.filter(organisation_id=actor.organisation_id)
    if not actor.can(Capability.VIEW_OWN_CASES):
        return Person.objects.none()
    visible, claimed = Q(pk__in=[]), Q(pk__in=[])
    for source in _visibility:
        visible |= source.visible(actor)
        claimed |= source.claimed()
    return Person.objects.filter(
        Q(organisation_id=actor.organisation_id)
        & (visible | (Q(created_by_id=actor.user_id) & ~claimed))
    )


def can_edit_person(actor: Membership, person: Person) -> bool:
    return (
        actor is not None
        and actor.can(Capability.EDIT_CASES)
        and person.organisation_id == actor.organisation_id
    )


def person_get_for_user(*, actor: Membership, person_id, edit: bool = False) -> Person:
    """The access function for people: NotFound when missing, elsewhere or not allowed."""
    try:
        person = persons_for(actor).get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError) as error:
        access_denied(actor=actor, model=Person, record_id=person_id)
        raise NotFound from error
    if edit and not can_edit_person(actor, person):
        access_denied(actor=actor, model=Person, record_id=person_id)
        raise NotFound
    return person


def households_for(actor: Membership) -> QuerySet:
    """Households *actor* may see: those with at least one member *actor* may see."""
    if actor is None or not actor.is_active:
        return Household.objects.none()
    visible_member = HouseholdMember.objects.filter(
        household=OuterRef("pk"), person__in=persons_for(actor)
    )
    return Household.objects.filter(
        Q(organisation_id=actor.organisation_id) & Q(Exists(visible_member))
    )


def household_get_for_user(*, actor: Membership, household_id, edit: bool = False) -> Household:
    """The access function for households: NotFound when missing, elsewhere or not
    allowed."""
    try:
        household = (
            households_for(actor)
            .select_related("village__commune__district__province")
            .get(pk=household_id)
        )
    except (Household.DoesNotExist, ValueError, TypeError) as error:
        access_denied(actor=actor, model=Household, record_id=household_id)
        raise NotFound from error
    if edit and not (
        actor.can(Capability.EDIT_CASES) and household.organisation_id == actor.organisation_id
    ):
        access_denied(actor=actor, model=Household, record_id=household_id)
        raise NotFound
    return household
