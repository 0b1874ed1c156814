"""Manage API clients and their keys from the command line (keys are printed once)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dost.api.keys import (
    SCOPES,
    client_create,
    client_scopes_set,
    key_issue,
    key_revoke,
    key_rotate,
)
from dost.api.models import ApiClient, ApiKey


class Command(BaseCommand):
    help = "Create API clients, set their scopes, and issue, rotate or revoke their keys."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="a new client and its first key")
        create.add_argument("name")
        create.add_argument("--sender", required=True, help="its life-event sender name")
        create.add_argument("--scopes", default="", help="comma-separated; see `scopes`")
        create.add_argument("--rate", type=int, default=600, help="requests per minute")
        scopes = sub.add_parser("set-scopes", help="replace a client's scopes")
        scopes.add_argument("name")
        scopes.add_argument("--scopes", required=True)
        issue = sub.add_parser("issue-key", help="another key for a client")
        issue.add_argument("name")
        rotate = sub.add_parser("rotate-key", help="a successor; the old key ends after --days")
        rotate.add_argument("prefix")
        rotate.add_argument("--days", type=float, default=7)
        revoke = sub.add_parser("revoke-key", help="end a key now")
        revoke.add_argument("prefix")
        sub.add_parser("list", help="clients, scopes and keys")
        sub.add_parser("scopes", help="the scopes there are")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except (ValidationError, ApiClient.DoesNotExist, ApiKey.DoesNotExist) as exc:
            raise CommandError(str(exc)) from exc

    def _key(self, key: str) -> None:
        self.stdout.write(f"key (shown once, store it now): {key}")

    def _create(self, options: dict[str, Any]) -> None:
        client = client_create(
            name=options["name"], sender=options["sender"],
            scopes=[s for s in options["scopes"].split(",") if s],
            rate_limit_per_minute=options["rate"],
        )
        self._key(key_issue(client=client).key)

    def _set_scopes(self, options: dict[str, Any]) -> None:
        client = ApiClient.objects.get(name=options["name"])
        client_scopes_set(client=client, scopes=[s for s in options["scopes"].split(",") if s])

    def _issue_key(self, options: dict[str, Any]) -> None:
        self._key(key_issue(client=ApiClient.objects.get(name=options["name"])).key)

    def _rotate_key(self, options: dict[str, Any]) -> None:
        old = ApiKey.objects.select_related("client").get(prefix=options["prefix"])
        self._key(key_rotate(key=old, overlap=dt.timedelta(days=options["days"])).key)

    def _revoke_key(self, options: dict[str, Any]) -> None:
        key_revoke(key=ApiKey.objects.get(prefix=options["prefix"]))

    def _list(self, options: dict[str, Any]) -> None:
        for client in ApiClient.objects.prefetch_related("keys"):
            self.stdout.write(f"{client.name} (sender {client.sender}, "
                              f"{client.rate_limit_per_minute}/min): {', '.join(client.scopes)}")
            for key in client.keys.all():
                state = "revoked" if key.revoked_at else f"expires {key.expires_at or 'never'}"
                self.stdout.write(f"  {key.prefix}  {state}")

    def _scopes(self, options: dict[str, Any]) -> None:
        for scope, meaning in SCOPES.items():
            self.stdout.write(f"{scope:26} {meaning}")
