from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "dost.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from dost.audit import signals

        signals.connect()
