from django.urls import path

from . import audit_erasure, audit_pages, views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.set_language, name="set_language"),
    path("org/audit/", audit_pages.audit_list, name="audit_list"),
    path("org/audit/<int:event_id>/", audit_pages.audit_event, name="audit_event"),
    path("org/audit/<int:event_id>/erase/", audit_erasure.audit_erase, name="audit_erase"),
    path("account/login/", views.LoginView.as_view(), name="login"),
    path("account/logout/", views.LogoutView.as_view(), name="logout"),
    path("account/", views.profile, name="profile"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("account/organisation/", views.organisation_switch, name="organisation_switch"),
    path(
        "account/invitations/<uuid:invitation_id>/accept/",
        views.invitation_accept,
        name="invitation_accept",
    ),
    path(
        "account/invitations/<uuid:invitation_id>/decline/",
        views.invitation_decline,
        name="invitation_decline",
    ),
    path("invitation/", views.invitation_respond, name="invitation_respond"),
    path("invitation/<str:token>/", views.invitation_open, name="invitation_open"),
    path("org/settings/", views.organisation_settings, name="organisation_settings"),
    path("org/staff/", views.member_list, name="member_list"),
    path("org/staff/add/", views.member_add, name="member_add"),
    path(
        "org/staff/invitations/<uuid:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "org/staff/invitations/<uuid:invitation_id>/cancel/",
        views.invitation_cancel,
        name="invitation_cancel",
    ),
    path("org/staff/<uuid:membership_id>/", views.member_edit, name="member_edit"),
    path(
        "org/staff/<uuid:membership_id>/reset-password/",
        views.member_reset_password,
        name="member_reset_password",
    ),
    path(
        "org/staff/<uuid:membership_id>/reset-two-factor/",
        views.member_reset_two_factor,
        name="member_reset_two_factor",
    ),
    path("org/offices/", views.office_list, name="office_list"),
    path("org/offices/add/", views.office_add, name="office_add"),
    path("org/offices/<uuid:office_id>/", views.office_edit, name="office_edit"),
]
