from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "dost.security"
    label = "security"
    verbose_name = _("Security: roles, sign-in, access rules")
