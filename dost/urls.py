from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from dost.security.access import public

urlpatterns = [
    path("", public(TemplateView.as_view(template_name="home.html")), name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("cases/", include("dost.cases.urls")),
    path("centres/", include("dost.centres.urls")),
    path("api/", include("dost.api.urls")),
    path("accounts/", include("dost.security.urls")),
    path("portal/tools/", include("dost.portal.tools.urls")),
    path("portal/", include("dost.portal.urls")),
    path("certificates/", include("dost.certificates.urls")),
    path("backoffice/", include("dost.backoffice.urls")),
    path("payroll/", include("dost.benefits.urls")),
    path("audit/", include("dost.audit.urls")),
    path("privacy/", include("dost.security.privacy_urls")),
]
