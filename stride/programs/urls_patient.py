"""The patient's own pages under /my/: program, logging, progress, handout, reminders."""

from django.urls import path

app_name = "my"

urlpatterns: list = []
