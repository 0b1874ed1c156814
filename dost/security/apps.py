from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After every migrate (and test-database flush): permissions of every app, then the
    groups of `roles.ROLE_PERMISSIONS`. Idempotent; the same as `dost roles sync`."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from dost.security.services.roles import roles_sync

    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    roles_sync()


class SecurityConfig(AppConfig):
    name = "dost.security"
    label = "security"
    verbose_name = _("Security: roles, sign-in, access rules")

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="security-roles-sync")
