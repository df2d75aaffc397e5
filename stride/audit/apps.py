from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "stride.audit"
    label = "audit"
    verbose_name = "Audit log"
