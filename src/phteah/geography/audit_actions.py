"""What the geography app's audit events mean, and how places are named in the trail: by
their names in the reader's script, with the places above them ("village, commune,
district, province", as the ``full_place`` filter shows them)."""

from django.utils.translation import gettext_lazy as _

from .selectors import place_path

ACTIONS = {
    "geography.loaded": _(
        "Geography was loaded from %(source)s: %(provinces)s provinces, %(districts)s "
        "districts, %(communes)s communes and %(villages)s villages."
    ),
}

FIELD_LABELS = {
    "provinces": _("provinces"),
    "districts": _("districts"),
    "communes": _("communes"),
    "villages": _("villages"),
}

NAMES = {
    "geography.village": place_path,
    "geography.commune": place_path,
    "geography.district": place_path,
}
RELATED = {
    "geography.village": ("commune__district__province",),
    "geography.commune": ("district__province",),
    "geography.district": ("province",),
}
