from django.urls import path

from dost.portal.oidc import CitizenAuthenticateView, CitizenCallbackView
from dost.portal.views import apply, appointments, cabinet, signin
from dost.security.access import public

app_name = "portal"

urlpatterns = [
    path("", signin.start, name="start"),
    path("login/", signin.sign_in, name="login"),
    path("logout/", signin.sign_out, name="logout"),
    # The eID's authorization-code flow (mozilla-django-oidc).
    path("oidc/authenticate/", public(CitizenAuthenticateView.as_view()),
         name="oidc_authenticate"),
    path("oidc/callback/", public(CitizenCallbackView.as_view()), name="oidc_callback"),
    path("cabinet/", cabinet.cabinet, name="cabinet"),
    path("cabinet/benefits/", cabinet.benefits, name="benefits"),
    path("cabinet/offers/<int:offer_id>/accept/", cabinet.offer_take, name="offer_accept"),
    path("cabinet/applications/", cabinet.applications, name="applications"),
    path("cabinet/applications/<int:case_id>/", cabinet.application, name="application"),
    path("cabinet/inbox/", cabinet.inbox, name="inbox"),
    path("cabinet/files/<int:upload_id>/", cabinet.upload_download, name="upload"),
    path("apply/", apply.services_list, name="apply"),
    path("apply/sent/<int:case_id>/", apply.apply_done, name="apply_done"),
    path("apply/<str:code>/", apply.apply_start, name="apply_start"),
    path("apply/<str:code>/for/", apply.apply_for, name="apply_for"),
    path("apply/<str:code>/notify/", apply.apply_notify, name="apply_notify"),
    path("apply/<str:code>/document/<slug:document>/", apply.apply_document,
         name="apply_document"),
    path("apply/<str:code>/check/", apply.apply_check, name="apply_check"),
    path("cabinet/appointments/", appointments.appointments, name="appointments"),
    path("cabinet/appointments/book/", appointments.book_centre, name="book_centre"),
    path("cabinet/appointments/book/<slug:code>/", appointments.book_slot, name="book_slot"),
    path("cabinet/appointments/<int:appointment_id>/move/", appointments.appointment_move,
         name="appointment_move"),
    path("cabinet/appointments/<int:appointment_id>/cancel/", appointments.appointment_cancel,
         name="appointment_cancel"),
    path("cabinet/visits/<int:ticket_id>/rate/", appointments.visit_rate, name="visit_rate"),
]
