from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("phteah.core.urls")),
    path("", include("phteah.accounts.urls")),
    path("places/", include("phteah.geography.urls")),
    path("django-admin/", admin.site.urls),
]
