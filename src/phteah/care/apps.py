from django.apps import AppConfig
from django.utils.translation import gettext_lazy


def _progress_upgrade(sender, verbosity=1, stdout=None, **kwargs) -> None:
    import sys

    from .progress import progress_upgrade

    progress_upgrade(verbosity=verbosity, stdout=stdout or sys.stdout)


def _seed_rules(event) -> None:
    from .services import care_rules_seed

    care_rules_seed(organisation=event.organisation_id)


class CareConfig(AppConfig):
    name = "phteah.care"
    label = "care"
    verbose_name = "Care"

    def ready(self):
        from django.db.models.signals import post_migrate

        from phteah.accounts.events import OrganisationCreated
        from phteah.cases import closing, due, page
        from phteah.cases.events import CaseChanged
        from phteah.core import events

        from . import progress, selectors, timeline
        from .services import placements

        # A case's stage and due dates follow every change recorded in it, in the same
        # transaction.
        events.subscribe(CaseChanged, progress.case_changed_refresh)
        events.subscribe(OrganisationCreated, _seed_rules)
        due.visit_interval_source(progress.case_visit_interval)
        post_migrate.connect(_progress_upgrade, sender=self)
        page.case_section(
            page.CaseSection(
                key="care",
                template="care/case_sections.html",
                context=selectors.care_case_context,
                position=20,
                print_template="care/_print_placements.html",
                summary_template="care/_summary_placement.html",
                title=gettext_lazy("Placement"),
            )
        )
        page.case_section(
            page.CaseSection(
                key="care_family",
                template="care/_family_sections.html",
                context=selectors.care_case_context,
                position=40,
                title=gettext_lazy("Family tracing and reunification"),
            )
        )
        # Closing a case ends the child's current placement; the reason must agree with it.
        closing.closure_step(
            closing.ClosureStep(
                name="placement",
                check=placements.placement_closure_check,
                preview=selectors.placement_closure_preview,
                close=placements.placement_closure_close,
            )
        )
        timeline.register()
