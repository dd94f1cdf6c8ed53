"""Who may see which person. A person is visible to a member who may see one of the
person's cases, or a case of someone in the same household; supervisors see every person of
their organisation; the member who registered a person sees them until a case exists.
Missing and forbidden both give 404."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from phteah.accounts.models import Membership
from phteah.accounts.roles import Capability
from phteah.cases.access import cases_for
from phteah.cases.models import Case

from .models import Household, HouseholdMember, Person


def persons_for(actor: Membership) -> QuerySet:
    if actor is None or not actor.is_active:
        return Person.objects.none()
    if actor.can(Capability.VIEW_ALL_CASES):
        return Person.objects.filter(organisation_id=actor.organisation_id)
    if not actor.can(Capability.VIEW_OWN_CASES):
        return Person.objects.none()
    visible_cases = cases_for(actor)
    own_case = visible_cases.filter(person=OuterRef("pk"))
    any_case = Case.objects.filter(person=OuterRef("pk"))
    household_case = HouseholdMember.objects.filter(
        person=OuterRef("pk"),
        household__members__person__cases__in=visible_cases,
    )
    return Person.objects.filter(
        Q(organisation_id=actor.organisation_id)
        & (
            Q(Exists(own_case))
            | Q(Exists(household_case))
            | (Q(created_by_id=actor.user_id) & ~Q(Exists(any_case)))
        )
    )


def can_edit_person(actor: Membership, person: Person) -> bool:
    return (
        actor is not None
        and actor.can(Capability.EDIT_CASES)
        and person.organisation_id == actor.organisation_id
    )


def person_get_for_user(*, actor: Membership, person_id, edit: bool = False) -> Person:
    """The access function for people: 404 when missing, elsewhere or not allowed."""
    try:
        person = persons_for(actor).get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
    if edit and not can_edit_person(actor, person):
        raise Http404
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
    """The access function for households: 404 when missing, elsewhere or not allowed."""
    try:
        household = (
            households_for(actor)
            .select_related("village__commune__district__province")
            .get(pk=household_id)
        )
    except (Household.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
    if edit and not (
        actor.can(Capability.EDIT_CASES) and household.organisation_id == actor.organisation_id
    ):
        raise Http404
    return household
