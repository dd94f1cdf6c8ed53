"""The WSGI entry point that gunicorn loads imports every view and compiles every template
before the first request, then freezes what it loaded, so that full garbage collections in
a worker skip it."""

import os
import subprocess
import sys


def test_the_application_is_loaded_and_frozen(tmp_path):
    code = (
        "import gc, sys\n"
        "import phteah.wsgi\n"
        "assert 'phteah.cases.views' in sys.modules\n"
        "from django.template import engines\n"
        "cached = engines['django'].engine.template_loaders[0].get_template_cache\n"
        "assert {'cases/case_detail.html', 'work/my_work.html'} <= set(cached), set(cached)\n"
        "print(gc.get_freeze_count())\n"
    )
    env = os.environ | {
        "PHTEAH_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "phteah.settings",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert int(result.stdout) > 50_000
