from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("register/", views.register, name="register"),
    path("<uuid:person_id>/", views.person_detail, name="person_detail"),
    path("<uuid:person_id>/edit/", views.person_edit, name="person_edit"),
    path("<uuid:person_id>/photo/", views.person_photo, name="person_photo"),
    path("<uuid:person_id>/documents/<slug:kind>/", views.document_edit, name="document_edit"),
    path("<uuid:person_id>/documents/<slug:kind>/scan/", views.document_scan, name="document_scan"),
    path("<uuid:person_id>/households/add/", views.household_add, name="household_add"),
    path("households/<uuid:household_id>/", views.household_detail, name="household_detail"),
    path(
        "households/<uuid:household_id>/members/add/",
        views.household_member_add,
        name="household_member_add",
    ),
    path(
        "households/<uuid:household_id>/members/<uuid:member_id>/remove/",
        views.household_member_remove,
        name="household_member_remove",
    ),
    path("<uuid:person_id>/consents/add/", views.consent_add, name="consent_add"),
    path(
        "<uuid:person_id>/consents/<uuid:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path(
        "<uuid:person_id>/consents/<uuid:consent_id>/scan/",
        views.consent_scan,
        name="consent_scan",
    ),
]
