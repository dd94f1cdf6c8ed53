from django.core.management.base import BaseCommand

from phteah.geography.services import geography_load


class Command(BaseCommand):
    help = "Geography data: 'load' inserts or refreshes Cambodia's administrative divisions."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load"])

    def handle(self, *args, **options):
        result = geography_load()
        self.stdout.write(
            f"Loaded {result.provinces} provinces, {result.districts} districts, "
            f"{result.communes} communes and {result.villages} villages."
        )
