from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "stride.core"
    label = "core"
