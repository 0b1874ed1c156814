from django.urls import path

from dost.portal.tools import views

app_name = "portal_tools"

urlpatterns = [
    path("", views.index, name="index"),
    path("screener/", views.screener_start, name="screener"),
    path("screener/household/", views.screener_household, name="screener_household"),
    path("screener/person/", views.screener_person, name="screener_person"),
    path("screener/change/", views.screener_change, name="screener_change"),
    path("screener/results/", views.screener_results, name="screener_results"),
    path("pension/", views.pension_calculator, name="pension"),
    path("pension/mine/", views.pension_mine, name="pension_mine"),
]
