from django.urls import URLPattern, URLResolver, include, path

from dost.backoffice import views

app_name = "backoffice"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home_view, name="home"),
    path("search/", views.search_view, name="search"),
    path("people/<int:person_id>/", views.person_view, name="person"),
    path("queue/", views.queue_view, name="queue"),
    path("cases/<int:case_id>/", views.case_view, name="case"),
    path("cases/<int:case_id>/decide/", views.case_decide_view, name="decide"),
    path("cases/<int:case_id>/override/", views.case_override_view, name="override"),
    path("cases/<int:case_id>/take/", views.case_take_view, name="take"),
    path("approvals/", views.approvals_view, name="approvals"),
    path("approvals/overrides/<int:pk>/", views.override_review_view, name="override_review"),
    path("approvals/changes/<int:pk>/", views.change_review_view, name="change_review"),
    # Proactive work of social workers: tasks, invitations, outreach lists.
    path("proactive/tasks/", views.tasks_view, name="tasks"),
    path("proactive/tasks/<int:pk>/", views.task_view, name="task"),
    path("proactive/outreach/", views.outreach_view, name="outreach"),
    path("proactive/outreach/<int:pk>/", views.outreach_contact_view, name="outreach_contact"),
    # Policy simulation and dashboards for analysts and supervisors.
    path("analysis/", include("dost.backoffice.analysis.urls")),
]
