from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "stride.programs"
    label = "programs"
