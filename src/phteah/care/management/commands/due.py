from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_scopes import scopes_disabled

from phteah.accounts.models import Organisation
from phteah.care.progress import cases_progress_drift, cases_progress_refresh
from phteah.cases.models import Case


class Command(BaseCommand):
    help = (
        "Stored stages and due dates. 'check' recomputes every case's (or one "
        "organisation's) from its records and rule table and reports each stored value that "
        "differs (exit status 1 if any does); 'refresh' stores the recomputed values — needed "
        "only after data was changed outside Phteah's services (the Django admin, SQL). They "
        "are derived values: no audit event is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check", "refresh"])
        parser.add_argument("--organisation", help="Short code of one organisation (default: all).")

    def handle(self, *args, action, organisation=None, **options):
        with scopes_disabled():
            organisations = Organisation.objects.order_by("short_code")
            if organisation:
                organisations = organisations.filter(short_code__iexact=organisation)
                if not organisations.exists():
                    raise CommandError(f"No organisation with the short code {organisation!r}.")
            changed = cases = 0
            drift = []
            for each in organisations:
                queryset = Case.objects.filter(organisation=each)
                cases += queryset.count()
                if action == "check":
                    found = cases_progress_drift(queryset)
                    drift += [(each.short_code, *row) for row in found]
                else:
                    with transaction.atomic():
                        changed += cases_progress_refresh(queryset)
        if action == "refresh":
            self.stdout.write(f"{cases} cases checked, {changed} updated.")
            return
        for code, case_id, field, stored, computed in drift:
            self.stderr.write(
                f"DRIFT {code} case {case_id}: {field} is {stored!r}, should be {computed!r}"
            )
        if drift:
            affected = len({row[1] for row in drift})
            raise CommandError(
                f"{affected} of {cases} cases have stored values that differ from their records "
                "('phteah due refresh' recomputes them)."
            )
        self.stdout.write(f"OK: {cases} cases checked; every stored stage and due date is current.")
