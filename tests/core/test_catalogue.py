"""The Khmer catalogue is complete and current: every string the code and templates mark
for translation today (extracted afresh with Django's makemessages, i.e. GNU gettext) has a
Khmer translation that is not fuzzy, with the same placeholders."""

import os
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings

import phteah

SOURCE = Path(phteah.__file__).parent
CATALOGUE = SOURCE / "locale" / "km" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The strings marked for translation now, from a copy of the package."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is needed to check the catalogue (make test installs it).")
    copy = tmp_path_factory.mktemp("extract") / "phteah"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
    (copy / "locale" / "km" / "LC_MESSAGES" / "django.po").unlink()
    cwd = os.getcwd()
    try:
        os.chdir(copy)
        with override_settings(LOCALE_PATHS=[]):
            call_command("makemessages", locale=["km"], verbosity=0)
    finally:
        os.chdir(cwd)
    return polib.pofile(str(copy / "locale" / "km" / "LC_MESSAGES" / "django.po"))


def test_every_string_has_a_khmer_translation(extracted):
    catalogue = polib.pofile(str(CATALOGUE))
    done = {
        (entry.msgctxt, entry.msgid)
        for entry in catalogue
        if entry.translated() and "fuzzy" not in entry.flags and not entry.obsolete
    }
    missing = sorted(entry.msgid for entry in extracted if (entry.msgctxt, entry.msgid) not in done)
    assert missing == [], f"{len(missing)} strings lack a Khmer translation: {missing[:10]}"


def test_the_catalogue_holds_no_stale_strings(extracted):
    """Strings the code no longer uses are removed (phteah i18n update), so the catalogue
    says exactly what the product shows."""
    current = {(entry.msgctxt, entry.msgid) for entry in extracted}
    stale = sorted(
        entry.msgid
        for entry in polib.pofile(str(CATALOGUE))
        if not entry.obsolete and (entry.msgctxt, entry.msgid) not in current
    )
    assert stale == []


def test_gnu_gettext_reads_the_catalogue():
    """The catalogue is valid for GNU gettext too (msgmerge, used by phteah i18n update, and
    msgfmt): a "#|" line of a previous msgid left on a translated entry, say, is an error
    there that polib lets pass."""
    if shutil.which("msgfmt") is None:
        pytest.fail("GNU gettext is needed to check the catalogue (make test installs it).")
    checked = subprocess.run(
        ["msgfmt", "--check", "--output-file=/dev/null", str(CATALOGUE)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
