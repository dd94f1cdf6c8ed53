from django.urls import path

from . import views

app_name = "work"
urlpatterns = [
    path("work/", views.my_work, name="my_work"),
    path("work/team/", views.team, name="team"),
    path("work/team/<uuid:membership_id>/", views.member_work, name="member_work"),
    path("org/rules/", views.rules, name="rules"),
    path("org/rules/add/", views.rule_add, name="rule_add"),
    path("org/rules/restore/", views.rules_restore, name="rules_restore"),
    path("org/rules/<uuid:rule_id>/", views.rule_edit, name="rule_edit"),
    path("org/rules/<uuid:rule_id>/delete/", views.rule_delete, name="rule_delete"),
]
