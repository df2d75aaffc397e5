from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "stride.content"
    label = "content"

    def ready(self) -> None:
        from . import signals

        signals.connect()
