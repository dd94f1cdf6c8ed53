from django.urls import path

from . import views

app_name = "cases"
CASES = "cases/"
CASE = "cases/<uuid:case_id>/"
urlpatterns = [
    path(f"{CASES}", views.case_list, name="case_list"),
    path(f"{CASES}open/", views.case_add, name="case_add"),
    path(f"{CASES}domains/", views.domain_list, name="domain_list"),
    path(f"{CASES}domains/<uuid:domain_id>/", views.domain_edit, name="domain_edit"),
    path(f"{CASES}<uuid:case_id>/", views.case_detail, name="case_detail"),
    path(f"{CASES}<uuid:case_id>/edit/", views.case_edit, name="case_edit"),
    path(f"{CASES}<uuid:case_id>/print/", views.case_print, name="case_print"),
    path(f"{CASES}<uuid:case_id>/assessments/add/", views.assessment_add, name="assessment_add"),
    path(
        f"{CASES}<uuid:case_id>/assessments/<uuid:assessment_id>/",
        views.assessment_detail,
        name="assessment_detail",
    ),
    path(
        f"{CASE}assessments/<uuid:assessment_id>/void/",
        views.assessment_void,
        name="assessment_void",
    ),
    path(
        f"{CASE}assessments/<uuid:assessment_id>/restore/",
        views.assessment_restore,
        name="assessment_restore",
    ),
    path(f"{CASES}<uuid:case_id>/goals/add/", views.goal_add, name="goal_add"),
    path(f"{CASES}<uuid:case_id>/goals/<uuid:goal_id>/", views.goal_update, name="goal_update"),
    path(
        f"{CASES}<uuid:case_id>/goals/<uuid:goal_id>/actions/add/",
        views.action_add,
        name="action_add",
    ),
    path(
        f"{CASES}<uuid:case_id>/actions/<uuid:action_id>/",
        views.action_update,
        name="action_update",
    ),
    path(f"{CASES}<uuid:case_id>/plan-reviews/add/", views.plan_review_add, name="plan_review_add"),
    path(f"{CASES}<uuid:case_id>/conferences/add/", views.conference_add, name="conference_add"),
    path(
        f"{CASES}<uuid:case_id>/conferences/<uuid:conference_id>/",
        views.conference_detail,
        name="conference_detail",
    ),
    path(f"{CASES}<uuid:case_id>/closure/request/", views.closure_request, name="closure_request"),
    path(f"{CASES}<uuid:case_id>/closure/decide/", views.closure_approve, name="closure_approve"),
    path(
        f"{CASES}<uuid:case_id>/closure/sent-back/done/",
        views.closure_sent_back_done,
        name="closure_sent_back_done",
    ),
    path(f"{CASES}<uuid:case_id>/reopen/", views.case_reopen, name="case_reopen"),
    path(f"{CASE}visits/", views.visit_list, name="visit_list"),
    path(f"{CASE}visits/add/", views.visit_add, name="visit_add"),
    path(f"{CASE}visits/<uuid:visit_id>/", views.visit_edit, name="visit_edit"),
    path(f"{CASE}visits/<uuid:visit_id>/void/", views.visit_void, name="visit_void"),
    path(f"{CASE}visits/<uuid:visit_id>/restore/", views.visit_restore, name="visit_restore"),
    path(f"{CASE}services/add/", views.service_add, name="service_add"),
    path(f"{CASE}services/<uuid:service_id>/", views.service_edit, name="service_edit"),
    path(f"{CASE}services/<uuid:service_id>/void/", views.service_void, name="service_void"),
    path(
        f"{CASE}services/<uuid:service_id>/restore/",
        views.service_restore,
        name="service_restore",
    ),
    path(f"{CASE}share/", views.share_new, name="share_new"),
    path(f"{CASE}shares/<uuid:grant_id>/revoke/", views.share_revoke, name="share_revoke"),
    path(f"{CASE}shares/<uuid:grant_id>/renew/", views.share_renew, name="share_renew"),
    path(f"{CASE}authority-visit/", views.authority_visit_add, name="authority_visit_add"),
    path("shared/", views.shared_with_us, name="shared_with_us"),
    path("shared/<uuid:grant_id>/assign/", views.grant_assign, name="grant_assign"),
    path("org/services/", views.service_type_list, name="service_type_list"),
    path("org/services/add/", views.service_type_add, name="service_type_add"),
    path("org/services/<uuid:service_type_id>/", views.service_type_edit, name="service_type_edit"),
]
