"""Staff pages under /staff/ (calendar, booking on a patient's behalf, time off)."""

from django.urls import path

app_name = "staff"

urlpatterns: list = []
