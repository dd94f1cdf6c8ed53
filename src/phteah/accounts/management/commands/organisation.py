from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from phteah.accounts.models import Organisation
from phteah.accounts.services import organisation_admin_add, organisation_create
from phteah.core.audit import audited_atomic
from phteah.core.errors import ServiceError
from phteah.geography.models import Province


class Command(BaseCommand):
    help = (
        "Platform operator: 'create' adds an organisation with its first administrator, "
        "whose temporary password is printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create"])
        parser.add_argument("--name", required=True)
        parser.add_argument("--name-km", default="")
        parser.add_argument("--short-code", required=True, help="letters for case references")
        parser.add_argument("--kind", required=True, choices=Organisation.Kind.values)
        parser.add_argument("--provinces", default="", help="province codes, e.g. 12,02")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", required=True)

    def handle(self, *args, **options):
        codes = [c.strip() for c in options["provinces"].split(",") if c.strip()]
        provinces = list(Province.objects.filter(code__in=codes))
        if len(provinces) != len(codes):
            raise CommandError("Unknown province code (run `phteah geography load` first?).")
        if Organisation.objects.filter(short_code__iexact=options["short_code"]).exists():
            raise CommandError("An organisation already uses this short code.")
        try:
            # The operator works above every organisation.
            with scopes_disabled(), audited_atomic():  # both or neither
                organisation, membership, password = self._create(options, provinces)
        except ServiceError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(f"Created {organisation.name} ({organisation.short_code}).")
        if password:
            self.stdout.write(
                f"Administrator {membership.user.email}: temporary password {password} "
                "(to be changed, and two-factor set up, at first sign-in)."
            )
        else:
            self.stdout.write(f"Administrator {membership.user.email} uses their existing account.")

    def _create(self, options, provinces):
        organisation = organisation_create(
            actor=None,
            name=options["name"],
            name_km=options["name_km"],
            short_code=options["short_code"],
            kind=options["kind"],
            provinces=provinces,
        )
        membership, password = organisation_admin_add(
            actor=None,
            organisation_id=organisation.pk,
            email=options["admin_email"],
            full_name=options["admin_name"],
        )
        return organisation, membership, password
