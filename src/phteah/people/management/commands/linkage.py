from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from phteah.accounts.models import Organisation
from phteah.people.linkage import BATCH, ENCODER_VERSION, KEYS, linkage_rebuild
from phteah.people.models import Person


class Command(BaseCommand):
    help = (
        "Linkage keys of the duplicate check across organisations. 'rebuild' makes every "
        "person's linkage record (or one organisation's) with the current linkage key and "
        "encoder, in batches, leaving current records alone: run it after 'migrate' and after "
        "a new linkage key. 'check' recomputes them and reports the records that are missing, "
        "made with another key or encoder version, or that differ (exit status 1 if any). "
        "'rotate' puts a new linkage key first in the key file, then rebuilds. They are "
        "derived values: no audit event is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "check", "rotate"])
        parser.add_argument("--organisation", help="Short code of one organisation (default: all).")
        parser.add_argument("--batch", type=int, default=BATCH, help="People per transaction.")

    def handle(self, *args, action, organisation=None, batch=BATCH, **options):
        self.verbosity = options.get("verbosity", 1)
        if batch < 1:
            raise CommandError("--batch must be 1 or more.")
        if action == "rotate":
            if organisation:
                raise CommandError("A new key is for every organisation: leave out --organisation.")
            try:
                key = KEYS.rotate()
            except ImproperlyConfigured as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"New linkage key {key.id} first in {KEYS.source()}.")
            action = "rebuild"
        with scopes_disabled():
            people = Person.objects.all()
            if organisation:
                found = Organisation.objects.filter(short_code__iexact=organisation).first()
                if found is None:
                    raise CommandError(f"No organisation with the short code {organisation!r}.")
                people = people.filter(organisation=found)
            write = action == "rebuild"
            counts = linkage_rebuild(
                people, write=write, batch=batch, progress=self._progress if write else None
            )
        key = f"key {KEYS.current().id}, encoder version {ENCODER_VERSION}"
        if write:
            self.stdout.write(
                f"{counts.people} people: {counts.created} records made, {counts.updated} "
                f"remade ({counts.stale} with another key or version), {counts.unchanged} "
                f"current ({key})."
            )
            return
        behind = counts.created + counts.updated
        if behind:
            raise CommandError(
                f"{behind} of {counts.people} people have no current linkage record: "
                f"{counts.missing} missing, {counts.stale} with another key or version, "
                f"{counts.updated - counts.stale} that differ ({key}; 'phteah linkage rebuild' "
                "makes them)."
            )
        self.stdout.write(
            f"OK: {counts.people} people checked; every linkage record is current ({key})."
        )

    def _progress(self, counts) -> None:
        if self.verbosity > 1:
            self.stdout.write(f"{counts.people} people…")
