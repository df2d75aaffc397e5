"""The therapist's side of home exercise programs, under /staff/ (patients, programs, alerts)."""

from django.urls import path

app_name = "programs_staff"

urlpatterns: list = []
