from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test import override_settings
from django.utils import translation

from phteah.demo.cases import demo_cases_create
from phteah.demo.contacts import demo_contacts_create
from phteah.demo.directory import demo_directory_publish
from phteah.demo.letters import demo_letters_create
from phteah.demo.network import DEMO_PASSWORD, demo_network_create
from phteah.demo.referrals import demo_referrals_create
from phteah.demo.sharing import demo_sharing_create
from phteah.demo.transfers import demo_transfers_create
from phteah.geography.models import Village


class Command(BaseCommand):
    help = (
        "Load geography (if needed), the demo network and its demo cases, then print the "
        "demo logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", type=int, default=2026, help="Seed for the demo cases (default 2026)."
        )

    def handle(self, *args, **options):
        translation.activate("en")
        if not Village.objects.exists():
            call_command("geography", "load", stdout=self.stdout)
        logins = demo_network_create()
        summary = demo_cases_create(seed=options["seed"])
        if summary.cases:
            self.stdout.write(str(summary))
        else:
            self.stdout.write("Demo cases: the demo organisations already have cases.")
        published = demo_directory_publish()
        if published:
            self.stdout.write(f"Partner directory: {published} organisations published.")
        # The demo's shares and referrals notify their members in Phteah; the e-mails they
        # would send are kept in memory, not printed (nor sent, whatever EMAIL_BACKEND says).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            sharing = demo_sharing_create()
            referrals = demo_referrals_create()
            letters = demo_letters_create()
            transfers = demo_transfers_create()
            contacts = demo_contacts_create()
        if sharing.shares:
            self.stdout.write(str(sharing))
        if referrals.states:
            self.stdout.write(str(referrals))
        if letters:
            self.stdout.write(f"Referral letters to partners not on Phteah: {letters}.")
        if transfers.states:
            self.stdout.write(str(transfers))
        if contacts.sent:
            self.stdout.write(str(contacts))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        self.stdout.write("Administrators and supervisors set up two-factor authentication")
        self.stdout.write("(any authenticator app) the first time they sign in.")
        self.stdout.write("")
        current = None
        for login in logins:
            if login.organisation != current:
                current = login.organisation
                self.stdout.write(f"  {current}")
            self.stdout.write(f"    {login.role:<28} {login.email:<28} {login.name}")
        self.stdout.write("")
