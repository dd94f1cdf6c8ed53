from django.core.management.base import BaseCommand

from phteah.core.submissions import submissions_purge


class Command(BaseCommand):
    help = (
        "One-time form tokens. 'purge' removes the claims older than two days (their tokens "
        "have expired); Celery beat runs it daily, or schedule it with cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["purge"])

    def handle(self, *args, action, **options):
        removed = submissions_purge()
        self.stdout.write(f"Removed {removed} claimed form tokens older than two days.")
