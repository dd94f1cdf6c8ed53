from django.apps import AppConfig
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy


def _seed(event) -> None:
    """A new organisation gets the standard assessment domains and service catalogue."""
    from . import services

    services.assessment_domains_seed(organisation=event.organisation_id)
    services.service_types_seed(organisation=event.organisation_id)


def _visible(actor) -> Q:
    """People whose case the member may see, and the members of their households."""
    from phteah.people.models import HouseholdMember

    from .access import cases_for

    visible_cases = cases_for(actor)
    household_case = HouseholdMember.objects.filter(
        person=OuterRef("pk"),
        household__members__person__cases__in=visible_cases,
    )
    own_case = visible_cases.filter(person=OuterRef("pk"))
    return Q(Exists(own_case)) | Q(Exists(household_case))


def _claimed() -> Q:
    from .models import Case

    return Q(Exists(Case.objects.filter(person=OuterRef("pk"))))


class CasesConfig(AppConfig):
    name = "phteah.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self):
        from phteah.accounts.events import OrganisationCreated
        from phteah.core import events
        from phteah.people import page as person_page
        from phteah.people.access import PersonVisibility, person_visibility
        from phteah.people.events import ConsentWithdrawn
        from phteah.people.selectors import person_case_context

        from . import page, selectors, timeline
        from .services.grants import grants_revoke_for_consent

        events.subscribe(OrganisationCreated, _seed)
        events.subscribe(ConsentWithdrawn, grants_revoke_for_consent)
        person_visibility(PersonVisibility(visible=_visible, claimed=_claimed))
        person_page.person_section(
            person_page.PersonSection(
                key="cases",
                template="cases/_person_cases.html",
                context=selectors.person_cases_context,
                position=10,
            )
        )
        page.case_section(
            page.CaseSection(
                key="person",
                template="people/case_sections.html",
                context=person_case_context,
                position=10,
                title=gettext_lazy("The child: details, documents, household, consent"),
            )
        )
        page.case_section(
            page.CaseSection(
                key="records",
                template="cases/_records.html",
                context=selectors.case_records_context,
                position=30,
                title=gettext_lazy("Visits and services"),
            )
        )
        page.case_section(
            page.CaseSection(
                key="sharing",
                template="cases/_sharing.html",
                context=selectors.case_sharing_context,
                position=90,
                title=gettext_lazy("Shared with other organisations"),
            )
        )
        timeline.register()
