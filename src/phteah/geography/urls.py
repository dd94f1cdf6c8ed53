from django.urls import path

from . import views

app_name = "geography"

urlpatterns = [
    path("", views.search, name="search"),
    path("children/", views.children, name="children"),
]
