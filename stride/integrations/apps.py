from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "stride.integrations"
    label = "integrations"
    verbose_name = "Webhooks and backups"
