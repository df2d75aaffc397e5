from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "stride.content"
    label = "content"
