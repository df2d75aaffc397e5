from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "stride.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from django.contrib.auth import signals as auth_signals
        from django.db.models.signals import post_migrate

        from . import signals

        auth_signals.user_logged_in.connect(signals.on_user_logged_in, dispatch_uid="audit_sign_in")
        auth_signals.user_logged_out.connect(
            signals.on_user_logged_out, dispatch_uid="audit_sign_out"
        )
        auth_signals.user_login_failed.connect(
            signals.on_user_login_failed, dispatch_uid="audit_sign_in_failed"
        )
        post_migrate.connect(signals.on_post_migrate, sender=self, dispatch_uid="audit_triggers")
