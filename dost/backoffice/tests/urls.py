"""The URLs the back-office tests need, mounted where dost/urls.py mounts them.

The tests use this instead of the root URL configuration so that pages other engineers are
still adding to the project cannot break them; the prefixes are the real ones.
"""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from dost.security.access import public

urlpatterns = [
    path("", public(TemplateView.as_view(template_name="home.html")), name="home"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("cases/", include("dost.cases.urls")),
    path("accounts/", include("dost.security.urls")),
    path("backoffice/", include("dost.backoffice.urls")),
]
