from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Translations. 'compile' turns locale/*/LC_MESSAGES/*.po into .mo files (pure Python, "
        "run at install); 'update' extracts new strings into the catalogues (needs gettext)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["compile", "update"])

    def handle(self, *args, action, **options):
        if action == "update":
            call_command(
                "makemessages",
                locale=["km"],
                no_obsolete=True,
                add_location="file",
                ignore_patterns=[".venv/*", "tests/*", "bench/*"],
            )
            return
        count = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                catalogue = polib.pofile(str(po_path))
                broken = [
                    e.msgid for e in catalogue.translated_entries() if not _same_placeholders(e)
                ]
                if broken:
                    raise CommandError(f"{po_path}: placeholders differ in {broken[:3]}")
                catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
                count += 1
                self.stdout.write(
                    f"Compiled {po_path.relative_to(Path(locale_dir).parent)} "
                    f"({catalogue.percent_translated()}% translated)"
                )
        if not count:
            raise CommandError("No translation catalogues found.")


def _same_placeholders(entry) -> bool:
    import re

    pattern = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")
    if entry.msgid_plural:
        wanted = set(pattern.findall(entry.msgid_plural))
        return all(set(pattern.findall(text)) == wanted for text in entry.msgstr_plural.values())
    return sorted(pattern.findall(entry.msgstr)) == sorted(pattern.findall(entry.msgid))
