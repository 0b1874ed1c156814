"""Policy simulation and dashboards, included by the back office at backoffice/analysis/."""

from django.urls import path, re_path

from dost.backoffice.analysis import views

app_name = "analysis"

urlpatterns = [
    path("", views.index, name="index"),
    path("simulation/", views.simulation, name="simulation"),
    # Before the benefit pattern, which "runs/<key>" would match too.
    re_path(r"^simulation/runs/(?P<key>[0-9a-f]{32})/$", views.simulation_run,
            name="simulation_run"),
    path("simulation/<slug:rulebook>/<slug:output>/", views.simulation_parameters,
         name="simulation_parameters"),
    path("dashboards/", views.dashboards, name="dashboards"),
]
