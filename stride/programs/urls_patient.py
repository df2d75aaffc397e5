"""The patient's own pages under /my/: program, logging, progress, handout, reminders."""

from django.urls import path

from . import views_patient as views
from . import views_patient_calendar

app_name = "my"

urlpatterns = [
    path("", views.home, name="home"),
    path("log/", views.session_log, name="log"),
    path("pain/", views.pain_log, name="pain"),
    path("check-in/", views.psfs_checkin, name="checkin"),
    path("reminders/", views.reminders, name="reminders"),
    path("calendar/", views_patient_calendar.calendar, name="calendar"),
    path("handout.pdf", views.handout, name="handout"),
]
