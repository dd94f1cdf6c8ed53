from django.urls import path

from . import views

app_name = "care"

CASE = "cases/<uuid:case_id>/"

urlpatterns = [
    path(f"{CASE}placements/add/", views.placement_add, name="placement_add"),
    path(f"{CASE}placements/<uuid:placement_id>/end/", views.placement_end, name="placement_end"),
    path(
        f"{CASE}placements/<uuid:placement_id>/void/", views.placement_void, name="placement_void"
    ),
    path(
        f"{CASE}placements/<uuid:placement_id>/restore/",
        views.placement_restore,
        name="placement_restore",
    ),
    path(f"{CASE}tracing/add/", views.tracing_add, name="tracing_add"),
    path(f"{CASE}relatives/add/", views.relative_add, name="relative_add"),
    path(f"{CASE}reunification/add/", views.reunification_add, name="reunification_add"),
    path("care/providers/", views.provider_list, name="provider_list"),
    path("care/providers/add/", views.provider_add, name="provider_add"),
    path("care/providers/<uuid:provider_id>/", views.provider_detail, name="provider_detail"),
    path("care/providers/<uuid:provider_id>/edit/", views.provider_edit, name="provider_edit"),
    path("care/providers/<uuid:provider_id>/carers/add/", views.carer_add, name="carer_add"),
    path(
        "care/providers/<uuid:provider_id>/care-types/",
        views.provider_care_type_set,
        name="provider_care_type_set",
    ),
    path(
        "care/providers/<uuid:provider_id>/care-types/<uuid:care_type_id>/remove/",
        views.provider_care_type_remove,
        name="provider_care_type_remove",
    ),
    path(
        "care/providers/<uuid:provider_id>/carers/<uuid:carer_id>/remove/",
        views.carer_remove,
        name="carer_remove",
    ),
    path("org/rules/", views.rules, name="rules"),
    path("org/rules/add/", views.rule_add, name="rule_add"),
    path("org/rules/restore/", views.rules_restore, name="rules_restore"),
    path("org/rules/<uuid:rule_id>/", views.rule_edit, name="rule_edit"),
    path("org/rules/<uuid:rule_id>/delete/", views.rule_delete, name="rule_delete"),
]
