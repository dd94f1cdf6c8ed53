from django.urls import path

from . import views

app_name = "referrals"
urlpatterns = [
    path("network/", views.directory, name="directory"),
    path("network/capacity/", views.capacity, name="capacity"),
    path(
        "network/organisations/<uuid:organisation_id>/",
        views.organisation_detail,
        name="organisation_detail",
    ),
    path("network/profile/", views.profile_edit, name="profile_edit"),
]
