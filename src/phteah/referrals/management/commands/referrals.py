from django.core.management.base import BaseCommand

from phteah.referrals.services import referrals_overdue_notify
from phteah.referrals.services.retention import referral_groups_erase


class Command(BaseCommand):
    help = (
        "Scheduled work of the referral network. 'overdue' tells the receivers of referrals "
        "waiting past their answer date (once each); 'erase' removes the child's details from "
        "the referrals that ended untaken more than REFERRAL_KEEP_ENDED_DAYS ago. Celery beat "
        "runs both, or schedule them with cron (docs/deployment.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["overdue", "erase"])

    def handle(self, *args, action, **options):
        if action == "overdue":
            told = referrals_overdue_notify()
            self.stdout.write(f"Told the receivers of {told} overdue referrals.")
        else:
            erased = referral_groups_erase()
            self.stdout.write(f"Removed the child's details from {erased} ended referrals.")
