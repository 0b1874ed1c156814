from django.urls import URLPattern, path

from dost.benefits import views

app_name = "benefits"

# A run is named by its month (YYYY-MM); a month that has no run is a 404 like any other.
urlpatterns: list[URLPattern] = [
    path("", views.runs_view, name="runs"),
    path("prepare/", views.run_prepare_view, name="prepare"),
    path("results/", views.results_upload_view, name="results"),
    path("runs/<str:period>/", views.run_view, name="run"),
    path("runs/<str:period>/approve/", views.run_approve_view, name="approve"),
    # `fmt`: csv, or xml for the pain.001 message.
    path("runs/<str:period>/files/<str:bank>.<str:fmt>", views.bank_file_view, name="bank_file"),
]
