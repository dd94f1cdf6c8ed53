import signal

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from phteah.core.errors import ServiceError
from phteah.demo.synth import DEFAULT_SEED, SYNTH_PASSWORD, synth_create


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = (
        "Create synthetic national-scale data for load tests: organisations, staff, families "
        "and about N children's cases with their whole history (--children 100000 gives ~300 "
        "organisations, ~3,000 staff and ~1,000,000 visits)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--children", type=int, default=1000, help="Number of cases (default 1000)."
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default {DEFAULT_SEED})."
        )
        parser.add_argument(
            "--add",
            action="store_true",
            help="Add more synthetic organisations when some exist already.",
        )
        parser.add_argument(
            "--referrals",
            type=int,
            default=None,
            help="Number of referrals between the organisations (default: half the children).",
        )
        parser.add_argument("--quiet", action="store_true", help="No progress lines.")

    def _progress(self, line: str) -> None:
        self.stdout.write(f"  {line}")
        self.stdout.flush()

    def handle(self, *args, **options):
        translation.activate("en")
        progress = None if options["quiet"] else self._progress
        # A plain kill stops the load like Ctrl-C, so the dropped indexes are built again.
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            summary = synth_create(
                children=options["children"],
                seed=options["seed"],
                add=options["add"],
                referrals=options["referrals"],
                progress=progress,
            )
        except ServiceError as error:
            raise CommandError(str(error.message)) from error
        finally:
            signal.signal(signal.SIGTERM, previous)
        seconds = max(summary.seconds, 0.001)
        self.stdout.write("")
        self.stdout.write(
            f"Synthetic data: {summary.organisations} organisations, {summary.rows:,} rows in "
            f"{seconds:.1f} s ({summary.rows / seconds:,.0f} rows/s)."
        )
        self.stdout.write(
            "Phases: "
            + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in summary.phases.items())
            + "."
        )
        for name, count in sorted(summary.counts.items(), key=lambda item: -item[1]):
            self.stdout.write(f"  {name:<22} {count:>12,}")
        if summary.referral_states:
            self.stdout.write(
                "  Referrals by state: "
                + ", ".join(
                    f"{state} {count:,}" for state, count in summary.referral_states.most_common()
                )
            )
        self.stdout.write("")
        self.stdout.write(f"Synthetic logins (password for all: {SYNTH_PASSWORD}), e.g.:")
        for code, role, email in summary.logins:
            self.stdout.write(f"  {code:<6} {role:<14} {email}")
        self.stdout.write(
            "  Every organisation S001, S002, ... has admin1@, supervisor1@, caseworker1@... "
            "addresses under <code>.synth.test."
        )
