from django.contrib.auth import views as auth_views
from django.urls import path

from dost.security.access import public

app_name = "security"

urlpatterns = [
    path("login/", public(auth_views.LoginView.as_view(
        template_name="security/login.html", redirect_authenticated_user=True)), name="login"),
    path("logout/", public(auth_views.LogoutView.as_view()), name="logout"),
]
