"""Collect new webhook notifications and send the deliveries that are due (run every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dost.api.webhooks import deliveries_send_due, webhooks_collect


class Command(BaseCommand):
    help = "Queue webhook notifications for new decisions and life events; send those due."

    def handle(self, *args: Any, **options: Any) -> None:
        queued = webhooks_collect()
        sent = deliveries_send_due()
        delivered = sum(1 for d in sent if d.status == "delivered")
        self.stdout.write(f"queued {queued}, attempted {len(sent)}, delivered {delivered}")
