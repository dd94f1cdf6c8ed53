import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Phteah with gunicorn (defaults: 127.0.0.1, $PORT or 8000, 2 workers)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )

    def handle(self, *args, host, port, workers, **options):
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "phteah.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--timeout",
            "60",
        ]
        self.stdout.write(f"Serving Phteah at http://{host}:{port}/ (Ctrl+C to stop)")
        sys.stdout.flush()
        os.execv(sys.executable, argv)
