"""The WSGI entry point that gunicorn loads freezes what it loaded (the views included), so
that full garbage collections in a worker skip it."""

import os
import subprocess
import sys


def test_the_application_is_loaded_and_frozen(tmp_path):
    code = (
        "import gc, sys\n"
        "import phteah.wsgi\n"
        "assert 'phteah.cases.views' in sys.modules\n"
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
