"""`dost proactive consume|day|scan`: the proactive engine from the command line (or cron)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dost.proactive.services.engine import (
    day_consume,
    events_consume,
    events_follow,
    worker_gc_tune,
)
from dost.proactive.services.scan import outreach_write, scan_non_take_up


def _partition(text: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: write K/N, e.g. 0/2") from None
    if not 0 <= index < count:
        raise argparse.ArgumentTypeError(f"{text!r}: K must be 0 to N-1")
    return index, count


class Command(BaseCommand):
    help = "Consume life events, run the daily age triggers, scan for non-take-up."
    # A batch job: the web checks (URLs, templates) say nothing about it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        consume = sub.add_parser("consume", help="handle new life events after the cursor")
        consume.add_argument("--limit", type=int, default=100_000)
        consume.add_argument("--follow", action="store_true",
                             help="keep consuming new events as they arrive (a worker)")
        consume.add_argument("--poll", type=float, default=1.0,
                             help="with --follow: seconds to wait when nothing is new")
        consume.add_argument("--idle-exit", type=float, default=None,
                             help="with --follow: stop after this many seconds with nothing new")
        consume.add_argument("--partition", type=_partition, default=None, metavar="K/N",
                             help="only partition K of N of the log (0 ≤ K < N): run one worker "
                                  "per partition to share the events between N workers")
        day = sub.add_parser("day", help="retirement and child-age triggers of a day")
        day.add_argument("--on", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD")
        scan = sub.add_parser("scan", help="non-take-up outreach lists for a month")
        scan.add_argument("--period", required=True, help="YYYY-MM")
        scan.add_argument("--country", default=None)
        scan.add_argument("--out", type=Path, default=None,
                          help="directory for one CSV outreach list per district")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "consume" and options["follow"]:
                worker_gc_tune()
                result = events_follow(
                    poll=options["poll"], idle_exit=options["idle_exit"],
                    partition=options["partition"],
                    on_chunk=lambda chunk: self.stdout.write(
                        f"{chunk.events} events; cursor at {chunk.last_event_id}"
                    ),
                )
                self.stdout.write(f"{result.events} events in all")
            elif action == "consume":
                result = events_consume(limit=options["limit"], partition=options["partition"])
                self.stdout.write(
                    f"{result.events} events, {len(result.actions)} evaluations, "
                    f"{result.ended} awards ended; cursor at {result.last_event_id}"
                )
            elif action == "day":
                on = options["on"] or timezone.localdate()
                result = day_consume(on=on)
                self.stdout.write(
                    f"{on}: {len(result.actions)} evaluations, {result.ended} awards ended"
                )
            else:
                period = options["period"]
                found = scan_non_take_up(
                    period=period, country=options["country"] or settings.DOST_COUNTRY
                )
                self.stdout.write(f"{period}: {found.found} people likely eligible, not paid")
                for district, count in sorted(found.by_district.items()):
                    self.stdout.write(f"  {district}: {count}")
                if options["out"] is not None:
                    for path in outreach_write(period=period, directory=options["out"]):
                        self.stdout.write(f"  wrote {path}")
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
