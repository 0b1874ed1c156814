from django.urls import path

from dost.security import views

app_name = "privacy"

urlpatterns = [
    path("extract/", views.extract, name="extract"),
    path("person-export/", views.person_export, name="person_export"),
]
