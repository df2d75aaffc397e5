from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "stride.programs"
    label = "programs"

    def ready(self) -> None:
        from . import signals

        signals.connect()
