from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("phteah.core.urls")),
    path("", include("phteah.accounts.urls")),
    path("places/", include("phteah.geography.urls")),
    path("people/", include("phteah.people.urls")),
    path("", include("phteah.cases.urls")),
    path("", include("phteah.care.urls")),
    path("", include("phteah.referrals.urls")),
    path("notifications/", include("phteah.notifications.urls")),
    path("", include("phteah.work.urls")),
    path("django-admin/", admin.site.urls),
]
