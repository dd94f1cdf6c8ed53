from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("open/", views.case_add, name="case_add"),
    path("domains/", views.domain_list, name="domain_list"),
    path("domains/<uuid:domain_id>/", views.domain_edit, name="domain_edit"),
    path("<uuid:case_id>/", views.case_detail, name="case_detail"),
    path("<uuid:case_id>/edit/", views.case_edit, name="case_edit"),
    path("<uuid:case_id>/print/", views.case_print, name="case_print"),
    path("<uuid:case_id>/assessments/add/", views.assessment_add, name="assessment_add"),
    path(
        "<uuid:case_id>/assessments/<uuid:assessment_id>/",
        views.assessment_detail,
        name="assessment_detail",
    ),
    path("<uuid:case_id>/goals/add/", views.goal_add, name="goal_add"),
    path("<uuid:case_id>/goals/<uuid:goal_id>/", views.goal_update, name="goal_update"),
    path("<uuid:case_id>/goals/<uuid:goal_id>/actions/add/", views.action_add, name="action_add"),
    path("<uuid:case_id>/actions/<uuid:action_id>/", views.action_update, name="action_update"),
    path("<uuid:case_id>/plan-reviews/add/", views.plan_review_add, name="plan_review_add"),
    path("<uuid:case_id>/conferences/add/", views.conference_add, name="conference_add"),
    path(
        "<uuid:case_id>/conferences/<uuid:conference_id>/",
        views.conference_detail,
        name="conference_detail",
    ),
    path("<uuid:case_id>/closure/request/", views.closure_request, name="closure_request"),
    path("<uuid:case_id>/closure/decide/", views.closure_approve, name="closure_approve"),
    path("<uuid:case_id>/reopen/", views.case_reopen, name="case_reopen"),
]
