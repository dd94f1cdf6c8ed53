from django.urls import path

from . import views

app_name = "work"
urlpatterns = [
    path("work/", views.my_work, name="my_work"),
    path("work/team/", views.team, name="team"),
    path("work/team/<uuid:membership_id>/", views.member_work, name="member_work"),
]
