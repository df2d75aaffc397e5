from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "stride.api"
    label = "api"
