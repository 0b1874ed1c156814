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

# Staff and roles: the administrators' pages.
urlpatterns += [
    path("staff/", views.staff_list_view, name="staff"),
    path("staff/<int:user_id>/", views.staff_user_view, name="staff_user"),
    path("staff/<int:user_id>/assignments/", views.staff_assignment_add_view,
         name="staff_assignment_add"),
    path("staff/assignments/<int:pk>/remove/", views.staff_assignment_remove_view,
         name="staff_assignment_remove"),
    path("staff/grants/", views.role_grants_view, name="role_grants"),
    path("staff/grants/new/", views.role_grant_request_view, name="role_grant_request"),
    path("staff/grants/<int:pk>/", views.role_grant_decide_view, name="role_grant_decide"),
]
