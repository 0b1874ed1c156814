from __future__ import annotations

from django.contrib.auth.views import LogoutView
from django.urls import path, reverse_lazy

from dost.centres import views
from dost.centres.sms_inbound import sms_inbound
from dost.security.access import public

app_name = "centres"

urlpatterns = [
    path("", views.index, name="index"),
    path("login/", public(views.StaffLoginView.as_view()), name="login"),
    path("logout/", public(LogoutView.as_view(next_page=reverse_lazy("centres:login"))),
         name="logout"),
    path("staff/", views.staff, name="staff"),
    path("desk/<int:counter_id>/", views.desk, name="desk"),
    path("desk/<int:counter_id>/call/", views.desk_call, name="desk_call"),
    path(
        "desk/<int:counter_id>/ticket/<int:ticket_id>/<slug:action>/",
        views.desk_action, name="desk_action",
    ),
    path("escalations/<int:escalation_id>/", views.escalation, name="escalation"),
    path("ticket/<str:token>/", views.ticket, name="ticket"),
    path("rate/<str:token>/", views.rate, name="rate"),
    # The SMS gateway's own shared token guards it (DOST_SMS_INBOUND_TOKEN).
    path("sms/inbound/", public(sms_inbound), name="sms_inbound"),
    path("rate/<str:token>/thanks/", views.rated, name="rated"),
    path("appointment/<str:token>/", views.appointment, name="appointment"),
    path("<slug:code>/kiosk/", views.kiosk, name="kiosk"),
    path("<slug:code>/kiosk/code/", views.kiosk_code, name="kiosk_code"),
    path("<slug:code>/board/", views.board, name="board"),
    path("<slug:code>/appointments/", views.appointments, name="appointments"),
    path("<slug:code>/escalations/", views.escalations, name="escalations"),
    path("<slug:code>/kpis/", views.kpis, name="kpis"),
]
