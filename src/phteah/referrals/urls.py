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
    path("cases/<uuid:case_id>/refer/", views.referral_new, name="referral_new"),
    path("referrals/sent/", views.sent, name="sent"),
    path("referrals/received/", views.received, name="received"),
    path("referrals/<uuid:referral_id>/", views.referral_detail, name="referral_detail"),
    path("referrals/<uuid:referral_id>/accept/", views.referral_accept, name="referral_accept"),
    path("referrals/<uuid:referral_id>/decline/", views.referral_decline, name="referral_decline"),
    path(
        "referrals/<uuid:referral_id>/withdraw/",
        views.referral_withdraw,
        name="referral_withdraw",
    ),
    path(
        "referrals/<uuid:referral_id>/feedback/",
        views.referral_feedback,
        name="referral_feedback",
    ),
    path(
        "referrals/<uuid:referral_id>/complete/",
        views.referral_complete,
        name="referral_complete",
    ),
    path("referrals/<uuid:referral_id>/close/", views.referral_close, name="referral_close"),
    path(
        "referrals/<uuid:referral_id>/documents/<uuid:attachment_id>/",
        views.referral_attachment,
        name="referral_attachment",
    ),
    path("cases/<uuid:case_id>/letters/new/", views.letter_new, name="letter_new"),
    path(
        "cases/<uuid:case_id>/letters/<uuid:letter_id>/",
        views.letter_detail,
        name="letter_detail",
    ),
    path(
        "cases/<uuid:case_id>/letters/<uuid:letter_id>/letter.pdf",
        views.letter_download,
        name="letter_download",
    ),
    path(
        "cases/<uuid:case_id>/letters/<uuid:letter_id>/answer/",
        views.letter_answer,
        name="letter_answer",
    ),
    path("cases/<uuid:case_id>/transfer/", views.transfer_new, name="transfer_new"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<uuid:transfer_id>/", views.transfer_detail, name="transfer_detail"),
    path("transfers/<uuid:transfer_id>/accept/", views.transfer_accept, name="transfer_accept"),
    path("transfers/<uuid:transfer_id>/decline/", views.transfer_decline, name="transfer_decline"),
    path(
        "transfers/<uuid:transfer_id>/withdraw/",
        views.transfer_withdraw,
        name="transfer_withdraw",
    ),
    path("network/matches/<uuid:match_id>/ask/", views.contact_new, name="contact_new"),
    path("network/contacts/", views.contacts, name="contacts"),
    path(
        "network/contacts/<uuid:contact_request_id>/",
        views.contact_detail,
        name="contact_detail",
    ),
]
