"""Staff pages under /staff/ (calendar, booking on a patient's behalf, time off, feeds).

``feeds/<token>.ics`` is the one address here without a session: calendar apps fetch it, and
the secret token in it is the credential.
"""

from django.urls import path, re_path

from . import views_staff

app_name = "staff"

urlpatterns = [
    path("", views_staff.home, name="home"),
    path("calendar/", views_staff.calendar, name="calendar"),
    path("appointments/new/", views_staff.appointment_new, name="appointment_new"),
    path("appointments/<int:pk>/move/", views_staff.appointment_move, name="appointment_move"),
    path(
        "appointments/<int:pk>/cancel/",
        views_staff.appointment_cancel_view,
        name="appointment_cancel",
    ),
    path("appointments/<int:pk>/mark/", views_staff.appointment_mark_view, name="appointment_mark"),
    path("time-off/", views_staff.time_off, name="time_off"),
    path("time-off/<int:pk>/delete/", views_staff.time_off_delete_view, name="time_off_delete"),
    path("calendar-feed/", views_staff.calendar_feed, name="calendar_feed"),
    re_path(r"^feeds/(?P<token>[A-Za-z0-9_-]{16,128})\.ics$", views_staff.feed, name="feed"),
]
