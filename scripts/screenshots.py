"""Screenshots of pages as a given demo user, in English and Khmer, at phone and desktop
widths, for looking at what we build (and for docs/). Needs a running server and the demo.

    .venv/bin/python scripts/screenshots.py --base http://127.0.0.1:8000 \
        --user admin@fbc.test /org/staff/ /org/offices/add/ /org/audit/
"""

import argparse
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phteah.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # DB use beside Playwright's loop

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from phteah.accounts.models import User  # noqa: E402

WIDTHS = {"phone": (390, 844), "desktop": (1280, 800)}
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def session_for(email: str) -> str:
    """A signed-in session (two-factor passed) for a demo user, without typing a password."""
    user = User.objects.get(email=email)
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "demo"}
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["otp_device_id"] = device.persistent_id
    session.create()
    return session.session_key


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="")
    parser.add_argument("--out", default="test-artifacts/screens")
    parser.add_argument("--languages", default="en,km")
    parser.add_argument("--viewport-only", action="store_true", help="no full-page capture")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=ARGS
        )
        for language in args.languages.split(","):
            if args.user:
                User.objects.filter(email=args.user).update(language=language)
            for width_name, (width, height) in WIDTHS.items():
                context = browser.new_context(viewport={"width": width, "height": height})
                host = args.base.split("//", 1)[1].split(":")[0]
                cookies = [
                    {
                        "name": settings.LANGUAGE_COOKIE_NAME,
                        "value": language,
                        "domain": host,
                        "path": "/",
                    }
                ]
                if args.user:
                    cookies.append(
                        {
                            "name": settings.SESSION_COOKIE_NAME,
                            "value": session_for(args.user),
                            "domain": host,
                            "path": "/",
                        }
                    )
                context.add_cookies(cookies)
                page = context.new_page()
                for path in args.paths:
                    page.goto(args.base + path)
                    page.evaluate("document.fonts.ready")
                    name = path.strip("/").replace("/", "_") or "home"
                    target = out / f"{name}-{language}-{width_name}.png"
                    page.screenshot(path=str(target), full_page=not args.viewport_only)
                    print(target)
                context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
