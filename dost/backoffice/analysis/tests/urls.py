"""The project's URLs with the analysis pages at backoffice/analysis/ under the namespace
"analysis", until the back office includes them (the tests do not depend on that)."""

from django.urls import include, path

from dost.urls import urlpatterns as project

urlpatterns = [
    path("backoffice/analysis/", include("dost.backoffice.analysis.urls")),
    *project,
]
