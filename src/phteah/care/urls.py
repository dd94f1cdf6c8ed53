from django.urls import path

from . import views

app_name = "care"

CASE = "cases/<uuid:case_id>/"

urlpatterns = [
    path(f"{CASE}visits/", views.visit_list, name="visit_list"),
    path(f"{CASE}visits/add/", views.visit_add, name="visit_add"),
    path(f"{CASE}visits/<uuid:visit_id>/", views.visit_edit, name="visit_edit"),
    path(f"{CASE}services/add/", views.service_add, name="service_add"),
    path(f"{CASE}services/<uuid:service_id>/", views.service_edit, name="service_edit"),
    path(f"{CASE}placements/add/", views.placement_add, name="placement_add"),
    path(f"{CASE}placements/<uuid:placement_id>/end/", views.placement_end, name="placement_end"),
    path(f"{CASE}tracing/add/", views.tracing_add, name="tracing_add"),
    path(f"{CASE}relatives/add/", views.relative_add, name="relative_add"),
    path(f"{CASE}reunification/add/", views.reunification_add, name="reunification_add"),
    path("care/providers/", views.provider_list, name="provider_list"),
    path("care/providers/add/", views.provider_add, name="provider_add"),
    path("care/providers/<uuid:provider_id>/", views.provider_detail, name="provider_detail"),
    path("care/providers/<uuid:provider_id>/edit/", views.provider_edit, name="provider_edit"),
    path("care/providers/<uuid:provider_id>/carers/add/", views.carer_add, name="carer_add"),
    path(
        "care/providers/<uuid:provider_id>/carers/<uuid:carer_id>/remove/",
        views.carer_remove,
        name="carer_remove",
    ),
    path("org/services/", views.service_type_list, name="service_type_list"),
    path("org/services/add/", views.service_type_add, name="service_type_add"),
    path("org/services/<uuid:service_type_id>/", views.service_type_edit, name="service_type_edit"),
]
