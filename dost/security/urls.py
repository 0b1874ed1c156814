from django.contrib.auth import views as auth_views
from django.urls import path

from dost.security import views
from dost.security.access import public

app_name = "security"

urlpatterns = [
    path("login/", public(views.StaffLoginView.as_view()), name="login"),
    path("logout/", public(auth_views.LogoutView.as_view()), name="logout"),
    path("2fa/", views.otp_verify, name="otp_verify"),
    path("2fa/enrol/", views.otp_enrol, name="otp_enrol"),
]
