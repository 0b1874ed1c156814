from django.urls import path

from dost.certificates import views

app_name = "certificates"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("verify/", views.verify_lookup, name="verify_lookup"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("staff/issue/", views.staff_issue, name="staff_issue"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/download/", views.download, name="download"),
]
