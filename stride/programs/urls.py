"""Public and patient pages of home exercise programs."""

from django.urls import path

app_name = "programs"

urlpatterns: list = []
