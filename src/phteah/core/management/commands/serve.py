import os
import sys

from django.core.management.base import BaseCommand

# 2 cores: two sync processes use both. Threads share a worker's interpreter lock and pages
# are CPU-bound Python: 2 gthread workers x 4 threads were the slowest layout measured at 50
# users at the stress pace (docs/deployment.md, "Workers and threads").
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 1


def gunicorn_argv(*, host, port, workers, threads, worker_class="") -> list[str]:
    """gunicorn's command line. With more than one thread the worker class is gthread (sync
    workers ignore threads); a class given explicitly is kept."""
    worker_class = worker_class or ("gthread" if threads > 1 else "sync")
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "phteah.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads),
        "--access-logfile",
        "-",
        "--timeout",
        "60",
    ]


class Command(BaseCommand):
    help = (
        "Serve Phteah with gunicorn (defaults: 127.0.0.1, $PORT or 8000, $WEB_CONCURRENCY or 2 "
        "workers, $WEB_THREADS or 1 thread each; gthread workers when threads > 1)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", str(DEFAULT_WORKERS))),
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("WEB_THREADS", str(DEFAULT_THREADS))),
            help="threads per worker (gthread when more than 1)",
        )
        parser.add_argument(
            "--worker-class",
            default=os.environ.get("WEB_WORKER_CLASS", ""),
            help="gunicorn worker class (default: sync, or gthread when threads > 1)",
        )

    def handle(self, *args, host, port, workers, threads, worker_class, **options):
        argv = gunicorn_argv(
            host=host, port=port, workers=workers, threads=threads, worker_class=worker_class
        )
        self.stdout.write(f"Serving Phteah at http://{host}:{port}/ (Ctrl+C to stop)")
        sys.stdout.flush()
        os.execv(sys.executable, argv)
