"""The first staff pages of the cases app, now served by the back office.

The work queue and the case screen live in dost.backoffice (one screen each, with the
override, appeal and audit features these lacked); the old addresses answer with permanent
redirects so bookmarks and links in sent notifications keep working.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.urls import reverse

from dost.cases.selectors import STAFF_PERMISSIONS
from dost.security.access import staff_required


class HttpResponsePermanentRedirectKeepingMethod(HttpResponsePermanentRedirect):
    # 308: a browser repeats a POST (with its CSRF token) at the new address.
    status_code = 308


def _with_query(request: HttpRequest, url: str) -> str:
    query = request.META.get("QUERY_STRING", "")
    return f"{url}?{query}" if query else url


# The same access as the pages they lead to, so the permission matrix reads the same for both.
@staff_required(*STAFF_PERMISSIONS, any_of=True)
def queue_view(request: HttpRequest) -> HttpResponsePermanentRedirect:
    return HttpResponsePermanentRedirect(_with_query(request, reverse("backoffice:queue")))


@staff_required(*STAFF_PERMISSIONS, any_of=True)
def case_view(request: HttpRequest, case_id: int) -> HttpResponsePermanentRedirect:
    return HttpResponsePermanentRedirect(reverse("backoffice:case", args=[case_id]))


@staff_required("cases.work_case")
def case_take_view(request: HttpRequest, case_id: int) -> HttpResponsePermanentRedirect:
    return HttpResponsePermanentRedirectKeepingMethod(reverse("backoffice:take", args=[case_id]))
