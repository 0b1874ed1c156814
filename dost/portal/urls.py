from django.urls import path
from django.views.generic import RedirectView

from dost.security.access import public

app_name = "portal"

urlpatterns = [
    # Replaced by the portal's own sign-in (OIDC and the demo's local sign-in).
    path("login/", public(RedirectView.as_view(pattern_name="security:login")), name="login"),
]
