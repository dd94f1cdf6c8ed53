from django.core.management.base import BaseCommand

from phteah.core.fonts import khmer_font_build


class Command(BaseCommand):
    help = (
        "Web fonts. 'build' makes the light Khmer WOFF2 from the installed Noto Sans Khmer TTF "
        "(run at install, before collectstatic); it does nothing when the file is up to date."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["build"])
        parser.add_argument("--force", action="store_true", help="Build even when up to date.")

    def handle(self, *args, action, force, **options):
        result = khmer_font_build(force=force)
        state = "Built" if result.built else "Up to date:"
        self.stdout.write(
            f"{state} {result.path} ({result.size / 1024:.0f} KB; "
            f"the TTF it comes from is {result.source_size / 1024:.0f} KB)"
        )
