from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_scopes import scopes_disabled

from phteah.accounts.models import Organisation
from phteah.cases.models import Case
from phteah.work.due import cases_due_refresh


class Command(BaseCommand):
    help = (
        "Stored due dates. 'refresh' recomputes every case's (or one organisation's) from its "
        "records and rule table — needed only after data was changed outside Phteah's services "
        "(the Django admin, SQL). They are derived values: no audit event is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["refresh"])
        parser.add_argument("--organisation", help="Short code of one organisation (default: all).")

    def handle(self, *args, action, organisation=None, **options):
        with scopes_disabled():
            organisations = Organisation.objects.order_by("short_code")
            if organisation:
                organisations = organisations.filter(short_code__iexact=organisation)
                if not organisations.exists():
                    raise CommandError(f"No organisation with the short code {organisation!r}.")
            changed = cases = 0
            for each in organisations:
                with transaction.atomic():
                    queryset = Case.objects.filter(organisation=each)
                    cases += queryset.count()
                    changed += cases_due_refresh(queryset)
        self.stdout.write(f"{cases} cases checked, {changed} updated.")
