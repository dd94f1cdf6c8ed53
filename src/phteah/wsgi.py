import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phteah.settings")
application = get_wsgi_application()

from phteah.core.warmup import warm_up  # noqa: E402 - needs the apps loaded

warm_up()
# What is loaded by now (Django, the apps, every view and compiled template) lives as long as
# the process. Frozen, it is out of the garbage collector's sight: a full collection then
# looks only at what requests made, about 1.5 ms instead of 30 ms in a process that has
# served the case page (docs/performance.md).
gc.freeze()
