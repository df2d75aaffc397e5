"""The therapist's side of home exercise programs, under /staff/ (patients, programs, alerts)."""

from django.urls import path

from . import views_staff

app_name = "programs_staff"

urlpatterns = [
    path("patients/", views_staff.patient_list, name="patient_list"),
    path("patients/<int:pk>/", views_staff.patient_detail, name="patient_detail"),
    path("patients/<int:pk>/programs/new/", views_staff.program_new, name="program_new"),
    path("programs/<int:pk>/edit/", views_staff.program_edit, name="program_edit"),
    path("programs/<int:pk>/status/", views_staff.program_status, name="program_status"),
    path(
        "programs/<int:pk>/symptoms/resolve/",
        views_staff.symptoms_resolve_view,
        name="symptoms_resolve",
    ),
    path(
        "alerts/<int:pk>/acknowledge/",
        views_staff.alert_acknowledge_view,
        name="alert_acknowledge",
    ),
]
