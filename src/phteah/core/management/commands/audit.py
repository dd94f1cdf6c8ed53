import getpass

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from phteah.core.audit import SYSTEM_CHAIN, audit_seal, audit_verify
from phteah.core.audit.anchor import audit_anchor
from phteah.core.audit.erasure import audit_values_erase
from phteah.core.audit.keys import audit_key_rotate, audit_keys, keys_source
from phteah.core.errors import NotFound, ServiceError
from phteah.core.models import AuditEvent


def _operator() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment
        return "unknown"


class Command(BaseCommand):
    help = (
        "Audit trail tools. 'seal' places the pending access events (views, downloads, denied "
        "attempts) in their chains; 'verify' seals, then recomputes every hash chain and "
        "compares it with the latest checkpoint; 'anchor' seals, then writes a signed "
        "checkpoint of every chain head outside the database; 'key rotate' and 'key list' "
        "manage the audit keys; 'erase' removes values from an organisation's events, with a "
        "reason (platform operators)."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("seal", help="seal the pending access events")
        verify = actions.add_parser("verify", help="check every chain (exit 1 on tampering)")
        against = verify.add_mutually_exclusive_group()
        against.add_argument(
            "--checkpoint",
            metavar="FILE",
            help="compare with this checkpoint file (e.g. one mailed to an organisation) "
            "instead of the latest in AUDIT_ANCHOR_DIR",
        )
        against.add_argument(
            "--no-checkpoint", action="store_true", help="compare with no checkpoint"
        )
        anchor = actions.add_parser("anchor", help="write a signed checkpoint of every chain")
        mail = anchor.add_mutually_exclusive_group()
        mail.add_argument(
            "--email",
            dest="email",
            action="store_const",
            const=True,
            help="mail every organisation's administrators their entry",
        )
        mail.add_argument("--no-email", dest="email", action="store_const", const=False)
        key = actions.add_parser("key", help="the audit keys")
        key.add_argument("key_action", choices=["rotate", "list"])
        erase = actions.add_parser("erase", help="erase values from audit events")
        chain = erase.add_mutually_exclusive_group(required=True)
        chain.add_argument("--organisation", metavar="CODE", help="the organisation's short code")
        chain.add_argument(
            "--system",
            action="store_true",
            help="the events of no organisation (e.g. sign-ins with an unknown email)",
        )
        erase.add_argument("--event", required=True, type=int, action="append", dest="events")
        erase.add_argument("--path", action="append", dest="paths", metavar="PATH")
        erase.add_argument("--reason", required=True)

    def handle(self, *args, action, **options):
        if action == "seal":
            self.stdout.write(f"{audit_seal()} pending audit events sealed.")
        elif action == "verify":
            self.verify(options)
        elif action == "anchor":
            self.anchor(options)
        elif action == "key":
            self.key(options["key_action"])
        elif action == "erase":
            self.erase(options)

    def verify(self, options):
        sealed = audit_seal()
        if options["no_checkpoint"]:
            report = audit_verify(checkpoint=None)
        else:
            report = audit_verify(checkpoint=options["checkpoint"] or "latest")
        if report.problems:
            for problem in report.problems:
                self.stderr.write(f"TAMPERED {problem}")
            raise CommandError(
                f"{len(report.problems)} problem(s) found in {report.checked} audit events: the "
                "trail was changed outside Phteah."
            )
        against = (
            f"; the database holds everything of checkpoint {report.checkpoint}"
            if report.checkpoint
            else "; no checkpoint to compare with (run `phteah audit anchor`)"
        )
        self.stdout.write(
            f"OK: {report.checked} audit events verified ({sealed} sealed now); every chain is "
            f"intact{against}."
        )

    def anchor(self, options):
        try:
            result = audit_anchor(email=options["email"])
        except OSError as error:
            raise CommandError(f"Cannot write the checkpoint: {error}") from error
        for problem in result.problems:
            self.stderr.write(f"TAMPERED {problem}")
        if result.problems:
            raise CommandError(
                "No checkpoint written: the database is behind the latest checkpoint or a chain "
                "head does not match its events. Run `phteah audit verify`."
            )
        chains = len(result.checkpoint.chains)
        self.stdout.write(
            f"Checkpoint of {chains} chain(s) written to {result.path} ({result.sealed} pending "
            f"events sealed, {result.emailed} e-mail(s) sent)."
        )
        if result.email_failures:
            for failure in result.email_failures:
                self.stderr.write(f"E-MAIL FAILED {failure}")
            raise CommandError("The checkpoint was written, but some e-mails were not sent.")

    def key(self, key_action):
        if key_action == "rotate":
            try:
                key = audit_key_rotate()
            except ImproperlyConfigured as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                f"New audit key {key.id} signs from now on; the older keys are kept in "
                f"{keys_source()} to verify what they signed. Back the key file up."
            )
            return
        keys = audit_keys()
        self.stdout.write(f"Audit keys in {keys_source()} (the first signs):")
        for number, key in enumerate(keys):
            self.stdout.write(f"{key.id}{'  (current)' if number == 0 else ''}")

    def erase(self, options):
        if options["system"]:
            organisation = SYSTEM_CHAIN
        else:
            # The short code, looked up through the audit event's own reference to the
            # organisation (core does not import the accounts app).
            organisations = AuditEvent._meta.get_field("organisation").related_model
            organisation = (
                organisations._base_manager.filter(short_code__iexact=options["organisation"])
                .values_list("pk", flat=True)
                .first()
            )
            if organisation is None:
                raise CommandError(f"No organisation has the short code {options['organisation']}.")
        try:
            erasure = audit_values_erase(
                actor=None,
                organisation=organisation,
                event_ids=options["events"],
                paths=options["paths"],
                reason=options["reason"],
                actor_label=f"command line ({_operator()})",
            )
        except NotFound as error:
            raise CommandError(
                "No such event in this chain: "
                + ", ".join(str(event) for event in options["events"])
            ) from error
        except ServiceError as error:
            raise CommandError(str(error.message)) from error
        erased = erasure.data["erased"]
        self.stdout.write(
            "Erased "
            + "; ".join(f"event {event}: {', '.join(paths)}" for event, paths in erased.items())
            + f" (recorded as audit event {erasure.pk})."
        )
