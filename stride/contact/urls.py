from django.urls import path

from . import views

app_name = "contact"

urlpatterns = [
    path("contact/", views.contact_form, name="form"),
    path("contact/thanks/", views.contact_thanks, name="thanks"),
]
