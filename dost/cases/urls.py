from django.urls import path

from dost.cases import views

app_name = "cases"

urlpatterns = [
    path("queue/", views.queue_view, name="queue"),
    path("<int:case_id>/", views.case_view, name="case"),
    path("<int:case_id>/take/", views.case_take_view, name="take"),
]
