from django.urls import path

from dost.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.search, name="search"),
    path("me/", views.mine, name="mine"),
]
