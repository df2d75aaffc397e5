"""Public booking: the steps under /book/, each visit's private manage pages, patients' feeds.

``calendar/<token>.ics`` answers calendar apps without a session: the secret token in it is the
credential.
"""

from django.urls import path, re_path

from . import views

app_name = "scheduling"

# The manage paths must match links.appointment_manage_path.
MANAGE = "appointments/<int:pk>/manage/<str:token>/"

urlpatterns = [
    path("book/", views.book, name="book"),
    path("book/therapist/", views.book_therapist, name="book_therapist"),
    path("book/time/", views.book_time, name="book_time"),
    path("book/details/", views.book_details, name="book_details"),
    path("book/confirmed/", views.book_confirmed, name="book_confirmed"),
    path(MANAGE, views.manage, name="manage"),
    path(f"{MANAGE}calendar.ics", views.manage_calendar, name="manage_calendar"),
    path(f"{MANAGE}cancel/", views.manage_cancel, name="manage_cancel"),
    path(f"{MANAGE}reschedule/", views.manage_reschedule, name="manage_reschedule"),
    re_path(
        r"^calendar/(?P<token>[A-Za-z0-9_-]{16,128})\.ics$", views.patient_feed, name="patient_feed"
    ),
]
