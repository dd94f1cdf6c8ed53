import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phteah.settings")
application = get_wsgi_application()

# What is loaded by now (Django, the apps, the URLconf and every view it imports) lives as
# long as the process. Frozen, it is out of the garbage collector's sight: a full collection
# then looks only at what requests made, about 1.5 ms instead of 30 ms in a process that has
# served the case page (docs/performance.md).
get_resolver().url_patterns  # noqa: B018 - imports the views
gc.freeze()
