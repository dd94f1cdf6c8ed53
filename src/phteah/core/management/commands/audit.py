from django.core.management.base import BaseCommand, CommandError

from phteah.core.audit import audit_seal, audit_verify


class Command(BaseCommand):
    help = (
        "Audit trail tools. 'seal' places the pending access events (views, downloads, "
        "denied attempts) in their chains; 'verify' seals, then recomputes every hash chain "
        "and reports tampering."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["seal", "verify"])

    def handle(self, *args, action, **options):
        sealed = audit_seal()
        if action == "seal":
            self.stdout.write(f"{sealed} pending audit events sealed.")
            return
        report = audit_verify()
        if report.problems:
            for problem in report.problems:
                self.stderr.write(f"TAMPERED {problem}")
            raise CommandError(
                f"{len(report.problems)} problem(s) found in {report.checked} audit events: the "
                "trail was changed outside Phteah."
            )
        self.stdout.write(f"OK: {report.checked} audit events verified; every chain is intact.")
