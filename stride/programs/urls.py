"""Public and patient pages of home exercise programs."""

from django.urls import path

from . import views

app_name = "programs"

urlpatterns = [
    path("exercises/", views.exercise_list, name="exercise_list"),
    path("exercises/<slug:slug>/", views.exercise_detail, name="exercise_detail"),
]
