"""The analysis URLs inside a namespaced back office include ("staff:analysis"), the way
dost/backoffice/urls.py may include them."""

from django.urls import include, path

from dost.urls import urlpatterns as project

urlpatterns = [
    path("bo/", include(([path("analysis/", include("dost.backoffice.analysis.urls"))],
                         "staff"))),
    *project,
]
