from django.apps import AppConfig


class ContactConfig(AppConfig):
    name = "stride.contact"
    label = "contact"
