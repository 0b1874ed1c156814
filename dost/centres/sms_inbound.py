"""The door for SMS replies: the operator's SMS gateway posts each incoming message here.

A reply such as `K7Q2M4PX 5 4 5 thank you` rates the visit of the ticket whose code it names
(see `services.rating_submit_sms`). The gateway authenticates with a shared token in the
`X-Gateway-Token` header, set in the `DOST_SMS_INBOUND_TOKEN` environment variable; with no token
configured the endpoint is closed.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from dost.centres import services
from dost.centres.models import Escalation

MSG_CLOSED = "Inbound SMS is not configured: set DOST_SMS_INBOUND_TOKEN."
MSG_WRONG_GATEWAY = "The X-Gateway-Token header is missing or wrong."
MSG_NO_TEXT = "Send the message body in the form field 'text'."


@csrf_exempt  # a machine-to-machine endpoint authenticated by its token, not a session
@require_POST
def sms_inbound(request: HttpRequest) -> JsonResponse:
    expected: str = getattr(settings, "DOST_SMS_INBOUND_TOKEN", "")
    if not expected:
        return JsonResponse({"status": "closed", "detail": MSG_CLOSED}, status=403)
    given = request.headers.get("X-Gateway-Token", "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return JsonResponse({"status": "refused", "detail": MSG_WRONG_GATEWAY}, status=403)
    text = request.POST.get("text", "").strip()
    if not text:
        return JsonResponse({"status": "rejected", "detail": MSG_NO_TEXT}, status=400)
    try:
        rating = services.rating_submit_sms(text=text)
    except ValidationError as error:
        return JsonResponse({"status": "rejected", "detail": " ".join(error.messages)}, status=400)
    return JsonResponse(
        {"status": "rated", "rating": rating.pk,
         "escalated": Escalation.objects.filter(rating=rating).exists()},
        status=201,
    )
